"""The period close checklist: what must be true before a month is closed. Questions only."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef

from billing.models import Invoice, InvoiceLine, InvoiceState, UsageRecord
from core.dates import month_start
from ledger import chart
from ledger.period_rules import month_end
from ledger.selectors import trial_balance
from revrec.models import RecognitionRun, RunState


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
    unrated = UsageRecord.objects.filter(occurred_at__date__lte=end,
                                         billing_record__isnull=True).count()
    return CloseCheck("usage", "Usage rated", not unrated,
                      f"{unrated} usage record(s) of the period not rated on an invoice"
                      if unrated else "Every usage record of the period is rated",
                      "billing:usage_import")


def _recognition(month: date) -> CloseCheck:
    run = RecognitionRun.objects.filter(month=month).first()
    done = run is not None and run.state == RunState.COMPLETED
    detail = ("No recognition run for the month" if run is None
              else f"The recognition run is {run.get_state_display().lower()}")
    return CloseCheck("recognition", "Revenue recognition run done", done, detail, "revrec:runs")


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


def close_checklist(month: date) -> list[CloseCheck]:
    """The five checks for the month (a handful of queries whatever the volume)."""
    month = month_start(month)
    end = month_end(month)
    return [_invoices(end), _usage(end), _recognition(month), *_balanced(end)]
