"""Import of active contracts with their lines from the previous system (CSV).

One row per line; the contract's columns repeat on each of its rows (grouped by `reference`, the
contract's number in the old system). Every row is checked first: a file with any bad row is
refused whole, with each bad row's line number and reason, and nothing is written. A good file
creates active contracts (they are already provisioned: no order) whose lines run from the
contract's start, priced per unit over the term from the file's unit price. Importing the same
reference twice is refused (a unique constraint makes that hold under races too).
"""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from itertools import groupby

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from catalog.models import BillingPeriod, Product
from catalog.pricing import DocumentLine, LineInput, PriceModel, PriceSpec, price_document
from contracts.models import (
    Contract,
    ContractLine,
    ContractState,
    LineStatus,
    ScheduleChange,
    ScheduleChangeKind,
    ScheduledCharge,
)
from contracts.services._common import creation_log, default_day_count
from contracts.services.amendments import months_between, recurring_monthly
from contracts.services.lifecycle import contract_value, default_template, fill_contract_terms
from contracts.services.schedules import price_from_schedule, schedule_rows
from core.actors import require
from core.csv_files import text_problems
from core.dates import business_date
from core.models import TransitionLog
from core.numbering import next_numbers
from customers.models import Account, PaymentTerms

ONE_DAY = timedelta(days=1)
IMPORT_PERMISSION = "contracts.import_contracts"
COLUMNS = ["reference", "account", "owner", "currency", "start_on", "end_on", "payment_terms",
           "auto_renew", "renewal_term_months", "uplift_percent", "renewal_notice_days", "sku",
           "quantity", "billing_period", "unit_price", "discount_percent"]
HEADER_COLUMNS = COLUMNS[:11]
YES, NO = {"yes", "y", "true", "1"}, {"no", "n", "false", "0"}
MAX_BYTES = 5 * 1024 * 1024


class ImportRefused(ValidationError):
    """The file is refused whole; `rows` lists (line number, reason) for every bad row."""

    def __init__(self, rows: list[tuple[int, str]]):
        super().__init__([f"Line {n}: {reason}" for n, reason in rows])
        self.rows = rows


@dataclass
class Row:
    number: int
    values: dict


def read_rows(data: bytes) -> list[Row]:
    """The file's data rows, numbered as a spreadsheet shows them (the header is line 1)."""
    if len(data) > MAX_BYTES:
        raise ImportRefused([(0, "The file is larger than 5 MB.")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused([(0, "The file is not UTF-8 text (save it as CSV UTF-8).")]) from None
    problems = text_problems(text)
    if problems:
        raise ImportRefused(problems)
    reader = csv.reader(io.StringIO(text))
    try:
        header = [name.strip().lower() for name in next(reader, [])]
        missing = [name for name in COLUMNS if name not in header]
        if missing:
            raise ImportRefused([(1, f"Missing columns: {', '.join(missing)}.")])
        rows = [Row(n, {name: (cells[i].strip() if i < len(cells) else "")
                        for i, name in enumerate(header)})
                for n, cells in enumerate(reader, start=2) if any(c.strip() for c in cells)]
    except csv.Error as error:
        raise ImportRefused([(reader.line_num, f"The file is not readable CSV: {error}.")]) \
            from None
    if not rows:
        raise ImportRefused([(2, "The file has no contract lines.")])
    return rows


MAX_AMOUNT = Decimal("1e13")  # below what an amount column holds (19 digits, 4 places)


def _decimal(text: str) -> Decimal:
    value = Decimal(text)
    if not value.is_finite() or abs(value) >= MAX_AMOUNT:
        raise InvalidOperation
    return value


class _Checker:
    """Reads every row against the database once per kind of thing (accounts, owners, terms,
    products, references), collecting each bad row's reasons."""

    def __init__(self, rows: list[Row], today: date):
        self.today = today
        names = {r.values["account"] for r in rows}
        self.accounts = defaultdict(list)
        for account in Account.objects.filter(name__in=names):
            self.accounts[account.name].append(account)
        self.owners = {u.get_username(): u for u in get_user_model().objects.filter(
            username__in={r.values["owner"] for r in rows}, is_active=True)}
        self.terms = {t.code: t for t in PaymentTerms.objects.filter(
            code__in={r.values["payment_terms"] for r in rows})}
        self.products = {p.sku: p for p in Product.objects.filter(
            sku__in={r.values["sku"] for r in rows})}
        self.taken = set(Contract.objects.filter(
            external_reference__in={r.values["reference"] for r in rows})
            .values_list("external_reference", flat=True))

    def header(self, v: dict, errors: list[str]) -> dict:
        out = {}
        if not v["reference"]:
            errors.append("reference is empty")
        elif v["reference"] in self.taken:
            errors.append(f"contract {v['reference']} was already imported")
        accounts = self.accounts.get(v["account"], [])
        if len(accounts) != 1:
            errors.append(f"account {v['account']!r} " + ("is not unique" if accounts
                                                           else "does not exist"))
        else:
            out["account"] = accounts[0]
        out["owner"] = self.owners.get(v["owner"])
        if out["owner"] is None:
            errors.append(f"owner {v['owner']!r} is not an active user")
        out["currency"] = v["currency"].upper()
        if len(out["currency"]) != 3 or not out["currency"].isalpha():
            errors.append("currency is not a 3-letter code")
        elif "account" in out and out["account"].currency != out["currency"]:
            errors.append(f"the account bills in {out['account'].currency}, not "
                          f"{out['currency']}")
        for name in ("start_on", "end_on"):
            try:
                out[name] = date.fromisoformat(v[name])
            except ValueError:
                errors.append(f"{name} is not a date (YYYY-MM-DD)")
        if "start_on" in out and "end_on" in out:
            if out["end_on"] < out["start_on"]:
                errors.append("end_on is before start_on")
            elif not out["start_on"] <= self.today <= out["end_on"]:
                errors.append(f"the contract is not in force on {self.today:%Y-%m-%d}")
        out["payment_terms"] = self.terms.get(v["payment_terms"])
        if out["payment_terms"] is None:
            errors.append(f"payment terms {v['payment_terms']!r} do not exist")
        flag = v["auto_renew"].lower()
        if flag not in YES | NO:
            errors.append("auto_renew is not yes or no")
        out["auto_renew"] = flag in YES
        for name, low, high in (("renewal_term_months", 1, 120),
                                ("renewal_notice_days", 0, 365)):
            try:
                out[name] = int(v[name])
                if not low <= out[name] <= high:
                    raise ValueError
            except ValueError:
                errors.append(f"{name} is not a whole number from {low} to {high}")
        try:
            out["uplift_percent"] = _decimal(v["uplift_percent"] or "0")
            if not 0 <= out["uplift_percent"] <= 100:
                raise InvalidOperation
        except InvalidOperation:
            errors.append("uplift_percent is not a number from 0 to 100")
        return out

    def line(self, v: dict, currency: str, errors: list[str]) -> dict:
        out = {"product": self.products.get(v["sku"])}
        if out["product"] is None:
            errors.append(f"product {v['sku']!r} does not exist")
        if v["billing_period"] not in BillingPeriod.values:
            errors.append(f"billing_period is one of {', '.join(BillingPeriod.values)}")
        out["billing_period"] = v["billing_period"]
        for name, low, high in (("quantity", Decimal("0.0001"), None),
                                ("unit_price", Decimal(0), None),
                                ("discount_percent", Decimal(0), Decimal(100))):
            try:
                out[name] = _decimal(v[name] or ("0" if name == "discount_percent" else ""))
                if out[name] < low or (high is not None and out[name] > high):
                    raise InvalidOperation
            except InvalidOperation:
                bound = f"from {low} to {high}" if high is not None else f"at least {low}"
                errors.append(f"{name} is not a number {bound}")
        return out


def check_rows(rows: list[Row], today: date) -> dict[str, list[tuple[Row, dict, dict]]]:
    """Every row checked; the contracts by reference, or `ImportRefused` listing every bad row."""
    checker = _Checker(rows, today)
    problems: list[tuple[int, str]] = []
    contracts: dict[str, list[tuple[Row, dict, dict]]] = {}
    for row in rows:
        errors: list[str] = []
        header = checker.header(row.values, errors)
        line = checker.line(row.values, header.get("currency", ""), errors)
        first = contracts.get(row.values["reference"])
        if first and any(row.values[c] != first[0][0].values[c] for c in HEADER_COLUMNS):
            errors.append(f"contract columns differ from line {first[0][0].number} of the same "
                          f"reference")
        if errors:
            problems.append((row.number, "; ".join(errors) + "."))
        else:
            contracts.setdefault(row.values["reference"], []).append((row, header, line))
    if problems:
        raise ImportRefused(problems)
    return contracts


def _lines(contract: Contract, term_months: int, rows) -> list[ContractLine]:
    specs = [PriceSpec(model=PriceModel.PER_UNIT, currency=contract.currency,
                       billing_period=line["billing_period"], unit_amount=line["unit_price"])
             for _, _, line in rows]
    document = price_document([
        DocumentLine(key=str(n), line=LineInput(
            spec=spec, quantity=line["quantity"], term_months=term_months,
            discount_percent=line["discount_percent"]), tags=line["product"].tags)
        for n, (spec, (_, _, line)) in enumerate(zip(specs, rows, strict=True))],
        contract.currency)
    out, day_count = [], default_day_count()
    for n, (spec, (_, _, line), priced) in enumerate(zip(specs, rows, document.lines,
                                                          strict=True), start=1):
        price = priced.price
        recurring = spec.billing_period.recurring
        contract_line = ContractLine(
            contract=contract, position=n, product=line["product"],
            description=line["product"].name, quantity=line["quantity"],
            billing_period=line["billing_period"], bill_day=contract.account.bill_day,
            proration_convention=day_count,
            price_snapshot={**spec.to_dict(), "source": {"imported": True}},
            discount_percent=line["discount_percent"], list_unit_price=line["unit_price"],
            amount_per_period=price.amount_per_period, start_on=contract.start_on,
            end_on=contract.end_on if recurring else contract.start_on,
            status=LineStatus.ACTIVE)
        price_from_schedule(contract_line, price.list_per_period)
        out.append(contract_line)
    return out


@transaction.atomic
def import_contracts(*, data: bytes, by, on: date | None = None) -> list[Contract]:
    """Create the file's contracts, active with their lines, or refuse the whole file."""
    actor = require(by, IMPORT_PERMISSION, "You are not allowed to import contracts.")
    today = business_date(on)
    grouped = check_rows(read_rows(data), today)
    numbers = iter(next_numbers(f"contract-{today.year}", len(grouped)))
    template = default_template()
    contracts, lines = [], []
    for reference, rows in grouped.items():
        header = rows[0][1]
        term = months_between(header["start_on"], header["end_on"] + ONE_DAY)
        contract = Contract(
            number=f"C-{today.year}-{next(numbers):05d}", external_reference=reference,
            account=header["account"], owner=header["owner"], currency=header["currency"],
            start_on=header["start_on"], end_on=header["end_on"], term_months=term,
            payment_terms=header["payment_terms"], state=ContractState.ACTIVE,
            activated_on=header["start_on"])
        contract.template = template
        contract.auto_renew = header["auto_renew"]
        contract.renewal_term_months = header["renewal_term_months"]
        contract.uplift_percent = header["uplift_percent"]
        contract.renewal_notice_days = header["renewal_notice_days"]
        contract_lines = _lines(contract, term, rows)
        contract.total_contract_value = contract_value(contract_lines, contract.currency)
        contract.recurring_monthly = recurring_monthly(contract_lines, contract.currency)
        fill_contract_terms(contract)
        contracts.append(contract)
        lines.extend(contract_lines)
    Contract.objects.bulk_create(contracts)
    ContractLine.objects.bulk_create(lines, batch_size=500)
    changes = ScheduleChange.objects.bulk_create([
        ScheduleChange(contract=c, kind=ScheduleChangeKind.IMPORT, effective_on=c.start_on)
        for c in contracts])
    change_of = {change.contract_id: change for change in changes}
    ScheduledCharge.objects.bulk_create(
        [row for contract_id, contract_lines in groupby(lines, key=lambda line: line.contract.pk)
         for row in schedule_rows(contract_lines, change_of[contract_id])], batch_size=1000)
    TransitionLog.objects.bulk_create([
        creation_log(c, actor, today, transition="import",
                     note=f"Imported from the previous system as {c.external_reference}")
        for c in contracts])
    return contracts
