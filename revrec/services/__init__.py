"""revrec's verbs: revenue contracts for live contracts, recognition runs, and the period close."""

from revrec.services.contracts import create_revenue_contracts
from revrec.services.recognition import (
    fail_recognition_run,
    run_recognition_chunk,
    start_recognition_run,
)

__all__ = ["create_revenue_contracts", "fail_recognition_run", "run_recognition_chunk",
           "start_recognition_run"]
