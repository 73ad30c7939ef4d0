"""What the operations page and /health/ say of a real broker, and of one that is down."""

import pytest

from operations import selectors
from tests.celery_worker import BROKER, point_broker_at


def test_a_reachable_broker_reports_its_queue_depth(monkeypatch):
    if not BROKER:
        pytest.skip("needs CELERY_BROKER_URL (Redis), as .ci/run sets it")
    point_broker_at(monkeypatch, BROKER)

    answer = selectors.broker()

    assert answer.status == "ok" and answer.queue_depth >= 0


def test_a_broker_that_refuses_connections_is_reported_unreachable(monkeypatch):
    point_broker_at(monkeypatch, "redis://127.0.0.1:9/0")  # discard port: nothing listens

    answer = selectors.broker()

    assert answer.status == "unreachable" and answer.queue_depth is None and answer.detail
