"""Stage `render` (shared): the one CSV writer for every CSV file the site publishes.

Spreadsheets run a cell that starts with '=', '+', '-' or '@' (or a tab or carriage
return before one) as a formula: `=HYPERLINK("http://evil")` in a service description
would become a live link on a researcher's machine. Every cell therefore passes
`inert`, in every file; amounts are never negative, so numbers are never touched.
Imports nothing of sitegen, so every writer can use it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(cell: str) -> str:
    """`cell`, with a leading apostrophe when a spreadsheet would read it as a formula."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def csv_bytes(rows: Iterable[Sequence[str]]) -> bytes:
    """UTF-8 CSV with '\\n' line ends and every cell made inert."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow([inert(cell) for cell in row])
    return out.getvalue().encode("utf-8")
