"""Stage `render` (machine-readable): `prices.json` and `prices.csv` of every clinic, our own
simple format for researchers and spreadsheets (documented in docs/price-files.md), and the
list of files the price-transparency page offers.

One row per service and setting, straight from `tables.price_rows`, the model the cost
tables read. Amounts are text with two decimals ("142.00"), never floats.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sitegen import mrf
from sitegen.csvout import csv_bytes
from sitegen.model import ClinicSource
from sitegen.tables import PriceRow, all_rows
from sitegen.urls import clinic_file_url

FORMAT = "sitegen-prices"
FORMAT_VERSION = "2"
# prices.csv: one row per record of prices.json, `kind` saying which list it comes from
# (docs/price-files.md). New columns only ever go before the plan columns, in a new version.
ROW_COLUMNS = ["setting", "code", "code_type", "modifiers", "location", "location_city",
               "location_state", "description", "unit", "bundled", "gross_charge",
               "cash_price", "cash_price_max", "negotiated_min", "negotiated_median",
               "negotiated_max"]
CSV_COLUMNS = ["kind", "id", "effective_from", *ROW_COLUMNS, "session_id", "visits",
               "valid_months", "price", "up_to_percent_of_poverty_guideline", "discount",
               "visit_price"]
CSV_PAYER_PREFIX = "negotiated: "


@dataclass(frozen=True)
class Download:
    url: str            # site-relative, for url(...)
    name: str           # the file name
    format: str         # JSON, CSV, text
    group: str          # "cms" (the hospital standard charges file) or "prices" (ours)


def downloads(source: ClinicSource) -> list[Download]:
    """Every file the clinic's price-transparency page offers, CMS files first."""
    found = []
    if mrf.opted_in(source):
        found += [Download(clinic_file_url(source.slug, mrf.json_name(source)),
                           mrf.json_name(source), "JSON", "cms"),
                  Download(clinic_file_url(source.slug, mrf.csv_name(source)),
                           mrf.csv_name(source), "CSV", "cms")]
    found += [Download(clinic_file_url(source.slug, "prices.json"), "prices.json", "JSON",
                       "prices"),
              Download(clinic_file_url(source.slug, "prices.csv"), "prices.csv", "CSV",
                       "prices")]
    return found


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else format(value.quantize(Decimal("0.01")), "f")


def row_record(row: PriceRow) -> dict[str, Any]:
    """One row as prices.json writes it. A bundled inpatient row has no amounts: the
    service is part of the stay's daily rate, as its cost table says."""
    service, bundled = row.service, row.bundled
    return {
        "service_id": service.id,
        "setting": row.setting,
        "code": service.code,
        "code_type": service.code_type,
        "modifiers": "|".join(service.modifiers),
        "location": row.location.name if row.location else "",
        "location_city": row.location.address.city if row.location else "",
        "location_state": row.location.address.state if row.location else "",
        "description": service.description,
        "unit": service.unit,
        "bundled": bundled,
        "gross_charge": None if bundled else _amount(row.gross_charge),
        "cash_price": None if bundled else _amount(row.cash_price),
        "cash_price_max": None if bundled else _amount(row.cash_price_max),
        "negotiated_min": None if bundled else _amount(row.lowest),
        "negotiated_median": None if bundled else _amount(row.median),
        "negotiated_max": None if bundled else _amount(row.highest),
        "negotiated": {} if bundled else {key: _amount(rate) for key, rate in row.negotiated},
    }


def prices_document(source: ClinicSource, rows: Sequence[PriceRow] | None = None
                    ) -> dict[str, Any]:
    clinic = source.clinic
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "currency": "USD",
        "clinic": {"name": clinic.name, "slug": source.slug, "npi": clinic.npi,
                   "tin": clinic.tin, "last_updated": clinic.last_updated.isoformat()},
        "payers": [{"key": p.key, "name": p.name, "plan": p.plan}
                   for p in sorted(source.schedule.payers, key=lambda p: p.key)],
        "rows": [row_record(row) for row in all_rows(source, rows)],
        "visits": [{"session_id": s.id, "name": s.name, "setting": s.setting,
                    "cash_price": _amount(s.cash_price),
                    "cash_price_max": _amount(s.cash_price_max)}
                   for s in source.schedule.sessions if s.cash_price is not None],
        "packages": [{"package_id": p.id, "name": p.name, "session_id": p.session,
                      "visits": p.visits, "price": _amount(p.price),
                      "valid_months": p.valid_months} for p in source.schedule.packages],
        "sliding_scale": _scale(source),
        "effective_from": source.effective.isoformat() if source.effective else None,
        "effective_until": (source.clinic.effective_until.isoformat()
                            if source.clinic.effective_until else None),
        "upcoming": [{"effective_from": e.effective.isoformat(),
                      "rows": [row_record(row) for row in all_rows(ClinicSource(
                          slug=source.slug, path=e.path, schedule=e.schedule, positions=None))]}
                     for e in source.upcoming],
    }


def _scale(source: ClinicSource) -> list[dict[str, Any]]:
    """Sliding-scale tiers: income up to a percent of the poverty guideline, and the price."""
    scale = source.schedule.sliding_scale
    return [{"up_to_percent_of_poverty_guideline": t.up_to_percent,
             "discount": None if t.discount is None else format(t.discount, "f"),
             "visit_price": _amount(t.visit_price)} for t in (scale.tiers if scale else [])]


def prices_json(source: ClinicSource, rows: Sequence[PriceRow] | None = None) -> bytes:
    """Compact JSON (no indents): the C encoder writes it 5x faster than indented JSON."""
    text = json.dumps(prices_document(source, rows), sort_keys=True, ensure_ascii=False,
                      separators=(",", ":"))
    return (text + "\n").encode("utf-8")


def csv_records(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """prices.json's records, flat, in the order prices.csv lists them: the services, the
    visit prices, the packages, the sliding-scale tiers (numbered from 1, lowest income
    first), then the services of each upcoming schedule. Made from the JSON document
    itself, so the two files cannot disagree."""
    current = doc["effective_from"]
    found: list[dict[str, Any]] = []
    for row in doc["rows"]:
        found.append({**row, "kind": "service", "id": row["service_id"],
                      "effective_from": current})
    for visit in doc["visits"]:
        found.append({**visit, "kind": "visit", "id": visit["session_id"],
                      "description": visit["name"], "session_id": None,
                      "effective_from": current})
    for package in doc["packages"]:
        found.append({**package, "kind": "package", "id": package["package_id"],
                      "description": package["name"], "effective_from": current})
    for number, tier in enumerate(doc["sliding_scale"], 1):
        found.append({**tier, "kind": "sliding-scale", "id": str(number),
                      "effective_from": current})
    for edition in doc["upcoming"]:
        found += [{**row, "kind": "service", "id": row["service_id"],
                   "effective_from": edition["effective_from"]} for row in edition["rows"]]
    return found


def _cell(value: Any) -> str:
    if value is True or value is False:
        return "true" if value else "false"
    return "" if value is None else str(value)


def prices_csv(source: ClinicSource, rows: Sequence[PriceRow] | None = None) -> bytes:
    """Every record of prices.json, one column per plan ('negotiated: Aetna PPO')."""
    plans = sorted(p.key for p in source.schedule.payers)
    table = [CSV_COLUMNS + [CSV_PAYER_PREFIX + p for p in plans]]
    for record in csv_records(prices_document(source, rows)):
        negotiated = record.get("negotiated") or {}
        table.append([_cell(record.get(c)) for c in CSV_COLUMNS] +
                     [negotiated.get(plan) or "" for plan in plans])
    return csv_bytes(table)
