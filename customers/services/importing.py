"""Import of accounts and their contacts (CSV or XLSX): all rows or none.

Two files. The accounts file has one row per account; its `ref` column is a key of your choosing
that the optional contacts file points at (`account_ref`), one row per contact. Files are read by
`core.imports`, the one reader every import shares (size cap before parsing, UTF-8, NUL
characters and overlong cells, rows wider than the header); each row is then checked by the same
rules as the account and contact forms. A file with any bad row is refused whole, with each bad
row's line number and reasons. Lookups are one query each and rows are written with
`bulk_create`, so an import costs the same handful of queries whatever its size.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower

from core.actors import require
from core.imports import RowReader, Table, TableRefused, read_table
from core.money import minor_units
from customers.models import Account, AccountStatus, Contact, ContactRole, PaymentTerms
from customers.selectors import assignable_owners
from customers.services.accounts import account_errors
from customers.services.contacts import DUPLICATE_EMAIL, contact_errors

ACCOUNT_COLUMNS = (
    "ref", "name", "legal_name", "tax_id", "country", "region",
    "billing_street", "billing_city", "billing_postal_code",
    "shipping_street", "shipping_city", "shipping_postal_code",
    "currency", "payment_terms", "credit_limit", "tax_exempt", "owner", "status",
)
ACCOUNT_REQUIRED = ("ref", "name", "country", "currency", "payment_terms")
MAX_IMPORT_BYTES = 10 * 1024 * 1024  # ~50,000 accounts; checked before anything is parsed
CONTACT_COLUMNS = ("account_ref", "name", "email", "phone", "role")
CONTACT_REQUIRED = ("account_ref", "name", "email")
TRUE_WORDS, FALSE_WORDS = {"yes", "true", "1", "y"}, {"no", "false", "0", "n", ""}
# The account's own rule bounds the limit (and words it as the form does): the reader checks
# only that it is a number written at the currency's precision.
UNBOUNDED = Decimal("Infinity")
# bulk_create batch: a few hundred rows keeps each INSERT under SQLite's parameter limit.
BATCH_SIZE = 500
_LINE = re.compile(r"Line (\d+): (.*)", re.DOTALL)


@dataclass(frozen=True)
class RowError:
    file: str
    line: int | None  # None: the file as a whole
    message: str

    def __str__(self):
        where = f", line {self.line}" if self.line else ""
        return f"{self.file}{where}: {self.message}"


class ImportRefused(ValidationError):
    """The file had bad rows; `rows` lists every one, and nothing was saved."""

    def __init__(self, rows: list[RowError]):
        self.rows = rows
        super().__init__([str(row) for row in rows])


@dataclass(frozen=True)
class ImportResult:
    accounts: int
    contacts: int


def _sentence(reasons: list[str]) -> str:
    text = "; ".join(reasons).rstrip(".") + "."
    return text[0].upper() + text[1:]


def _refusal(label: str, problem: str) -> RowError:
    """core.imports' "Line N: reason." as a row error of the file."""
    if match := _LINE.fullmatch(problem):
        return RowError(label, int(match[1]), _sentence([match[2]]))
    return RowError(label, None, problem)


def _read(file, label: str, columns: tuple, required: tuple) -> tuple[Table | None,
                                                                      list[RowError]]:
    """The file's table, or every reason it cannot be read at all."""
    data = file.read(MAX_IMPORT_BYTES + 1)  # never more than the cap into memory
    try:
        table = read_table(data, getattr(file, "name", None) or "upload.csv", required=(),
                           max_bytes=MAX_IMPORT_BYTES)
    except TableRefused as refused:
        return None, [_refusal(label, problem) for problem in refused.problems]
    missing = [c for c in required if c not in table.header]
    unknown = [c for c in table.header if c and c not in columns]
    problems = [f"missing column(s): {', '.join(missing)}"] if missing else []
    if unknown:
        problems.append(f"unknown column(s): {', '.join(unknown)}")
    if problems:
        return None, [RowError(label, 1, _sentence(problems) + f" Columns: {', '.join(columns)}.")]
    if not table.rows:
        return None, [RowError(label, 2, "The file has a header but no rows.")]
    return table, []


def _refuse_fields(cells: RowReader, errors: dict[str, list[str]]) -> None:
    for field, messages in errors.items():
        cells.refuse(f"{field.replace('_', ' ')}: {' '.join(messages)}")


def _row_error(label: str, cells: RowReader) -> RowError:
    return RowError(label, cells.row.line, _sentence(cells.problems))


class _AccountRows:
    """Check account rows against lookups loaded once for the whole file."""

    def __init__(self, table: Table, by):
        self.by = by
        self.terms = {t.code: t for t in PaymentTerms.objects.all()}
        usernames = {row["owner"] or by.get_username() for row in table.rows}
        self.owners = {u.username: u for u in assignable_owners(by).filter(username__in=usernames)}
        self.owner_ids = {u.pk for u in self.owners.values()}
        names = {row["name"].lower() for row in table.rows if row["name"]}
        self.existing = set(
            Account.objects.annotate(lower_name=Lower("name"))
            .filter(lower_name__in=names).values_list("lower_name", flat=True)
        )
        self.seen_refs: set[str] = set()
        self.seen_names: set[str] = set()

    def build(self, cells: RowReader) -> Account:
        """The row's account in memory; every problem of the row goes to `cells`."""
        row = cells.row
        account = Account(**{k: row[k] for k in (
            "name", "legal_name", "tax_id", "region", "billing_street", "billing_city",
            "billing_postal_code", "shipping_street", "shipping_city", "shipping_postal_code")})
        account.country = row["country"].upper()
        account.currency = row["currency"].upper()
        account.status = row["status"] or AccountStatus.ACTIVE
        errors = {}
        account.payment_terms = self._terms(row["payment_terms"], errors)
        account.owner = self._owner(row["owner"], errors)
        account.tax_exempt = self._tax_exempt(row["tax_exempt"], errors)
        read_problems = len(cells.problems)
        credit_limit = self._credit_limit(cells, account.currency)
        skip = [*errors, *(["credit_limit"] if len(cells.problems) > read_problems else [])]
        errors.update(account_errors(account, credit_limit=credit_limit or Decimal(0),
                                     owner_ids=self.owner_ids, terms_changed=True, skip=skip))
        for field, messages in self._unique(row["ref"], row["name"]).items():
            errors.setdefault(field, []).extend(messages)
        _refuse_fields(cells, errors)
        return account

    def _terms(self, code: str, errors: dict) -> PaymentTerms | None:
        terms = self.terms.get(code)
        if terms is None and code:
            errors["payment_terms"] = [f"no payment terms with code “{code}”."]
        return terms

    def _owner(self, username: str, errors: dict):
        # A blank owner means the importer, who must be assignable like any other owner.
        username = username or self.by.get_username()
        owner = self.owners.get(username)
        if owner is None:
            errors["owner"] = [f"“{username}” is not a sales user you may assign."]
        return owner

    @staticmethod
    def _tax_exempt(flag: str, errors: dict) -> bool:
        if flag.lower() not in TRUE_WORDS | FALSE_WORDS:
            errors["tax_exempt"] = ["write yes or no."]
        return flag.lower() in TRUE_WORDS

    @staticmethod
    def _credit_limit(cells: RowReader, currency: str) -> Decimal | None:
        """A number with no more decimals than the currency has (USD 2, JPY 0, KWD 3); its
        sign and size are the account's rule, checked with the other fields."""
        places = minor_units(currency) if currency in settings.CURRENCIES else None
        return cells.decimal("credit_limit", required=False, places=places,
                             maximum=UNBOUNDED, label="credit limit")

    def _unique(self, ref: str, name: str) -> dict[str, list[str]]:
        errors = {}
        if not ref:
            errors["ref"] = ["give each account a ref (any key unique in this file)."]
        elif ref in self.seen_refs:
            errors["ref"] = [f"“{ref}” is used by an earlier row."]
        self.seen_refs.add(ref)
        if name.lower() in self.existing:
            errors["name"] = [f"an account named “{name}” already exists."]
        elif name and name.lower() in self.seen_names:
            errors["name"] = ["the same name is on an earlier row."]
        self.seen_names.add(name.lower())
        return errors


def _check_accounts(table: Table, by, label: str) -> tuple[dict[str, Account], list[RowError]]:
    checker = _AccountRows(table, by)
    accounts, problems = {}, []
    for row in table.rows:
        cells = RowReader(row)
        accounts[row["ref"]] = checker.build(cells)
        if cells.problems:
            problems.append(_row_error(label, cells))
    return accounts, problems


def _check_contacts(table: Table, accounts: dict, label: str):
    contacts, problems, seen = [], [], set()
    for row in table.rows:
        cells = RowReader(row)
        ref = row["account_ref"]
        contact = Contact(name=row["name"], email=row["email"], phone=row["phone"],
                          role=(row["role"] or ContactRole.OTHER).lower())
        errors = contact_errors(contact)
        if ref not in accounts:
            errors["account_ref"] = [f"no account with ref “{ref}” in the accounts file."]
        key = (ref, contact.email.lower())
        if "email" not in errors and key in seen:
            errors["email"] = [DUPLICATE_EMAIL]
        seen.add(key)
        _refuse_fields(cells, errors)
        if cells.problems:
            problems.append(_row_error(label, cells))
        contacts.append((ref, contact))
    return contacts, problems


def _label(file, default: str) -> str:
    return getattr(file, "name", None) or default


@transaction.atomic
def import_accounts_csv(*, file, by, contacts_file=None) -> ImportResult:
    """Import every account (and contact) of the files, or none: raises ImportRefused listing
    each bad row's line and reason."""
    actor = require(by, "customers.import_accounts", "You are not allowed to import accounts.")
    require(actor, "customers.add_account", "You are not allowed to create accounts.")
    account_label = _label(file, "accounts file")
    table, problems = _read(file, account_label, ACCOUNT_COLUMNS, ACCOUNT_REQUIRED)
    accounts = {}
    if table is not None:
        accounts, row_problems = _check_accounts(table, actor.user, account_label)
        problems += row_problems
    contacts = []
    if contacts_file is not None:
        contact_label = _label(contacts_file, "contacts file")
        contact_table, read_problems = _read(contacts_file, contact_label, CONTACT_COLUMNS,
                                             CONTACT_REQUIRED)
        problems += read_problems
        if contact_table is not None and table is not None:
            contacts, row_problems = _check_contacts(contact_table, accounts, contact_label)
            problems += row_problems
    if problems:
        raise ImportRefused(problems)
    Account.objects.bulk_create(accounts.values(), batch_size=BATCH_SIZE)
    for ref, contact in contacts:
        contact.account = accounts[ref]
    Contact.objects.bulk_create([c for _, c in contacts], batch_size=BATCH_SIZE)
    return ImportResult(accounts=len(accounts), contacts=len(contacts))
