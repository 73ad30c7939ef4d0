"""How every benchmark reports: one JSON line per figure on standard output, each with the
machine's one-minute load average beside it (a figure taken on a busy machine says so)."""

import json
import os
import sys
import threading
import time


def emit(figure: str, **values) -> None:
    values.setdefault("load_average", round(os.getloadavg()[0], 1))
    sys.stdout.write(json.dumps({"figure": figure, **values}) + "\n")
    sys.stdout.flush()


class QueryMeter:
    """The queries this process sends while the block runs (COPYs included: they bypass
    Django's cursor wrappers), and the seconds spent in them and in commits (the database's
    share of the run, with the encoding of COPY rows)."""

    def __enter__(self):
        from django.db import DEFAULT_DB_ALIAS, connections

        from core import bulk_rows

        connection = connections[DEFAULT_DB_ALIAS]

        self._copy_rows = bulk_rows.copy_rows

        def copy_rows(*args, **kwargs):
            began = time.perf_counter()
            try:
                return self._copy_rows(*args, **kwargs)
            finally:
                self.queries += 1
                self.db_seconds += time.perf_counter() - began

        bulk_rows.copy_rows = copy_rows

        self.queries, self.db_seconds = 0, 0.0
        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        self._commit = type(connection).commit
        meter = self

        def commit(db):
            began = time.perf_counter()
            try:
                return meter._commit(db)
            finally:
                meter.db_seconds += time.perf_counter() - began

        type(connection).commit = commit
        return self

    def __call__(self, execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries += 1
            self.db_seconds += time.perf_counter() - began

    def __exit__(self, *exc):
        from django.db import DEFAULT_DB_ALIAS, connections

        from core import bulk_rows

        connection = connections[DEFAULT_DB_ALIAS]

        bulk_rows.copy_rows = self._copy_rows
        type(connection).commit = self._commit
        self._wrapper.__exit__(*exc)
        return False


def rss_mb() -> float:
    """This process's resident memory now (VmRSS), in MB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class PeakRss:
    """The most resident memory this process holds while the block runs, sampled every 20 ms
    by a thread, and how much of it the block added (`growth_mb`)."""

    def __enter__(self):
        self.before = self.peak = rss_mb()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while not self._done.wait(0.02):
            self.peak = max(self.peak, rss_mb())

    def __exit__(self, *exc):
        self._done.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb())
        self.growth_mb = round(self.peak - self.before, 1)
        return False
