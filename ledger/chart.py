"""The default chart of accounts, by name: later apps post to `chart.ACCOUNTS_RECEIVABLE`, never
to a bare "1100". Migration 0002 seeds these rows (with its own frozen copy of the list)."""

from dataclasses import dataclass

CASH = "1000"
ACCOUNTS_RECEIVABLE = "1100"
UNBILLED_RECEIVABLE = "1150"  # contract asset: revenue recognized before it is billed
CUSTOMER_CREDITS = "2100"  # unapplied cash and open credit notes owed back to customers
TAX_PAYABLE = "2200"
DEFERRED_REVENUE = "2300"  # contract liability: billed before it is recognized
OPENING_BALANCES = "3000"  # the other side of balances migrated from a previous system
RETAINED_EARNINGS = "3900"
REVENUE = "4000"
SALES_DISCOUNTS = "4900"  # contra-revenue: carries a debit balance
BAD_DEBT_EXPENSE = "6100"
REALIZED_FX = "7100"  # realized exchange gain (credit) or loss (debit)
SUSPENSE = "9999"  # parks what cannot be classified yet; should be empty at close


@dataclass(frozen=True)
class ChartAccount:
    code: str
    name: str
    type: str


DEFAULT_CHART = (
    ChartAccount(CASH, "Cash", "asset"),
    ChartAccount(ACCOUNTS_RECEIVABLE, "Accounts receivable", "asset"),
    ChartAccount(UNBILLED_RECEIVABLE, "Unbilled receivable (contract asset)", "asset"),
    ChartAccount(CUSTOMER_CREDITS, "Customer credits", "liability"),
    ChartAccount(TAX_PAYABLE, "Tax payable", "liability"),
    ChartAccount(DEFERRED_REVENUE, "Deferred revenue", "liability"),
    ChartAccount(OPENING_BALANCES, "Opening balances", "equity"),
    ChartAccount(RETAINED_EARNINGS, "Retained earnings", "equity"),
    ChartAccount(REVENUE, "Revenue", "revenue"),
    ChartAccount(SALES_DISCOUNTS, "Sales discounts", "revenue"),
    ChartAccount(BAD_DEBT_EXPENSE, "Bad debt expense", "expense"),
    ChartAccount(REALIZED_FX, "Realized FX gain/loss", "expense"),
    ChartAccount(SUSPENSE, "Suspense", "asset"),
)
