"""`sitegen export` and `sitegen import`: a fee schedule's services as a spreadsheet (CSV or
xlsx) and back, for clinic staff who keep prices in a spreadsheet or a practice-management
export. A side door beside the pipeline: it reads and validates with `load`, `model` and
`validate`, and writes one rates file atomically, or nothing at all.

Import is lenient where spreadsheets differ ($1,078.00, "Self Pay", "CPT") and strict about
everything else: each bad cell is reported as `fees.csv:ROW:COL: error: ...`, all in one run.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sitegen.csvout import FORMULA_STARTS, csv_bytes, inert
from sitegen.diagnostics import Diagnostics, did_you_mean
from sitegen.figures import references_near
from sitegen.load import _value_message as value_message
from sitegen.load import load_model
from sitegen.model import FeeSchedule, Service
from sitegen.starter import clinic_starter, slugify
from sitegen.validate import validate_clinics
from sitegen.yamlsrc import MAX_BYTES

# The columns export writes, in order, before one column per payer plan (docs/spreadsheets.md).
# The last four came later: a sheet without them leaves those keys as the file has them.
COLUMNS = ("id", "code", "code_type", "description", "discipline", "settings", "timed",
           "gross_charge", "cash_price", "modifiers", "location", "cash_price_max",
           "medicare_further_unit")
# A row whose id is "visit:<session id>" is a visit price: the session's own cash price for
# the whole visit (cash_price, cash_price_max), not a service.
VISIT = "visit:"
AMOUNTS = ("gross_charge", "cash_price")               # required amounts
OPTIONAL_AMOUNTS = ("cash_price_max", "medicare_further_unit")

# Header names understood on import (compared in lower case, without spaces, dashes,
# underscores, dots or slashes), including common practice-management names.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "id": ("id", "serviceid", "sitegenid"),
    "code": ("code", "cpt", "hcpcs", "cptcode", "hcpcscode", "cpthcpcs", "cpthcpcscode",
             "procedurecode", "proccode", "billingcode", "chargecode"),
    "code_type": ("codetype", "codesystem"),
    "description": ("description", "desc", "servicedescription", "procedure",
                    "proceduredescription", "servicename", "service", "name"),
    "discipline": ("discipline", "therapy", "therapytype"),
    "settings": ("settings", "setting", "settingsofcare"),
    "timed": ("timed", "timedcode", "per15minutes", "per15min"),
    "gross_charge": ("gross", "grosscharge", "charge", "fee", "standardcharge",
                     "standardfee", "billedcharge", "chargeamount", "listprice", "ucr",
                     "usualandcustomary", "chargemaster"),
    "cash_price": ("cash", "cashprice", "selfpay", "selfpayprice", "selfpayfee",
                   "discountedcashprice", "cashdiscount", "cashrate", "private pay",
                   "privatepay", "selfpayrate"),
    "modifiers": ("modifiers", "modifier", "mod", "mods", "modifiercodes"),
    "location": ("location", "locationid", "pricedat"),
    "cash_price_max": ("cashpricemax", "cashmax", "maxcashprice", "cashpricehigh",
                       "selfpaymax", "selfpaypricemax"),
    "medicare_further_unit": ("medicarefurtherunit", "furtherunit", "medicaremppr",
                              "medicareadditionalunit", "mppr"),
}
_RATE_WORDS = ("allowed", "allowable", "allowedamount", "negotiated", "negotiatedrate",
               "contracted", "contractrate", "rate")
# Evaluation codes (OT, PT, SLP): a new row of a sheet without a settings column is an
# evaluation when its code is one of these, else an outpatient service.
EVALUATIONS = frozenset({"97161", "97162", "97163", "97164", "97165", "97166", "97167", "97168",
                         "92521", "92522", "92523", "92524", "92610"})
_BLANK = {"", "-", "--", "n/a", "na", "none", "null"}
_YES = {"true", "yes", "y", "x", "1", "timed"}
_NO = {"false", "no", "n", "0", "untimed"}
IGNORE = "ignore"
REQUIRED = ("code", "description", "gross_charge", "cash_price")


def _squash(header: str) -> str:
    return re.sub(r"[\s_\-./()#:]+", "", header.strip().lower())


_BY_NAME = {_squash(name): key for key, names in SYNONYMS.items() for name in names}


# ---------------------------------------------------------------------------------- export

def export_rows(schedule: FeeSchedule) -> list[list[Any]]:
    """The header and one row per service: the spreadsheet `export` writes."""
    plans = [payer.key for payer in schedule.payers]
    rows: list[list[Any]] = [[*COLUMNS, *plans]]
    for s in schedule.services:
        rows.append([s.id, s.code, s.code_type, s.description, s.discipline or "",
                     ", ".join(s.settings), "yes" if s.timed else "no", s.gross_charge,
                     s.cash_price, ", ".join(s.modifiers), s.location or "",
                     "" if s.cash_price_max is None else s.cash_price_max,
                     "" if s.medicare_further_unit is None else s.medicare_further_unit,
                     *(s.negotiated.get(plan, "") for plan in plans)])
    for v in schedule.sessions:  # every visit, so a sheet can give one its own price
        rows.append([VISIT + v.id, "", "", v.name, "", v.setting, "", "",
                     "" if v.cash_price is None else v.cash_price, "", "",
                     "" if v.cash_price_max is None else v.cash_price_max, "",
                     *("" for _ in plans)])
    return rows


def rows_to_bytes(rows: list[list[Any]], suffix: str) -> bytes:
    """CSV (the site's one CSV writer) or xlsx, with amounts to the cent and no cell a
    spreadsheet would run as a formula."""
    if suffix == ".xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.title = "services"
        for row in rows:  # text is inert there too: openpyxl writes "=..." as a formula
            sheet.append([inert(v) if isinstance(v, str) else v for v in row])
        for line in sheet.iter_rows(min_row=2):
            for cell in line:
                if isinstance(cell.value, Decimal):
                    cell.number_format = "0.00"
        return _workbook_bytes(book)
    return csv_bytes([[f"{v:.2f}" if isinstance(v, Decimal) else str(v) for v in row]
                      for row in rows])


def _workbook_bytes(book: Any) -> bytes:
    """The workbook as bytes that depend only on its content: `Workbook.save` stamps the
    time of saving into the document properties and into every zip entry."""
    from openpyxl.writer.excel import ExcelWriter

    fixed = dt.datetime(2000, 1, 1)
    book.properties.created = book.properties.modified = fixed
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).save()
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=fixed.timetuple()[:6])
            target.writestr(entry, source.read(info), compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def export_schedule(rates: Path, display: str, out: Path, diags: Diagnostics) -> bytes | None:
    """The spreadsheet of one valid fee schedule, or None (with diagnostics)."""
    loaded = load_model(rates, display, FeeSchedule, diags, MAX_BYTES,
                        references_near(rates, diags))
    if loaded is None:
        return None
    return rows_to_bytes(export_rows(loaded[0]), out.suffix.lower())


# ---------------------------------------------------------------------------------- import

@dataclass
class Cell:
    value: Any
    row: int
    col: int


@dataclass
class Sheet:
    """A spreadsheet read as text rows, each cell with its 1-based row and column."""

    display: str
    header: list[Cell]
    rows: list[list[Cell]] = field(default_factory=list)


def read_sheet(file: Path, display: str, diags: Diagnostics) -> Sheet | None:
    """The first sheet of an xlsx, or a CSV (UTF-8, a byte-order mark accepted; `,` or `;`)."""
    if file.suffix.lower() == ".xlsx":
        return _read_xlsx(file, display, diags)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        diags.error(display, 0, 0, f"cannot read the file ({exc.strerror})")
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # Excel's "CSV" on Windows
    header = text.split("\n", 1)[0]
    # The separator is the one the header row uses: a comma, or else (European Excel) a
    # semicolon, or a tab.
    delimiter = next((d for d in ",;\t" if d in header), ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[Cell]] = []
    line = 1
    try:
        for record in reader:
            rows.append([Cell(v, line, i + 1) for i, v in enumerate(record)])
            line = reader.line_num + 1
    except csv.Error as exc:
        diags.error(display, line, 1, f"the file is not a readable CSV ({exc})",
                    "save it again from your spreadsheet as CSV (comma separated)")
        return None
    return _sheet(display, rows, diags)


def _read_xlsx(file: Path, display: str, diags: Diagnostics) -> Sheet | None:
    from openpyxl import load_workbook

    try:
        book = load_workbook(file, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
        diags.error(display, 0, 0, f"cannot read the workbook ({type(exc).__name__})",
                    "save it again as an Excel workbook (.xlsx), or export it as CSV")
        return None
    try:
        sheet = book.worksheets[0]
        rows = [[Cell(v, r, c + 1) for c, v in enumerate(values)]
                for r, values in enumerate(sheet.iter_rows(values_only=True), start=1)]
    except Exception as exc:  # noqa: BLE001 - a damaged sheet inside a readable file
        diags.error(display, 0, 0, f"cannot read the workbook's first sheet "
                    f"({type(exc).__name__})", "save it again as an Excel workbook (.xlsx)")
        return None
    finally:
        book.close()
    return _sheet(display, rows, diags)


def _sheet(display: str, rows: list[list[Cell]], diags: Diagnostics) -> Sheet | None:
    rows = [r for r in rows if any(_text(c.value) for c in r)]
    if not rows:
        diags.error(display, 0, 0, "the spreadsheet is empty",
                    "put the column names in the first row and one service per row below")
        return None
    return Sheet(display, rows[0], rows[1:])


def _text(value: Any) -> str:
    """A cell as text; the apostrophe export puts before a would-be formula is taken off."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def parse_map(text: str) -> dict[str, str]:
    """`--map "Self-pay=cash,Ins Allowed=Aetna PPO"`: header -> column or plan (or ignore)."""
    found: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        header, sep, target = part.partition("=")
        if not sep or not header.strip() or not target.strip():
            raise ValueError(f"'{part}' is not HEADER=COLUMN")
        found[_squash(header)] = target.strip()
    return found


@dataclass
class Columns:
    """What each column of the sheet holds: a service key, a payer plan, or nothing."""

    keys: dict[str, int] = field(default_factory=dict)   # service key -> column index
    plans: dict[str, int] = field(default_factory=dict)  # payer plan key -> column index


def match_columns(sheet: Sheet, plans: list[str], mapping: dict[str, str],
                  diags: Diagnostics) -> Columns:
    """Name each header; an unknown or repeated header is an error at its cell."""
    columns = Columns()
    by_plan = {_squash(p): p for p in plans}
    for index, cell in enumerate(sheet.header):
        header = _text(cell.value)
        if not header:
            continue
        squashed = _squash(header)
        target = mapping.get(squashed)
        key = plan = None
        if target is not None:
            if target.lower() == IGNORE:
                continue
            plan = by_plan.get(_squash(target))
            key = None if plan else _BY_NAME.get(_squash(target))
            if key is None and plan is None:
                diags.error(sheet.display, cell.row, cell.col, f"--map sends column "
                            f"'{header}' to '{target}', which is neither a column nor a "
                            "payer plan of the fee schedule", _choices(target, plans))
                continue
        else:
            key = _BY_NAME.get(squashed)
            plan = by_plan.get(squashed) or by_plan.get(_without_rate_word(squashed))
        where = columns.keys if key else columns.plans
        name = key or plan
        if name is None:
            diags.error(sheet.display, cell.row, cell.col, f"unknown column '{header}'",
                        _unknown_hint(header, plans))
        elif name in where:
            diags.error(sheet.display, cell.row, cell.col,
                        f"column '{header}' repeats column {where[name] + 1} ({name})",
                        "keep one of them, or tell import which to skip: "
                        f"--map \"{header}=ignore\"")
        else:
            where[name] = index
    for required in REQUIRED:
        if required not in columns.keys:
            diags.error(sheet.display, 1, 1, f"no column for {required}",
                        f"add a column named {required} (or name the column that holds it: "
                        f"--map \"YOUR HEADER={required}\")")
    return columns


def _without_rate_word(squashed: str) -> str:
    for word in _RATE_WORDS:
        if squashed.endswith(word):
            return squashed.removesuffix(word)
        if squashed.startswith(word):
            return squashed.removeprefix(word)
    return squashed


def _choices(target: str, plans: list[str]) -> str:
    return did_you_mean(target, [*COLUMNS, *plans]) or (
        "columns: " + ", ".join(COLUMNS) + "; plans: " + (", ".join(plans) or "none yet"))


def _unknown_hint(header: str, plans: list[str]) -> str:
    if _squash(header) in _RATE_WORDS:
        return ("say which plan pays this rate: --map \"" + header + "=PLAN\", with PLAN one "
                "of " + (", ".join(plans) or "the plans under payers: of the fee schedule"))
    return (did_you_mean(header, [*COLUMNS, *plans]) or
            "name it like a column (" + ", ".join(COLUMNS) + ") or a payer plan under "
            "payers: of the fee schedule (" + (", ".join(plans) or "none yet") + ")") + \
        f"; or leave it out: --map \"{header}=ignore\""


def money_cell(value: Any) -> Decimal | None:
    """`$1,078.00`, `1078`, ` 1,078.5 ` -> Decimal; None when it is not an amount. Floats
    from xlsx go through their shortest text, so 118.4 stays 118.4 (never binary noise)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, Decimal)):
        text = repr(value) if isinstance(value, float) else str(value)
    else:
        text = str(value).strip().replace("$", "").replace(" ", "")
        if text.startswith("(") and text.endswith(")"):  # accounting negative
            text = "-" + text[1:-1]
        if "," in text:  # only as thousands separators: 1.078,00 is refused, not guessed
            if not re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d*)?", text):
                return None
            text = text.replace(",", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


_FIELD_ORDER = ("id", "code", "code_type", "modifiers", "description", "discipline",
                "settings", "timed", "gross_charge", "cash_price", "cash_price_max",
                "negotiated", "location", "medicare_further_unit")


def _row_values(row: list[Cell], columns: Columns, display: str, diags: Diagnostics
                ) -> tuple[dict[str, Any], dict[str, Cell]] | None:
    """One row as fee schedule values (with the cell each came from), or None when a cell
    cannot be read; later checks run on the model."""
    cells = {key: row[i] if i < len(row) else Cell(None, row[0].row, i + 1)
             for key, i in columns.keys.items()}
    values: dict[str, Any] = {}
    ok = True
    for key, cell in cells.items():
        text = _text(cell.value)
        if key in AMOUNTS or (key in OPTIONAL_AMOUNTS and text.lower() not in _BLANK):
            amount = money_cell(cell.value) if text else None
            if amount is None:
                ok = False
                diags.error(display, cell.row, cell.col, f"{key} must be an amount like "
                            f"1,078.00 (got {_got(text)})", "write the amount in dollars" +
                            (", or leave the cell empty" if key in OPTIONAL_AMOUNTS else ""))
            values[key] = amount
        elif key in OPTIONAL_AMOUNTS:
            values[key] = None  # an empty cell: no range, no reduced further units
        elif key == "modifiers":
            values[key] = [m.upper() for m in re.split(r"[,;/|\s-]+", text) if m]
        elif key == "settings":
            values[key] = [s.lower() for s in re.split(r"[,;/|\s]+", text) if s]
        elif key == "timed":
            if text.lower() in _YES | _NO or not text:
                values[key] = text.lower() in _YES
            else:
                ok = False
                diags.error(display, cell.row, cell.col, f"timed must be yes or no (got "
                            f"{_got(text)})", "write yes for codes billed per 15 minutes")
        elif key == "code_type":
            values[key] = text.upper() if text else None
        elif key == "discipline":
            values[key] = text.upper() or None
        else:
            values[key] = text or None
    negotiated = {}
    for plan, i in columns.plans.items():
        cell = row[i] if i < len(row) else Cell(None, row[0].row, i + 1)
        cells[f"negotiated.{plan}"] = cell
        text = _text(cell.value)
        if text.lower() in _BLANK:
            continue
        amount = money_cell(cell.value)
        if amount is None:
            ok = False
            diags.error(display, cell.row, cell.col, f"the {plan} rate must be an amount like "
                        f"118.40 (got {_got(text)})", "leave the cell empty if the plan does "
                        "not pay for this service")
        negotiated[plan] = amount
    values["negotiated"] = negotiated
    return (values, cells) if ok else None


def _got(text: str) -> str:
    return f'"{text[:60]}"' if text else "nothing"


def _slugify(text: str) -> str:
    """An id from a description's first five words."""
    return "-".join(slugify(text).split("-")[:5]) or "service"


def sheet_services(sheet: Sheet, columns: Columns, existing: list[dict[str, Any]],
                   diags: Diagnostics) -> list[dict[str, Any]]:
    """The services of the sheet as fee schedule entries: an existing service (same id, or
    else the only one with the same code) keeps its other keys and the rates of plans the
    sheet has no column for."""
    by_id = {s.get("id"): s for s in existing}
    by_code: dict[str, list[dict[str, Any]]] = {}
    for s in existing:
        by_code.setdefault(str(s.get("code")), []).append(s)
    services: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for row in sheet.rows:
        read = _row_values(row, columns, sheet.display, diags)
        if read is None:
            continue
        values, cells = read
        old = by_id.get(values.get("id")) if values.get("id") else None
        if old is None and not values.get("id"):
            same = by_code.get(str(values.get("code")), [])
            old = same[0] if len(same) == 1 else None
        entry = dict(old or {})
        if not values.get("id"):
            values["id"] = (old or {}).get("id") or _unique(_slugify(values.get(
                "description") or values.get("code") or ""), seen)
        if not values.get("code_type"):
            values["code_type"] = (old or {}).get("code_type") or (
                "HCPCS" if re.match(r"[A-Za-z]", values.get("code") or "") else None)
        rates = {**{k: v for k, v in (old or {}).get("negotiated", {}).items()
                    if k not in columns.plans}, **values.pop("negotiated")}
        entry.update({k: v for k, v in values.items() if v is not None or k in entry})
        entry["negotiated"] = rates
        if "settings" not in entry and "settings" not in columns.keys:
            entry["settings"] = ["evaluation" if entry.get("code") in EVALUATIONS
                                 else "outpatient"]
        # A default the file did not write stays unwritten (a new entry says timed: false).
        for key, default in (("code_type", "CPT"), ("timed", False), ("negotiated", {}),
                             ("modifiers", [])):
            written = key in old if old is not None else key == "timed"
            if entry.get(key) == default and not written:
                del entry[key]
        entry = {k: v for k, v in entry.items() if v is not None}
        first = seen.get(entry["id"])
        if first is not None:
            cell = cells.get("id") or row[0]
            diags.error(sheet.display, cell.row, cell.col, f"duplicate service id "
                        f"'{entry['id']}' (first on row {first})", "each row needs its own id")
            continue
        seen[entry["id"]] = row[0].row
        try:
            Service.model_validate(entry)
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                _row_error(sheet.display, error, cells, row, diags)
            continue
        order = (*(old or {}), *_FIELD_ORDER) if old else _FIELD_ORDER
        services.append({k: entry[k] for k in (*order, *entry) if k in entry})
    return services


def _unique(base: str, seen: dict[str, int]) -> str:
    candidate, n = base, 2
    while candidate in seen:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def _row_error(display: str, error: Any, cells: dict[str, Cell], row: list[Cell],
               diags: Diagnostics) -> None:
    loc = tuple(error["loc"])
    key = f"negotiated.{loc[1]}" if loc[:1] == ("negotiated",) and len(loc) > 1 else str(loc[0])
    cell = cells.get(key) or row[0]
    name = key.removeprefix("negotiated.") if key.startswith("negotiated.") else key
    if error["type"] == "missing":
        message, hint = f"no {name} in this row", f"fill in the {name} column"
    else:
        message, hint = value_message(error["type"], name, error.get("input"),
                                      error.get("ctx") or {}, error.get("msg", ""))
    diags.error(display, cell.row, cell.col, message, hint)


# ------------------------------------------------------------------------- the YAML text

def services_yaml(services: Iterable[dict[str, Any]],
                  comments: dict[str, list[str]] | None = None) -> str:
    """The `services:` block, in the style of the example files; `comments` are the comment
    lines written above a service (by id) in the old block, kept above it."""
    lines = ["services:"]
    for service in services:
        lines.extend((comments or {}).get(str(service.get("id")), []))
        lines.extend(_emit(service, 4, first="  - "))
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def service_comments(text: str) -> dict[str, list[str]]:
    """Comment lines just above each `- id: X` of the `services:` block, by id."""
    found: dict[str, list[str]] = {}
    start, end = _services_span(text.splitlines())
    pending: list[str] = []
    for line in text.splitlines()[start + 1:end] if start is not None else []:
        item = re.match(r"\s*-\s+id:\s*[\"']?([\w-]+)", line)
        if line.lstrip().startswith("#"):
            pending.append(line.rstrip())
        elif item:
            found[item.group(1)] = pending
            pending = []
        elif line.strip():
            pending = []
    return found


def _services_span(lines: list[str]) -> tuple[int | None, int]:
    """First line of the top-level `services:` key and the line after its block; comment
    lines just above the next top-level key are left to that key."""
    start = next((i for i, line in enumerate(lines) if re.match(r"services\s*:", line)), None)
    if start is None:
        return None, len(lines)
    end = next((i for i in range(start + 1, len(lines))
                if re.match(r"[A-Za-z_\"']", lines[i])), len(lines))
    while end > start + 1 and (lines[end - 1].startswith("#") or not lines[end - 1].strip()):
        end -= 1
    return start, end


def _emit(mapping: dict[str, Any], indent: int, first: str | None = None) -> list[str]:
    out = []
    for i, (key, value) in enumerate(mapping.items()):
        lead = first if (first is not None and i == 0) else " " * indent
        name = _scalar(str(key))
        if isinstance(value, dict) and value:
            out.append(f"{lead}{name}:")
            out.extend(_emit(value, indent + 2))
        elif isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
            out.append(f"{lead}{name}:")
            for item in value:
                out.extend(_emit(item, indent + 4, first=" " * (indent + 2) + "- ")
                           if isinstance(item, dict) else
                           [" " * (indent + 2) + "- " + _value(item)])
        else:
            out.append(f"{lead}{name}: {_value(value)}")
    return out


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return f"{value:.2f}" if value == value.quantize(Decimal("0.01")) else str(value)
    if isinstance(value, (int, dt.date)):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{}"
    return _scalar(str(value), quote_numbers=True)


def _scalar(text: str, quote_numbers: bool = False) -> str:
    """Plain when YAML reads it back as the same text, else a JSON string (valid YAML)."""
    plain = re.fullmatch(r"[A-Za-z][\w ,.()&'+/%-]*", text) and not text.endswith(" ") \
        and ": " not in text and " #" not in text
    if plain and (not quote_numbers or not re.search(r"\d", text)):
        try:
            if yaml.safe_load(text) == text:
                return text
        except yaml.YAMLError:
            pass
    return json.dumps(text, ensure_ascii=False)


def replace_services(text: str, block: str) -> str:
    """`text` with its top-level `services:` block replaced by `block`. Everything else is
    kept as written, including comments."""
    lines = text.splitlines(keepends=True)
    start, end = _services_span(lines)
    if start is None:
        sep = "" if not text or text.endswith("\n\n") else "\n" if text.endswith("\n") else "\n\n"
        return text + sep + block
    tail = lines[end:]
    return "".join(lines[:start]) + block + ("\n" if tail and tail[0].strip() else "") + \
        "".join(tail)


# ------------------------------------------------------------------------------ the command

def import_sheet(file: Path, display: str, target: Path, target_display: str,
                 mapping: dict[str, str], diags: Diagnostics) -> str | None:
    """The new text of the fee schedule `target` with the sheet's services, or None (with
    diagnostics) when anything is wrong. Nothing is written here."""
    existing: dict[str, Any] = {}
    text = None
    if target.exists():
        loaded = load_model(target, target_display, FeeSchedule, diags, MAX_BYTES,
                            references_near(target, diags))
        if loaded is None:
            diags.error(target_display, 0, 0, "the fee schedule has errors, so import "
                        "cannot update it", "fix them first (sitegen build shows them all)")
            return None
        existing = loaded[1].data
        text = target.read_text(encoding="utf-8-sig")
    plans = [f"{p['name']} {p['plan']}" for p in existing.get("payers", [])]
    sheet = read_sheet(file, display, diags)
    if sheet is None:
        return None
    new_plans = not target.exists()
    columns = match_columns(sheet, plans, mapping, diags) if not new_plans else \
        _new_clinic_columns(sheet, mapping, diags)
    if any(key not in columns.keys for key in REQUIRED):
        return None  # rows cannot be read; unknown columns alone do not stop the row checks
    visit_rows = [row for row in sheet.rows if _id_text(row, columns).startswith(VISIT)]
    sheet.rows = [row for row in sheet.rows if row not in visit_rows]
    visits = visit_prices(visit_rows, columns, existing.get("sessions", []), display, diags)
    services = sheet_services(sheet, columns, existing.get("services", []), diags)
    if not services and not diags.errors:
        diags.error(display, 0, 0, "the spreadsheet has no services",
                    "add one row per service below the column names")
    if diags.errors:
        return None
    if text is None:
        dated = target.parent.name != "rates"  # rates/<clinic>/<YYYY-MM-DD>.yaml
        slug = target.parent.name if dated else target.stem
        text = clinic_starter(slug.replace("-", " ").title(), sorted(
            {s.get("discipline") for s in services if s.get("discipline")}) or ["PT"],
            plans=list(columns.plans), with_services=False,
            schema=("../" if dated else "") + "../schema/fee-schedule.schema.json")
    else:
        _check_references(existing, services, target_display, loaded[1].positions, display,
                          diags)
        if diags.errors:
            return None
    if visits:
        if target.exists():
            text = set_visit_prices(text, existing.get("sessions", []), loaded[1].positions,
                                    visits, target_display, diags)
        else:
            diags.error(display, visit_rows[0][0].row, 1, "visit prices need their sessions, "
                        "and a new fee schedule has none yet", "import the services first, "
                        "add sessions: to the fee schedule, then import the visit prices")
        if diags.errors:
            return None
    result = replace_services(text, services_yaml(services, service_comments(text)))
    _validate_result(result, target, target_display, diags)
    return None if diags.errors else result


def _id_text(row: list[Cell], columns: Columns) -> str:
    index = columns.keys.get("id")
    return _text(row[index].value) if index is not None and index < len(row) else ""


VisitPrice = tuple[Decimal | None, Decimal | None]   # cash_price, cash_price_max


def visit_prices(rows: list[list[Cell]], columns: Columns, sessions: list[dict[str, Any]],
                 display: str, diags: Diagnostics) -> dict[int, VisitPrice]:
    """Index of the session -> its visit price from a `visit:<session id>` row (an empty
    cash_price cell: no visit price); each bad cell is an error at the cell."""
    by_id = {str(s.get("id")): i for i, s in enumerate(sessions)}
    found: dict[int, VisitPrice] = {}
    for row in rows:
        cell = row[columns.keys["id"]]
        session = _id_text(row, columns).removeprefix(VISIT)
        if session not in by_id:
            diags.error(display, cell.row, cell.col, f"'{VISIT}{session}' names no session "
                        "of the fee schedule", did_you_mean(session, list(by_id)) or
                        "write visit: and the id of one of its sessions")
            continue
        if by_id[session] in found:
            diags.error(display, cell.row, cell.col, f"the visit '{session}' has two rows",
                        "keep one of them")
            continue
        amounts: list[Decimal | None] = []
        for key in ("cash_price", "cash_price_max"):
            index = columns.keys.get(key)
            value = row[index] if index is not None and index < len(row) else None
            text = _text(value.value) if value is not None else ""
            amount = money_cell(value.value) if value is not None and text else None
            if value is not None and text.lower() not in _BLANK and amount is None:
                diags.error(display, value.row, value.col, f"the visit price {key} must be an "
                            f"amount like 105.00 (got {_got(text)})", "write the amount in "
                            "dollars, or leave the cell empty for no visit price")
            old = sessions[by_id[session]].get(key)
            amounts.append(amount if index is not None else old)
        found[by_id[session]] = (amounts[0], amounts[1])
    return found


def set_visit_prices(text: str, sessions: list[dict[str, Any]], positions: Any,
                     prices: dict[int, VisitPrice], path: str, diags: Diagnostics) -> str:
    """`text` with the sessions' visit prices changed in place, line by line, so the rest
    of the file (comments, key order) stays as written. Only block-style sessions (one key
    per line) can be edited so."""
    lines = text.splitlines(keepends=True)
    edits: list[tuple[int, str, str]] = []   # (0-based line, "set"/"drop"/"add", text)
    for i, (cash, high) in prices.items():
        session = sessions[i]
        for key, new in (("cash_price_max", high), ("cash_price", cash)):
            old = session.get(key)
            if new == old or (old is not None and new is not None and Decimal(old) == new):
                continue
            if old is not None:
                line, col = positions.values[("sessions", i, key)]
                current = lines[line - 1]
                if not re.match(rf"\s*{key}\s*:", current):
                    diags.error(path, line, col, f"import cannot change the visit price of "
                                f"session '{session.get('id')}' written on one line",
                                f"write its keys one per line, or change {key} here by hand")
                    continue
                edits.append((line - 1, "drop" if new is None else "set",
                              "" if new is None else f"{new:.2f}"))
            else:  # a new key goes below cash_price, or else below setting
                after = "cash_price" if key == "cash_price_max" and \
                    session.get("cash_price") is not None else "setting"
                line, col = positions.keys[("sessions", i, after)]
                if not re.match(rf"\s*(-\s+)?{after}\s*:", lines[line - 1]):
                    diags.error(path, line, col, f"import cannot add a visit price to session "
                                f"'{session.get('id')}' written on one line", "write its keys "
                                f"one per line, or add {key}: here by hand")
                    continue
                edits.append((line - 1, "add", " " * (col - 1) + f"{key}: {new:.2f}\n"))
    for index, kind, value in sorted(edits, key=lambda e: e[0], reverse=True):
        if kind == "add":
            lines.insert(index + 1, value)
        elif kind == "drop":
            del lines[index]
        else:
            lines[index] = re.sub(r"(:\s*)[^\s#]+", lambda m, value=value: m.group(1) + value,
                                  lines[index], count=1)
    return "".join(lines)


_RATE_WORD = re.compile(r"\s*\b(allowed( amount)?|allowable|negotiated( rate)?|contracted|"
                        r"contract rate|rate)\b\s*", re.I)


def _new_clinic_columns(sheet: Sheet, mapping: dict[str, str], diags: Diagnostics) -> Columns:
    """For a new clinic every column that is not a service key names a payer plan, "<name>
    <plan>" (a word like Allowed around it is dropped)."""
    plans = []
    mapping = dict(mapping)
    for cell in sheet.header:
        header = _text(cell.value)
        target = mapping.get(_squash(header), "")
        if not header or target.lower() == IGNORE or \
                _BY_NAME.get(_squash(target or header)):
            continue
        plan = target or _RATE_WORD.sub(" ", header).strip()
        if plan and " " not in plan:
            diags.error(sheet.display, cell.row, cell.col, f"the plan column '{header}' needs "
                        "the insurer's name and the plan, like 'Aetna PPO'",
                        f"rename the column, or name it: --map \"{header}=Aetna PPO\"")
            mapping[_squash(header)] = IGNORE  # reported once, here
        elif plan:
            plans.append(plan)
    return match_columns(sheet, plans, mapping, diags)


def _check_references(existing: dict[str, Any], services: list[dict[str, Any]], path: str,
                      positions: Any, display: str, diags: Diagnostics) -> None:
    """A service the sheet drops must not be named by a session or course of the file."""
    ids = {s["id"] for s in services}
    for kind, items, key in (("session", existing.get("sessions", []), "lines"),
                             ("course", existing.get("courses", []), "visits")):
        for i, item in enumerate(items):
            for j, line in enumerate(item.get(key, [])):
                used = line.get("service")
                if used is not None and used not in ids:
                    diags.error(path, *positions.of((f"{kind}s", i, key, j, "service")),
                                f"{kind} '{item.get('id')}' uses service '{used}', which "
                                f"{display} does not list", "add its row to the spreadsheet, "
                                f"or take it out of the {kind}")


def _validate_result(text: str, target: Path, display: str, diags: Diagnostics) -> None:
    """Load the new file as the build would; its warnings are shown, its errors stop import."""
    from sitegen.model import ClinicSource

    with tempfile.TemporaryDirectory(prefix="sitegen-import-") as tmp:
        path = Path(tmp) / target.name
        path.write_text(text, encoding="utf-8")
        loaded = load_model(path, display, FeeSchedule, diags, MAX_BYTES,
                            references_near(target, diags))
        if loaded is not None:
            source = ClinicSource(slug=target.stem, path=display, schedule=loaded[0],
                                  positions=loaded[1].positions)
            validate_clinics([source], diags)


SUFFIXES = (".csv", ".xlsx")  # what export writes and import reads

