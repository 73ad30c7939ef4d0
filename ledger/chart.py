"""The default chart of accounts, by name: later apps post to `chart.ACCOUNTS_RECEIVABLE`, never
to a bare "1100". Migration 0002 seeds these rows (with its own frozen copy of the list)."""

from dataclasses import dataclass

CASH = "1000"
ACCOUNTS_RECEIVABLE = "1100"
UNBILLED_RECEIVABLE = "1150"  # contract asset: revenue recognized before it is billed
RETURN_ASSET = "1300"  # right to recover goods a customer is expected to return (IFRS 15.B21)
INVENTORY = "1400"  # goods held for sale, among them those customers returned (IFRS 15.B25)
CUSTOMER_CREDITS = "2100"  # unapplied cash and open credit notes owed back to customers
TAX_PAYABLE = "2200"
DEFERRED_REVENUE = "2300"  # contract liability: billed before it is recognized
REFUND_LIABILITY = "2400"  # consideration expected to be refunded (IFRS 15.55, B21)
OPENING_BALANCES = "3000"  # the other side of balances migrated from a previous system
RETAINED_EARNINGS = "3900"
REVENUE = "4000"
LATE_FEE_INCOME = "4500"  # late-payment fees and recovery costs charged by dunning
INTEREST_INCOME = "4600"  # late-payment interest and a contract's financing component
SALES_DISCOUNTS = "4900"  # contra-revenue: carries a debit balance
COST_OF_SALES = "5000"
BAD_DEBT_EXPENSE = "6100"
REALIZED_FX = "7100"  # realized exchange gain (credit) or loss (debit)
CASH_ROUNDING = "7200"  # the difference a cash-rounded total leaves (e.g. to 0.05)
INTEREST_EXPENSE = "7300"  # a financing component where the customer pays in advance
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
    ChartAccount(RETURN_ASSET, "Right to recover returned goods", "asset"),
    ChartAccount(INVENTORY, "Inventory", "asset"),
    ChartAccount(CUSTOMER_CREDITS, "Customer credits", "liability"),
    ChartAccount(TAX_PAYABLE, "Tax payable", "liability"),
    ChartAccount(DEFERRED_REVENUE, "Deferred revenue", "liability"),
    ChartAccount(REFUND_LIABILITY, "Refund liability", "liability"),
    ChartAccount(OPENING_BALANCES, "Opening balances", "equity"),
    ChartAccount(RETAINED_EARNINGS, "Retained earnings", "equity"),
    ChartAccount(REVENUE, "Revenue", "revenue"),
    ChartAccount(LATE_FEE_INCOME, "Late fee income", "revenue"),
    ChartAccount(INTEREST_INCOME, "Interest income", "revenue"),
    ChartAccount(SALES_DISCOUNTS, "Sales discounts", "revenue"),
    ChartAccount(COST_OF_SALES, "Cost of sales", "expense"),
    ChartAccount(BAD_DEBT_EXPENSE, "Bad debt expense", "expense"),
    ChartAccount(REALIZED_FX, "Realized FX gain/loss", "expense"),
    ChartAccount(CASH_ROUNDING, "Cash rounding", "expense"),
    ChartAccount(INTEREST_EXPENSE, "Interest expense", "expense"),
    ChartAccount(SUSPENSE, "Suspense", "asset"),
)
