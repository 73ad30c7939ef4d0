"""The questions about customers: which accounts a user may see, and who may own them.

`accounts_visible_to` is the one visibility rule; the list, the account page, search, export,
the import and every service that edits an account go through it.
"""

from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from core.roles import Role
from core.visibility import user_of, visible_to
from customers.models import Account, BillingPause, Contact, PaymentTerms

VIEW_ALL = "customers.view_all_accounts"
VIEW_TEAM = "customers.view_team_accounts"
VIEW = "customers.view_account"




def team_members(manager) -> QuerySet:
    """Users who report directly to `manager` (not the manager themself)."""
    return get_user_model().objects.filter(reporting_line__manager=manager).order_by("username")


def accounts_visible_to(user) -> QuerySet[Account]:
    """Rep: owned; manager: own and the team's; finance and accountants: all; others: none."""
    accounts = Account.objects.select_related("owner", "payment_terms")
    return visible_to(accounts, user, view=VIEW, view_team=VIEW_TEAM, view_all=VIEW_ALL)


def search_accounts(accounts: QuerySet[Account], text: str) -> QuerySet[Account]:
    """Name, legal name or tax id contains the text, or a contact's email does (no duplicates)."""
    text = text.strip()
    if not text:
        return accounts
    contact_match = Contact.objects.filter(account=OuterRef("pk"), email__icontains=text)
    return accounts.filter(
        Q(name__icontains=text) | Q(legal_name__icontains=text) | Q(tax_id__icontains=text)
        | Exists(contact_match)
    )


def account_for_detail(*, pk, user) -> Account:
    """The account with its contacts and its billing pause (`billing_paused_on`: the open
    pause's first day), or 404 when the user may not see it."""
    open_pause = BillingPause.objects.filter(account=OuterRef("pk"), resumed_on=None)
    accounts = accounts_visible_to(user).prefetch_related("contacts").annotate(
        billing_paused_on=Subquery(open_pause.values("paused_on")[:1]))
    return get_object_or_404(accounts, pk=pk)


def pauses_covering(day: date, account_ref="pk") -> QuerySet[BillingPause]:
    """The billing pauses in force on `day` of the account named by `account_ref` (an
    OuterRef path, for Exists): started on or before it, not resumed by then."""
    return BillingPause.objects.filter(
        Q(resumed_on=None) | Q(resumed_on__gt=day), account=OuterRef(account_ref),
        paused_on__lte=day)


def billing_paused_on(accounts: QuerySet[Account], day: date) -> QuerySet[Account]:
    """Those of the accounts whose billing is paused on `day` (invoice runs hold them)."""
    return accounts.filter(Exists(pauses_covering(day)))


def account_for_update(*, pk, user) -> Account:
    """Lock the account row (in the caller's transaction) if the user may see it; else None."""
    return (
        accounts_visible_to(user).select_for_update(of=("self",)).filter(pk=pk).first()
    )


def assignable_owners(user) -> QuerySet:
    """Who `user` may make an account's owner: any sales user for those who see all accounts,
    the team and themself for a manager, only themself for a rep."""
    user = user_of(user)
    users = get_user_model().objects.filter(is_active=True).order_by("username")
    if user.has_perm(VIEW_ALL):
        return users.filter(groups__name__in=[Role.SALES_REP, Role.SALES_MANAGER]).distinct()
    if user.has_perm(VIEW_TEAM):
        return users.filter(Q(pk=user.pk) | Q(reporting_line__manager=user))
    return users.filter(pk=user.pk)


def terms_due_within(days: int) -> QuerySet[PaymentTerms]:
    """Active terms whose last amount falls due within `days` of the invoice (as
    `PaymentTerms.longest_days` counts: the rest of the invoice's month as 30 days)."""
    from customers.models import Instalment, InstalmentBasis, PaymentTermsKind

    month_based = [PaymentTermsKind.END_OF_MONTH, PaymentTermsKind.NEXT_MONTH_DAY]
    late = Instalment.objects.filter(
        Q(basis=InstalmentBasis.NET, due_days__gt=days)
        | Q(basis__in=month_based, due_days__gt=days - 30)).values("terms")
    return (PaymentTerms.objects.filter(active=True)
            .filter(Q(kind=PaymentTermsKind.NET, days__lte=days)
                    | Q(kind__in=month_based, days__lte=days - 30)
                    | Q(kind=PaymentTermsKind.INSTALMENTS))
            .exclude(pk__in=late))


PAUSES_SHOWN = 50  # the paused accounts a page lists; it counts the rest


def pauses_in_force(day: date) -> tuple[int, list[BillingPause]]:
    """How many accounts' billing is paused on `day`, and the longest-paused first (the invoice
    run page and the dunning page list them: a count and one read)."""
    pauses = BillingPause.objects.filter(Q(resumed_on=None) | Q(resumed_on__gt=day),
                                         paused_on__lte=day)
    return pauses.count(), list(pauses.select_related("account").order_by("paused_on", "pk")
                                [:PAUSES_SHOWN])
