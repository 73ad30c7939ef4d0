"""The one test of the quote stage that goes through a real broker: a `celery worker`
subprocess takes a task and does its work."""

from datetime import date

import pytest

from quotes.models import Quote, QuoteState
from tests.celery_worker import require_a_worker, run_in_worker
from tests.conftest import reseed_migration_data
from tests.quotes.sent_quotes import approved_quote


@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
@pytest.mark.django_db(transaction=True)
def test_a_worker_takes_a_task_from_the_broker_and_does_its_work(sales_rep):
    require_a_worker()
    reseed_migration_data()
    quote = approved_quote(owner=sales_rep)
    # time passes: its expiry is long gone (a quote cannot be created already expired)
    Quote.objects.filter(pk=quote.pk).update(expires_on=date(2020, 1, 31))

    def expired():
        quote.refresh_from_db()
        return quote.state == QuoteState.EXPIRED

    output = run_in_worker("quotes.tasks.expire_due_quotes_task", done=expired)

    assert quote.state == QuoteState.EXPIRED, output
