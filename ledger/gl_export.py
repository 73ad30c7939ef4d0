"""The general ledger export files, written from plain values (no ORM): CSV, one row per journal
line, and SAF-T-style XML with the element names of the OECD Standard Audit File for Tax 2.0
(Header, MasterFiles/GeneralLedgerAccounts, GeneralLedgerEntries/Journal/Transaction/Line with
DebitAmount/CreditAmount as AmountStructure: Amount, CurrencyCode, CurrencyAmount,
ExchangeRate). Both are generators of text chunks, so a large export streams.

Everything written comes from the export record and its entries, never from the clock, so the
same export always gives the same bytes.
"""

import csv
import io
import itertools
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from core.money import round_money

SAFT_NAMESPACE = "urn:OECD:StandardAuditFile-Taxation/2.00"
CSV_COLUMNS = [
    "entry", "posted_on", "document_date", "memo", "source", "account", "account_name",
    "our_account", "description", "debit", "credit", "currency", "customer_id", "customer",
    "document_currency", "document_amount", "rate",
]


@dataclass(frozen=True)
class ExportHeader:
    reference: str
    created_at: datetime
    currency: str
    company_name: str
    company_id: str
    country: str
    first_posted_on: date
    last_posted_on: date
    entry_count: int
    total_debit: Decimal
    total_credit: Decimal
    account_map: dict[str, list[str]]  # our code -> [target code, target name]


def entry_reference(number: int) -> str:
    return f"JE-{number:07d}"


def mapped(header: ExportHeader, line: dict) -> tuple[str, str]:
    """The target chart's code and name of a line's account (its own when not mapped)."""
    code, name = header.account_map.get(line["gl_account__code"],
                                        [line["gl_account__code"], ""])
    return code, name or line["gl_account__name"]


def _source(line: dict) -> str:
    if line["entry__source_label"]:
        return line["entry__source_label"]
    if line["entry__source_type__model"]:
        return (f"{line['entry__source_type__app_label']}.{line['entry__source_type__model']} "
                f"{line['entry__source_id']}")
    return ""


def _money(amount, currency: str) -> str:
    return str(round_money(amount or 0, currency))


def _optional(value) -> str:
    return "" if value is None else str(value)


def csv_chunks(header: ExportHeader, lines: Iterable[dict]) -> Iterator[str]:
    """The CSV file: a header row, then one row per journal line, written a row at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def row(values) -> str:
        writer.writerow(values)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield row(CSV_COLUMNS)
    for line in lines:
        code, name = mapped(header, line)
        yield row([
            entry_reference(line["entry__number"]), line["entry__posted_on"].isoformat(),
            line["entry__document_date"].isoformat(), line["entry__memo"], _source(line),
            code, name, line["gl_account__code"], line["description"],
            _money(line["debit"], header.currency), _money(line["credit"], header.currency),
            header.currency, _optional(line["customer_account_id"]),
            line["customer_account__name"] or "", line["document_currency"],
            _optional(line["document_amount"]), _optional(line["rate"]),
        ])


def _element(parent: ET.Element, tag: str, text=None) -> ET.Element:
    child = ET.SubElement(parent, tag)
    if text is not None:
        child.text = str(text)
    return child


def _header_xml(header: ExportHeader) -> str:
    root = ET.Element("Header")
    _element(root, "AuditFileVersion", "2.00")
    if header.country:  # COMPANY_COUNTRY; left out rather than guessed when not set
        _element(root, "AuditFileCountry", header.country)
    _element(root, "AuditFileDateCreated", header.created_at.date().isoformat())
    _element(root, "SoftwareCompanyName", "Q2C")
    _element(root, "SoftwareID", "q2c-back-office")
    _element(root, "SoftwareVersion", "1")
    company = _element(root, "Company")
    if header.company_id:
        _element(company, "RegistrationNumber", header.company_id)
    _element(company, "Name", header.company_name)
    _element(root, "DefaultCurrencyCode", header.currency)
    criteria = _element(root, "SelectionCriteria")
    _element(criteria, "SelectionStartDate", header.first_posted_on.isoformat())
    _element(criteria, "SelectionEndDate", header.last_posted_on.isoformat())
    _element(root, "HeaderComment", header.reference)
    masters = ET.Element("MasterFiles")
    accounts = _element(masters, "GeneralLedgerAccounts")
    for target_code, target_name in sorted({tuple(pair) for pair in header.account_map.values()}):
        account = _element(accounts, "Account")
        _element(account, "AccountID", target_code)
        _element(account, "AccountDescription", target_name)
    return ET.tostring(root, encoding="unicode") + ET.tostring(masters, encoding="unicode")


def _amount(parent: ET.Element, tag: str, amount, line: dict, currency: str):
    structure = _element(parent, tag)
    _element(structure, "Amount", _money(amount, currency))
    if line["document_currency"] and line["document_amount"] is not None:
        _element(structure, "CurrencyCode", line["document_currency"])
        _element(structure, "CurrencyAmount", abs(line["document_amount"]))
        if line["rate"] is not None:
            _element(structure, "ExchangeRate", line["rate"])


def _transaction_xml(header: ExportHeader, lines: list[dict]) -> str:
    first = lines[0]
    posted_on = first["entry__posted_on"]
    transaction = ET.Element("Transaction")
    _element(transaction, "TransactionID", entry_reference(first["entry__number"]))
    _element(transaction, "Period", posted_on.month)
    _element(transaction, "PeriodYear", posted_on.year)
    _element(transaction, "TransactionDate", first["entry__document_date"].isoformat())
    _element(transaction, "SourceID", first["entry__posted_by__username"])
    _element(transaction, "Description", first["entry__memo"])
    _element(transaction, "SystemEntryDate", first["entry__created_at"].date().isoformat())
    _element(transaction, "GLPostingDate", posted_on.isoformat())
    for line in lines:
        element = _element(transaction, "Line")
        _element(element, "RecordID", line["pk"])
        _element(element, "AccountID", mapped(header, line)[0])
        if _source(line):
            _element(element, "SourceDocumentID", _source(line))
        if line["customer_account_id"] is not None:
            _element(element, "CustomerID", line["customer_account_id"])
        _element(element, "SystemEntryDate", first["entry__created_at"].date().isoformat())
        _element(element, "Description", line["description"] or first["entry__memo"])
        if line["debit"]:
            _amount(element, "DebitAmount", line["debit"], line, header.currency)
        else:
            _amount(element, "CreditAmount", line["credit"], line, header.currency)
    return ET.tostring(transaction, encoding="unicode")


def saft_chunks(header: ExportHeader, lines: Iterable[dict]) -> Iterator[str]:
    """The SAF-T XML file: header and accounts, then one Transaction per entry, each built with
    ElementTree and written as soon as its lines are read. `lines` are in entry order."""
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield f'<AuditFile xmlns="{SAFT_NAMESPACE}">'
    yield _header_xml(header)
    totals = ET.Element("GeneralLedgerEntries")
    _element(totals, "NumberOfEntries", header.entry_count)
    _element(totals, "TotalDebit", _money(header.total_debit, header.currency))
    _element(totals, "TotalCredit", _money(header.total_credit, header.currency))
    opening = ET.tostring(totals, encoding="unicode").removesuffix("</GeneralLedgerEntries>")
    yield opening
    journal = ET.Element("Journal")
    _element(journal, "JournalID", "GL")
    _element(journal, "Description", f"Journal entries of {header.reference}")
    _element(journal, "Type", "GL")
    yield ET.tostring(journal, encoding="unicode").removesuffix("</Journal>")
    for _, entry_lines in itertools.groupby(lines, key=lambda line: line["entry__number"]):
        yield _transaction_xml(header, list(entry_lines))
    yield "</Journal></GeneralLedgerEntries></AuditFile>\n"
