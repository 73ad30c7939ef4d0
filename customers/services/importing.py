"""CSV import of accounts and their contacts: all rows or none.

Two files. The accounts file has one row per account; its `ref` column is a key of your choosing
that the optional contacts file points at (`account_ref`), one row per contact. Every row is
checked before anything is written; a file with any bad row is refused whole, with each bad
row's line number and reason. Lookups are one query each and rows are written with
`bulk_create`, so an import costs the same handful of queries whatever its size.
"""

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower

from core.actors import require
from core.csv_files import text_problems
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
# bulk_create batch: a few hundred rows keeps each INSERT under SQLite's parameter limit.
BATCH_SIZE = 500


@dataclass(frozen=True)
class RowError:
    file: str
    line: int
    message: str

    def __str__(self):
        return f"{self.file}, line {self.line}: {self.message}"


class ImportRefused(ValidationError):
    """The file had bad rows; `rows` lists every one, and nothing was saved."""

    def __init__(self, rows: list[RowError]):
        self.rows = rows
        super().__init__([str(row) for row in rows])


@dataclass(frozen=True)
class ImportResult:
    accounts: int
    contacts: int


def _read(file, label: str, columns: tuple, required: tuple) -> tuple[list, list[RowError]]:
    """(line number, row dict) pairs, or the reason the file cannot be read at all."""
    raw = file.read(MAX_IMPORT_BYTES + 1)  # never more than the cap into memory
    if len(raw) > MAX_IMPORT_BYTES:
        return [], [RowError(label, 1, f"The file is larger than "
                                       f"{MAX_IMPORT_BYTES // (1024 * 1024)} MB; split it.")]
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError:
        return [], [RowError(label, 1, "The file is not UTF-8 text; save it as CSV UTF-8.")]
    problems = text_problems(text)
    if problems:
        return [], [RowError(label, line, reason[0].upper() + reason[1:] + ".")
                    for line, reason in problems]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip() for name in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [c for c in required if c not in header]
    unknown = [c for c in header if c not in columns]
    problems = []
    if missing:
        problems.append(f"missing column(s): {', '.join(missing)}")
    if unknown:
        problems.append(f"unknown column(s): {', '.join(unknown)}")
    if problems:
        return [], [RowError(label, 1, "; ".join(problems) + f". Columns: {', '.join(columns)}.")]
    rows = []
    try:
        for row in reader:
            extra = row.pop(None, None)
            values = {k: (v or "").strip() for k, v in row.items()}
            rows.append((reader.line_num, values, bool(extra)))
    except csv.Error as error:
        return [], [RowError(label, reader.line_num, f"{error}.")]
    if not rows:
        return [], [RowError(label, 2, "The file has a header but no rows.")]
    return rows, []


def _describe(errors: dict[str, list[str]]) -> str:
    return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items())


class _AccountRows:
    """Check account rows against lookups loaded once for the whole file."""

    def __init__(self, rows, by):
        self.by = by
        self.terms = {t.code: t for t in PaymentTerms.objects.all()}
        usernames = {values.get("owner") or by.get_username() for _, values, _ in rows}
        owners = assignable_owners(by).filter(username__in=usernames)
        self.owners = {u.username: u for u in owners}
        self.owner_ids = {u.pk for u in self.owners.values()}
        names = {values["name"].lower() for _, values, _ in rows if values["name"]}
        self.existing = set(
            Account.objects.annotate(lower_name=Lower("name"))
            .filter(lower_name__in=names).values_list("lower_name", flat=True)
        )
        self.seen_refs: set[str] = set()
        self.seen_names: set[str] = set()

    def build(self, values: dict) -> tuple[Account, dict[str, list[str]]]:
        errors: dict[str, list[str]] = {}
        account = Account(**{k: values.get(k, "") for k in (
            "name", "legal_name", "tax_id", "region", "billing_street", "billing_city",
            "billing_postal_code", "shipping_street", "shipping_city", "shipping_postal_code")})
        account.country = values["country"].upper()
        account.currency = values["currency"].upper()
        account.status = values.get("status") or AccountStatus.ACTIVE
        terms = self.terms.get(values["payment_terms"])
        if terms is None and values["payment_terms"]:
            errors["payment_terms"] = [f"no payment terms with code “{values['payment_terms']}”."]
        account.payment_terms = terms
        # A blank owner means the importer, who must be assignable like any other owner.
        username = values.get("owner") or self.by.get_username()
        owner = self.owners.get(username)
        if owner is None:
            errors["owner"] = [f"“{username}” is not a sales user you may assign."]
        account.owner = owner
        flag = values.get("tax_exempt", "").lower()
        if flag not in TRUE_WORDS | FALSE_WORDS:
            errors["tax_exempt"] = ["write yes or no."]
        account.tax_exempt = flag in TRUE_WORDS
        checked = account_errors(account, credit_limit=values.get("credit_limit") or Decimal(0),
                                 owner_ids=self.owner_ids, terms_changed=True, skip=list(errors))
        errors.update(checked)
        self._check_unique(values, errors)
        return account, errors

    def _check_unique(self, values: dict, errors: dict) -> None:
        ref, name = values["ref"], values["name"].lower()
        if not ref:
            errors["ref"] = ["give each account a ref (any key unique in this file)."]
        elif ref in self.seen_refs:
            errors["ref"] = [f"“{ref}” is used by an earlier row."]
        self.seen_refs.add(ref)
        if name in self.existing:
            errors.setdefault("name", []).append(
                f"an account named “{values['name']}” already exists.")
        elif name and name in self.seen_names:
            errors.setdefault("name", []).append("the same name is on an earlier row.")
        self.seen_names.add(name)


def _check_accounts(rows, by, label):
    checker = _AccountRows(rows, by)
    accounts, problems = {}, []
    for line, values, extra in rows:
        account, errors = checker.build(values)
        if extra:
            errors["row"] = ["has more values than the header has columns."]
        if errors:
            problems.append(RowError(label, line, _describe(errors)))
        accounts[values["ref"]] = account
    return accounts, problems


def _check_contacts(rows, accounts: dict, label):
    contacts, problems, seen = [], [], set()
    for line, values, extra in rows:
        ref = values["account_ref"]
        contact = Contact(name=values["name"], email=values["email"], phone=values.get("phone", ""),
                          role=(values.get("role") or ContactRole.OTHER).lower())
        errors = contact_errors(contact)
        if ref not in accounts:
            errors["account_ref"] = [f"no account with ref “{ref}” in the accounts file."]
        key = (ref, contact.email.lower())
        if "email" not in errors and key in seen:
            errors["email"] = [DUPLICATE_EMAIL]
        seen.add(key)
        if extra:
            errors["row"] = ["has more values than the header has columns."]
        if errors:
            problems.append(RowError(label, line, _describe(errors)))
        contacts.append((ref, contact))
    return contacts, problems


@transaction.atomic
def import_accounts_csv(*, file, by, contacts_file=None) -> ImportResult:
    """Import every account (and contact) of the files, or none: raises ImportRefused listing
    each bad row's line and reason."""
    actor = require(by, "customers.import_accounts", "You are not allowed to import accounts.")
    require(actor, "customers.add_account", "You are not allowed to create accounts.")
    account_label = getattr(file, "name", None) or "accounts file"
    rows, problems = _read(file, account_label, ACCOUNT_COLUMNS, ACCOUNT_REQUIRED)
    accounts, row_problems = _check_accounts(rows, actor.user, account_label)
    problems += row_problems
    contacts = []
    if contacts_file is not None:
        contact_label = getattr(contacts_file, "name", None) or "contacts file"
        contact_rows, read_problems = _read(contacts_file, contact_label, CONTACT_COLUMNS,
                                            CONTACT_REQUIRED)
        contacts, row_problems = _check_contacts(contact_rows, accounts, contact_label)
        problems += read_problems + row_problems
    if problems:
        raise ImportRefused(problems)
    Account.objects.bulk_create(accounts.values(), batch_size=BATCH_SIZE)
    for ref, contact in contacts:
        contact.account = accounts[ref]
    Contact.objects.bulk_create([c for _, c in contacts], batch_size=BATCH_SIZE)
    return ImportResult(accounts=len(accounts), contacts=len(contacts))
