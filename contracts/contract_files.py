"""Reading a file of active contracts from the previous system (CSV or XLSX); pure, no ORM.

One row per contract line; the contract's columns repeat on each of its rows, grouped by
`reference` (the contract's number in the old system). The file is read by `core.imports` (size
cap before parsing, UTF-8, NUL characters, overlong cells, line numbers as a spreadsheet shows
them); each row's cells are checked against what the database knows, handed in as plain names
(`Known`). Every bad row is reported as "Line N: reason; reason.", so the caller refuses the
whole file.
"""

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.imports import RowReader, Table, read_table

COLUMNS = ["reference", "account", "owner", "currency", "start_on", "end_on", "payment_terms",
           "auto_renew", "renewal_term_months", "uplift_percent", "renewal_notice_days", "sku",
           "quantity", "billing_period", "unit_price", "discount_percent"]
CONTRACT_COLUMNS = COLUMNS[:11]
YES, NO = {"yes", "y", "true", "1"}, {"no", "n", "false", "0"}
MAX_BYTES = 5 * 1024 * 1024  # a few thousand contracts' lines are well under 1 MB
MAX_REFERENCE = 64  # Contract.external_reference
PLACES = 4  # quantities and percentages: ContractLine.quantity, PERCENT fields
RATE_PLACES = 6  # unit prices: ContractLine.list_unit_price
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Known:
    """What the database holds for the names a file uses. `accounts` maps an account's name to
    its billing currency, or to None when several accounts share the name."""
    accounts: Mapping[str, str | None]
    owners: Collection[str]
    payment_terms: Collection[str]
    skus: Collection[str]
    taken_references: Collection[str]
    currencies: Collection[str]
    billing_periods: Collection[str]


@dataclass(frozen=True)
class ContractRow:
    line: int
    reference: str
    account: str
    owner: str
    currency: str
    start_on: date
    end_on: date
    payment_terms: str
    auto_renew: bool
    renewal_term_months: int
    uplift_percent: Decimal
    renewal_notice_days: int
    sku: str
    quantity: Decimal
    billing_period: str
    unit_price: Decimal
    discount_percent: Decimal


def read_contract_table(content: bytes | str, filename: str = "contracts.csv") -> Table:
    """The file's rows (core.imports.TableRefused when the file cannot be read at all)."""
    return read_table(content, filename, required=COLUMNS, max_bytes=MAX_BYTES)


def parse_contract_rows(table: Table, known: Known, today: date
                        ) -> tuple[list[ContractRow], list[str]]:
    """The rows and every problem, each as "Line N: reason"; rows mean something only when
    there is no problem."""
    rows, errors, first_of = [], [], {}
    for table_row in table.rows:
        cells = RowReader(table_row)
        row = ContractRow(table_row.line, **_contract_columns(cells, known, today),
                          **_line_columns(cells, known))
        first = first_of.setdefault(table_row["reference"], table_row)
        if any(table_row[column] != first[column] for column in CONTRACT_COLUMNS):
            cells.refuse(f"the contract columns differ from line {first.line} of the same "
                         "reference")
        if cells.problems:
            errors.append(cells.problem())
        else:
            rows.append(row)
    if not rows and not errors:
        errors.append("The file has no contract lines.")
    return rows, errors


def _named(cells: RowReader, column: str, names: Collection[str], what: str) -> str:
    value = cells.text(column)
    if value and value not in names:
        cells.refuse(f"{what} {value!r} does not exist")
    return value


def _contract_columns(cells: RowReader, known: Known, today: date) -> dict:
    reference = cells.text("reference", max_length=MAX_REFERENCE)
    if reference in known.taken_references:
        cells.refuse(f"contract {reference} was already imported")
    account = _named(cells, "account", known.accounts, "account")
    currency = cells.choice("currency", known.currencies)
    if known.accounts.get(account, "") is None:
        cells.refuse(f"account {account!r} names more than one account")
    elif currency and known.accounts.get(account, currency) != currency:
        cells.refuse(f"the account bills in {known.accounts[account]}, not {currency}")
    return {"reference": reference, "account": account, "currency": currency,
            "owner": _named(cells, "owner", known.owners, "active user"),
            "payment_terms": _named(cells, "payment_terms", known.payment_terms,
                                    "payment terms"),
            **_term_columns(cells, today)}


def _term_columns(cells: RowReader, today: date) -> dict:
    start_on, end_on = cells.date("start_on"), cells.date("end_on")
    if start_on and end_on and end_on < start_on:
        cells.refuse(f"the end on {end_on} is before the start on {start_on}")
    elif start_on and end_on and not start_on <= today <= end_on:
        cells.refuse(f"the contract is not in force on {today:%Y-%m-%d}")
    flag = cells.text("auto_renew").lower()
    if flag and flag not in YES | NO:
        cells.refuse(f"the auto renew {flag!r} is not yes or no")
    return {"start_on": start_on, "end_on": end_on, "auto_renew": flag in YES,
            "renewal_term_months": _whole(cells, "renewal_term_months", 1, 120),
            "uplift_percent": _between(cells, "uplift_percent", 0, HUNDRED, places=PLACES,
                                       default=Decimal(0)),
            "renewal_notice_days": _whole(cells, "renewal_notice_days", 0, 365)}


def _line_columns(cells: RowReader, known: Known) -> dict:
    return {"sku": _named(cells, "sku", known.skus, "product"),
            "quantity": cells.decimal("quantity", places=PLACES, positive=True),
            "billing_period": cells.choice("billing_period", known.billing_periods),
            # a price per unit, not an amount owed: the places of the column, not the currency's
            # (0.0125 USD an API call; format_rate shows it so)
            "unit_price": _between(cells, "unit_price", 0, None, places=RATE_PLACES),
            "discount_percent": _between(cells, "discount_percent", 0, HUNDRED, places=PLACES,
                                         default=Decimal(0))}


def _between(cells: RowReader, column: str, low, high, *, places: int | None,
             default: Decimal | None = None):
    """A number from `low` to `high` (no upper bound when None) with at most `places` decimals;
    `default` when the cell is empty and a default is given."""
    if default is not None and not cells.row[column]:
        return default
    value = cells.decimal(column, places=places)
    if value is None:
        return None
    label = column.replace("_", " ")
    if value < low or (high is not None and value > high):
        bound = f"from {low} to {high}" if high is not None else f"at least {low}"
        cells.refuse(f"the {label} {value} is not {bound}")
        return None
    return value


def _whole(cells: RowReader, column: str, low: int, high: int) -> int | None:
    value = _between(cells, column, low, high, places=0)
    return None if value is None else int(value)
