"""Text a spreadsheet opens safely, shared by every CSV and Excel export.

CSV files are UTF-8 with a byte-order mark (Excel in Spanish reads accents right only with it).
A cell that a spreadsheet would run as a formula (CSV/Excel injection: ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return first) gets a ``'`` in front, except a plain number such as ``-5``.
Excel workbooks write such text with ``write_string`` (never as a formula), and the same rule
keeps a copied cell harmless.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

BOM = "\ufeff"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?\d+([.,]\d+)?")


def safe_text(value: object) -> str:
    """The cell's text, with ``'`` in front when a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_line(values: Iterable[object]) -> str:
    """One CSV line (CRLF), every cell made safe."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow([safe_text(v) for v in values])
    return out.getvalue()


def csv_document(header: Iterable[object], rows: Iterable[Iterable[object]]) -> bytes:
    """A whole CSV file: BOM, header, rows."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_text(v) for v in header])
    writer.writerows([safe_text(v) for v in row] for row in rows)
    return (BOM + out.getvalue()).encode("utf-8")


def content_disposition(filename: str) -> str:
    """An ``attachment`` header for an ASCII-safe file name (slugs and dates)."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", filename).strip("-") or "export"
    return f'attachment; filename="{safe}"'
