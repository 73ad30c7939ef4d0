"""The One-Stop Shop return of a quarter (Art. 369f-369h of the VAT directive): per member state
of consumption and rate, the taxable base and VAT of B2C supplies taxed at that state's rates,
net of credit notes and voids. It is the tax report's rows for EU states other than the seller's
own, so its figures and the domestic ones add up to the tax report, which ties to the ledger's
tax payable.

Amounts stay in each document's currency: a return is filed in euro, converting other
currencies at the ECB rate of the quarter's last day (Art. 369h(2)); the report says which
currencies need it.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from billing.tax_report import TaxReportRow, tax_report
from catalog.tax import EU_MEMBER_STATES
from core.company import seller

ZERO = Decimal(0)


def quarter_dates(year: int, quarter: int) -> tuple[date, date]:
    if quarter not in (1, 2, 3, 4):
        raise ValueError("A quarter is 1 to 4.")
    first_month = 3 * quarter - 2
    end = date(year, first_month + 3, 1) if quarter < 4 else date(year + 1, 1, 1)
    return date(year, first_month, 1), date.fromordinal(end.toordinal() - 1)


@dataclass
class OssReport:
    year: int
    quarter: int
    start: date
    end: date
    seller_country: str
    rows: list[TaxReportRow]
    domestic: list[TaxReportRow]

    def totals(self) -> dict[str, tuple[Decimal, Decimal]]:
        """Per currency: (net taxable base, net VAT) declared through the OSS."""
        totals: dict[str, tuple[Decimal, Decimal]] = {}
        for row in self.rows:
            base, tax = totals.get(row.currency, (ZERO, ZERO))
            totals[row.currency] = (base + row.net_base, tax + row.net_tax)
        return totals

    @property
    def currencies_to_convert(self) -> list[str]:
        return sorted({row.currency for row in self.rows} - {"EUR"})


def oss_report(*, year: int, quarter: int) -> OssReport:
    """The quarter's OSS figures for the company's own member state (three grouped queries)."""
    start, end = quarter_dates(year, quarter)
    home = seller().country
    report = tax_report(start=start, end=end)
    oss = [row for row in report.rows if row.country in EU_MEMBER_STATES and row.country != home]
    domestic = [row for row in report.rows if row not in oss]
    return OssReport(year, quarter, start, end, home, oss, domestic)
