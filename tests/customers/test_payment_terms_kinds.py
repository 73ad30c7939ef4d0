"""Payment terms customers can be given beyond net and end of month: day N of the following
month, and instalments each on their own basis, carried to the invoice's due schedule.

Worked examples: Odoo's payment terms ("30% now, balance on the 10th of the following month",
https://www.odoo.com/documentation/17.0/applications/finance/accounting/customer_invoices/payment_terms.html)
and ERPNext's Payment Term ("Due Date Based On: Day(s) after the end of the invoice month",
https://docs.erpnext.com/docs/user/manual/en/payment-terms)."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from customers import services
from customers.models import Instalment, InstalmentBasis, PaymentTerms, PaymentTermsKind
from customers.selectors import terms_due_within
from tests.payments.factories import account, issued_invoice

pytestmark = pytest.mark.django_db


def next_month_day(day: int, code: str = "") -> PaymentTerms:
    return PaymentTerms.objects.create(code=code or f"day-{day}-next", name=f"Day {day} next",
                                       kind=PaymentTermsKind.NEXT_MONTH_DAY, days=day)


def thirty_now_rest_on_the_tenth() -> PaymentTerms:
    terms = PaymentTerms.objects.create(code="30-now-70-10th", name="30% now, 70% on the 10th",
                                        kind=PaymentTermsKind.INSTALMENTS, days=0)
    Instalment.objects.create(terms=terms, sequence=1, percent=D("30"), due_days=0)
    Instalment.objects.create(terms=terms, sequence=2, percent=D("70"), due_days=10,
                              basis=InstalmentBasis.NEXT_MONTH_DAY)
    return terms


def test_an_invoice_on_day_ten_of_the_following_month_is_due_then():
    next_month_day(10)
    invoice = issued_invoice(account_=account(terms_code="day-10-next"), net=D("100.00"),
                             on=date(2026, 1, 25))
    assert invoice.due_on == date(2026, 2, 10)


def test_day_31_in_a_short_month_is_its_last_day():
    next_month_day(31)
    invoice = issued_invoice(account_=account(terms_code="day-31-next"), on=date(2026, 1, 5))
    assert invoice.due_on == date(2026, 2, 28)


def test_thirty_percent_now_and_the_rest_on_the_tenth_of_next_month():
    # Odoo's example: 30% on the invoice date, the balance on the 10th of the following month
    thirty_now_rest_on_the_tenth()
    invoice = issued_invoice(account_=account(terms_code="30-now-70-10th"), net=D("1000.00"),
                             on=date(2026, 3, 17))
    assert [(i.due_on, i.amount) for i in invoice.instalments.order_by("sequence")] == [
        (date(2026, 3, 17), D("300.00")), (date(2026, 4, 10), D("700.00"))]


def test_the_longest_days_count_the_rest_of_the_month_as_thirty():
    assert next_month_day(10).longest_days == 40
    assert thirty_now_rest_on_the_tenth().longest_days == 40
    assert PaymentTerms.objects.get(code="net-30").longest_days == 30


def test_reps_are_offered_only_terms_due_within_45_days():
    ten, twenty = next_month_day(10), next_month_day(20)
    split = thirty_now_rest_on_the_tenth()
    late_split = PaymentTerms.objects.create(code="eom-split", name="Half now, half EOM+20",
                                             kind=PaymentTermsKind.INSTALMENTS, days=0)
    Instalment.objects.create(terms=late_split, sequence=1, percent=D("50"), due_days=0)
    Instalment.objects.create(terms=late_split, sequence=2, percent=D("50"), due_days=20,
                              basis=InstalmentBasis.END_OF_MONTH)
    offered = set(terms_due_within(45))
    assert {ten, split} <= offered
    assert twenty not in offered and late_split not in offered
    assert all(terms.longest_days <= 45 for terms in offered)


def test_a_day_outside_1_to_31_is_refused_at_the_field():
    with pytest.raises(ValidationError) as refused:
        PaymentTerms(code="day-0", name="Day 0", kind=PaymentTermsKind.NEXT_MONTH_DAY,
                     days=0).full_clean()
    assert "between 1 and 31" in refused.value.message_dict["days"][0]
    terms = PaymentTerms.objects.create(code="bad-split", name="Bad split",
                                        kind=PaymentTermsKind.INSTALMENTS, days=0)
    rows = [Instalment(terms=terms, sequence=1, percent=D("100"), due_days=32,
                       basis=InstalmentBasis.NEXT_MONTH_DAY)]
    with pytest.raises(ValidationError, match="between 1 and 31"):
        services.validate_instalments(terms, instalments=rows)
