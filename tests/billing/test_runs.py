"""Invoice runs: drafts per account and currency, failures that do not stop the run, reruns
and resumed runs that bill nothing twice, preview that writes nothing."""

from datetime import date
from decimal import Decimal as D

import pytest

from billing.models import BillingRecord, Invoice, InvoiceRunChunk, RunState
from billing.services import runs
from billing.services.issuing import issue_run_chunk
from billing.services.runs import create_invoice_run, preview_invoice_run, run_invoice_run
from tests.billing.factories import active_contract, product
from tests.customers.factories import AccountFactory

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 12, 1)


@pytest.fixture
def run_now(django_capture_on_commit_callbacks, finance):
    def start(**filters):
        with django_capture_on_commit_callbacks(execute=True):
            run = create_invoice_run(by=finance, as_of=filters.pop("as_of", AS_OF), **filters)
        run.refresh_from_db()
        return run
    return start


def customer(owner=None, **kwargs):
    account = AccountFactory(bill_day=1, **({"owner": owner} if owner else {}), **kwargs)
    active_contract(account=account, start_on=date(2026, 11, 13), end_on=date(2027, 11, 12),
                    currency=account.currency, lines=[
                        {"amount": "100.00"},
                        {"product": product("SETUP", kind="service"), "billing_period": "one_time",
                         "amount": "500.00"}])
    return account


def test_run_creates_one_draft_per_account_with_prorated_first_period(run_now):
    account = customer()
    run = run_now()
    assert run.state == RunState.COMPLETED
    invoice = Invoice.objects.get(account=account)
    lines = [(line.source, line.amount, line.period_start, line.period_end)
             for line in invoice.lines.order_by("position")]
    assert lines == [
        ("recurring", D("60.00"), date(2026, 11, 13), date(2026, 11, 30)),
        ("recurring", D("100.00"), date(2026, 12, 1), date(2026, 12, 31)),
        ("one_time", D("500.00"), date(2026, 11, 13), date(2026, 11, 13))]
    assert (invoice.state, invoice.total, invoice.amount_due) == ("draft", D("660.00"),
                                                                   D("660.00"))
    assert BillingRecord.objects.filter(invoice=invoice).count() == 3


def test_running_again_or_a_second_run_creates_nothing(run_now, finance):
    customer()
    run = run_now()
    run_invoice_run(run=run, by=finance)  # the same run again
    second = run_now()
    assert Invoice.objects.count() == 1
    assert second.state == RunState.COMPLETED and not second.invoices.exists()


def test_a_run_that_died_half_way_resumes_without_duplicates(run_now, finance,
                                                            django_capture_on_commit_callbacks):
    # given three accounts in three chunks, and a run whose worker died after the first chunk
    accounts = [customer() for _ in range(3)]
    run = create_invoice_run(by=finance, as_of=AS_OF, chunk_size=1)  # task never delivered
    run_invoice_run(run=run, by=finance)  # starts: three chunks, tasks lost on rollback
    first = InvoiceRunChunk.objects.filter(run=run).order_by("sequence").first()
    runs.run_invoice_chunk(chunk=first, by=finance)
    assert Invoice.objects.count() == 1
    # when it is resumed
    with django_capture_on_commit_callbacks(execute=True):
        run_invoice_run(run=run, by=finance)
    # then the other two are billed once and the run completes
    run.refresh_from_db()
    assert run.state == RunState.COMPLETED
    assert sorted(Invoice.objects.values_list("account_id", flat=True)) == sorted(
        a.pk for a in accounts)


def test_a_failing_account_is_recorded_and_does_not_stop_the_run(run_now):
    good = customer()
    bad = AccountFactory(bill_day=1)
    active_contract(account=bad, start_on=date(2026, 11, 1), end_on=date(2027, 10, 31), lines=[
        {"product": product("METER", kind="usage"), "amount": "1.00",
         "snapshot": {"model": "graduated", "currency": "USD", "billing_period": "monthly",
                      "tiers": []}}])
    run = run_now()
    assert Invoice.objects.filter(account=good).exists()
    assert not Invoice.objects.filter(account=bad).exists()
    [failure] = run.failures.all()
    assert failure.account == bad and "Tiered prices need at least one tier" in failure.reason
    assert run.state == RunState.COMPLETED


def test_one_draft_per_currency(run_now):
    account = customer()
    active_contract(account=account, start_on=date(2026, 12, 1), end_on=date(2027, 11, 30),
                    currency="EUR", lines=[{"amount": "90.00"}])
    run_now()
    assert sorted(Invoice.objects.filter(account=account).values_list("currency", flat=True)) \
        == ["EUR", "USD"]


def test_filters_narrow_the_run(run_now):
    usd, eur = customer(), customer(currency="EUR")
    run_now(currency="EUR")
    assert list(Invoice.objects.values_list("account_id", flat=True)) == [eur.pk]
    assert not Invoice.objects.filter(account=usd).exists()


def test_usage_is_rated_in_arrears_with_the_frozen_price(run_now):
    from django.utils import timezone

    from billing.models import UsageRecord
    from tests.billing.factories import snapshot

    account = AccountFactory(bill_day=1)
    meter = product("API", kind="usage")
    active_contract(account=account, start_on=date(2026, 10, 1), end_on=date(2027, 9, 30),
                    lines=[{"product": meter, "amount": "0",
                            "snapshot": snapshot("USD", "monthly", D("0.01"))}])
    for day, quantity in ((5, 1000), (20, 500)):
        UsageRecord.objects.create(account=account, product=meter, quantity=quantity,
                                   idempotency_key=f"k{day}", occurred_at=timezone.make_aware(
                                       timezone.datetime(2026, 10, day, 12)))
    run_now(as_of=date(2026, 11, 1))
    [line] = Invoice.objects.get(account=account).lines.all()
    assert (line.source, line.quantity, line.amount) == ("usage", D(1500), D("15.00"))
    assert UsageRecord.objects.filter(billing_record__isnull=False).count() == 2


def test_one_time_line_waits_for_fulfilment(run_now, finance):
    from orders.models import OrderLine

    account = customer()
    line = account.contracts.get().lines.get(billing_period="one_time")
    order_line = _order_line(line, finance)
    run_now()
    assert not Invoice.objects.get(account=account).lines.filter(source="one_time").exists()
    OrderLine.objects.filter(pk=order_line.pk).update(fulfilled_on=date(2026, 11, 20),
                                                      fulfilled_quantity=order_line.quantity)
    run_now(as_of=date(2026, 12, 2))
    one_time = [i for i in Invoice.objects.filter(account=account)
                if i.lines.filter(source="one_time").exists()]
    # billed once, on the day its schedule says (the contract's start)
    assert len(one_time) == 1
    assert one_time[0].lines.get(source="one_time").period_start == date(2026, 11, 13)


def _order_line(contract_line, by):
    from orders.models import Order, OrderLine

    fields = {f.name for f in Order._meta.get_fields()}
    order = Order.objects.create(**{k: v for k, v in {
        "number": "O-T-1", "account": contract_line.contract.account,
        "contract": contract_line.contract, "currency": contract_line.contract.currency,
        "created_by": by, "owner": by}.items() if k in fields})
    line_fields = {f.name for f in OrderLine._meta.get_fields()}
    return OrderLine.objects.create(**{k: v for k, v in {
        "order": order, "position": 1, "contract_line": contract_line,
        "product": contract_line.product, "quantity": contract_line.quantity,
        "description": "Setup"}.items() if k in line_fields})


def test_preview_writes_nothing_and_matches_the_run(run_now, finance):
    customer()
    preview = preview_invoice_run(by=finance, as_of=AS_OF)
    assert (preview.invoice_count, preview.totals) == (1, {"USD": D("660.00")})
    assert not Invoice.objects.exists()
    run_now()
    assert Invoice.objects.get().total == preview.rows[0].total


def test_sales_cannot_start_or_preview_runs(sales_rep):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        create_invoice_run(by=sales_rep, as_of=AS_OF)
    with pytest.raises(PermissionDenied):
        preview_invoice_run(by=sales_rep, as_of=AS_OF)


def test_an_amendment_credits_the_ended_line_and_charges_the_new_one_on_the_next_invoice(
        run_now):
    # given December billed in advance on a 100.00 monthly line
    from contracts.models import ContractLine, LineStatus, ScheduleChange
    from contracts.services.schedules import end_lines, schedule_lines

    account = AccountFactory(bill_day=1)
    contract = active_contract(account=account, start_on=AS_OF, end_on=date(2027, 11, 30),
                               lines=[{"amount": "100.00"}])
    run_now()
    old = contract.lines.select_related("contract", "product").get()
    # when a change ends it on the 15th and starts a 200.00 line on the 16th (the schedule
    # rows an amendment stores)
    change = ScheduleChange.objects.create(contract=contract, kind="amendment",
                                           effective_on=date(2026, 12, 16))
    end_lines([old], last_day=date(2026, 12, 15), change=change)
    new = ContractLine.objects.create(
        contract=contract, position=2, product=old.product, quantity=1, billing_period="monthly",
        price_snapshot=old.price_snapshot, amount_per_period=D("200.00"),
        start_on=date(2026, 12, 16), end_on=date(2027, 11, 30), status=LineStatus.ACTIVE,
        replaces=old)
    schedule_lines([new], change)
    run_now(as_of=date(2026, 12, 16))
    # then the next invoice carries the credit for 16 of 31 days and the new line's 16 days
    latest = Invoice.objects.filter(account=account).order_by("-pk").first()
    assert sorted((line.source, line.amount) for line in latest.lines.all()) == [
        ("amendment_credit", D("-51.61")), ("recurring", D("103.23"))]
    assert latest.total == D("51.62")


def test_a_run_for_chosen_accounts_bills_only_them(run_now):
    chosen, other = customer(), customer()
    run_now(accounts=[chosen.pk])
    assert list(Invoice.objects.values_list("account_id", flat=True)) == [chosen.pk]
    assert not Invoice.objects.filter(account=other).exists()


def test_a_chunk_that_crashes_fails_the_run_and_a_resume_finishes_it(
        finance, monkeypatch, django_capture_on_commit_callbacks):
    # given a chunk that raises (the database went away, a bug) on its first try
    from billing.services import runs as run_services

    account = customer()
    real = run_services.plan_charges
    calls = []

    def crash_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(run_services, "plan_charges", crash_once)
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
        run = create_invoice_run(by=finance, as_of=AS_OF)
    run = run_services.InvoiceRun.objects.get()
    assert run.state == RunState.FAILED and "disk full" in run.failure_reason
    # when finance resumes it
    with django_capture_on_commit_callbacks(execute=True):
        run_invoice_run(run=run, by=finance)
    run.refresh_from_db()
    assert run.state == RunState.COMPLETED and Invoice.objects.get().account == account


def test_a_run_is_issued_chunk_by_chunk_once_with_gapless_numbers(run_now, finance):
    # given a run of three accounts in chunks of two, and a draft of another run's account
    accounts = [customer() for _ in range(3)]
    run = run_now(chunk_size=2)
    first, second = run.chunks.order_by("sequence")
    # when each chunk is issued (the second one twice, as a redelivered task would)
    issued = [issue_run_chunk(chunk=chunk, by=finance, on=AS_OF)
              for chunk in (second, first, second)]
    # then every draft is issued once, numbered without gaps in the order the chunks went
    assert issued == [1, 2, 0]
    invoices = Invoice.objects.filter(run=run).order_by("number")
    assert [i.number for i in invoices] == [f"INV-2026-00000{n}" for n in (1, 2, 3)]
    assert invoices.get(number="INV-2026-000001").account_id == accounts[2].pk
    assert all(i.state == "issued" and i.journal_entry_id for i in invoices)


def test_issuing_a_runs_drafts_is_queued_by_its_dotted_task_name(
        run_now, finance, sales_rep, django_capture_on_commit_callbacks):
    from django.core.exceptions import PermissionDenied

    from billing.models import InvoiceState
    from billing.services.issuing import queue_issue_drafts_of_run
    from core.models import OutboxMessage

    customer()
    run = run_now()
    with pytest.raises(PermissionDenied):
        queue_issue_drafts_of_run(run=run, by=sales_rep)
    assert not OutboxMessage.objects.filter(task="billing.tasks.issue_drafts_of_run_task")
    assert Invoice.objects.filter(run=run, state=InvoiceState.DRAFT).exists()
    with django_capture_on_commit_callbacks(execute=True):
        queue_issue_drafts_of_run(run=run, by=finance)
    message = OutboxMessage.objects.get(task="billing.tasks.issue_drafts_of_run_task")
    assert message.args == [run.pk, finance.pk]
    assert not Invoice.objects.filter(run=run, state=InvoiceState.DRAFT).exists()
