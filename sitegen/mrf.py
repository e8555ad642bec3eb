"""Stage `render` (machine-readable): the CMS hospital price transparency files of clinics
that opt in with `price_transparency:` (template v3.0.0, JSON and the CSV "tall" layout),
and `cms-hpt.txt`, which tells crawlers where those files are.

Amounts come from `tables.price_rows`, like every other output, so the files can never
disagree with the pages. Also the located cross-field checks of `price_transparency`
(`validate_price_transparency`, called from `build.load_site`).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sitegen.csvout import csv_bytes
from sitegen.diagnostics import Diagnostics
from sitegen.model import ClinicSource, Payer, SiteConfig
from sitegen.tables import PriceRow, all_rows
from sitegen.urls import absolute_url, clinic_file_url, price_transparency_url

VERSION = "3.0.0"
CENT = Decimal("0.01")

# The attestation statement of template v3.0.0, word for word (the schema requires it).
ATTESTATION = (
    "To the best of its knowledge and belief, this hospital has included all applicable "
    "standard charge information in accordance with the requirements of 45 CFR 180.50, and "
    "the information encoded is true, accurate, and complete as of the date in the file. This "
    "hospital has included all payer-specific negotiated charges in dollars that can be "
    "expressed as a dollar amount. For payer-specific negotiated charges that cannot be "
    "expressed as a dollar amount in the machine-readable file or not knowable in advance, the "
    "hospital attests that the payer-specific negotiated charge is based on a contractual "
    "algorithm, percentage or formula that precludes the provision of a dollar amount and has "
    "provided all necessary information available to the hospital for the public to be able "
    "to derive the dollar amount, including, but not limited to, the specific fee schedule or "
    "components referenced in such percentage, algorithm or formula.")

# Row 1 and row 3 of the official tall CSV template, with its placeholders filled in:
# license_number|[state] gets the license state, code|[i] the one code column pair (1).
CSV_GENERAL_HEADERS = ["hospital_name", "last_updated_on", "version", "location_name",
                       "hospital_address", "license_number|{state}", "type_2_npi", ATTESTATION,
                       "attester_name"]
CSV_ITEM_HEADERS = [
    "description", "code|1", "code|1|type", "modifiers", "setting", "drug_unit_of_measurement",
    "drug_type_of_measurement", "standard_charge|gross", "standard_charge|discounted_cash",
    "payer_name", "plan_name", "standard_charge|negotiated_dollar",
    "standard_charge|negotiated_percentage", "standard_charge|negotiated_algorithm",
    "median_amount", "10th_percentile", "90th_percentile", "count",
    "standard_charge|methodology", "standard_charge|min", "standard_charge|max",
    "additional_generic_notes"]

UNIT_NOTES = {
    "per 15 minutes": "Charged per 15-minute unit of treatment.",
    "per visit": "Charged once per visit.",
}
BUNDLED_NOTE = ("During an inpatient stay this service is part of the stay's daily rate and is "
                "not charged separately.")
# The wide layout's columns repeated for each payer and plan, in the template's order.
WIDE_PAYER_COLUMNS = ["standard_charge|{p}|negotiated_dollar",
                      "standard_charge|{p}|negotiated_percentage",
                      "standard_charge|{p}|negotiated_algorithm", "median_amount|{p}",
                      "10th_percentile|{p}", "90th_percentile|{p}", "count|{p}",
                      "standard_charge|{p}|methodology", "additional_payer_notes|{p}"]


def opted_in(source: ClinicSource) -> bool:
    return source.schedule.price_transparency is not None


def hospital_name(source: ClinicSource) -> str:
    pt = source.schedule.price_transparency
    return (pt.hospital_name if pt and pt.hospital_name else None) or source.clinic.name


def file_stem(source: ClinicSource) -> str:
    """'<ein>_<name>_standardcharges': EIN digits, the name in lower case with dashes."""
    ein = re.sub(r"\D", "", source.clinic.tin)
    ascii_name = unicodedata.normalize("NFKD", hospital_name(source)).encode("ascii", "ignore")
    name = re.sub(r"[^a-z0-9]+", "-", ascii_name.decode().lower()).strip("-") or source.slug
    return f"{ein}_{name}_standardcharges"


def json_name(source: ClinicSource) -> str:
    return file_stem(source) + ".json"


def csv_name(source: ClinicSource) -> str:
    return file_stem(source) + ".csv"


@dataclass(frozen=True)
class Item:
    """One service as the CMS file lists it: its priced rows, merged over settings."""

    row: PriceRow               # the amounts (identical in every priced row of the service)
    setting: str                # inpatient | outpatient | both
    notes: str


def items(source: ClinicSource, rows: Sequence[PriceRow] | None = None) -> list[Item]:
    """Every service with a separate charge, in fee-schedule order. Evaluation, outpatient
    and telehealth are outpatient care; an inpatient row bundled into the daily rate has no
    charge of its own, so it does not make the service 'both'."""
    by_service: dict[str, list[PriceRow]] = {}
    for row in all_rows(source, rows):
        by_service.setdefault(row.service.id, []).append(row)
    found = []
    for service in source.schedule.services:
        rows = by_service.get(service.id, [])
        priced = [r for r in rows if not r.bundled]
        if not priced:
            continue
        amounts = {(r.gross_charge, r.cash_price, r.negotiated) for r in priced}
        assert len(amounts) == 1, f"{service.id}: settings disagree on prices"
        kinds = {"inpatient" if r.setting == "inpatient" else "outpatient" for r in priced}
        notes = [UNIT_NOTES[service.unit]]
        if any(r.bundled for r in rows):
            notes.append(BUNDLED_NOTE)
        notes += _item_notes(priced[0])
        found.append(Item(priced[0], "both" if len(kinds) == 2 else kinds.pop(),
                          " ".join(notes)))
    return found


def _item_notes(row: PriceRow) -> list[str]:
    """What v3.0.0 has no field for, said in the item's notes: a price that applies at one
    location only (locations are listed for the whole file), and a cash price range (the
    discounted cash price is one number: the file gives the high end)."""
    notes = []
    if row.location is not None:
        loc = row.location
        notes.append(f"This price applies at {loc.name}, {_address(loc)}, only.")
    if row.cash_price_max is not None:
        notes.append(f"The discounted cash price ranges from {_amount(row.cash_price)} to "
                     f"{_amount(row.cash_price_max)} depending on what the therapist finds; "
                     "the high end is given.")
    return notes


def cash_amount(row: PriceRow) -> Decimal:
    """The one discounted cash price the file can hold: the high end of a range."""
    return row.cash_price_max or row.cash_price


def _payers(source: ClinicSource) -> dict[str, Payer]:
    return {p.key: p for p in source.schedule.payers}


def _address(loc: Any) -> str:
    a = loc.address
    return f"{a.street}, {a.city}, {a.state} {a.zip}"


def _npis(source: ClinicSource) -> list[str]:
    pt = source.schedule.price_transparency
    return list(pt.type_2_npis) if pt and pt.type_2_npis else [source.clinic.npi]


def _amount(value: Decimal) -> str:
    return format(value.quantize(CENT), "f")


def cms_document(source: ClinicSource, rows: Sequence[PriceRow] | None = None
                 ) -> dict[str, Any]:
    """The v3.0.0 JSON file as plain values; amounts stay Decimal (see `dump_json`)."""
    pt = source.schedule.price_transparency
    assert pt is not None
    payers = _payers(source)
    license_info: dict[str, Any] = {"state": pt.license_state}
    if pt.license_number:
        license_info = {"license_number": pt.license_number, **license_info}
    charges = []
    for item in items(source, rows):
        row = item.row
        standard: dict[str, Any] = {"setting": item.setting,
                                    "gross_charge": row.gross_charge,
                                    "discounted_cash": cash_amount(row)}
        if row.service.modifiers:
            standard["modifier_code"] = list(row.service.modifiers)
        if row.negotiated:
            standard["minimum"] = row.lowest
            standard["maximum"] = row.highest
            standard["payers_information"] = [
                _payer_information(payers[key], rate) for key, rate in row.negotiated
                if key in payers]  # always, once validated; never a KeyError
        standard["additional_generic_notes"] = item.notes
        charges.append({
            "description": row.service.description,
            "code_information": [{"code": row.service.code, "type": row.service.code_type}],
            "standard_charges": [standard],
        })
    return {
        "hospital_name": hospital_name(source),
        "last_updated_on": source.clinic.last_updated.isoformat(),
        "version": VERSION,
        "location_name": [loc.name for loc in source.clinic.locations],
        "hospital_address": [_address(loc) for loc in source.clinic.locations],
        "license_information": license_info,
        "type_2_npi": _npis(source),
        "attestation": {"attestation": ATTESTATION, "confirm_attestation": True,
                        "attester_name": pt.attester_name},
        "standard_charge_information": charges,
    }


def _payer_information(payer: Payer, rate: Decimal) -> dict[str, Any]:
    info: dict[str, Any] = {"payer_name": payer.name, "plan_name": payer.plan,
                            "standard_charge_dollar": rate, "methodology": payer.methodology}
    if payer.methodology_notes:
        info["additional_payer_notes"] = payer.methodology_notes
    return info


def dump_json(value: Any, level: int = 0) -> str:
    """JSON with 2-space indents, keys in the given order, and Decimal amounts written as
    JSON numbers from their digits (142.00), never through float."""
    pad, end = "  " * (level + 1), "  " * level
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = ",\n".join(f"{pad}{json.dumps(k, ensure_ascii=False)}: "
                           f"{dump_json(v, level + 1)}" for k, v in value.items())
        return "{\n" + inner + "\n" + end + "}"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        return "[\n" + ",\n".join(pad + dump_json(v, level + 1) for v in value) + "\n" + end + "]"
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"not a finite amount: {value}")
        return _amount(value)
    if value is None or isinstance(value, (str, bool, int)):
        return json.dumps(value, ensure_ascii=False)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def cms_json(source: ClinicSource, rows: Sequence[PriceRow] | None = None) -> bytes:
    return (dump_json(cms_document(source, rows)) + "\n").encode("utf-8")


def _csv_head(source: ClinicSource, headers: list[str],
              rows: Sequence[PriceRow] | None = None) -> list[list[str]]:
    """Rows 1-3 of the CSV: general headers, their values, `headers`."""
    doc = cms_document(source, rows)
    pt = source.schedule.price_transparency
    assert pt is not None
    width = len(headers)
    general = [h.replace("{state}", pt.license_state) for h in CSV_GENERAL_HEADERS]
    values = [doc["hospital_name"], doc["last_updated_on"], VERSION,
              "|".join(doc["location_name"]), "|".join(doc["hospital_address"]),
              pt.license_number or "", "|".join(doc["type_2_npi"]), "true", pt.attester_name]
    return [general + [""] * (width - len(general)), values + [""] * (width - len(values)),
            headers]


def _csv_base(item: Item) -> dict[str, str]:
    """The columns of an item that tall and wide layouts share."""
    row = item.row
    return {"description": row.service.description, "code|1": row.service.code,
            "code|1|type": row.service.code_type, "modifiers": "|".join(row.service.modifiers),
            "setting": item.setting, "standard_charge|gross": _amount(row.gross_charge),
            "standard_charge|discounted_cash": _amount(cash_amount(row)),
            "additional_generic_notes": item.notes}


def cms_csv(source: ClinicSource, table: Sequence[PriceRow] | None = None) -> bytes:
    """The CSV in the clinic's layout (`price_transparency.csv_layout`)."""
    pt = source.schedule.price_transparency
    assert pt is not None
    return cms_csv_wide(source, table) if pt.csv_layout == "wide" else cms_csv_tall(source, table)


def wide_headers(source: ClinicSource) -> list[str]:
    """Row 3 of the wide layout: the template's columns, the payer ones once per plan."""
    plans = [f"{p.name}|{p.plan}" for p in sorted(source.schedule.payers, key=lambda p: p.key)]
    return (CSV_ITEM_HEADERS[:9] + [c.format(p=plan) for plan in plans for c in WIDE_PAYER_COLUMNS]
            + ["standard_charge|min", "standard_charge|max", "additional_generic_notes"])


def cms_csv_wide(source: ClinicSource, table: Sequence[PriceRow] | None = None) -> bytes:
    """The wide CSV: one row per service, with each plan's columns side by side."""
    headers = wide_headers(source)
    rows = _csv_head(source, headers, table)
    payers = _payers(source)
    for item in items(source, table):
        line = _csv_base(item)
        if item.row.negotiated:
            line["standard_charge|min"] = _amount(item.row.lowest)  # type: ignore[arg-type]
            line["standard_charge|max"] = _amount(item.row.highest)  # type: ignore[arg-type]
        for key, rate in item.row.negotiated:
            payer = payers.get(key)
            if payer is None:  # never, once validated
                continue
            plan = f"{payer.name}|{payer.plan}"
            line[f"standard_charge|{plan}|negotiated_dollar"] = _amount(rate)
            line[f"standard_charge|{plan}|methodology"] = payer.methodology
            if payer.methodology_notes:
                line[f"additional_payer_notes|{plan}"] = payer.methodology_notes
        rows.append([line.get(h, "") for h in headers])
    return csv_bytes(rows)


def cms_csv_tall(source: ClinicSource, table: Sequence[PriceRow] | None = None) -> bytes:
    """The tall CSV: general headers, their values, item headers, then one row per service
    and plan (one row without a plan for a service no plan has a rate for)."""
    rows = _csv_head(source, CSV_ITEM_HEADERS, table)
    payers = _payers(source)
    for item in items(source, table):
        row = item.row
        base = _csv_base(item)
        if not row.negotiated:
            rows.append([base.get(h, "") for h in CSV_ITEM_HEADERS])
            continue
        base["standard_charge|min"] = _amount(row.lowest)  # type: ignore[arg-type]
        base["standard_charge|max"] = _amount(row.highest)  # type: ignore[arg-type]
        for key, rate in row.negotiated:
            payer = payers.get(key)
            if payer is None:  # never, once validated
                continue
            line = {**base, "payer_name": payer.name, "plan_name": payer.plan,
                    "standard_charge|negotiated_dollar": _amount(rate),
                    "standard_charge|methodology": payer.methodology}
            if payer.methodology_notes:  # the tall layout has no payer notes column
                line["additional_generic_notes"] = f"{item.notes} {payer.methodology_notes}"
            rows.append([line.get(h, "") for h in CSV_ITEM_HEADERS])
    return csv_bytes(rows)


def contact_email(source: ClinicSource) -> str | None:
    pt = source.schedule.price_transparency
    return (pt.contact_email if pt else None) or source.clinic.email


def hpt_txt(sources: list[ClinicSource] | tuple[ClinicSource, ...], base_url: str) -> bytes:
    """cms-hpt.txt: per location of each opted-in clinic, the five keys in order; blocks
    separated by a blank line."""
    blocks = []
    for source in sources:
        pt = source.schedule.price_transparency
        if pt is None:
            continue
        page = absolute_url(base_url, price_transparency_url(source.slug), full=True)
        mrf = absolute_url(base_url, clinic_file_url(source.slug, json_name(source)), full=True)
        for loc in source.clinic.locations:
            blocks.append(f"location-name: {loc.name}\nsource-page-url: {page}\n"
                          f"mrf-url: {mrf}\ncontact-name: {pt.contact_name}\n"
                          f"contact-email: {contact_email(source)}\n")
    return "\n".join(blocks).encode("utf-8")


def validate_price_transparency(config: SiteConfig, clinics: list[ClinicSource],
                                diags: Diagnostics, config_positions: Any) -> None:
    """Rules the models cannot say alone, each reported where it can be fixed."""
    for source in clinics:
        pos, path = source.positions, source.path
        pt = source.schedule.price_transparency

        def at(*loc: str | int, key: bool = False, pos: Any = pos) -> tuple[int, int]:
            return pos.of(loc, key=key)

        for i, payer in enumerate(source.schedule.payers):
            if payer.methodology == "other" and not payer.methodology_notes:
                diags.error(path, *at("payers", i, "methodology"),
                            f"methodology 'other' of '{payer.key}' needs methodology_notes",
                            "explain in methodology_notes how the rate is set")
        if pt is None:
            if source.clinic.hospital_based:
                diags.warning(path, *at("clinic", "hospital_based"),
                              "a hospital-based department must publish the CMS hospital "
                              "price transparency file, but this fee schedule has no "
                              "price_transparency", "add price_transparency (see "
                              "docs/fee-schedule.md), unless the hospital publishes the file "
                              "on its own website")
            continue
        if contact_email(source) is None:
            diags.error(path, *at("price_transparency", key=True),
                        "price_transparency needs contact_email (or clinic.email) for "
                        "cms-hpt.txt", "add contact_email: under price_transparency")
        if pt.csv_layout == "wide" and not source.schedule.payers:
            diags.error(path, *at("price_transparency", "csv_layout"), "csv_layout: wide needs "
                        "at least one payer plan: its columns are the plans' columns",
                        "use csv_layout: tall, or list your plans under payers:")
        for i, payer in enumerate(source.schedule.payers):
            if pt.csv_layout == "wide" and "|" in payer.key:
                diags.error(path, *at("payers", i), f"payer plan '{payer.key}' contains '|', "
                            "which separates payer and plan in the wide CMS CSV file",
                            "use another character, or csv_layout: tall")
        for i, loc in enumerate(source.clinic.locations):
            for where, what, value in [(("name",), "location name", loc.name),
                                       (("address", "street"), "street", loc.address.street),
                                       (("address", "city"), "city", loc.address.city)]:
                if "|" in value:
                    diags.error(path, *at("clinic", "locations", i, *where),
                                f"{what} '{value}' contains '|', which separates locations "
                                "in the CMS CSV file", "use another character")
        if not re.match(r"https?://[^/]+", config.base_url):
            diags.warning("site.yaml", *config_positions.of(("base_url",)),
                          f"base_url '{config.base_url}' is not a full address, so "
                          f"cms-hpt.txt cannot give full URLs for {source.clinic.name}",
                          "set base_url (or --base-url) to the public address, like "
                          "https://example.org/")
