"""Which day a usage event belongs to is its account's (issue 17): the day it happened in the
account's time zone (`customers.Account.time_zone`), else in the company's (setting TIME_ZONE).

Lago: "The beginning and end of the billing period depend on the timezone applied to the
customer account. The default timezone is UTC but you can define another timezone for your
organization, which can be overwritten by the customer's timezone" (Lago docs, Customers,
"Bill following your customer's timezone",
https://getlago.com/docs/guide/customers/invoice-customer). Stripe records a meter event's
`timestamp` as a moment (seconds since the Unix epoch, Stripe API, "Create a billing meter
event"), so the day it counts on is a matter of the zone it is read in. Here an event at
2026-03-31 23:30 UTC is 1 April (08:30) for a Tokyo customer, billed in April's usage period,
and 31 March for a customer in UTC.
"""

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from billing.models import Invoice, UsageRecord
from billing.services.runs import create_invoice_run
from billing.services.usage_import import import_usage_csv
from billing.services.usage_ingest import ingest_usage_events
from tests.billing.factories import active_contract, product, snapshot
from tests.customers.factories import AccountFactory

pytestmark = pytest.mark.django_db

MID_MARCH = datetime(2026, 3, 15, 12, tzinfo=UTC)
LAST_NIGHT_OF_MARCH = datetime(2026, 3, 31, 23, 30, tzinfo=UTC)  # 1 April 08:30 in Tokyo


@pytest.fixture
def run_on(django_capture_on_commit_callbacks, finance):
    def run(as_of: date):
        with django_capture_on_commit_callbacks(execute=True):
            create_invoice_run(by=finance, as_of=as_of)
    return run


def metered_account(time_zone: str = ""):
    """An account billed monthly in arrears for API calls at 0.01 each, from 1 March 2026."""
    account = AccountFactory(bill_day=1, time_zone=time_zone)
    meter = product("API", kind="usage")
    active_contract(account=account, start_on=date(2026, 3, 1), end_on=date(2027, 2, 28),
                    lines=[{"product": meter, "amount": "0",
                            "snapshot": snapshot("USD", "monthly", D("0.01"))}])
    for key, (moment, quantity) in enumerate(((MID_MARCH, 100), (LAST_NIGHT_OF_MARCH, 1000))):
        UsageRecord.objects.create(account=account, product=meter, quantity=quantity,
                                   idempotency_key=f"k{key}", occurred_at=moment)
    return account


def usage_billed(account, period_start: date) -> tuple[D, D]:
    line = Invoice.objects.get(account=account, lines__period_start=period_start).lines.get(
        source="usage")
    return line.quantity, line.amount


def test_a_tokyo_accounts_event_late_on_31_march_utc_is_billed_in_april(run_on):
    # given a Tokyo account whose second event is 1 April in Tokyo (31 March in UTC)
    tokyo = metered_account("Asia/Tokyo")
    # when March is billed (run of 1 April), then April (run of 1 May)
    run_on(date(2026, 4, 1))
    # then March bills only the mid-March event, and the late one stays unbilled...
    assert usage_billed(tokyo, date(2026, 3, 1)) == (D(100), D("1.00"))
    assert UsageRecord.objects.get(occurred_at=LAST_NIGHT_OF_MARCH).billing_record is None
    run_on(date(2026, 5, 1))
    # ...until April's period bills it
    assert usage_billed(tokyo, date(2026, 4, 1)) == (D(1000), D("10.00"))
    assert UsageRecord.objects.get(occurred_at=LAST_NIGHT_OF_MARCH).billing_record.period_start \
        == date(2026, 4, 1)


def test_an_account_without_a_zone_keeps_the_companys(run_on, settings):
    # given a company in New York and an account naming no zone: 1 April 02:00 UTC is still
    # 31 March there, and 31 March 23:30 UTC too
    settings.TIME_ZONE = "America/New_York"
    account = metered_account()
    late = UsageRecord.objects.create(account=account, product=product("API", kind="usage"),
                                      quantity=10, idempotency_key="k-ny",
                                      occurred_at=datetime(2026, 4, 1, 2, tzinfo=UTC))
    # when March is billed on the company's 1 April
    run_on(date(2026, 4, 1))
    # then March holds all three events
    assert usage_billed(account, date(2026, 3, 1)) == (D(1110), D("11.10"))
    late.refresh_from_db()
    assert late.billing_record is not None


def test_the_run_cut_off_is_the_accounts_midnight(run_on):
    # given an account in Los Angeles whose event is 1 April 03:00 UTC, 31 March 20:00 there
    account = metered_account("America/Los_Angeles")
    UsageRecord.objects.create(account=account, product=product("API", kind="usage"),
                               quantity=5, idempotency_key="k-la",
                               occurred_at=datetime(2026, 4, 1, 3, tzinfo=UTC))
    # when March is billed on 1 April
    run_on(date(2026, 4, 1))
    # then March in Los Angeles counts it with the other two
    assert usage_billed(account, date(2026, 3, 1)) == (D(1105), D("11.05"))


def test_usage_sent_after_march_is_billed_is_refused_or_taken_by_the_accounts_day(run_on,
                                                                                finance):
    # given a Tokyo account whose March usage is invoiced
    tokyo = metered_account("Asia/Tokyo")
    run_on(date(2026, 4, 1))
    # when 31 March 23:45 UTC (1 April in Tokyo) is sent, it is taken
    taken = ingest_usage_events(by=finance, events=[
        {"account": tokyo.pk, "sku": "API", "quantity": "1", "idempotency_key": "late-1",
         "timestamp": "2026-03-31T23:45:00Z"}])
    assert taken.created == 1
    # but 31 March 14:00 UTC (23:00 in Tokyo) falls in the invoiced March, by the API...
    with pytest.raises(ValidationError, match="falls in the period 2026-03-01..2026-03-31"):
        ingest_usage_events(by=finance, events=[
            {"account": tokyo.pk, "sku": "API", "quantity": "1", "idempotency_key": "late-2",
             "timestamp": "2026-03-31T14:00:00Z"}])
    # ...and by a file
    with pytest.raises(ValidationError, match="falls in the period 2026-03-01..2026-03-31"):
        import_usage_csv(content=(f"account,sku,quantity,timestamp,idempotency_key\n"
                                  f"{tokyo.pk},API,1,2026-03-31T14:00:00Z,late-3\n").encode(),
                         file_name="late.csv", by=finance)
