"""Submitting and deciding approvals: routing across rules and levels, who may decide."""

from decimal import Decimal as D

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from core.roles import Role
from core.transitions import history_for
from customers.models import PaymentTerms, ReportingLine
from quotes import selectors, services
from quotes.models import ApprovalRule, ApprovalState, QuoteState
from tests.conftest import make_user
from tests.quotes.factories import draft_quote

pytestmark = pytest.mark.django_db

# 1,000 seats over 24 months at 25% off: a line discount above 20% (Finance, level 1) and a
# TCV of 486,000 USD above 250,000 (Sales Manager, level 2), from the seeded default rules.
BIG_DEAL = [("SEAT-USER", 1000, "25")]


def submitted(owner, lines=BIG_DEAL, **fields):
    quote = draft_quote(owner, lines=lines, term_months=24, **fields)
    services.submit_for_approval(quote=quote, by=owner)
    quote.refresh_from_db()
    return quote


def test_no_rule_hit_approves_at_once(catalog, sales_rep):
    quote = submitted(sales_rep, lines=[("SEAT-USER", 10, "5")])
    assert quote.state == QuoteState.APPROVED and not quote.approval_requests.exists()
    assert [e.note for e in history_for(quote)] == ["No approval rule applies."]


def test_a_draft_without_lines_cannot_be_submitted(catalog, sales_rep):
    quote = draft_quote(sales_rep)
    with pytest.raises(ValidationError, match="Add at least one line"):
        services.submit_for_approval(quote=quote, by=sales_rep)


def test_rules_route_to_one_request_per_level_with_reasons(catalog, sales_rep):
    quote = submitted(sales_rep)
    assert quote.state == QuoteState.PENDING_APPROVAL
    requests = list(quote.approval_requests.order_by("level"))
    assert [(r.level, r.group.name, r.state) for r in requests] == [
        (1, "Finance", ApprovalState.PENDING), (2, "Sales Manager", ApprovalState.PENDING)]
    assert "25.0% off" in requests[0].reasons[0]
    assert "486,000.00 USD is above 250,000.00 USD" in requests[1].reasons[0]


def test_long_payment_terms_join_the_finance_level(catalog, sales_rep):
    long_terms = PaymentTerms.objects.get(code="net-60")
    quote = submitted(sales_rep, payment_terms=long_terms)
    finance_request = quote.approval_requests.get(level=1)
    assert finance_request.rules == ["Line discount above 20%",
                                     "Payment terms longer than 45 days"]


def test_levels_are_decided_in_order_and_the_last_approves(catalog, sales_rep, sales_manager,
                                                           finance):
    quote = submitted(sales_rep)
    # the manager's level 2 waits for Finance's level 1
    with pytest.raises(PermissionDenied, match="waits for level 1 approval by Finance"):
        services.approve(quote=quote, by=sales_manager)
    services.approve(quote=quote, by=finance, comment="Strategic logo")
    quote.refresh_from_db()
    assert quote.state == QuoteState.PENDING_APPROVAL
    services.approve(quote=quote, by=sales_manager, comment="Go")
    quote.refresh_from_db()
    assert quote.state == QuoteState.APPROVED and quote.approved_at is not None
    assert [(e.transition, e.note) for e in history_for(quote)][1:] == [
        ("approve level 1", "Level 1 approved by Finance: Strategic logo"),
        ("approve", "Level 2 approved by Sales Manager: Go")]
    decided = quote.approval_requests.get(level=1)
    assert (decided.decided_by, decided.comment) == (finance, "Strategic logo")


def test_each_decision_emails_the_owner(catalog, sales_rep, sales_manager, finance,
                                        django_capture_on_commit_callbacks):
    quote = submitted(sales_rep)
    with django_capture_on_commit_callbacks(execute=True):
        services.approve(quote=quote, by=finance)
    with django_capture_on_commit_callbacks(execute=True):
        services.approve(quote=quote, by=sales_manager)
    owner_mail = [m for m in mail.outbox if m.to == [sales_rep.email]]
    assert len(owner_mail) == 2 and owner_mail[1].subject == f"{quote} is approved"


def test_nobody_approves_their_own_quote(catalog, sales_manager, finance):
    quote = submitted(sales_manager)
    services.approve(quote=quote, by=finance)
    with pytest.raises(PermissionDenied, match="Nobody approves their own quote"):
        services.approve(quote=quote, by=sales_manager)


def test_a_sales_rep_cannot_approve(catalog, sales_rep, teammate_rep):
    quote = submitted(teammate_rep)
    assert not sales_rep.has_perm("quotes.approve_quote")
    with pytest.raises(PermissionDenied):
        services.approve(quote=quote, by=sales_rep)


def test_rejection_sends_the_quote_back_to_draft_with_the_reason(
        catalog, sales_rep, finance, django_capture_on_commit_callbacks):
    quote = submitted(sales_rep)
    with django_capture_on_commit_callbacks(execute=True):
        services.reject(quote=quote, by=finance, comment="25% is too much; try 15%.")
    quote.refresh_from_db()
    assert quote.state == QuoteState.DRAFT and quote.submitted_at is None
    states = dict(quote.approval_requests.values_list("level", "state"))
    assert states == {1: ApprovalState.REJECTED, 2: ApprovalState.CANCELLED}
    assert history_for(quote).last().note == (
        "Rejected at level 1 by Finance: 25% is too much; try 15%.")
    assert "try 15%" in mail.outbox[0].body
    # and the rep can change it and submit again
    services.update_line(line=quote.lines.get(), by=sales_rep, discount_percent=D(15))
    services.submit_for_approval(quote=quote, by=sales_rep)
    assert quote.approval_requests.filter(state=ApprovalState.PENDING).count() == 1


def test_rejecting_needs_a_reason(catalog, sales_rep, finance):
    quote = submitted(sales_rep)
    with pytest.raises(ValidationError) as error:
        services.reject(quote=quote, by=finance, comment="  ")
    assert error.value.message_dict == {"comment": ["Say why the quote is rejected."]}


def test_a_manager_outside_the_team_cannot_decide(catalog, sales_rep, finance, other_manager):
    quote = submitted(sales_rep)
    services.approve(quote=quote, by=finance)
    with pytest.raises(PermissionDenied):
        services.approve(quote=quote, by=other_manager)


def test_revising_a_pending_quote_cancels_its_requests(catalog, sales_rep):
    quote = submitted(sales_rep)
    services.revise_quote(quote=quote, by=sales_rep)
    assert set(quote.approval_requests.values_list("state", flat=True)) == {
        ApprovalState.CANCELLED}


def test_approving_a_draft_is_refused(catalog, sales_rep, finance):
    quote = draft_quote(sales_rep, lines=BIG_DEAL)
    with pytest.raises(ValidationError, match="not waiting for approval"):
        services.approve(quote=quote, by=finance)


# Routing past the owner: nobody decides their own quote, so a rule's group may have no one left.

def _requests(quote):
    return [(r.level, r.group.name, r.approver.username if r.approver else None)
            for r in quote.approval_requests.select_related("group", "approver")
            .order_by("level", "pk")]


def _queue(user):
    return [(r.quote_id, r.level) for r in selectors.approvals_queue(user)]


def test_a_managers_own_big_deal_is_decided_by_their_manager_in_the_group(
        catalog, sales_manager, other_manager, finance):
    # given a sales manager who reports to a director (also a sales manager)
    director = make_user("director", Role.SALES_MANAGER)
    ReportingLine.objects.create(user=sales_manager, manager=director)
    # when the manager submits their own big deal
    quote = submitted(sales_manager)
    # then level 2 stays with the Sales Manager group, where only the director can decide it
    assert _requests(quote) == [(1, "Finance", None), (2, "Sales Manager", None)]
    services.approve(quote=quote, by=finance)
    assert _queue(director) == [(quote.pk, 2)] and _queue(other_manager) == []
    with pytest.raises(PermissionDenied, match="Nobody approves their own quote"):
        services.approve(quote=quote, by=sales_manager)
    with pytest.raises(PermissionDenied):
        services.approve(quote=quote, by=other_manager)
    services.approve(quote=quote, by=director)
    quote.refresh_from_db()
    assert quote.state == QuoteState.APPROVED


def test_a_managers_own_big_deal_goes_to_their_manager_by_name(catalog, sales_manager,
                                                               other_manager, finance):
    # given a manager whose own manager approves through another group than the rule's
    vice_presidents = Group.objects.create(name="Sales VP")
    vice_presidents.permissions.set(Permission.objects.filter(
        content_type__app_label="quotes",
        codename__in=["view_quote", "view_team_quotes", "approve_quote"]))
    vice_president = make_user("vp")
    vice_president.groups.add(vice_presidents)
    ReportingLine.objects.create(user=sales_manager, manager=vice_president)
    # when
    quote = submitted(sales_manager)
    # then level 2 names the vice president, says why, and only they see it in their queue
    assert _requests(quote) == [(1, "Finance", None), (2, "Sales Manager", "vp")]
    routed = quote.approval_requests.get(level=2)
    assert routed.routing == ("No one else in Sales Manager can decide a quote of Manager A: "
                              "routed to their manager, Vp.")
    assert "routed to their manager, Vp" in history_for(quote).last().note
    services.approve(quote=quote, by=finance)
    assert _queue(vice_president) == [(quote.pk, 2)]
    assert _queue(finance) == [] and _queue(other_manager) == []
    with pytest.raises(PermissionDenied, match="waits for level 2 approval by Vp"):
        services.approve(quote=quote, by=finance)
    services.approve(quote=quote, by=vice_president, comment="Fine")
    quote.refresh_from_db()
    assert quote.state == QuoteState.APPROVED
    assert history_for(quote).last().note == "Level 2 approved by Vp: Fine"


def test_a_managers_own_big_deal_without_a_manager_escalates_to_finance(
        catalog, sales_manager, other_manager, finance):
    quote = submitted(sales_manager)
    assert _requests(quote) == [(1, "Finance", None), (2, "Finance", None)]
    assert quote.approval_requests.get(level=2).routing == (
        "No one else in Sales Manager can decide a quote of Manager A and they have no manager "
        "who can: escalated to Finance.")
    assert _queue(other_manager) == []
    services.approve(quote=quote, by=finance)
    assert _queue(finance) == [(quote.pk, 2)]
    with pytest.raises(PermissionDenied, match="Nobody approves their own quote"):
        services.approve(quote=quote, by=sales_manager)
    services.approve(quote=quote, by=finance)
    quote.refresh_from_db()
    assert quote.state == QuoteState.APPROVED


def test_rules_of_one_level_escalated_to_the_same_group_make_one_request(
        catalog, sales_manager, finance):
    # given a level-1 deal-size rule for managers next to Finance's discount rule
    ApprovalRule.objects.create(name="TCV above 100,000 USD", condition="tcv_above",
                                threshold=D(100000), currency="USD", level=1,
                                group=Group.objects.get(name="Sales Manager"))
    # when a manager without a manager submits a big discounted deal
    quote = submitted(sales_manager)
    # then level 1 is one Finance request carrying both rules and the escalation
    level1 = quote.approval_requests.get(level=1)
    assert (level1.group.name, level1.approver) == ("Finance", None)
    assert level1.rules == ["Line discount above 20%", "TCV above 100,000 USD"]
    assert "escalated to Finance" in level1.routing
    assert _requests(quote) == [(1, "Finance", None), (2, "Finance", None)]


def test_a_reps_big_deal_without_a_manager_escalates_to_finance(catalog, finance):
    lone_rep = make_user("lone_rep", Role.SALES_REP)
    quote = submitted(lone_rep)
    assert _requests(quote) == [(1, "Finance", None), (2, "Finance", None)]
    services.approve(quote=quote, by=finance)
    services.approve(quote=quote, by=finance)
    quote.refresh_from_db()
    assert quote.state == QuoteState.APPROVED


def test_when_nobody_can_decide_the_request_says_an_approver_is_missing(catalog,
                                                                         sales_manager):
    # no Finance user exists and the manager has no manager
    quote = submitted(sales_manager)
    assert quote.state == QuoteState.PENDING_APPROVAL
    assert quote.approval_requests.get(level=2).routing == (
        "No one in Sales Manager can decide a quote of Manager A yet: an administrator must add "
        "an approver to the group.")
