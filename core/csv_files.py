"""Opening an uploaded CSV file the same way everywhere: UTF-8 text (with or without a BOM) and
a header naming the required columns in any case and order. Problems are worded for a person,
as "Line N: reason"; the callers read the rows and refuse a file with any bad one."""

import csv
import io
from collections.abc import Sequence

NOT_UTF8 = "The file is not UTF-8 text; save it as CSV UTF-8."


def file_text(content: bytes | str) -> str:
    """The file's text, without a byte-order mark; UnicodeDecodeError when it is not UTF-8."""
    if isinstance(content, bytes):
        return content.decode("utf-8-sig")
    return content.removeprefix("\ufeff")


def open_csv(content: bytes | str, required: Sequence[str], *,
             columns: Sequence[str] | None = None) -> tuple[csv.DictReader | None, list[str]]:
    """A reader of the rows as dicts keyed by the lower-cased header, or None and why the file
    cannot be read at all (not UTF-8, required columns missing)."""
    try:
        text = file_text(content)
    except UnicodeDecodeError:
        return None, [NOT_UTF8]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [column for column in required if column not in header]
    if missing:
        return None, [f"Line 1: the header needs the columns {', '.join(columns or required)}; "
                      f"missing {', '.join(missing)}."]
    reader.fieldnames = header
    return reader, []
