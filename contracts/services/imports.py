"""Import of active contracts with their lines from the previous system (CSV or XLSX).

The file is read and checked by `contracts.contract_files` (on `core.imports`): a file with any
bad row is refused whole, with each bad row's line number and reasons, and nothing is written. A
good file creates active contracts (they are already provisioned: no order) whose lines run from
the contract's start, priced per unit over the term from the file's unit price. Importing the
same reference twice is refused (a unique constraint makes that hold under races too).
"""

from collections import defaultdict
from datetime import date, timedelta
from itertools import groupby

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from catalog.models import BillingPeriod, Product
from catalog.pricing import DocumentLine, LineInput, PriceModel, PriceSpec, price_document
from contracts.contract_files import (
    ContractRow,
    Known,
    parse_contract_rows,
    read_contract_table,
)
from contracts.models import (
    Contract,
    ContractLine,
    ContractState,
    LineStatus,
    ScheduleChange,
    ScheduleChangeKind,
    ScheduledCharge,
)
from contracts.services._common import default_day_count, time_zone_of
from contracts.services.amendments import months_between, recurring_monthly
from contracts.services.lifecycle import (
    contract_value,
    default_template,
    fill_contract_terms,
    number_for,
)
from contracts.services.schedules import price_from_schedule, schedule_rows
from core.actors import require
from core.dates import business_date
from core.imports import Table, TableRefused
from core.models import TransitionLog
from core.numbering import next_numbers
from core.transitions import history_row
from customers.models import Account, PaymentTerms

ONE_DAY = timedelta(days=1)
IMPORT_PERMISSION = "contracts.import_contracts"


class ImportRefused(ValidationError):
    """The file is refused whole; `problems` lists every bad row as "Line N: reasons."."""

    def __init__(self, problems: list[str]):
        super().__init__(problems)
        self.problems = problems


class _Found:
    """The accounts, owners, payment terms, products and taken references a file names, read
    once per kind."""

    def __init__(self, table: Table):
        def named(column: str) -> set[str]:
            return {row[column] for row in table.rows}

        self.accounts = defaultdict(list)
        for account in Account.objects.filter(name__in=named("account")):
            self.accounts[account.name].append(account)
        self.owners = {user.get_username(): user for user in get_user_model().objects.filter(
            username__in=named("owner"), is_active=True)}
        self.terms = {terms.code: terms for terms in PaymentTerms.objects.filter(
            code__in=named("payment_terms"))}
        self.products = {product.sku: product for product in Product.objects.filter(
            sku__in=named("sku"))}
        self.known = Known(
            accounts={name: accounts[0].currency if len(accounts) == 1 else None
                      for name, accounts in self.accounts.items()},
            owners=self.owners.keys(), payment_terms=self.terms.keys(),
            skus=self.products.keys(), currencies=settings.CURRENCIES,
            billing_periods=BillingPeriod.values,
            taken_references=set(Contract.objects.filter(
                external_reference__in=named("reference"))
                .values_list("external_reference", flat=True)))


def check_rows(data: bytes, filename: str, today: date
               ) -> tuple[_Found, dict[str, list[ContractRow]]]:
    """The file's rows by contract reference, or `ImportRefused` naming every bad row."""
    try:
        table = read_contract_table(data, filename)
    except TableRefused as refused:
        raise ImportRefused(refused.problems) from None
    found = _Found(table)
    rows, problems = parse_contract_rows(table, found.known, today)
    if problems:
        raise ImportRefused(problems)
    grouped: dict[str, list[ContractRow]] = {}
    for row in rows:
        grouped.setdefault(row.reference, []).append(row)
    return found, grouped


def _lines(contract: Contract, term_months: int, rows: list[ContractRow],
           products: dict[str, Product]) -> list[ContractLine]:
    specs = [PriceSpec(model=PriceModel.PER_UNIT, currency=contract.currency,
                       billing_period=row.billing_period, unit_amount=row.unit_price)
             for row in rows]
    document = price_document([
        DocumentLine(key=str(n), line=LineInput(
            spec=spec, quantity=row.quantity, term_months=term_months,
            discount_percent=row.discount_percent), tags=products[row.sku].tags)
        for n, (spec, row) in enumerate(zip(specs, rows, strict=True))], contract.currency)
    out, day_count = [], default_day_count()
    for n, (spec, row, priced) in enumerate(zip(specs, rows, document.lines, strict=True),
                                            start=1):
        price = priced.price
        recurring = spec.billing_period.recurring
        contract_line = ContractLine(
            contract=contract, position=n, product=products[row.sku],
            description=products[row.sku].name, quantity=row.quantity,
            billing_period=row.billing_period, bill_day=contract.account.bill_day,
            proration_convention=day_count, time_zone=time_zone_of(contract.account),
            price_snapshot={**spec.to_dict(), "source": {"imported": True}},
            discount_percent=row.discount_percent, list_unit_price=row.unit_price,
            amount_per_period=price.amount_per_period, start_on=contract.start_on,
            end_on=contract.end_on if recurring else contract.start_on,
            status=LineStatus.ACTIVE)
        price_from_schedule(contract_line, price.list_per_period)
        out.append(contract_line)
    return out


def _contract(first: ContractRow, found: _Found, number: str) -> Contract:
    contract = Contract(
        number=number, external_reference=first.reference,
        account=found.accounts[first.account][0], owner=found.owners[first.owner],
        currency=first.currency, start_on=first.start_on, end_on=first.end_on,
        term_months=months_between(first.start_on, first.end_on + ONE_DAY),
        payment_terms=found.terms[first.payment_terms], state=ContractState.ACTIVE,
        activated_on=first.start_on)
    contract.auto_renew = first.auto_renew
    contract.renewal_term_months = first.renewal_term_months
    contract.uplift_percent = first.uplift_percent
    contract.renewal_notice_days = first.renewal_notice_days
    return contract


@transaction.atomic
def import_contracts(*, data: bytes, by, filename: str = "contracts.csv",
                     on: date | None = None) -> list[Contract]:
    """Create the file's contracts, active with their lines, or refuse the whole file."""
    actor = require(by, IMPORT_PERMISSION, "You are not allowed to import contracts.")
    today = business_date(on)
    found, grouped = check_rows(data, filename, today)
    numbers = iter(next_numbers(f"contract-{today.year}", len(grouped)))
    template = default_template()
    contracts, lines = [], []
    for rows in grouped.values():
        contract = _contract(rows[0], found, number_for(today.year, next(numbers)))
        contract.template = template
        contract_lines = _lines(contract, contract.term_months, rows, found.products)
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
        history_row(c, "import", by=actor, source="", target=c.state, on=today,
                    note=f"Imported from the previous system as {c.external_reference}")
        for c in contracts])
    return contracts
