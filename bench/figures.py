"""How every benchmark reports: one JSON line per figure on standard output, each with the
machine's one-minute load average beside it (a figure taken on a busy machine says so)."""

import json
import os
import sys


def emit(figure: str, **values) -> None:
    values.setdefault("load_average", round(os.getloadavg()[0], 1))
    sys.stdout.write(json.dumps({"figure": figure, **values}) + "\n")
    sys.stdout.flush()
