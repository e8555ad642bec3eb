"""CMS hospital price transparency files (template v3.0.0, JSON and tall CSV), cms-hpt.txt,
the "Price Transparency" footer links and page, and the price_transparency validation rules.

Conformance is checked with the real tools: the official JSON schema (from the installed
npm package @cmsgov/hpt-validator) with jsonschema, and the official validator itself,
run with node on every emitted file. Both need `npm ci`; they run in CI (CI=true) and skip
elsewhere only when node or node_modules is missing.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import html5lib
import pytest
from helpers import write_site

from sitegen.build import BuildOptions, build, load_site
from sitegen.diagnostics import Diagnostics
from sitegen.mrf import ATTESTATION, dump_json

ROOT = Path(__file__).resolve().parent.parent
NS = "{http://www.w3.org/1999/xhtml}"
VALIDATOR = ROOT / "node_modules" / "@cmsgov" / "hpt-validator"
SCHEMA = VALIDATOR / "lib" / "schemas" / "v3.0.0.json"
SCRIPT = ROOT / "tests" / "cms" / "validate.mjs"
MERCY = "clinics/mercy-valley-rehab/913072584_mercy-valley-medical-center_standardcharges"
CEDAR = "clinics/cedar-street-pt/392718460_cedar-street-physical-therapy_standardcharges"

# Rows 1 and 3 of the official CMS v3.0.0 tall CSV template (v3.0.0_tall_template.csv),
# copied word for word; a file fills in the placeholders [state] and [i].
TEMPLATE_ROW_1 = 'hospital_name,last_updated_on,version,location_name,hospital_address,license_number|[state],type_2_npi,"To the best of its knowledge and belief, this hospital has included all applicable standard charge information in accordance with the requirements of 45 CFR 180.50, and the information encoded is true, accurate, and complete as of the date in the file. This hospital has included all payer-specific negotiated charges in dollars that can be expressed as a dollar amount. For payer-specific negotiated charges that cannot be expressed as a dollar amount in the machine-readable file or not knowable in advance, the hospital attests that the payer-specific negotiated charge is based on a contractual algorithm, percentage or formula that precludes the provision of a dollar amount and has provided all necessary information available to the hospital for the public to be able to derive the dollar amount, including, but not limited to, the specific fee schedule or components referenced in such percentage, algorithm or formula.",attester_name,,,,,,,,,,,,,'
TEMPLATE_ROW_3 = "description,code|[i],code|[i]|type,modifiers,setting,drug_unit_of_measurement,drug_type_of_measurement,standard_charge|gross,standard_charge|discounted_cash,payer_name,plan_name,standard_charge|negotiated_dollar,standard_charge|negotiated_percentage,standard_charge|negotiated_algorithm,median_amount,10th_percentile,90th_percentile,count,standard_charge|methodology,standard_charge|min,standard_charge|max,additional_generic_notes"

SITE = "title: Test prices\nbase_url: https://example.org/\n"

# Lines 1-30; `price_transparency` starts on line 12, `payers` on 18, `services` on 25.
RATES = """\
clinic:
  name: Example Rehab & Therapy
  npi: "1234567893"
  tin: "12-3456789"
  disciplines: [PT, OT]
  email: billing@example.org
  locations:
    - name: Main
      address: {street: 1 Main St, city: Portland, state: OR, zip: "97201"}
      phone: "503-555-0100"
  last_updated: 2026-10-01
price_transparency:
  license_state: OR
  attester_name: Pat Doe
  contact_name: Billing Office
  type_2_npis: ["1234567893", "1245319599"]
  hospital_name: Example General Hospital
payers:
  - name: Acme
    plan: PPO
  - name: Beta Health
    plan: HMO
    methodology: other
    methodology_notes: 110% of the state Medicaid rate.
services:
  - id: eval
    code: "97161"
    description: Evaluation, first visit
    settings: [evaluation, inpatient]
    gross_charge: 250.00
    cash_price: 190.00
    negotiated: {Acme PPO: 110.00, Beta Health HMO: 99.50}
  - id: exercise
    code: "97110"
    description: Exercises
    settings: [outpatient, telehealth]
    timed: true
    gross_charge: 60.00
    cash_price: 45.00
    negotiated: {Acme PPO: 31.67}
  - id: bedside
    code: "97530"
    description: Activities in the hospital
    settings: [inpatient]
    timed: true
    gross_charge: 70.00
    cash_price: 50.00
  - id: bundled
    code: "97116"
    description: Gait training
    settings: [outpatient, inpatient]
    timed: true
    inpatient_bundled: true
    gross_charge: 65.00
    cash_price: 48.00
    negotiated: {Acme PPO: 30.10}
  - id: splint
    code: L3906
    code_type: HCPCS
    description: Custom wrist splint
    settings: [outpatient]
    gross_charge: 1234567.89
    cash_price: 0.01
  - id: only-in-the-stay
    code: "97112"
    description: Balance training during a stay
    settings: [inpatient]
    timed: true
    inpatient_bundled: true
    gross_charge: 60.00
    cash_price: 40.00
"""
STEM = "clinics/a/123456789_example-general-hospital_standardcharges"

PLAIN = """\
clinic:
  name: Plain Therapy
  npi: "1245319599"
  tin: "98-7654321"
  disciplines: [OT]
  locations:
    - name: Plain Therapy Clinic
      address: {street: 2 Oak St, city: Salem, state: OR, zip: "97301"}
      phone: "503-555-0111"
  last_updated: 2026-09-01
services:
  - id: eval
    code: "97165"
    description: OT evaluation
    settings: [evaluation]
    gross_charge: 200.00
    cash_price: 150.00
"""


def make_site(tmp_path: Path, files: dict[str, str]) -> Path:
    return write_site(tmp_path, {"site.yaml": SITE, **files})


def build_ok(root: Path, base_url: str | None = None) -> dict[str, bytes]:
    result = build(BuildOptions(root=root, base_url=base_url), write=False)
    assert result.ok, [d.format() for d in result.diagnostics.items]
    return result.files


def diagnostics(tmp_path: Path, rates: str, site: str = SITE) -> list[str]:
    root = make_site(tmp_path, {"rates/a.yaml": rates, "site.yaml": site})
    diags = Diagnostics()
    load_site(BuildOptions(root=root), diags)
    return [d.format() for d in diags.sorted()]


def changed(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


@pytest.fixture(scope="module")
def example() -> dict[str, bytes]:
    return build_ok(ROOT)


@pytest.fixture(scope="module")
def inline(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    root = make_site(tmp_path_factory.mktemp("inline"), {"rates/a.yaml": RATES,
                                                         "rates/b.yaml": PLAIN})
    return build_ok(root)


def cms_json(files: dict[str, bytes], stem: str) -> dict:
    """The JSON file with every number read as an exact Decimal."""
    return json.loads(files[stem + ".json"], parse_float=Decimal, parse_int=Decimal)


def cms_csv_rows(files: dict[str, bytes], stem: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(files[stem + ".csv"].decode("utf-8"))))


def needs_node_tools() -> None:
    """In CI the official tools must be there; elsewhere their absence skips the test."""
    missing = [what for what, ok in [("node", shutil.which("node")),
                                     ("node_modules (run npm ci)", VALIDATOR.is_dir())] if not ok]
    if missing and os.environ.get("CI", "").lower() not in ("true", "1"):
        pytest.skip("the official CMS validator needs " + " and ".join(missing))
    assert not missing, "CI must run `npm ci` (and have node 20) before pytest: missing " + \
        ", ".join(missing)


# --- the files and their names ----------------------------------------------------------------

def test_only_clinics_that_opt_in_get_cms_files(example: dict[str, bytes]) -> None:
    cms = sorted(p for p in example if "standardcharges" in p)
    assert cms == [CEDAR + ".csv", CEDAR + ".json", MERCY + ".csv", MERCY + ".json"]


def test_file_name_is_ein_and_hospital_name(inline: dict[str, bytes]) -> None:
    assert sorted(p for p in inline if "standardcharges" in p) == [STEM + ".csv", STEM + ".json"]


# --- JSON -------------------------------------------------------------------------------------

def test_example_json_header(example: dict[str, bytes]) -> None:
    doc = cms_json(example, MERCY)
    header = {k: v for k, v in doc.items() if k != "standard_charge_information"}
    assert header == {
        "hospital_name": "Mercy Valley Medical Center",
        "last_updated_on": "2026-11-02",
        "version": "3.0.0",
        "location_name": ["Mercy Valley Medical Center, Outpatient Rehabilitation",
                          "Mercy Valley Rehab, Spokane Valley"],
        "hospital_address": ["2450 W Pacific Avenue, Floor 2, Spokane, WA 99201",
                             "14210 E Sprague Avenue, Spokane Valley, WA 99216"],
        "license_information": {"license_number": "HAC.FS.60109870", "state": "WA"},
        "type_2_npi": ["1739055287"],
        "attestation": {"attestation": ATTESTATION, "confirm_attestation": True,
                        "attester_name": "Jordan Ellis, Chief Financial Officer"},
    }


def test_example_json_item(example: dict[str, bytes]) -> None:
    """97110: offered outpatient and (bundled) inpatient, so charged outpatient only."""
    doc = cms_json(example, MERCY)
    items = {i["code_information"][0]["code"]: i for i in doc["standard_charge_information"]}
    assert len(items) == 19
    assert items["97110"] == {
        "description": "Exercises to build strength, motion and endurance",
        "code_information": [{"code": "97110", "type": "CPT"}],
        "standard_charges": [{
            "setting": "outpatient",
            "gross_charge": Decimal("142.00"),
            "discounted_cash": Decimal("92.00"),
            "minimum": Decimal("29.12"),
            "maximum": Decimal("44.60"),
            "payers_information": [
                {"payer_name": "Cigna", "plan_name": "Open Access Plus",
                 "standard_charge_dollar": Decimal("41.30"), "methodology": "fee schedule"},
                {"payer_name": "Humana", "plan_name": "Medicare Advantage HMO",
                 "standard_charge_dollar": Decimal("29.70"), "methodology": "fee schedule",
                 "additional_payer_notes":
                     "102% of the Medicare physician fee schedule of the year of service."},
                {"payer_name": "Medicare", "plan_name": "Part B",
                 "standard_charge_dollar": Decimal("29.12"), "methodology": "fee schedule"},
                {"payer_name": "Premera Blue Cross", "plan_name": "PPO",
                 "standard_charge_dollar": Decimal("44.60"), "methodology": "fee schedule"},
                {"payer_name": "UnitedHealthcare", "plan_name": "Choice Plus",
                 "standard_charge_dollar": Decimal("42.85"), "methodology": "fee schedule"},
            ],
            "additional_generic_notes": "Charged per 15-minute unit of treatment. During an "
            "inpatient stay this service is part of the stay's daily rate and is not charged "
            "separately.",
        }],
    }


def test_amounts_are_json_numbers_written_from_decimals(example: dict[str, bytes],
                                                         inline: dict[str, bytes]) -> None:
    text = example[MERCY + ".json"].decode()
    assert '"gross_charge": 142.00,' in text and '"standard_charge_dollar": 29.12,' in text
    splint = next(i for i in cms_json(inline, STEM)["standard_charge_information"]
                  if i["code_information"][0]["code"] == "L3906")
    assert splint["standard_charges"][0]["gross_charge"] == Decimal("1234567.89")
    assert '"gross_charge": 1234567.89,' in inline[STEM + ".json"].decode()
    assert '"discounted_cash": 0.01,' in inline[STEM + ".json"].decode()


def test_dump_json_never_goes_through_float() -> None:
    value = {"a": Decimal("0.1") + Decimal("0.2"), "b": [Decimal("9999999.99"), True, None],
             "c": "<ü>"}
    assert dump_json(value) == ('{\n  "a": 0.30,\n  "b": [\n    9999999.99,\n    true,\n'
                                '    null\n  ],\n  "c": "<ü>"\n}')
    with pytest.raises(TypeError):
        dump_json({"x": 0.3})
    with pytest.raises(ValueError):
        dump_json(Decimal("NaN"))


def test_settings_code_types_and_notes(inline: dict[str, bytes]) -> None:
    """evaluation, outpatient and telehealth are outpatient care; a bundled inpatient row has
    no charge of its own; a service charged only inside the stay is not listed at all."""
    doc = cms_json(inline, STEM)
    got = {i["code_information"][0]["code"]: (i["code_information"][0]["type"],
                                               i["standard_charges"][0]["setting"],
                                               i["standard_charges"][0]["additional_generic_notes"])
           for i in doc["standard_charge_information"]}
    assert got == {
        "97161": ("CPT", "both", "Charged once per visit."),
        "97110": ("CPT", "outpatient", "Charged per 15-minute unit of treatment."),
        "97530": ("CPT", "inpatient", "Charged per 15-minute unit of treatment."),
        "97116": ("CPT", "outpatient", "Charged per 15-minute unit of treatment. During an "
                  "inpatient stay this service is part of the stay's daily rate and is not "
                  "charged separately."),
        "L3906": ("HCPCS", "outpatient", "Charged once per visit."),
    }
    assert doc["type_2_npi"] == ["1234567893", "1245319599"]
    assert doc["license_information"] == {"state": "OR"}
    assert doc["hospital_name"] == "Example General Hospital"


def test_plans_with_methodology_other_carry_their_notes(inline: dict[str, bytes]) -> None:
    doc = cms_json(inline, STEM)
    evaluation = doc["standard_charge_information"][0]["standard_charges"][0]
    assert evaluation["minimum"] == Decimal("99.50") and evaluation["maximum"] == Decimal("110.00")
    assert evaluation["payers_information"] == [
        {"payer_name": "Acme", "plan_name": "PPO", "standard_charge_dollar": Decimal("110.00"),
         "methodology": "fee schedule"},
        {"payer_name": "Beta Health", "plan_name": "HMO",
         "standard_charge_dollar": Decimal("99.50"), "methodology": "other",
         "additional_payer_notes": "110% of the state Medicaid rate."},
    ]


def test_a_service_without_plan_rates_has_no_minimum_or_maximum(inline: dict[str, bytes]) -> None:
    doc = cms_json(inline, STEM)
    bedside = next(i for i in doc["standard_charge_information"]
                   if i["code_information"][0]["code"] == "97530")
    assert bedside["standard_charges"] == [{
        "setting": "inpatient", "gross_charge": Decimal("70.00"),
        "discounted_cash": Decimal("50.00"),
        "additional_generic_notes": "Charged per 15-minute unit of treatment."}]


# --- the official JSON schema -----------------------------------------------------------------

@pytest.fixture(scope="module")
def schema_validator():
    needs_node_tools()
    from jsonschema import Draft7Validator

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)


def schema_errors(validator, doc: dict) -> list[str]:
    return sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                  for e in validator.iter_errors(doc))


def test_json_files_match_the_official_schema(schema_validator, example, inline) -> None:
    for files, stem in [(example, MERCY), (inline, STEM)]:
        doc = json.loads(files[stem + ".json"])
        assert schema_errors(schema_validator, doc) == [], stem
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert ATTESTATION == schema["definitions"]["attestation"]["properties"]["attestation"][
        "const"]


def _zero_amount(doc: dict) -> None:
    doc["standard_charge_information"][0]["standard_charges"][0]["gross_charge"] = 0


def _lower_case_code_type(doc: dict) -> None:
    doc["standard_charge_information"][0]["code_information"][0]["type"] = "cpt"


def _dollar_without_min_and_max(doc: dict) -> None:
    charges = doc["standard_charge_information"][0]["standard_charges"][0]
    del charges["minimum"], charges["maximum"]


def _wrong_date_format(doc: dict) -> None:
    doc["last_updated_on"] = "11/02/2026"


@pytest.mark.parametrize("spoil, expected", [
    pytest.param(_zero_amount, "standard_charge_information/0/standard_charges/0/gross_charge: "
                 "0 is less than or equal to the minimum of 0", id="zero-amount"),
    pytest.param(_lower_case_code_type, "standard_charge_information/0/code_information/0/type: "
                 "'cpt' is not one of", id="lower-case-code-type"),
    pytest.param(_dollar_without_min_and_max, "standard_charge_information/0/standard_charges/0: "
                 "'minimum' is a required property", id="dollar-without-min-and-max"),
    pytest.param(_wrong_date_format, "last_updated_on: '11/02/2026' is not a 'date'",
                 id="wrong-date-format"),
])
def test_the_schema_refuses_broken_files(schema_validator, example, spoil, expected) -> None:
    doc = json.loads(example[MERCY + ".json"])
    spoil(doc)
    errors = schema_errors(schema_validator, doc)
    assert errors and any(e.startswith(expected) for e in errors), errors


# --- CSV --------------------------------------------------------------------------------------

def test_csv_header_rows_are_the_official_templates(example: dict[str, bytes]) -> None:
    lines = example[MERCY + ".csv"].decode("utf-8").split("\n")
    assert lines[0] == TEMPLATE_ROW_1.replace("[state]", "WA")
    assert lines[2] == TEMPLATE_ROW_3.replace("[i]", "1")
    rows = cms_csv_rows(example, MERCY)
    assert rows[1] == [
        "Mercy Valley Medical Center", "2026-11-02", "3.0.0",
        "Mercy Valley Medical Center, Outpatient Rehabilitation|Mercy Valley Rehab, Spokane Valley",
        "2450 W Pacific Avenue, Floor 2, Spokane, WA 99201|14210 E Sprague Avenue, Spokane "
        "Valley, WA 99216", "HAC.FS.60109870", "1739055287", "true",
        "Jordan Ellis, Chief Financial Officer"] + [""] * 13
    assert {len(row) for row in rows} == {22}
    assert b"\r" not in example[MERCY + ".csv"]


def test_csv_data_rows(example: dict[str, bytes], inline: dict[str, bytes]) -> None:
    rows = cms_csv_rows(example, MERCY)
    header = rows[2]
    records = [dict(zip(header, row)) for row in rows[3:]]
    # one row per service and plan: 19 services, 89 plan rates
    assert len(records) == 89
    row = next(r for r in records if r["code|1"] == "97750" and r["payer_name"] == "Medicare")
    assert row == {
        "description": "Measured tests of strength, endurance and work tasks, with a written "
        "report", "code|1": "97750", "code|1|type": "CPT", "modifiers": "",
        "setting": "outpatient", "drug_unit_of_measurement": "",
        "drug_type_of_measurement": "", "standard_charge|gross": "162.00",
        "standard_charge|discounted_cash": "105.00", "payer_name": "Medicare",
        "plan_name": "Part B", "standard_charge|negotiated_dollar": "35.70",
        "standard_charge|negotiated_percentage": "", "standard_charge|negotiated_algorithm": "",
        "median_amount": "", "10th_percentile": "", "90th_percentile": "", "count": "",
        "standard_charge|methodology": "fee schedule", "standard_charge|min": "35.70",
        "standard_charge|max": "53.30",
        "additional_generic_notes": "Charged per 15-minute unit of treatment."}
    inline_rows = cms_csv_rows(inline, STEM)
    assert inline_rows[0][5] == "license_number|OR" and inline_rows[1][5] == ""
    assert inline_rows[1][6] == "1234567893|1245319599"
    records = [dict(zip(inline_rows[2], row)) for row in inline_rows[3:]]
    assert [(r["code|1"], r["setting"], r["payer_name"], r["standard_charge|negotiated_dollar"],
             r["standard_charge|min"], r["standard_charge|max"]) for r in records] == [
        ("97161", "both", "Acme", "110.00", "99.50", "110.00"),
        ("97161", "both", "Beta Health", "99.50", "99.50", "110.00"),
        ("97110", "outpatient", "Acme", "31.67", "31.67", "31.67"),
        ("97530", "inpatient", "", "", "", ""),
        ("97116", "outpatient", "Acme", "30.10", "30.10", "30.10"),
        ("L3906", "outpatient", "", "", "", ""),
    ]
    assert records[1]["additional_generic_notes"] == \
        "Charged once per visit. 110% of the state Medicaid rate."


# --- the official validator, run with node ----------------------------------------------------

def run_validator(paths: list[Path]) -> dict[str, dict]:
    needs_node_tools()
    done = subprocess.run(["node", str(SCRIPT), *map(str, paths)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode in (0, 1), done.stderr
    return {Path(k).name: v for k, v in json.loads(done.stdout).items()}


def test_the_official_validator_accepts_every_emitted_file(example, inline, tmp_path) -> None:
    written = []
    for files in (example, inline):
        for rel, data in files.items():
            if "_standardcharges." in rel:
                path = tmp_path / str(len(written)) / Path(rel).name
                path.parent.mkdir()
                path.write_bytes(data)
                written.append(path)
    assert len(written) == 6
    report = run_validator(written)
    summary = {name: (r["filenameValid"], r["valid"], len(r["errors"]), len(r["alerts"]))
               for name, r in report.items()}
    assert summary == {path.name: (True, True, 0, 0) for path in written}, report


JSON_SPOILERS = {"zero-amount": _zero_amount, "lower-case-code-type": _lower_case_code_type,
                 "dollar-without-min-max": _dollar_without_min_and_max,
                 "wrong-date-format": _wrong_date_format}
CSV_SPOILERS = {  # (old, new) in the Mercy CSV: the first gross charge, a max, the date
    "zero-amount": (",395.00,255.00,", ",0,255.00,"),
    "dollar-without-max": (",fee schedule,35.70,53.30,", ",fee schedule,35.70,,"),
    "wrong-date-format": (",2026-11-02,", ",2026/11/02,"),
}


def test_the_official_validator_finds_broken_files(example, tmp_path) -> None:
    """The harness really reports problems: each spoiled file gets errors (and the
    validator, like CMS, reads CSV code types case-insensitively, so that case is JSON only)."""
    files = []
    for name, spoil in JSON_SPOILERS.items():
        doc = json.loads(example[MERCY + ".json"], parse_float=Decimal)
        spoil(doc)
        files.append(tmp_path / f"123456789_{name}_standardcharges.json")
        files[-1].write_text(dump_json(doc), encoding="utf-8")
    for name, (old, new) in CSV_SPOILERS.items():
        text = example[MERCY + ".csv"].decode()
        assert old in text, old
        files.append(tmp_path / f"123456789_{name}_standardcharges.csv")
        files[-1].write_text(text.replace(old, new, 1), encoding="utf-8")
    report = run_validator(files)
    first_error = {name.split("_")[1] + Path(name).suffix:
                   (r["valid"], r["errors"][0].get("path"), r["errors"][0]["message"])
                   for name, r in report.items()}
    charges = "/standard_charge_information/0/standard_charges/0"
    code_type = "/standard_charge_information/0/code_information/0/type"
    expected = {  # (valid, where, how the message starts)
        "zero-amount.json": (False, charges + "/gross_charge", "must be > 0"),
        "lower-case-code-type.json": (False, code_type, "must be equal to one of the allowed"),
        "dollar-without-min-max.json": (False, charges, "must have required property 'minimum'"),
        "wrong-date-format.json": (False, "/last_updated_on", 'must match format "date"'),
        "zero-amount.csv": (False, "H4", '"standard_charge|gross" value "0" is not a positive'),
        "dollar-without-max.csv": (False, "U89", 'If there is a "payer specific negotiated'),
        "wrong-date-format.csv": (False, "B2", '"last_updated_on" value "2026/11/02" is not'),
    }
    assert sorted(first_error) == sorted(expected)
    for name, (valid, where, start) in expected.items():
        got = first_error[name]
        assert got[:2] == (valid, where) and got[2].startswith(start), (name, got)


# --- cms-hpt.txt ------------------------------------------------------------------------------

def test_cms_hpt_txt(example: dict[str, bytes]) -> None:
    page = "https://example.org/clinics/mercy-valley-rehab/price-transparency/"
    mrf = f"https://example.org/{MERCY}.json"
    cedar_page = "https://example.org/clinics/cedar-street-pt/price-transparency/"
    cedar = f"https://example.org/{CEDAR}.json"
    assert example["cms-hpt.txt"].decode() == "".join(
        f"location-name: Cedar Street PT, {place}\nsource-page-url: {cedar_page}\n"
        f"mrf-url: {cedar}\ncontact-name: Cedar Street PT billing office\n"
        "contact-email: billing@cedarstreetpt.example.com\n\n"
        for place in ("Atwood", "Middleton")) + (
        "location-name: Mercy Valley Medical Center, Outpatient Rehabilitation\n"
        f"source-page-url: {page}\n"
        f"mrf-url: {mrf}\n"
        "contact-name: Patient Financial Services\n"
        "contact-email: pricing@mercyvalley-health.example.org\n"
        "\n"
        "location-name: Mercy Valley Rehab, Spokane Valley\n"
        f"source-page-url: {page}\n"
        f"mrf-url: {mrf}\n"
        "contact-name: Patient Financial Services\n"
        "contact-email: pricing@mercyvalley-health.example.org\n")


def test_cms_hpt_txt_uses_the_base_url_and_the_clinic_email(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"rates/a.yaml": RATES})
    files = build_ok(root, base_url="https://example.org/repo/")
    assert files["cms-hpt.txt"].decode() == (
        "location-name: Main\n"
        "source-page-url: https://example.org/repo/clinics/a/price-transparency/\n"
        f"mrf-url: https://example.org/repo/{STEM}.json\n"
        "contact-name: Billing Office\n"
        "contact-email: billing@example.org\n")


def test_no_cms_hpt_txt_when_no_clinic_opts_in(tmp_path: Path) -> None:
    files = build_ok(make_site(tmp_path, {"rates/b.yaml": PLAIN}))
    assert "cms-hpt.txt" not in files
    assert not [p for p in files if "standardcharges" in p]


# --- the footer link and the page -------------------------------------------------------------

def footer_links(html: bytes) -> list[tuple[str, str]]:
    tree = html5lib.parse(html)
    footer = next(tree.iter(f"{NS}footer"))
    return [("".join(a.itertext()), a.get("href")) for a in footer.iter(f"{NS}a")
            if "Price" in "".join(a.itertext())
            or "".join(a.itertext()) == "Transparencia de precios"]


def test_every_page_links_price_transparency_in_the_footer(example: dict[str, bytes]) -> None:
    """A clinic's pages link its own Price Transparency page; the other pages link the
    clinics index, which links every clinic's page and files (so no footer grows with the
    number of clinics)."""
    all_slugs = ["cedar-street-pt", "juniper-hill-pt", "little-steps-pediatric",
                 "mercy-valley-rehab", "riverside-hand-ot"]
    pages = [rel for rel in example if rel.endswith(".html")]
    assert len(pages) > 40
    for rel in pages:
        lang = "es/" if rel.startswith("es/") else ""  # a Spanish page links the Spanish one
        page = rel.removeprefix(lang)
        links = footer_links(example[rel])
        own = [s for s in all_slugs if page.startswith(f"clinics/{s}/")]
        assert [text for text, _ in links] == [
            "Transparencia de precios" if lang else "Price Transparency"], rel
        href = links[0][1]
        expected = lang + (f"clinics/{own[0]}/price-transparency" if own else "clinics")
        if page == "404.html":
            assert href == f"/{expected}/"
            continue
        target = os.path.normpath(os.path.join(os.path.dirname(rel), href))
        assert target == expected and href.endswith("/"), (rel, href)
        assert target + "/index.html" in example
    index = html5lib.parse(example["clinics/index.html"])
    main = next(index.iter(f"{NS}main"))
    transparency = [a.get("href") for a in main.iter(f"{NS}a")
                    if "".join(a.itertext()) == "Price Transparency"]
    assert transparency == [f"{slug}/price-transparency/" for slug in all_slugs]
    files = [a.get("href") for a in main.iter(f"{NS}a") if a.get("download") is not None]
    assert files == [
        "cedar-street-pt/392718460_cedar-street-physical-therapy_standardcharges.json",
        "cedar-street-pt/392718460_cedar-street-physical-therapy_standardcharges.csv",
        "cedar-street-pt/prices.json", "cedar-street-pt/prices.csv",
        "juniper-hill-pt/prices.json", "juniper-hill-pt/prices.csv",
        "little-steps-pediatric/prices.json", "little-steps-pediatric/prices.csv",
        MERCY.removeprefix("clinics/") + ".json", MERCY.removeprefix("clinics/") + ".csv",
        "mercy-valley-rehab/prices.json", "mercy-valley-rehab/prices.csv",
        "riverside-hand-ot/prices.json", "riverside-hand-ot/prices.csv"]
    for href in files:
        assert f"clinics/{href}" in example


def test_one_clinic_one_footer_link(tmp_path: Path) -> None:
    files = build_ok(make_site(tmp_path, {"rates/b.yaml": PLAIN}))
    assert footer_links(files["index.html"]) == [
        ("Price Transparency", "clinics/b/price-transparency/")]
    assert footer_links(files["clinics/b/evaluation/index.html"]) == [
        ("Price Transparency", "../price-transparency/")]
    assert "clinics/index.html" not in files  # one clinic: its own page is the index


def page_downloads(html: bytes) -> list[str]:
    tree = html5lib.parse(html)
    return [a.get("href") for a in tree.iter(f"{NS}a") if a.get("download") is not None]


def test_the_page_offers_every_file(example: dict[str, bytes], inline) -> None:
    page = example["clinics/mercy-valley-rehab/price-transparency/index.html"]
    assert page_downloads(page) == [
        "../913072584_mercy-valley-medical-center_standardcharges.json",
        "../913072584_mercy-valley-medical-center_standardcharges.csv",
        "../prices.json", "../prices.csv"]
    assert page_downloads(example["clinics/riverside-hand-ot/price-transparency/index.html"]) \
        == ["../prices.json", "../prices.csv"]
    for rel in [MERCY + ".json", MERCY + ".csv", "clinics/riverside-hand-ot/prices.csv"]:
        assert rel in example
    clinic = html5lib.parse(example["clinics/mercy-valley-rehab/index.html"])
    main = next(clinic.iter(f"{NS}main"))
    assert [a.get("href") for a in main.iter(f"{NS}a") if "price" in "".join(a.itertext())] \
        == ["price-transparency/"]
    text = "".join(html5lib.parse(page).iter(f"{NS}main").__next__().itertext())
    assert "Questions about these files: Patient Financial Services, " \
        "pricing@mercyvalley-health.example.org." in text


# --- validation of price_transparency ---------------------------------------------------------

P = "rates/a.yaml"


@pytest.mark.parametrize("old, new, expected", [
    pytest.param("  attester_name: Pat Doe\n", "",
                 f"{P}:13:3: error: missing required key 'attester_name' in "
                 "'price_transparency'; add 'attester_name: ...'", id="no-attester"),
    pytest.param("  license_state: OR\n", "",
                 f"{P}:13:3: error: missing required key 'license_state' in "
                 "'price_transparency'; add 'license_state: ...'", id="no-license-state"),
    pytest.param("  contact_name: Billing Office\n", "",
                 f"{P}:13:3: error: missing required key 'contact_name' in "
                 "'price_transparency'; add 'contact_name: ...'", id="no-contact-name"),
    pytest.param("license_state: OR", "license_state: Oregon",
                 f"{P}:13:18: error: license_state 'Oregon' must be the two-letter code of a "
                 "US state or territory in capitals, like WA", id="license-state-name"),
    pytest.param('"1245319599"]', '"1245319598"]',
                 f"{P}:16:31: error: NPI '1245319598' fails its check digit; copy it again "
                 "from the NPPES registry", id="npi-check-digit"),
    pytest.param("    methodology: other\n", "    methodology: fee scheduel\n",
                 f"{P}:23:18: error: unknown methodology value \"fee scheduel\"; did you mean "
                 "'fee schedule'? (allowed: fee schedule, case rate, per diem, percent of total "
                 "billed charges, other)", id="methodology-typo"),
    pytest.param("    methodology_notes: 110% of the state Medicaid rate.\n", "",
                 f"{P}:23:18: error: methodology 'other' of 'Beta Health HMO' needs "
                 "methodology_notes; explain in methodology_notes how the rate is set",
                 id="other-without-notes"),
    pytest.param("  email: billing@example.org\n", "",
                 f"{P}:11:1: error: price_transparency needs contact_email (or clinic.email) "
                 "for cms-hpt.txt; add contact_email: under price_transparency",
                 id="no-contact-email"),
    pytest.param("    - name: Main\n", "    - name: Main | East\n",
                 f"{P}:8:13: error: location name 'Main | East' contains '|', which separates "
                 "locations in the CMS CSV file; use another character", id="pipe-in-name"),
    pytest.param("street: 1 Main St,", "street: 1 Main St | Suite 2,",
                 f"{P}:9:25: error: street '1 Main St | Suite 2' contains '|', which separates "
                 "locations in the CMS CSV file; use another character", id="pipe-in-street"),
])
def test_price_transparency_errors(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert diagnostics(tmp_path, changed(RATES, old, new)) == [expected]


def test_the_inline_fee_schedule_is_valid(tmp_path: Path) -> None:
    assert diagnostics(tmp_path, RATES) == []


def test_hospital_without_price_transparency_is_warned(tmp_path: Path) -> None:
    rates = changed(PLAIN, "  disciplines: [OT]\n", "  disciplines: [OT]\n  hospital_based: true\n")
    assert [d for d in diagnostics(tmp_path, rates) if "hospital" in d] == [
        f"{P}:6:19: warning: a hospital-based department must publish the CMS hospital price "
        "transparency file, but this fee schedule has no price_transparency; add "
        "price_transparency (see docs/fee-schedule.md), unless the hospital publishes the file "
        "on its own website"]


def test_a_base_url_without_host_is_warned(tmp_path: Path) -> None:
    site = "title: Test prices\nbase_url: /prices/\n"
    assert diagnostics(tmp_path, RATES, site) == [
        "site.yaml:2:11: warning: base_url '/prices/' is not a full address, so cms-hpt.txt "
        "cannot give full URLs for Example Rehab & Therapy; set base_url (or --base-url) to "
        "the public address, like https://example.org/"]
