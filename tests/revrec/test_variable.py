"""Variable consideration (IFRS 15.50-59, 15.84-90) through the database path: revenue contract
→ estimate → schedules → run → journal → report.

The contract (tests.contracts.factories): 5 seats for a year from 1 December 2026 (1,530.00,
ratable) and onboarding (5,000.00, at a point in time in December). Each example is the
standard's, scaled to this contract:

- IFRS 15 IE Example 20 (IE102-IE104): a penalty makes part of the price variable; two
  outcomes, so the most likely amount (15.53(b)).
- IFRS 15 IE Example 23 (IE116-IE123): a price concession the entity expects to grant; the
  expected value (15.53(a)) and the constraint (15.56-57): less than the estimate included.
- IFRS 15 IE Example 24 (IE124-IE128): a volume discount applied retrospectively once a
  threshold is passed; first estimated not to apply, then re-estimated when it will: the
  change is a cumulative catch-up in the period of the change (15.87-88).
- IFRS 15.90: an amendment after an estimate; the successor carries the variable share its
  predecessor had not earned.
- IFRS 15 IE Example 6 (15.88, 15.90(a)): a change of the estimate after an amendment is
  allocated by the SSPs at inception; the share of goods satisfied is recognized in the period
  of the change, the share of the ended obligation's remaining goods goes to its successor.
"""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog import revenue_schedule as schedules
from catalog.demo import seed_catalog
from catalog.models import Product
from contracts import services as contract_services
from core.dates import add_months
from core.money import allocate, round_money
from ledger import chart
from ledger.selectors import trial_balance
from quotes import services as quote_services
from revrec import reports
from revrec.models import PerformanceObligation, RecognitionItem, ScheduleLine
from revrec.services import create_revenue_contracts, start_recognition_run
from revrec.services.variable import estimate_variable_consideration
from tests.conftest import PASSWORD
from tests.contracts.test_amendments import accept, amended_to
from tests.revrec.factories import (
    ON,
    START,
    active_contract,
    active_contract_of,
    revenue_contract_of,
    system,
)

pytestmark = pytest.mark.django_db

DEC, JAN, FEB, MAR = date(2026, 12, 1), date(2027, 1, 1), date(2027, 2, 1), date(2027, 3, 1)
SEATS_END = date(2027, 12, 1)


@pytest.fixture
def rc(sales_rep, finance):
    return revenue_contract_of(active_contract(sales_rep, by=finance))


def run(month, accountant, capture):
    with capture(execute=True):
        start_recognition_run(month=month, by=accountant, on=add_months(month, 1))


def seats(rc):
    return PerformanceObligation.objects.get(revenue_contract=rc, product__sku="SEAT-USER")


def onboarding(rc):
    return PerformanceObligation.objects.exclude(product__sku="SEAT-USER").get(
        revenue_contract=rc)


def months(obligation):
    return dict(ScheduleLine.objects.filter(obligation=obligation).order_by("month")
                .values_list("month", "amount"))


def posted_revenue(last_day):
    row = next(r for r in trial_balance(last_day).rows if r.code == chart.REVENUE)
    return -row.balance


def test_ie20_a_penalty_avoided_is_included_at_the_most_likely_amount(
        rc, accountant, django_capture_on_commit_callbacks):
    # IFRS 15 IE Example 20 (IE102-IE104): CU1,000,000 with a CU100,000 penalty if late is
    # CU900,000 fixed and CU100,000 variable; on time is the most likely of the two outcomes.
    # Here the onboarding earns a 500.00 bonus if finished on time (80%), none if late; the
    # bonus relates to the onboarding alone, so it is allocated to it (15.85).
    fixed = rc.transaction_price
    estimate = estimate_variable_consideration(
        revenue_contract=rc, kind="performance_bonus", method="most_likely",
        scenarios=[("500.00", "0.8"), ("0", "0.2")], constrained=D("500.00"),
        constraint_reason="On-time delivery in 19 of the last 20 onboardings",
        reason="Bonus for finishing the onboarding in December",
        allocated_to=onboarding(rc), allocation_reason="The bonus depends on the onboarding "
                                                         "alone (IFRS 15.85(a))",
        by=accountant, on=date(2026, 11, 30))

    rc.refresh_from_db()
    assert (estimate.version, estimate.estimate, estimate.constrained) == (1, D("500"), D("500"))
    assert rc.variable_consideration == D("500.00") and rc.total_price == fixed + D("500.00")
    assert onboarding(rc).allocated == D("5500.00") and onboarding(rc).variable == D("500.00")
    assert seats(rc).allocated == D("1530.00") and seats(rc).variable == 0

    run(DEC, accountant, django_capture_on_commit_callbacks)

    item = RecognitionItem.objects.get(revenue_contract=rc, month=DEC)
    assert item.recognized == D("5500.00") + months(seats(rc))[DEC]
    assert posted_revenue(date(2026, 12, 31)) == item.recognized_functional
    table = reports.revenue_disaggregation(first=DEC, last=DEC)
    assert ["Services", "At a point in time", "USD", D("5500.00")] in table.rows


def test_ie23_a_price_concession_at_its_expected_value_constrained(
        rc, accountant, django_capture_on_commit_callbacks):
    # IFRS 15 IE Example 23 (IE116-IE123): the entity expects to grant a price concession, so
    # the consideration is variable (15.52(a)); estimated at the expected value (15.53(a)) and
    # constrained (15.56-57): here the customer is likely to get 0, 200.00 or 500.00 off
    # (50% / 30% / 20%): expected value -160.00; the accountant includes -200.00, the
    # concession highly probable to be at least granted.
    estimate = estimate_variable_consideration(
        revenue_contract=rc, kind="price_concession", method="expected_value",
        scenarios=[{"amount": "0", "probability": "0.5"},
                   {"amount": "-200.00", "probability": "0.3"},
                   {"amount": "-500.00", "probability": "0.2"}],
        constrained=D("-200.00"), constraint_reason="Concessions of 200 are routine here",
        reason="Customer complained about the seats' uptime", by=accountant,
        on=date(2026, 11, 30))

    assert (estimate.estimate, estimate.constrained) == (D("-160.00"), D("-200.00"))
    # relative SSP over both obligations, through catalog.allocation: adds up exactly
    assert seats(rc).variable + onboarding(rc).variable == D("-200.00")
    assert seats(rc).variable < 0 and onboarding(rc).variable < 0
    assert sum(months(seats(rc)).values()) == seats(rc).allocated
    assert months(seats(rc)) == {
        line.month: line.amount for line in schedules.ratable_schedule(
            seats(rc).allocated, "USD", START, SEATS_END)}

    for month in (DEC, JAN):
        run(month, accountant, django_capture_on_commit_callbacks)
    assert posted_revenue(date(2027, 1, 31)) == (
        onboarding(rc).allocated + months(seats(rc))[DEC] + months(seats(rc))[JAN])


def test_ie24_a_volume_rebate_re_estimated_is_caught_up_in_the_month_of_the_change(
        rc, accountant, django_capture_on_commit_callbacks):
    # IFRS 15 IE Example 24 (IE124-IE128): CU100 a unit, CU90 retrospectively past 1,000 units
    # a year. First quarter: the threshold is not expected to be met (no rebate); in the second
    # the customer's acquisition makes it likely: the price falls retrospectively and the
    # difference on what was delivered is recognized at once (IE128: 44,250 = 500 × 90 less
    # 75 × 10). Here: no rebate estimated at first; in March a 10% rebate on the seats
    # (153.00 off) is the most likely amount.
    first = estimate_variable_consideration(
        revenue_contract=rc, kind="volume_rebate", method="most_likely",
        scenarios=[("0", "0.9"), ("-153.00", "0.1")], constrained=D("0"),
        constraint_reason="Nothing to constrain: no rebate expected",
        reason="Threshold of 50 seats not expected", allocated_to=seats(rc),
        allocation_reason="The rebate is on the seats alone (IFRS 15.85)", by=accountant,
        on=date(2026, 11, 30))
    assert first.constrained == 0 and seats(rc).allocated == D("1530.00")
    for month in (DEC, JAN, FEB):
        run(month, accountant, django_capture_on_commit_callbacks)
    before = ScheduleLine.objects.filter(obligation=seats(rc), run__isnull=False)
    recognized = sum(line.amount for line in before)

    second = estimate_variable_consideration(
        revenue_contract=rc, kind="volume_rebate", method="most_likely",
        scenarios=[("0", "0.2"), ("-153.00", "0.8")], constrained=D("-153.00"),
        constraint_reason="The rebate is most likely; including it in full lowers revenue",
        reason="The customer's acquisition takes it past 50 seats", allocated_to=seats(rc),
        allocation_reason="The rebate is on the seats alone (IFRS 15.85)", by=accountant,
        on=date(2027, 3, 3))
    run(MAR, accountant, django_capture_on_commit_callbacks)

    assert (second.version, seats(rc).allocated) == (2, D("1377.00"))
    new = schedules.ratable_schedule(D("1377.00"), "USD", START, SEATS_END)
    by_month = months(seats(rc))
    # months recognized stay; March takes its new share plus the catch-up on Dec-Feb
    assert {m: by_month[m] for m in (DEC, JAN, FEB)} == {
        line.month: line.amount for line in before}
    due_through_feb = sum(line.amount for line in new if line.month <= FEB)
    catch_up = due_through_feb - recognized
    assert catch_up < 0
    assert by_month[MAR] == next(line.amount for line in new if line.month == MAR) + catch_up
    # cumulative to March = the new price × the share of the service delivered (by day)
    assert sum(a for m, a in by_month.items() if m <= MAR) == sum(
        line.amount for line in new if line.month <= MAR)
    # later months follow the new schedule, adding up to the new price
    assert {m: a for m, a in by_month.items() if m > MAR} == {
        line.month: line.amount for line in new if line.month > MAR}
    assert sum(by_month.values()) == D("1377.00")
    item = RecognitionItem.objects.get(revenue_contract=rc, month=MAR)
    assert item.recognized == by_month[MAR]
    assert posted_revenue(date(2027, 3, 31)) == reports.ledger_revenue(
        DEC, date(2027, 3, 31)) == D("5000.00") + sum(
        a for m, a in by_month.items() if m <= MAR)


def test_an_estimate_is_refused_to_finance_and_sales_and_checked(
        rc, accountant, finance, sales_rep):
    kwargs = {"revenue_contract": rc, "kind": "price_concession", "method": "expected_value",
              "constraint_reason": "Routine", "reason": "Complaint"}
    for user in (finance, sales_rep):
        with pytest.raises(PermissionDenied):
            estimate_variable_consideration(scenarios=[("-100", "1")], constrained=D("-100"),
                                            by=user, **kwargs)
    with pytest.raises(ValidationError, match="add up to 0.9"):
        estimate_variable_consideration(scenarios=[("-100", "0.5"), ("0", "0.4")],
                                        constrained=D("-100"), by=accountant, **kwargs)
    with pytest.raises(ValidationError, match="more than the estimate"):
        estimate_variable_consideration(scenarios=[("100", "1")], constrained=D("150"),
                                        by=accountant, **kwargs)
    with pytest.raises(ValidationError, match="IFRS 15.85"):
        estimate_variable_consideration(scenarios=[("100", "1")], constrained=D("100"),
                                        allocated_to=seats(rc), by=accountant, **kwargs)
    assert not rc.variable_estimates.exists() and seats(rc).variable == 0


def test_the_page_shows_the_estimates_and_only_accountants_record_them(
        client, rc, accountant, finance, sales_rep):
    url = reverse("revrec:contract_variable", args=[rc.pk])
    page_url = reverse("revrec:contract", args=[rc.pk])
    post = {"kind": "price_concession", "method": "expected_value",
            "scenarios": "0 0.5\n-200.00 0.3\n-500.00 0.2", "constrained": "-200.00",
            "constraint_reason": "Concessions of 200 are routine here",
            "reason": "Uptime complaint", "allocated_to": "", "allocation_reason": ""}
    for user in (finance, sales_rep):
        client.login(username=user.username, password=PASSWORD)
        assert client.post(url, post).status_code == 403
    assert not rc.variable_estimates.exists()

    client.login(username=accountant.username, password=PASSWORD)
    wrong = client.post(url, {**post, "scenarios": "-200.00 0.3\n-500.00 0.2"})
    assert wrong.status_code == 200 and "add up to 0.5, not 1" in wrong.content.decode()
    assert client.post(url, post).status_code == 302
    client.get(page_url)  # warm the session
    with CaptureQueriesContext(connection) as one:
        page = client.get(page_url).content.decode()
    assert "v1" in page and "Expected value (IFRS 15.53(a))" in page
    assert "-200.00 × 0.3" in page and "Concessions of 200 are routine here" in page
    assert "By relative SSP" in page and "-$160.00" in page
    assert "<strong>$6,330.00</strong> = fixed $6,530.00 + variable -$200.00" in page

    again = {**post, "constrained": "-500.00", "reason": "Worse"}
    assert client.post(url, again).status_code == 302
    client.get(page_url)  # shows (and drops) the success message, as before
    with CaptureQueriesContext(connection) as two:
        page = client.get(page_url).content.decode()
    assert "v2" in page and "Worse" in page and "Uptime complaint" in page
    assert len(two) == len(one)


def test_an_amendment_after_an_estimate_carries_the_variable_share_to_the_successor(
        rc, accountant, sales_rep):
    # IFRS 15.90: after a modification, a change of the variable consideration promised before
    # it is allocated as before; the successor of a line modified prospectively (15.21(a))
    # takes the share of the variable consideration its predecessor had not earned, so a
    # re-estimate moves the price by the change only (IE Example 24's rebate, then 8 seats
    # from 15 March 2027, then the rebate re-estimated).
    estimate_variable_consideration(
        revenue_contract=rc, kind="volume_rebate", method="most_likely",
        scenarios=[("-153.00", "1")], constrained=D("-153.00"),
        constraint_reason="Certain", reason="Rebate on the seats", allocated_to=seats(rc),
        allocation_reason="The rebate is on the seats alone (IFRS 15.85)", by=accountant,
        on=date(2026, 11, 30))
    amended_to(rc.contract, sales_rep, D(8))
    create_revenue_contracts(by=system(), on=START)

    old = PerformanceObligation.objects.get(revenue_contract=rc, product__sku="SEAT-USER",
                                            predecessor__isnull=True)
    new = PerformanceObligation.objects.get(predecessor=old)
    kept = sum(ScheduleLine.objects.filter(obligation=old).values_list("amount", flat=True))
    assert old.variable + new.variable == D("-153.00")
    assert new.variable == round_money(D("-153.00") * (D("1377.00") - kept) / D("1377.00"),
                                       "USD")
    before = new.allocated

    estimate_variable_consideration(
        revenue_contract=rc, kind="volume_rebate", method="most_likely",
        scenarios=[("-200.00", "1")], constrained=D("-200.00"), constraint_reason="Certain",
        reason="A larger rebate", allocated_to=new,
        allocation_reason="The rebate is on the seats alone (IFRS 15.85)", by=accountant,
        on=date(2026, 12, 1))

    new.refresh_from_db()
    assert new.allocated - before == D("-47.00")  # the change only, not the carried share
    assert sum(PerformanceObligation.objects.filter(revenue_contract=rc).values_list(
        "variable", flat=True)) == D("-200.00")


def test_ie6_a_change_after_an_amendment_is_allocated_as_at_inception(
        rc, accountant, sales_rep, django_capture_on_commit_callbacks):
    # IFRS 15 IE Example 6 (change in the transaction price after a contract modification):
    # CU200 variable at inception shared by relative SSP; product X transfers at once; the
    # contract is modified for the rest (15.21(a)); the estimate rises by CU40, allocated as at
    # inception (15.88: not for later SSPs); X's share is recognized in the period of the
    # change, the share of the goods not yet transferred goes on to the new contract (15.90(a)).
    # Here: onboarding (X) delivered in December, the seats (Y) amended to 8 from 15 March
    # 2027 with a training day added (Z, no share of the change), the estimate raised from
    # 200.00 to 240.00 on 3 February.
    x = onboarding(rc)
    basis = sorted([seats(rc), x], key=lambda o: o.pk)
    estimate_variable_consideration(
        revenue_contract=rc, kind="performance_bonus", method="most_likely",
        scenarios=[("200.00", "0.8"), ("0", "0.2")], constrained=D("200.00"),
        constraint_reason="Highly probable", reason="Go-live bonus", by=accountant,
        on=date(2026, 11, 30))
    for month in (DEC, JAN):
        run(month, accountant, django_capture_on_commit_callbacks)
    amended_to(rc.contract, sales_rep, D(8), extra=[
        quote_services.LineItem(product=Product.objects.get(sku="TRAINING-DAY"))])
    create_revenue_contracts(by=system(), on=START)
    old = PerformanceObligation.objects.get(revenue_contract=rc, product__sku="SEAT-USER",
                                            predecessor__isnull=True)
    new = PerformanceObligation.objects.get(predecessor=old)
    added = PerformanceObligation.objects.get(revenue_contract=rc, product__sku="TRAINING-DAY")
    assert added.allocation_rule == "own_price"  # Z: added by the modification, at its price
    before = {o.pk: (o.allocated, o.variable, months(o))
              for o in PerformanceObligation.objects.filter(revenue_contract=rc)}
    assert new.ssp != old.ssp  # a later SSP, which the change must not follow

    estimate_variable_consideration(
        revenue_contract=rc, kind="performance_bonus", method="most_likely",
        scenarios=[("240.00", "0.8"), ("0", "0.2")], constrained=D("240.00"),
        constraint_reason="Highly probable", reason="Go-live bonus raised", by=accountant,
        on=date(2027, 2, 3))

    share = dict(zip((o.pk for o in basis), allocate(D("40.00"), [o.ssp for o in basis], "USD"),
                     strict=True))
    kept = sum(before[old.pk][2].values())
    passed = round_money(share[old.pk] * (before[old.pk][0] - kept) / before[old.pk][0], "USD")
    after = {o.pk: (o.allocated, o.variable, months(o))
             for o in PerformanceObligation.objects.filter(revenue_contract=rc)}
    moved = {pk: after[pk][1] - before[pk][1] for pk in after}
    assert moved == {x.pk: share[x.pk],
                     old.pk: share[old.pk] - passed, new.pk: passed, added.pk: D(0)}
    assert sum(moved.values()) == D("40.00") == sum(
        after[pk][0] - before[pk][0] for pk in after)
    # onboarding, satisfied in December, takes its share in February, the first open month
    assert after[x.pk][2] == {DEC: before[x.pk][2][DEC],
                                           FEB: share[x.pk]}
    # the ended seats keep December and January as recognized and catch up in February
    assert {m: after[old.pk][2][m] for m in (DEC, JAN)} == {
        m: before[old.pk][2][m] for m in (DEC, JAN)}
    assert sum(after[old.pk][2].values()) == kept + share[old.pk] - passed
    assert sum(after[new.pk][2].values()) == after[new.pk][0]

    run(FEB, accountant, django_capture_on_commit_callbacks)
    through_feb = sum(a for pk in after for m, a in months(
        PerformanceObligation.objects.get(pk=pk)).items() if m <= FEB)
    assert posted_revenue(date(2027, 2, 28)) == through_feb


def test_a_change_is_refused_when_none_of_the_goods_promised_at_inception_is_left(
        accountant, sales_rep, finance, django_capture_on_commit_callbacks):
    # IFRS 15.88 and 15.90(a): a change of the variable consideration promised before a
    # modification goes to the obligations identified at inception (IE Example 6's X and Y),
    # never to goods the modification added at their own price (Z). When the modification ended
    # every one of them (the customer drops the seats from 15 March 2027 and takes a training
    # day instead), the change has nowhere to go on that basis: it is refused, unless the
    # accountant shows it relates to the one obligation left (15.85, 15.89).
    # given: a seats-only contract, its bonus estimated at 200.00 and recognized to February
    seed_catalog()
    contract = active_contract_of(sales_rep, by=finance, items=[quote_services.LineItem(
        product=Product.objects.get(sku="SEAT-USER"), quantity=D(5), billing_period="monthly")])
    rc = revenue_contract_of(contract)
    estimate_variable_consideration(
        revenue_contract=rc, kind="performance_bonus", method="most_likely",
        scenarios=[("200.00", "0.8"), ("0", "0.2")], constrained=D("200.00"),
        constraint_reason="Highly probable", reason="Go-live bonus", by=accountant,
        on=date(2026, 11, 30))
    for month in (DEC, JAN, FEB):
        run(month, accountant, django_capture_on_commit_callbacks)
    replaced_by_training(contract, sales_rep)
    create_revenue_contracts(by=system(), on=START)
    [seat] = PerformanceObligation.objects.filter(revenue_contract=rc, product__sku="SEAT-USER")
    training = PerformanceObligation.objects.get(revenue_contract=rc,
                                                 product__sku="TRAINING-DAY")
    assert (seat.status, training.status, training.allocation_rule) == (
        "ended", "open", "own_price")
    before = {o.pk: (o.allocated, o.variable, months(o))
              for o in PerformanceObligation.objects.filter(revenue_contract=rc)}

    # when: the bonus is re-estimated at 240.00 with no obligation named
    raise_to = {"revenue_contract": rc, "kind": "performance_bonus", "method": "most_likely",
                "scenarios": [("240.00", "0.8"), ("0", "0.2")], "constrained": D("240.00"),
                "constraint_reason": "Highly probable", "reason": "Bonus raised",
                "by": accountant, "on": date(2027, 3, 20)}
    with pytest.raises(ValidationError) as refused:
        estimate_variable_consideration(**raise_to)

    # then: refused on the field, nothing written; the accountant may name the training day
    assert refused.value.message_dict == {"constrained": [
        "None of the goods the contract started with is still promised: allocate the change "
        "to one obligation (IFRS 15.85)."]}
    rc.refresh_from_db()
    assert (rc.variable_consideration, rc.variable_estimates.count()) == (D("200.00"), 1)
    assert before == {o.pk: (o.allocated, o.variable, months(o))
                      for o in PerformanceObligation.objects.filter(revenue_contract=rc)}
    estimate_variable_consideration(
        **raise_to, allocated_to=training,
        allocation_reason="The bonus now rests on the training day alone (IFRS 15.85)")
    training.refresh_from_db()
    assert training.allocated - before[training.pk][0] == D("40.00")
    run(MAR, accountant, django_capture_on_commit_callbacks)
    scheduled = sum(a for o in PerformanceObligation.objects.filter(revenue_contract=rc)
                    for m, a in months(o).items() if m <= MAR)
    recognized = sum(row[4] for row in reports.recognized_revenue(first=DEC, last=MAR).rows)
    assert posted_revenue(date(2027, 3, 31)) == scheduled == recognized


def replaced_by_training(contract, owner):
    """An amendment from 15 March 2027 that removes the seats and adds a training day."""
    amendment = contract_services.start_amendment(contract=contract, by=owner,
                                                  effective_on=date(2027, 3, 15), on=ON)
    quote = amendment.quote
    quote_services.remove_line(line=quote.lines.get(product__sku="SEAT-USER"), by=owner)
    quote_services.add_lines(quote=quote, by=owner, items=[
        quote_services.LineItem(product=Product.objects.get(sku="TRAINING-DAY"))])
    quote_services.submit_for_approval(quote=quote, by=owner, on=ON)
    quote_services.send_quote(quote=quote, by=owner, on=ON)
    accept(quote)
