"""A report table as a CSV or XLSX download (the same rows the page shows)."""

import io

from django.http import HttpResponse
from django.utils.text import slugify

from core.csv_files import SafeCsvWriter
from revrec.reports import Table

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value):
    return "" if value is None else value


def csv_response(table: Table, name: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slugify(name)}.csv"'
    writer = SafeCsvWriter(response)
    writer.writerow(table.headers)
    writer.writerows([[_cell(value) for value in row] for row in table.rows])
    return response


def xlsx_response(table: Table, name: str) -> HttpResponse:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(table.title[:31])
    sheet.append(table.headers)
    for row in table.rows:
        sheet.append([_cell(value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{slugify(name)}.xlsx"'
    return response
