"""The period close checklist: what must be true before a month is closed. Questions only."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q

from billing.models import Invoice, InvoiceLine, InvoiceState, UsageRecord
from billing.models.invoices import OPEN_STATES
from billing.rating import day_start
from catalog.policies import default_time_zone
from core.dates import month_start
from core.money import round_money
from customers.models import Account
from ledger import chart
from ledger.models import JournalEntry
from ledger.period_rules import month_end
from ledger.selectors import (
    BalanceDifference,
    balance_differences,
    receivable_balances,
    trial_balance,
)
from payments.selectors import credit_balances
from revrec.models import RecognitionRun, RevenueContract
from revrec.reports import disclosures_tie_out
from revrec.selectors import contract_asset_rows, contract_assets_of
from revrec.services.recognition import unrecognized

NAMED_DIFFERENCES = 5  # accounts named in the detail; the rest are counted
NAMED_DOCUMENTS = 5  # documents named per account


@dataclass(frozen=True)
class CloseCheck:
    key: str
    label: str
    done: bool
    detail: str
    url_name: str = ""  # where to fix it


def _invoices(end: date) -> CloseCheck:
    drafts = Invoice.objects.filter(state=InvoiceState.DRAFT).filter(Exists(
        InvoiceLine.objects.filter(invoice=OuterRef("pk"), period_start__lte=end))).count()
    return CloseCheck("invoices", "Invoices for the period issued", not drafts,
                      f"{drafts} draft invoice(s) bill the period or earlier" if drafts
                      else "No draft invoice bills the period", "billing:invoices")


def _usage(end: date) -> CloseCheck:
    """Usage of the period is what happened up to the end of its last day in each account's
    time zone (as billing rates it), one cut-off per zone the accounts name."""
    zones = Account.objects.order_by().values_list("time_zone", flat=True).distinct()
    through_end = Q()
    for zone in zones:
        through_end |= Q(account__time_zone=zone, occurred_at__lt=day_start(
            end + timedelta(days=1), ZoneInfo(zone or default_time_zone())))
    unrated = UsageRecord.objects.filter(through_end, billing_record__isnull=True).count()
    return CloseCheck("usage", "Usage rated", not unrated,
                      f"{unrated} usage record(s) of the period not rated on an invoice"
                      if unrated else "Every usage record of the period is rated",
                      "billing_documents:usage_import")


def _recognition(month: date) -> CloseCheck:
    """Asks the books, not the run: a run can say completed with contracts left over."""
    run = RecognitionRun.objects.filter(month=month).first()
    missing = unrecognized(month).count() if run is not None else 0
    detail = ("No recognition run for the month" if run is None
              else f"{missing} revenue contract(s) not recognized through the month "
                   f"(the run is {run.get_state_display().lower()})" if missing
              else "Every revenue contract is recognized through the month")
    return CloseCheck("recognition", "Every revenue contract recognized through the month",
                      run is not None and not missing, detail, "revrec:runs")


def _balanced(end: date) -> tuple[CloseCheck, CloseCheck]:
    balance = trial_balance(end)
    suspense = next((row.balance for row in balance.rows if row.code == chart.SUSPENSE), 0)
    return (
        CloseCheck("balanced", "Journals balanced", balance.is_balanced,
                   f"Debits {balance.total_debit}, credits {balance.total_credit}",
                   "ledger:trial_balance"),
        CloseCheck("suspense", "Nothing left in suspense", not suspense,
                   f"Suspense ({chart.SUSPENSE}) holds {suspense}" if suspense
                   else "Suspense is empty", "ledger:journal"),
    )


def _causes(account_id: int, currency: str) -> list[str]:
    """The documents behind one difference: the account's open invoices in the currency, and
    entries on its receivable that no document made (by hand, or reversals outside a void)."""
    invoices = list(Invoice.objects.filter(account_id=account_id, currency=currency,
                                           state__in=OPEN_STATES)
                    .order_by("due_on", "pk").values_list("number", flat=True)[:NAMED_DOCUMENTS])
    voids = Invoice.objects.filter(void_entry__isnull=False).values("void_entry")
    entries = (JournalEntry.objects
               .filter(lines__gl_account__code=chart.ACCOUNTS_RECEIVABLE,
                       lines__customer_account_id=account_id)
               .filter(Q(source_type__isnull=True) | Q(reverses__isnull=False))
               .exclude(pk__in=voids).distinct().order_by("number")[:NAMED_DOCUMENTS])
    named = []
    if invoices:
        named.append("open invoices " + ", ".join(invoices))
    if entries:
        named.append("entries outside a document " + ", ".join(e.reference for e in entries))
    return named


def _differences(documents: dict, ledger: dict) -> list[BalanceDifference]:
    """A sub-ledger read into Python (per customer account and currency) against the ledger's
    balances, as `balance_differences` compares them in the database."""
    zero = Decimal(0)
    differences = []
    for account_id, currency in sorted(documents.keys() | ledger.keys()):
        on_documents = documents.get((account_id, currency), zero)
        in_ledger = ledger.get((account_id, currency), zero)
        if on_documents != in_ledger:
            differences.append(BalanceDifference(account_id, currency,
                                                 round_money(in_ledger, currency),
                                                 round_money(on_documents, currency)))
    return differences


def _tie(key: str, label: str, differences: list[BalanceDifference], *, held: str, named: str,
         causes=lambda account_id, currency: []) -> CloseCheck:
    """A sub-ledger (what the documents say, per customer account and currency) against the
    general ledger's account for it; each difference named with both figures and its causes.
    Both sides are read as of today: a difference anywhere blocks every close until it is
    explained."""
    if not differences:
        return CloseCheck(key, label, True, held, "ledger:journal")
    shown = differences[:NAMED_DIFFERENCES]
    names = dict(Account.objects.filter(pk__in={d.customer_account_id for d in shown})
                 .values_list("pk", "name"))
    parts = []
    for difference in shown:
        account_id, currency = difference.customer_account_id, difference.currency
        found = causes(account_id, currency)
        parts.append(f"{names.get(account_id, account_id)} {currency}: "
                     f"ledger {difference.ledger}, {named} {difference.sub_ledger}"
                     + (f" ({'; '.join(found)})" if found else ""))
    if len(differences) > NAMED_DIFFERENCES:
        parts.append(f"and {len(differences) - NAMED_DIFFERENCES} more")
    return CloseCheck(key, label, False, "; ".join(parts), "ledger:journal")


def _receivables() -> CloseCheck:
    """The receivables sub-ledger (what issued invoices say is due) ties to the general
    ledger's receivable per customer account and document currency."""
    due = (Invoice.objects.exclude(state=InvoiceState.DRAFT).order_by()
           .values_list("account_id", "currency", "amount_due"))
    return _tie("receivables", "Receivables agree with the ledger",
                balance_differences([due], gl_code=chart.ACCOUNTS_RECEIVABLE),
                named="open invoices", causes=_causes,
                held="Open invoice balances equal the ledger's receivable for every account "
                     "and currency")


def _customer_credits() -> CloseCheck:
    """Unapplied cash and credit owed back (payments' sub-ledger) tie to customer credits in
    the general ledger, a credit balance, per customer account and currency."""
    ledger = {(account, currency): -amount
              for account, balance in receivable_balances(
                  gl_codes=(chart.CUSTOMER_CREDITS,)).items()
              for currency, amount in balance.by_currency.items()}
    return _tie("customer_credits", "Customer credits agree with the ledger",
                _differences(credit_balances(), ledger),
                named="unapplied cash and credit owed back",
                held="Unapplied cash and credit owed back equal the ledger's customer credits "
                     "for every account and currency")


def _unbilled_causes(account_id: int, currency: str) -> list[str]:
    """The revenue contracts behind one difference (their contract assets), and entries on the
    customer's unbilled receivable that revenue recognition did not make."""
    kind = ContentType.objects.get_for_model(RevenueContract)
    contracts = contract_assets_of(account_id)[:NAMED_DOCUMENTS]
    entries = (JournalEntry.objects
               .filter(lines__gl_account__code=chart.UNBILLED_RECEIVABLE,
                       lines__customer_account_id=account_id)
               .exclude(source_type=kind).distinct().order_by("number")[:NAMED_DOCUMENTS])
    named = []
    if contracts:
        named.append("revenue contracts " + ", ".join(f"{number} {amount}"
                                                       for number, amount in contracts))
    if entries:
        named.append("entries outside revenue recognition "
                     + ", ".join(e.reference for e in entries))
    return named


def _unbilled() -> CloseCheck:
    """Revenue recognized and not yet invoiced (revrec's contract assets, in the functional
    currency) ties to the general ledger's unbilled receivable per customer account and
    currency (IFRS 15.105-107: a contract asset until the right to consideration is
    unconditional)."""
    return _tie("unbilled", "Unbilled receivable agrees with the ledger",
                balance_differences(contract_asset_rows(), gl_code=chart.UNBILLED_RECEIVABLE),
                named="recognized not yet billed", causes=_unbilled_causes,
                held="Revenue recognized and not yet billed equals the ledger's unbilled "
                     "receivable for every account and currency")


def _disclosures(month: date) -> CloseCheck:
    tie = disclosures_tie_out(month)
    return CloseCheck("disclosures", "Revenue disclosures tie to the ledger", tie.done,
                      tie.detail, "revrec:reports")


def close_checklist(month: date) -> list[CloseCheck]:
    """The nine checks for the month (a handful of queries whatever the volume; a few more per
    receivable or unbilled difference named)."""
    month = month_start(month)
    end = month_end(month)
    return [_invoices(end), _usage(end), _recognition(month), *_balanced(end), _receivables(),
            _customer_credits(), _unbilled(), _disclosures(month)]
