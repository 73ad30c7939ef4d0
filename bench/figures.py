"""How every benchmark reports: one JSON line per figure on standard output."""

import json
import sys


def emit(figure: str, **values) -> None:
    sys.stdout.write(json.dumps({"figure": figure, **values}) + "\n")
    sys.stdout.flush()
