"""The One-Stop Shop return of a quarter (Art. 369f-369h of the VAT directive): per member state
of consumption and rate, the taxable base and VAT of B2C supplies taxed at that state's rates,
net of credit notes and voids. It is the tax report's rows for EU states other than the seller's
own, so its figures and the domestic ones add up to the tax report, which ties to the ledger's
tax payable.

The return is in euro. Amounts in other currencies convert at the ECB rate of the quarter's last
day, or, when none was published that day, of the next day of publication (Art. 369h(2)-(3); the
Commission's Guide to the VAT One Stop Shop says the same of the Union scheme). The rates are the
ledger's (its rate import is the ECB reference rates): one dated the last day, else the first
dated after it within a week; a ledger without either has only the rate in force on the last
day, which the report uses and dates, so finance sees what it filed.

It also shows where the seller stands against the EUR 10,000 of Art. 59c (catalog.tax): the
quarter's year to date and the whole previous year of such supplies, in euro. Those are the
lines whose VAT treatment was a distance sale (`vat_article`, on whichever side of the threshold
they were taxed, so sales taxed at home while within it count too), net of credit notes and
voids; the tax book reads the same figure before it taxes the next one.
"""

import bisect
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Sum

from billing.models import CreditNoteLine, CreditNoteState, InvoiceLine, InvoiceState
from billing.tax_report import TaxReportRow, tax_report
from catalog.tax import DISTANCE_SALE_ARTICLES, EU_MEMBER_STATES, DistanceSales
from core.company import seller
from core.money import round_money
from ledger.fx import MissingRate, RateBook, missing_rate_message
from ledger.services import rate_book

ZERO = Decimal(0)
ONE = Decimal(1)
EURO = "EUR"
# The next ECB publication after a quarter's last day comes within a week (New Year and Easter
# closures are the longest gaps).
NEXT_PUBLICATION_DAYS = 7


def quarter_dates(year: int, quarter: int) -> tuple[date, date]:
    if quarter not in (1, 2, 3, 4):
        raise ValueError("A quarter is 1 to 4.")
    first_month = 3 * quarter - 2
    end = date(year, first_month + 3, 1) if quarter < 4 else date(year + 1, 1, 1)
    return date(year, first_month, 1), date.fromordinal(end.toordinal() - 1)


@dataclass(frozen=True)
class EuroRate:
    """Euro for one unit of `currency`, and the day of the rate used."""

    currency: str
    rate: Decimal
    dated: date


def _filing_rate(history: list[tuple[date, Decimal]], day: date) -> tuple[date, Decimal]:
    """The rate dated `day`, else the next one within a week, else the one in force on `day`."""
    index = bisect.bisect_left(history, day, key=lambda row: row[0])
    if index < len(history) and history[index][0] <= day + timedelta(NEXT_PUBLICATION_DAYS):
        return history[index]
    if index == 0:
        raise MissingRate("none")
    return history[index - 1]


def euro_rate(book: RateBook, currency: str, day: date) -> EuroRate:
    """The OSS filing rate of `currency` for a period ending on `day`, from the ledger's rates
    (functional units per unit), crossed through the functional currency when that is not the
    euro.

    >>> book = RateBook.from_rows("USD", [("EUR", date(2026, 12, 1), Decimal("1.10")),
    ...                                   ("EUR", date(2027, 1, 1), Decimal("1.20")),
    ...                                   ("GBP", date(2026, 12, 31), Decimal("1.32"))])
    >>> euro_rate(book, "GBP", date(2026, 12, 31))      # 1.32 / 1.20, EUR dated Jan 1
    EuroRate(currency='GBP', rate=Decimal('1.1'), dated=datetime.date(2027, 1, 1))
    """
    def functional_per_unit(code: str) -> tuple[date, Decimal]:
        if code == book.functional_currency:
            return day, ONE
        try:
            return _filing_rate(book.rates.get(code, []), day)
        except MissingRate:
            raise MissingRate(missing_rate_message(code, day)) from None

    if currency == EURO:
        return EuroRate(EURO, ONE, day)
    currency_dated, currency_rate = functional_per_unit(currency)
    euro_dated, euro_in_functional = functional_per_unit(EURO)
    return EuroRate(currency, (currency_rate / euro_in_functional).normalize(),
                    max(currency_dated, euro_dated))


@dataclass(frozen=True)
class EuroRow:
    """An OSS row in euro: base and VAT each converted and rounded to the cent."""

    row: TaxReportRow
    rate: EuroRate
    base: Decimal
    tax: Decimal


def in_euro(rows: list[TaxReportRow], book: RateBook, day: date) -> tuple[list[EuroRow],
                                                                        list[str]]:
    """The rows in euro at the filing rate of `day`; and, for currencies without a rate, what
    to import."""
    rates, missing, converted = {}, [], []
    for row in rows:
        if row.currency not in rates:
            try:
                rates[row.currency] = euro_rate(book, row.currency, day)
            except MissingRate as exc:
                rates[row.currency] = None
                missing.append(str(exc))
        if rate := rates[row.currency]:
            converted.append(EuroRow(row, rate, round_money(row.net_base * rate.rate, EURO),
                                     round_money(row.net_tax * rate.rate, EURO)))
    return converted, missing


@dataclass
class OssReport:
    year: int
    quarter: int
    start: date
    end: date
    seller_country: str
    rows: list[TaxReportRow]
    domestic: list[TaxReportRow]
    euro_rows: list[EuroRow] = field(default_factory=list)
    missing_rates: list[str] = field(default_factory=list)
    distance_sales: DistanceSales | None = None

    def totals(self) -> dict[str, tuple[Decimal, Decimal]]:
        """Per currency: (net taxable base, net VAT) declared through the OSS."""
        totals: dict[str, tuple[Decimal, Decimal]] = {}
        for row in self.rows:
            base, tax = totals.get(row.currency, (ZERO, ZERO))
            totals[row.currency] = (base + row.net_base, tax + row.net_tax)
        return totals

    def euro_by_state(self) -> dict[str, tuple[Decimal, Decimal]]:
        """Per member state of consumption, the euro the return declares: (base, VAT)."""
        states: dict[str, tuple[Decimal, Decimal]] = {}
        for item in self.euro_rows:
            base, tax = states.get(item.row.country, (ZERO, ZERO))
            states[item.row.country] = (base + item.base, tax + item.tax)
        return dict(sorted(states.items()))

    @property
    def euro_total(self) -> tuple[Decimal, Decimal]:
        return (sum((item.base for item in self.euro_rows), ZERO),
                sum((item.tax for item in self.euro_rows), ZERO))


def _oss_rows(rows: list[TaxReportRow], home: str) -> list[TaxReportRow]:
    return [row for row in rows if row.country in EU_MEMBER_STATES and row.country != home]


def distance_sales_by_currency(start: date, end: date) -> dict[str, Decimal]:
    """Net B2C distance sales (Art. 59c(1)(b)) of documents dated in [start, end], per currency
    (two grouped queries; each sum rounded to its currency)."""
    sums: dict[str, Decimal] = {}
    invoiced = (InvoiceLine.objects.filter(
        vat_article__in=DISTANCE_SALE_ARTICLES, invoice__issue_on__range=(start, end))
        .exclude(invoice__state__in=(InvoiceState.DRAFT, InvoiceState.VOID))
        .values_list("invoice__currency").annotate(Sum("amount")))
    credited = (CreditNoteLine.objects.filter(
        vat_article__in=DISTANCE_SALE_ARTICLES, credit_note__state=CreditNoteState.ISSUED,
        credit_note__issue_on__range=(start, end))
        .values_list("credit_note__currency").annotate(Sum("amount")))
    for rows, sign in ((invoiced, 1), (credited, -1)):
        for currency, amount in rows:
            sums[currency] = sums.get(currency, ZERO) + sign * round_money(amount, currency)
    return sums


def in_euro_total(sums: dict[str, Decimal], book: RateBook, day: date) -> Decimal:
    """Amounts per currency in euro at the filing rate of `day`, each rounded to the cent."""
    return sum((round_money(amount * euro_rate(book, currency, day).rate, EURO)
                for currency, amount in sums.items()), ZERO)


def distance_sales(*, up_to: date) -> DistanceSales:
    """The seller's distance sales in euro: this calendar year to `up_to` and all last year
    (MissingRate names a rate to import)."""
    last_year_end = date(up_to.year - 1, 12, 31)
    this_year = distance_sales_by_currency(date(up_to.year, 1, 1), up_to)
    last_year = distance_sales_by_currency(date(up_to.year - 1, 1, 1), last_year_end)
    book = rate_book(set(this_year) | set(last_year) | {EURO},
                     up_to=up_to + timedelta(NEXT_PUBLICATION_DAYS))
    return DistanceSales(in_euro_total(this_year, book, up_to),
                         in_euro_total(last_year, book, last_year_end))


def oss_report(*, year: int, quarter: int) -> OssReport:
    """The quarter's OSS figures for the company's own member state, in their currencies and in
    euro, with the year's standing against the Art. 59c threshold: B2C supplies taxed in other
    member states this year to the quarter's end and all last year, each at its period end's
    rate (nine grouped queries and one for the rates)."""
    start, end = quarter_dates(year, quarter)
    home = seller().country
    report = tax_report(start=start, end=end)
    oss = _oss_rows(report.rows, home)
    domestic = [row for row in report.rows if row not in oss]
    book = rate_book({row.currency for row in report.rows} | {EURO},
                     up_to=end + timedelta(NEXT_PUBLICATION_DAYS))
    euro_rows, missing = in_euro(oss, book, end)
    try:
        sales = distance_sales(up_to=end)
    except MissingRate as exc:
        sales = None
        missing += [str(exc)] if str(exc) not in missing else []
    return OssReport(year, quarter, start, end, home, oss, domestic, euro_rows, missing, sales)
