"""The whole analytics page as one value: every figure with its definition, and the monthly
series behind the charts (built from the selectors; no queries of its own)."""

from dataclasses import dataclass
from decimal import Decimal

from analytics import charts, metrics, selectors


@dataclass(frozen=True)
class Figure:
    label: str
    value: Decimal | int | None
    unit: str  # "money:<currency>", "percent", "hours", "days" or "count"
    definition: str


@dataclass(frozen=True)
class Report:
    filters: selectors.Filters
    functional_currency: str
    figures: list[Figure]
    months: list[selectors.MrrMonth]
    receivables: selectors.ReceivableFigures
    missing_rates: list[str]

    @property
    def labels(self) -> list[str]:
        return [f"{m.month:%b %y}" for m in self.months]

    def mrr_chart(self) -> str:
        return charts.line_chart("MRR at each month's end", self.labels, [
            charts.Series("MRR", tuple(m.mrr for m in self.months))])

    def movement_chart(self) -> str:
        return charts.bar_chart("MRR movements", self.labels, [
            charts.Series("New", tuple(m.movement.new for m in self.months)),
            charts.Series("Expansion", tuple(m.movement.expansion for m in self.months)),
            charts.Series("Contraction", tuple(-m.movement.contraction for m in self.months)),
            charts.Series("Churn", tuple(-m.movement.churn for m in self.months)),
        ])

    def aging_chart(self) -> str:
        aging = self.receivables.aging
        return charts.bar_chart("AR aging", [bucket.label for bucket in aging], [
            charts.Series("Open", tuple(bucket.amount for bucket in aging))])


def build_report(user, filters: selectors.Filters) -> Report:
    converter = selectors.Converter(selectors.report_currencies(), filters.last_day)
    quotes = selectors.quote_figures(user, filters, converter)
    months = selectors.mrr_months(user, filters, converter)
    retention = selectors.retention(user, filters, converter)
    receivables = selectors.receivable_figures(user, filters)
    last = months[-1] if months else None
    period_churn = sum((m.movement.churn for m in months), Decimal("0"))
    opening = months[0].movement.opening if months else Decimal("0")
    money = f"money:{selectors.functional_currency()}"
    figures = [
        Figure("Quote turnaround: draft to sent", quotes.hours_to_send, "hours",
               "Median hours from a quote's creation to its sending, over the quotes sent in the "
               "period."),
        Figure("Quote turnaround: sent to accepted", quotes.hours_to_accept, "hours",
               "Median hours from sending to the customer's acceptance, over the quotes "
               "accepted in the period."),
        Figure("Win rate", quotes.win_rate, "percent",
               f"Accepted out of the quotes sent in the period that reached an outcome "
               f"({quotes.accepted} accepted, {quotes.declined} declined, {quotes.expired} "
               f"expired of {quotes.sent} sent)."),
        Figure("Average discount", quotes.average_discount, "percent",
               "Discounts given over list price, on the new-business quotes accepted in the "
               "period (weighted by list price)."),
        Figure("Average deal size (ACV)", quotes.average_deal_size, money,
               "Annual contract value per new-business quote accepted in the period."),
        Figure("MRR", last.mrr if last else None, money,
               "Monthly recurring revenue of the contract lines in force at the end of the "
               "last month: each line's net amount per billing period over its months."),
        Figure("ARR", last.arr if last else None, money, "MRR × 12."),
        Figure("Churned MRR in the period", period_churn, money,
               "MRR of accounts that had some at a month's start and none at its end, summed "
               "over the period's months."),
        Figure("MRR churn rate", metrics.percent(period_churn, opening), "percent",
               "Churned MRR over the MRR at the period's start."),
        Figure("Net revenue retention", retention.net, "percent",
               "What the accounts paying twelve months before the last month pay now "
               "(expansion included, new accounts not), over what they paid then."),
        Figure("Gross revenue retention", retention.gross, "percent",
               "The same, each account capped at what it paid a year ago: never above 100%."),
        Figure("Billed in the period", receivables.billed, money,
               "Invoices issued in the period (void ones left out), at their booked rate."),
        Figure("Open receivables at the end", receivables.closing, money,
               "The receivables ledger's balance on the period's last day (on the day of the "
               "nightly snapshot when the period runs into the current month)."),
        Figure("Overdue receivables", receivables.aging_total - receivables.aging[0].amount,
               money, "Open invoices past their due date on that day, at their booked rate "
               "(the AR aging below splits them by days past due)."),
        Figure("DSO", receivables.dso, "days",
               "Days sales outstanding: open receivables at the period's end over what was "
               "billed in the period, times the period's days."),
        Figure("Collection effectiveness", receivables.collection_effectiveness, "percent",
               "(Opening receivables + billed − closing receivables) over (opening receivables "
               "+ billed − receivables not yet due at the end), as a percentage: 100% means all "
               "that fell due was collected. Not yet due: open invoices due after that day, "
               "at what was still owed on them at the nightly snapshot."),
    ]
    return Report(filters, selectors.functional_currency(), figures, months, receivables,
                  sorted(converter.missing))

