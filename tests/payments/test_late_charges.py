"""Late fees and interest issued by dunning as their own documents, through the database: the
gapless LC series, the journal (receivable against late fee or interest income), interest that
never charges a day twice, finance's waiver, and payments applied in the country's clearing
order (BGB §367 in DE, principal first elsewhere)."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum

from core.actors import Actor
from core.models import TransitionLog
from ledger import chart
from ledger.models import JournalLine
from payments.models import (
    ClearingRule,
    DunningPolicy,
    InterestBasis,
    LateCharge,
    LateChargeKind,
    LateChargeState,
    ReferenceRate,
)
from payments.pdf import statement_context
from payments.services import record_payment
from payments.services.clearing import apply_in_order
from payments.services.late_charges import waive_late_charge
from tests.payments.factories import account, issued_invoice, rate
from tests.payments.test_dunning import dun

pytestmark = pytest.mark.django_db
ISSUED = date(2026, 10, 1)  # net 30: due 2026-10-31


@pytest.fixture
def charging_policy():
    """The default policy, charging EUR 40 at the first reminder (Directive 2011/7/EU art. 6)
    and statutory interest (reference + 8 points, act/365) at the second reminder and the
    escalation."""
    policy = DunningPolicy.objects.get(is_default=True)
    policy.interest, policy.interest_margin = InterestBasis.STATUTORY, D("8")
    policy.save()
    policy.steps.filter(key="first-reminder").update(fee_fixed=D("40"))
    policy.steps.filter(key__in=["second-reminder", "escalate"]).update(charge_interest=True)
    ReferenceRate.objects.create(currency="EUR", starts_on=date(2026, 7, 1), rate=D("2.15"))
    rate("EUR", "1.10")
    return policy


def eur_invoice(country="US", net=D("10000.00")):
    return issued_invoice(account_=account(currency="EUR", country=country), net=net,
                          on=ISSUED)


def lines_of(entry_id):
    return {(gl, cust): (debit, credit) for gl, cust, debit, credit in
            JournalLine.objects.filter(entry_id=entry_id).values_list(
                "gl_account__code", "customer_account_id", "debit", "credit")}


def assert_balanced(entry_id):
    totals = JournalLine.objects.filter(entry_id=entry_id).aggregate(d=Sum("debit"),
                                                                     c=Sum("credit"))
    assert totals["d"] == totals["c"] > 0


def test_a_fee_step_issues_a_numbered_late_fee_with_its_own_journal(charging_policy):
    # given
    invoice = eur_invoice()
    # when: the day after due, the first reminder
    dun(date(2026, 11, 1))
    dun(date(2026, 11, 1))  # a rerun charges nothing twice
    # then
    fee = LateCharge.objects.get()
    assert (fee.number, fee.kind, fee.amount, fee.amount_due, fee.currency) == (
        "LC-2026-000001", LateChargeKind.FEE, D("40.00"), D("40.00"), "EUR")
    assert fee.invoice == invoice and fee.state == LateChargeState.ISSUED
    assert lines_of(fee.journal_entry_id) == {
        (chart.ACCOUNTS_RECEIVABLE, invoice.account_id): (D("44.0000"), D("0")),
        (chart.LATE_FEE_INCOME, None): (D("0"), D("44.0000"))}
    assert "late fee LC-2026-000001 €40.00" in fee.dunning_event.outcome
    history = list(TransitionLog.objects.filter(
        content_type=ContentType.objects.get_for_model(LateCharge), object_id=fee.pk)
        .values_list("source", "target", "actor_name"))
    assert history == [("draft", "issued", "run_dunning")]


def test_interest_runs_from_the_day_after_due_and_never_charges_a_day_twice(charging_policy):
    eur_invoice()
    dun(date(2026, 11, 1))
    # 14 days past due: 10000 × (2.15 + 8) × 14 / 36500 = 38.93
    dun(date(2026, 11, 14))
    first = LateCharge.objects.get(kind=LateChargeKind.INTEREST)
    assert (first.amount, first.interest_from, first.interest_through) == (
        D("38.93"), date(2026, 11, 1), date(2026, 11, 14))
    assert first.rate_slices == [["2026-11-01", "2026-11-14", 14, "10.1500"]]
    assert_balanced(first.journal_entry_id)
    assert lines_of(first.journal_entry_id)[(chart.INTEREST_INCOME, None)][1] > 0
    # the escalation 7 days later charges the 7 days since: 10000 × 10.15 × 7 / 36500 = 19.47
    dun(date(2026, 11, 21))
    second = LateCharge.objects.filter(kind=LateChargeKind.INTEREST).latest("pk")
    assert (second.amount, second.interest_from) == (D("19.47"), date(2026, 11, 15))
    assert list(LateCharge.objects.order_by("number").values_list("number", flat=True)) == [
        "LC-2026-000001", "LC-2026-000002", "LC-2026-000003"]


def test_a_chunk_charging_interest_takes_the_same_queries_for_one_invoice_or_many(
        charging_policy):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from payments.services.dunning import run_dunning_chunk
    from tests.payments.test_dunning import chunk_of, system

    counts = []
    for day, size in ((date(2026, 11, 14), 1), (date(2026, 11, 15), 6)):
        # given: invoices due on 31 October, charged their fee at the first reminder (which
        # warms the caches), at their second reminder (interest) on `day`
        invoices = [eur_invoice() for _ in range(size)]
        run_dunning_chunk(chunk=chunk_of(invoices, day - timedelta(days=13)), by=system())
        chunk = chunk_of(invoices, day)
        # when
        with CaptureQueriesContext(connection) as queries:
            run_dunning_chunk(chunk=chunk, by=system())
        counts.append(len(queries))
        # then: each invoice has its interest charge, each with a balanced entry
        charges = LateCharge.objects.filter(invoice__in=invoices, dunning_event__run=chunk.run)
        assert charges.count() == size and {c.kind for c in charges} == {
            LateChargeKind.INTEREST}
        for charge in charges:
            assert_balanced(charge.journal_entry_id)
    assert counts[0] == counts[1]


def test_without_a_reference_rate_the_step_says_interest_was_not_charged(charging_policy):
    ReferenceRate.objects.all().delete()
    eur_invoice()
    dun(date(2026, 11, 14))  # second reminder (first passed over)
    assert not LateCharge.objects.filter(kind=LateChargeKind.INTEREST).exists()
    event = LateCharge.objects.model.dunning_event.field.related_model.objects.latest("pk")
    assert "interest not charged: no reference rate is in force on 2026-11-01" in event.outcome


def test_contractual_interest_needs_no_reference_rate(charging_policy):
    ReferenceRate.objects.all().delete()
    charging_policy.interest, charging_policy.interest_margin = InterestBasis.CONTRACTUAL, D("12")
    charging_policy.interest_day_count = "act/360"
    charging_policy.save()
    eur_invoice()
    dun(date(2026, 11, 14))
    # 10000 × 12 × 14 / 36000 = 46.67
    assert LateCharge.objects.get(kind=LateChargeKind.INTEREST).amount == D("46.67")


def test_finance_waives_an_unpaid_charge_and_its_entry_is_reversed(charging_policy, finance):
    eur_invoice()
    dun(date(2026, 11, 1))
    fee = LateCharge.objects.get()
    with pytest.raises(ValidationError, match="Say why"):
        waive_late_charge(charge=fee, reason="  ", by=finance)
    waived = waive_late_charge(charge=fee, reason="Goodwill: first delay", by=finance)
    assert waived.state == LateChargeState.WAIVED
    original, mirror = lines_of(fee.journal_entry_id), lines_of(waived.waive_entry_id)
    assert mirror == {key: (credit, debit) for key, (debit, credit) in original.items()}
    with pytest.raises(ValidationError, match="waived: only an unpaid charge"):
        waive_late_charge(charge=fee, reason="again", by=finance)


def test_reps_and_accountants_cannot_waive(charging_policy, sales_rep, accountant):
    eur_invoice()
    dun(date(2026, 11, 1))
    fee = LateCharge.objects.get()
    for user in (sales_rep, accountant):
        with pytest.raises(PermissionDenied):
            waive_late_charge(charge=fee, reason="Because", by=user)
    assert LateCharge.objects.get().state == LateChargeState.ISSUED


def _owing_fee_interest_and_principal(country):
    invoice = eur_invoice(country=country)
    dun(date(2026, 11, 1))
    dun(date(2026, 11, 14))  # fee 40.00, interest 38.93, principal 10000.00
    return invoice


def test_in_germany_a_payment_clears_costs_then_interest_then_principal(charging_policy,
                                                                          finance):
    # given
    invoice = _owing_fee_interest_and_principal("DE")
    payment = record_payment(account=invoice.account, method="bank_transfer", amount="100.00",
                             currency="EUR", received_on=date(2026, 11, 20), by=finance)
    # when
    payment = apply_in_order(payment=payment, by=finance, on=date(2026, 11, 20))
    # then: 40.00 fee, 38.93 interest, 21.07 of the invoice
    fee, interest = (LateCharge.objects.get(kind=k) for k in LateChargeKind.values)
    assert (fee.state, fee.amount_due) == (LateChargeState.PAID, D("0"))
    assert (interest.state, interest.amount_due) == (LateChargeState.PAID, D("0"))
    invoice.refresh_from_db()
    assert invoice.amount_due == D("9978.93")
    assert payment.unapplied == 0 and payment.amount_applied == D("100.00")
    entry = payment.late_charge_payments.first().journal_entry_id
    assert_balanced(entry)


def test_elsewhere_a_payment_clears_principal_first(charging_policy, finance):
    invoice = _owing_fee_interest_and_principal("US")
    payment = record_payment(account=invoice.account, method="bank_transfer", amount="100.00",
                             currency="EUR", received_on=date(2026, 11, 20), by=finance)
    apply_in_order(payment=payment, by=finance, on=date(2026, 11, 20))
    invoice.refresh_from_db()
    assert invoice.amount_due == D("9900.00")
    assert not LateCharge.objects.filter(state=LateChargeState.PAID).exists()


def test_apply_in_order_refuses_a_rep_and_a_payment_with_nothing_left(charging_policy,
                                                                      finance, sales_rep):
    invoice = _owing_fee_interest_and_principal("DE")
    payment = record_payment(account=invoice.account, method="bank_transfer", amount="10.00",
                             currency="EUR", received_on=date(2026, 11, 20), by=finance)
    with pytest.raises(PermissionDenied):
        apply_in_order(payment=payment, by=sales_rep)
    apply_in_order(payment=payment, by=finance)
    with pytest.raises(ValidationError, match="has no unapplied cash"):
        apply_in_order(payment=payment, by=finance)
    assert Actor.task("x")  # the system actor exists for dunning's own postings


# --- pages ------------------------------------------------------------------------------------

@pytest.mark.real_pdf
def test_late_charge_pages_for_finance_and_refusals_for_the_others(
        client, charging_policy, finance, sales_rep, accountant):
    from django.urls import reverse

    eur_invoice()
    dun(date(2026, 11, 1))
    fee = LateCharge.objects.get()
    client.force_login(finance)
    assert client.get(reverse("payments:late_charges")).status_code == 200
    page = client.get(reverse("payments:late_charge", args=[fee.pk]))
    assert page.status_code == 200 and "LC-2026-000001" in page.content.decode()
    assert "Waive" in page.content.decode()
    pdf = client.get(reverse("payments:late_charge_pdf", args=[fee.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    statement = statement_context(fee.account, start=date(2026, 10, 1), end=date(2026, 11, 1))
    assert statement["late_charges"] == [fee]
    blank = client.post(reverse("payments:late_charge_waive", args=[fee.pk]), {"reason": ""})
    assert blank.status_code == 400
    for user in (sales_rep, accountant):
        client.force_login(user)
        refused = client.post(reverse("payments:late_charge_waive", args=[fee.pk]),
                              {"reason": "Because"})
        assert refused.status_code == 403
    client.force_login(accountant)
    seen = client.get(reverse("payments:late_charge", args=[fee.pk]))
    assert seen.status_code == 200 and "Waive</button>" not in seen.content.decode()
    client.force_login(sales_rep)  # finance's pages
    assert client.get(reverse("payments:late_charge", args=[fee.pk])).status_code == 403
    client.force_login(finance)
    waived = client.post(reverse("payments:late_charge_waive", args=[fee.pk]),
                         {"reason": "Goodwill"})
    assert waived.status_code == 302
    assert LateCharge.objects.get().state == LateChargeState.WAIVED


def test_apply_in_order_from_the_payment_page(client, charging_policy, finance, sales_rep):
    from django.urls import reverse

    invoice = _owing_fee_interest_and_principal("DE")
    payment = record_payment(account=invoice.account, method="bank_transfer", amount="50.00",
                             currency="EUR", received_on=date(2026, 11, 20), by=finance)
    client.force_login(sales_rep)
    url = reverse("payments:apply_in_order", args=[payment.pk])
    assert client.post(url).status_code == 403
    client.force_login(finance)
    assert client.post(url).status_code == 302
    assert LateCharge.objects.get(kind=LateChargeKind.FEE).state == LateChargeState.PAID
    again = client.post(url, follow=True)  # nothing left: a message, never a 500
    assert "has no unapplied cash" in again.content.decode()


def test_late_charge_list_queries_do_not_grow_with_rows(client, charging_policy, finance,
                                                        django_assert_max_num_queries):
    from django.urls import reverse

    eur_invoice()
    dun(date(2026, 11, 1))
    client.force_login(finance)
    with django_assert_max_num_queries(12) as one:
        client.get(reverse("payments:late_charges"))
    for _ in range(3):
        eur_invoice()
    dun(date(2026, 11, 14))  # the second reminder: interest on all four
    assert LateCharge.objects.count() > 4
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(reverse("payments:late_charges"))


def test_what_paid_late_charges_is_not_refunded_and_card_payments_are_not_cleared_in_order(
        charging_policy, finance):
    from payments.services import refund_payment

    invoice = _owing_fee_interest_and_principal("DE")
    payment = record_payment(account=invoice.account, method="bank_transfer", amount="100.00",
                             currency="EUR", received_on=date(2026, 11, 20), by=finance)
    apply_in_order(payment=payment, by=finance, on=date(2026, 11, 20))
    with pytest.raises(ValidationError, match=r"78.93 of it paid late fees and interest"):
        refund_payment(payment=payment, amount="100.00", reason="Overpaid", by=finance)
    refund_payment(payment=payment, amount="21.07", reason="Overpaid", by=finance)
    invoice.refresh_from_db()
    assert invoice.amount_due == D("10000.00")
    card = record_payment(account=invoice.account, method="card", amount="10.00",
                          currency="EUR", received_on=date(2026, 11, 20), by=finance)
    with pytest.raises(ValidationError, match="is a card payment"):
        apply_in_order(payment=card, by=finance)


def test_statutory_interest_follows_the_debtors_country(charging_policy):
    """Germany: its Basiszinssatz series + 9 points (BGB §288(2)); France: the currency's
    rate (ECB) + 10 points (Code de commerce L441-10); elsewhere the policy's 8 points."""
    # given: finance's rates table and country rules
    ReferenceRate.objects.create(currency="EUR", country="DE", starts_on=date(2026, 7, 1),
                                 rate=D("1.27"), source="Bundesbank, Basiszinssatz")
    ClearingRule.objects.update_or_create(country="DE", defaults={  # migration 0010 seeds it
        "order": "costs_interest_principal", "interest_margin": D("9"),
        "law": "BGB §288(2), §367(1)"})
    ClearingRule.objects.create(country="FR", order="principal_first",
                                interest_margin=D("10"), law="Code de commerce L441-10")
    invoices = {country: eur_invoice(country=country) for country in ("DE", "FR", "US")}
    # when: 14 days past due
    dun(date(2026, 11, 1))
    dun(date(2026, 11, 14))
    # then: 10000 × rate × 14 / 36500
    charged = {country: LateCharge.objects.get(invoice=invoice, kind=LateChargeKind.INTEREST)
               for country, invoice in invoices.items()}
    assert {c: (charge.rate_slices[0][3], charge.amount) for c, charge in charged.items()} == {
        "DE": ("10.2700", D("39.39")), "FR": ("12.1500", D("46.60")),
        "US": ("10.1500", D("38.93"))}
