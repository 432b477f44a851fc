"""The one writer of every CSV and XLSX download (see docs/architecture.md, "Exports").

A spreadsheet program runs a cell that starts with `=`, `+`, `-` or `@` (and, in some, a
tab or carriage return, or any of these after leading spaces) as a formula: text a person
typed into akrim, or sent through the public tip form, must never run on the computer of
the official who opens the export (CSV injection). Every text cell is therefore neutralised
the way OWASP advises: a leading apostrophe makes the spreadsheet show the text as text.
Numbers, dates and booleans are written as they are. A test (tests/network/test_exports.py)
fails when app code writes CSV or builds a workbook anywhere but here.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# What a spreadsheet may take as the start of a formula, with the full-width forms some
# programs fold to ASCII.
FORMULA_STARTS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")


def neutralise(value: object) -> object:
    """A cell as it may be written: text that a spreadsheet would run is prefixed with an
    apostrophe; numbers, dates, booleans and empty cells pass unchanged."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float | Decimal | date | datetime):
        return value
    text = str(value)
    stripped = text.lstrip(" \u00a0")
    if stripped[:1] in FORMULA_STARTS:
        return "'" + text
    return text


def csv_text(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    bom: bool = True,
    lineterminator: str = "\r\n",
) -> str:
    """The rows as CSV text, every cell neutralised; with a byte-order mark by default so
    spreadsheet programs read the UTF-8 right (open data leaves it out)."""
    out = io.StringIO()
    if bom:
        out.write("\ufeff")
    writer = csv.writer(out, lineterminator=lineterminator)
    writer.writerow([neutralise(cell) for cell in header])
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return out.getvalue()


def xlsx_bytes(sheets: Iterable[tuple[str, Iterable[Sequence[object]]]]) -> bytes:
    """A workbook with one sheet per (title, rows), every cell neutralised."""
    book = Workbook()
    if book.active is not None:
        book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title=str(title)[:31])
        for row in rows:
            sheet.append([neutralise(cell) for cell in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_response(text: str, filename: str) -> HttpResponse:
    """A CSV download (the text comes from `csv_text`)."""
    response = HttpResponse(text, content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
