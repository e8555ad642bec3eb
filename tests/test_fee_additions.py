"""Fee schedule additions, end to end: modifiers, per-location prices, cash price ranges,
visit prices, prepaid packages, sliding scales, the wide CMS CSV, and dated fee schedules
with their price history. Each runs from the fee schedule through the cost table, the
estimates, the good faith estimate and the price files; each new rule has its exact message.
"""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal
from pathlib import Path

import html5lib
import pytest
from helpers import SITE, changed, load, make_site

from sitegen.build import BuildOptions, build

NS = "{http://www.w3.org/1999/xhtml}"
P = "rates/a.yaml"

GUIDELINES = """\
poverty_guidelines:
  year: 2026
  source_title: HHS Poverty Guidelines for 2026
  source_url: https://aspe.hhs.gov/topics/poverty-economic-mobility/poverty-guidelines
  checked: 2026-11-30
  contiguous: {first_person: 15960.00, each_additional: 5680.00}
  alaska: {first_person: 19950.00, each_additional: 7100.00}
  hawaii: {first_person: 18360.00, each_additional: 6530.00}
scenarios:
  - {id: self-pay, name: Paying yourself, network: self-pay}
  - id: limited
    name: In network with 3 visits left
    network: in-network
    coinsurance: 0.20
    visits_remaining: 3
"""
FULL_SITE = SITE + GUIDELINES

FULL = """\
clinic:
  name: Test Clinic
  npi: "1234567893"
  tin: "12-3456789"
  disciplines: [PT]
  locations:
    - id: north
      name: North
      address: {street: 1 Main St, city: Portland, state: OR, zip: "97201"}
      phone: "503-555-0100"
    - id: south
      name: South
      address: {street: 2 Oak St, city: Salem, state: OR, zip: "97301"}
      phone: "503-555-0101"
  last_updated: 2026-09-01
payers:
  - {name: Acme, plan: PPO}
price_transparency:
  license_state: OR
  attester_name: A. Person
  contact_name: Billing
  contact_email: billing@example.org
  csv_layout: wide
services:
  - id: eval
    code: "97161"
    modifiers: [GP]
    description: First visit
    settings: [evaluation]
    gross_charge: 200.00
    cash_price: 150.00
    cash_price_max: 180.00
    negotiated: {Acme PPO: 100.00}
    location: north
  - id: eval-south
    code: "97161"
    modifiers: [GP]
    description: First visit
    settings: [evaluation]
    gross_charge: 220.00
    cash_price: 160.00
    negotiated: {Acme PPO: 100.00}
    location: south
  - id: exercise
    code: "97110"
    modifiers: [GP]
    description: Exercises
    settings: [outpatient]
    timed: true
    gross_charge: 60.00
    cash_price: 40.00
    negotiated: {Acme PPO: 30.00}
sessions:
  - id: visit-45
    name: 45-minute visit
    setting: outpatient
    cash_price: 100.00
    lines:
      - {service: exercise, minutes: 45}
packages:
  - id: five
    name: Five visits
    session: visit-45
    visits: 5
    price: 450.00
    valid_months: 3
sliding_scale:
  how_to_apply: Ask at the desk.
  tiers:
    - {up_to_percent: 100, visit_price: 30.00}
    - {up_to_percent: 200, discount: 0.40}
courses:
  - id: eval-and-7
    name: Evaluation and 7 visits
    visits:
      - service: eval
      - session: visit-45
        count: 7
"""


def build_ok(root: Path) -> dict[str, bytes]:
    result = build(BuildOptions(root=root), write=False)
    assert result.ok, [d.format() for d in result.diagnostics.items]
    return result.files


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    root = make_site(tmp_path_factory.mktemp("full"), {"site.yaml": FULL_SITE, P: FULL})
    return build_ok(root)


def words(html: bytes, element: str = "main") -> str:
    tree = html5lib.parse(html)
    node = next(tree.iter(f"{NS}{element}"))
    return re.sub(r"\s+", " ", "".join(node.itertext())).strip()


def by_id(html: bytes, id_: str):
    return next(e for e in html5lib.parse(html).iter() if e.get("id") == id_)


def text(node) -> str:
    return re.sub(r"\s+", " ", "".join(node.itertext())).strip()


# --- the cost tables --------------------------------------------------------------------

def test_cost_table_shows_modifiers_locations_and_ranges(full) -> None:
    page = full["clinics/a/evaluation/index.html"]
    north, south = by_id(page, "eval"), by_id(page, "eval-south")
    assert text(north) == ("First visit at North (Portland, OR) only CPT 97161-GP per visit "
                           "$200.00 $150.00 to $180.00 (depends on what the therapist finds) "
                           "$100.00 (1 plan)")
    assert text(south) == ("First visit at South (Salem, OR) only CPT 97161-GP per visit "
                           "$220.00 $160.00 $100.00 (1 plan)")


def test_cost_table_lists_visit_prices_and_packages(full) -> None:
    page = full["clinics/a/outpatient/index.html"]
    assert text(by_id(page, "visit--visit-45")) == "45-minute visit: $100.00 per visit."
    assert text(by_id(page, "package--five")) == \
        "Five visits: 5 visits for $450.00, to be used within 3 months."


def test_service_page_names_each_location(full) -> None:
    page = words(full["services/97161/index.html"])
    assert "Evaluations, billed as 97161-GP, at North (Portland, OR)" in page
    assert "Evaluations, billed as 97161-GP, at South (Salem, OR)" in page


# --- the estimates ----------------------------------------------------------------------

def totals(page: bytes) -> dict[str, tuple[str, str]]:
    """Scenario row id -> (you pay, plan pays)."""
    found = {}
    for tr in html5lib.parse(page).iter(f"{NS}tr"):
        if (tr.get("id") or "").startswith("eval-and-7--"):
            cells = [text(c) for c in tr]
            found[tr.get("id").removeprefix("eval-and-7--")] = (cells[1], cells[2])
    return found


def test_estimates_price_visit_prices_ranges_packages_and_tiers(full) -> None:
    # self-pay: the evaluation at the high end of its range (180) + 7 visits at the visit
    # price 100 = 880; the package: 180 + 450 for 5 visits + 2 x 100 = 830; tier 1: every
    # visit 30 (its fixed price) = 240; tier 2: 40% off, 108 + 7 x 60 = 528. In network,
    # 20% of the allowed amounts (eval 100, visit 3 units x 30) for 3 covered visits
    # (20 + 18 + 18), then 5 visits over the limit at the visit's cash price: 556.
    assert totals(full["clinics/a/estimates/index.html"]) == {
        "self-pay": ("$880.00", "$0.00"),
        "limited": ("$556.00", "$224.00"),
        "package-five": ("$830.00", "$0.00"),
        "sliding-scale-1": ("$240.00", "$0.00"),
        "sliding-scale-2": ("$528.00", "$0.00"),
    }


def test_estimates_say_which_end_of_a_range_they_use(full) -> None:
    page = words(full["clinics/a/estimates/index.html"])
    assert "this estimate uses the high end of the range, so the real price is the same or " \
        "lower" in page
    assert "1 × First visit: CPT 97161-GP × 1 at North (Portland, OR). Charge $200.00, cash " \
        "price $150.00 to $180.00 per visit." in page
    assert "7 × 45-minute visit (45 timed minutes, billed as 3 units): CPT 97110-GP × 3 " \
        "(45 min). Charge $180.00, visit price $100.00 per visit." in page
    assert "You pay $450.00 in advance for 5 visits of this kind, to be used within 3 months " \
        "of buying it; you buy 1 package for this course and pay the cash price for the " \
        "other visits." in page
    assert "The clinic's sliding scale (Sliding scale for people who pay themselves) gives " \
        "40% off the cash price to households with a yearly income above 100% and up to " \
        "200% of the federal poverty guideline" in page


# --- the good faith estimate ------------------------------------------------------------

def test_good_faith_estimate_uses_high_ends_visit_prices_and_lists_the_package(full) -> None:
    page = full["clinics/a/good-faith-estimate/index.html"]
    section = by_id(page, "gfe-eval-and-7")
    rows = [[text(c) for c in tr] for tr in section.iter(f"{NS}tr")
            if "gfe-item" in (tr.get("class") or "") or "gfe-visit" in (tr.get("class") or "")]
    assert rows == [
        ["1 × First visit"],
        ["First visit", "CPT 97161-GP", "", "1", "$180.00 (high end of $150.00 to $180.00)",
         "$180.00"],
        ["7 × 45-minute visit (45 minutes), at the visit price of $100.00 each: $700.00"],
        ["Exercises (45 minutes a visit)", "CPT 97110-GP", "", "21 (3 a visit × 7)",
         "In the visit price"],
    ]
    assert text(by_id_field(section, "total")) == "$880.00"
    assert "uses the high end of each range" in text(by_id_field(section, "range-note"))
    assert text(by_id_field(section, "package-five")) == (
        'If you buy the prepaid package "Five visits" (5 visits for $450.00, valid 3 months), '
        "the expected charges are $830.00: 1 × $450.00, plus the cash price of 3 other "
        "visits.")


def by_id_field(section, name: str):
    return next(e for e in section.iter() if e.get("data-field") == name)


def test_good_faith_estimate_names_the_one_location_of_located_prices(tmp_path) -> None:
    rates = changed(FULL, "      - {service: exercise, minutes: 45}",
                    "      - {service: exercise, minutes: 45}\n"
                    "  - id: eval-visit\n    name: Evaluation\n    setting: evaluation\n"
                    "    lines:\n      - {service: eval-south, units: 1}")
    rates = changed(rates, "      - service: eval\n", "      - session: eval-visit\n")
    rates = rates.replace("      - session: visit-45\n        count: 7\n", "")
    files = build_ok(make_site(tmp_path, {"site.yaml": FULL_SITE, P: rates}))
    section = by_id(files["clinics/a/good-faith-estimate/index.html"], "gfe-eval-and-7")
    assert text(by_id_field(section, "locations")) == "South, 2 Oak St, Salem, OR 97301"


# --- the sliding-scale page -------------------------------------------------------------

def test_sliding_scale_page_has_the_income_table_and_its_source(full) -> None:
    page = full["clinics/a/sliding-scale/index.html"]
    tables = [t for t in html5lib.parse(page).iter(f"{NS}table")]
    body = [[text(c) for c in tr] for tr in next(tables[0].iter(f"{NS}tbody")).iter(f"{NS}tr")]
    assert body[0] == ["1", "$15,960.00", "$31,920.00"]
    assert body[3] == ["4", "$33,000.00", "$66,000.00"]
    assert body[7] == ["8", "$55,720.00", "$111,440.00"]
    said = words(page)
    assert "Household income up to 100% of the guideline: $30.00 per visit (or the cash " \
        "price, if that is lower)." in said
    assert "Household income above 100% and up to 200% of the guideline: 40% off the cash " \
        "price of every visit." in said
    assert "Source: HHS Poverty Guidelines for 2026, checked November 30, 2026." in said
    assert "Ask at the desk." in said
    assert 'href="sliding-scale/"' in full["clinics/a/index.html"].decode()


def test_alaska_and_hawaii_use_their_own_guidelines(tmp_path) -> None:
    rates = changed(FULL, "city: Portland, state: OR", "city: Honolulu, state: HI")
    files = build_ok(make_site(tmp_path, {"site.yaml": FULL_SITE, P: rates}))
    page = files["clinics/a/sliding-scale/index.html"]
    assert "(2026 poverty guidelines for Hawaii)" in words(page)
    assert "$18,360.00" in words(page) and "$15,960.00" not in words(page)


# --- the price files --------------------------------------------------------------------

def test_prices_json_carries_every_addition(full) -> None:
    doc = json.loads(full["clinics/a/prices.json"])
    eval_row = next(r for r in doc["rows"] if r["service_id"] == "eval")
    assert (eval_row["modifiers"], eval_row["location"], eval_row["cash_price"],
            eval_row["cash_price_max"]) == ("GP", "North", "150.00", "180.00")
    assert doc["visits"] == [{"session_id": "visit-45", "name": "45-minute visit",
                              "setting": "outpatient", "cash_price": "100.00",
                              "cash_price_max": None}]
    assert doc["packages"] == [{"package_id": "five", "name": "Five visits",
                                "session_id": "visit-45", "visits": 5, "price": "450.00",
                                "valid_months": 3}]
    assert doc["sliding_scale"] == [
        {"up_to_percent_of_poverty_guideline": 100, "discount": None, "visit_price": "30.00"},
        {"up_to_percent_of_poverty_guideline": 200, "discount": "0.40", "visit_price": None}]
    table = list(csv.DictReader(io.StringIO(full["clinics/a/prices.csv"].decode())))
    assert [(r["kind"], r["id"], r["modifiers"], r["location"], r["location_city"],
             r["cash_price"], r["cash_price_max"], r["session_id"], r["visits"],
             r["valid_months"], r["price"], r["up_to_percent_of_poverty_guideline"],
             r["discount"], r["visit_price"], r["negotiated: Acme PPO"]) for r in table] == [
        ("service", "eval", "GP", "North", "Portland", "150.00", "180.00", *[""] * 7, "100.00"),
        ("service", "eval-south", "GP", "South", "Salem", "160.00", "", *[""] * 7, "100.00"),
        ("service", "exercise", "GP", "", "", "40.00", "", *[""] * 7, "30.00"),
        ("visit", "visit-45", "", "", "", "100.00", "", *[""] * 7, ""),
        ("package", "five", "", "", "", "", "", "visit-45", "5", "3", "450.00", "", "", "", ""),
        ("sliding-scale", "1", "", "", "", "", "", "", "", "", "", "100", "", "30.00", ""),
        ("sliding-scale", "2", "", "", "", "", "", "", "", "", "", "200", "0.40", "", "")]


def test_json_ld_has_ranges_locations_and_packages(full) -> None:
    page = html5lib.parse(full["clinics/a/index.html"])
    data = json.loads(next(page.iter(f"{NS}script")).text)
    offers = data["makesOffer"]
    assert offers[0]["itemOffered"]["code"]["codeValue"] == "97161-GP"
    assert offers[0]["availableAtOrFrom"] == {
        "@type": "Place", "name": "North", "address": {
            "@type": "PostalAddress", "addressLocality": "Portland", "addressRegion": "OR"}}
    assert offers[-2] == {"@type": "Offer", "name": "Visit: 45-minute visit", "price": "100.00",
                          "priceCurrency": "USD", "priceSpecification": [{
                              "@type": "UnitPriceSpecification", "name": "Cash price",
                              "price": "100.00", "priceCurrency": "USD", "referenceQuantity": {
                                  "@type": "QuantitativeValue", "value": 1,
                                  "unitText": "per visit"}}]}
    cash = offers[0]["priceSpecification"][0]
    assert (cash["minPrice"], cash["maxPrice"]) == ("150.00", "180.00") and "price" not in cash
    assert offers[-1] == {"@type": "Offer", "name": "Prepaid package: Five visits",
                          "price": "450.00", "priceCurrency": "USD",
                          "eligibleQuantity": {"@type": "QuantitativeValue", "value": 5,
                                               "unitText": "visits"}}


CMS = "clinics/a/123456789_test-clinic_standardcharges"


def test_cms_json_has_modifier_codes_and_notes_for_what_it_has_no_field_for(full) -> None:
    doc = json.loads(full[CMS + ".json"], parse_float=Decimal)
    first = doc["standard_charge_information"][0]["standard_charges"][0]
    assert first["modifier_code"] == ["GP"]
    assert first["discounted_cash"] == Decimal("180.00")
    assert first["additional_generic_notes"] == (
        "Charged once per visit. This price applies at North, 1 Main St, Portland, OR 97201, "
        "only. The discounted cash price ranges from 150.00 to 180.00 depending on what the "
        "therapist finds; the high end is given.")


def test_cms_wide_csv_has_one_column_group_per_plan(full) -> None:
    rows = list(csv.reader(io.StringIO(full[CMS + ".csv"].decode())))
    assert rows[2] == [
        "description", "code|1", "code|1|type", "modifiers", "setting",
        "drug_unit_of_measurement", "drug_type_of_measurement", "standard_charge|gross",
        "standard_charge|discounted_cash", "standard_charge|Acme|PPO|negotiated_dollar",
        "standard_charge|Acme|PPO|negotiated_percentage",
        "standard_charge|Acme|PPO|negotiated_algorithm", "median_amount|Acme|PPO",
        "10th_percentile|Acme|PPO", "90th_percentile|Acme|PPO", "count|Acme|PPO",
        "standard_charge|Acme|PPO|methodology", "additional_payer_notes|Acme|PPO",
        "standard_charge|min", "standard_charge|max", "additional_generic_notes"]
    assert len(rows) == 6 and all(len(r) == len(rows[2]) for r in rows)
    exercise = dict(zip(rows[2], rows[5]))
    assert {k: v for k, v in exercise.items() if v} == {
        "description": "Exercises", "code|1": "97110", "code|1|type": "CPT", "modifiers": "GP",
        "setting": "outpatient", "standard_charge|gross": "60.00",
        "standard_charge|discounted_cash": "40.00",
        "standard_charge|Acme|PPO|negotiated_dollar": "30.00",
        "standard_charge|Acme|PPO|methodology": "fee schedule", "standard_charge|min": "30.00",
        "standard_charge|max": "30.00",
        "additional_generic_notes": "Charged per 15-minute unit of treatment."}


def test_the_official_validator_accepts_wide_and_tall_files_with_modifiers(full,
                                                                            tmp_path) -> None:
    from test_mrf import run_validator

    tall = make_site(tmp_path / "tall", {"site.yaml": FULL_SITE,
                                         P: FULL.replace("  csv_layout: wide\n", "")})
    written = []
    for i, files in enumerate((full, build_ok(tall))):
        for rel, data in files.items():
            if "_standardcharges." in rel:
                path = tmp_path / str(i) / Path(rel).name
                path.parent.mkdir(exist_ok=True)
                path.write_bytes(data)
                written.append(path)
    assert len(written) == 4
    report = run_validator(written)
    summary = {p: (r["valid"], len(r["errors"]), len(r["alerts"])) for p, r in report.items()}
    assert set(summary.values()) == {(True, 0, 0)}, report


# --- validation: every new rule, with its exact message -------------------------------------

def line_col(text: str, needle: str, nth: int = 0) -> str:
    """'line:col' (1-based) of the nth occurrence of `needle` in `text`."""
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    line = text.count("\n", 0, at) + 1
    return f"{line}:{at - text.rfind(chr(10), 0, at)}"


def errors(tmp_path: Path, rates: str, site: str = FULL_SITE) -> list[str]:
    return load(make_site(tmp_path, {"site.yaml": site, P: rates}))[1]


def test_the_full_example_is_valid(tmp_path) -> None:
    assert errors(tmp_path, FULL) == []


@pytest.mark.parametrize("old, new, needle, message", [
    ("    modifiers: [GP]\n    description: Exercises", "    modifiers: [GX]\n    "
     "description: Exercises", "GX]", "unknown modifier 'GX'; use one of GP, GO, GN, 59, XE, "
     "XP, XS, XU, KX, CQ, CO, 95, 93"),
    ("    modifiers: [GP]\n    description: Exercises", "    modifiers: [gp]\n    "
     "description: Exercises", "gp]", "unknown modifier 'gp'; write it as GP"),
    ("    modifiers: [GP]\n    description: Exercises", "    modifiers: [GP, 59]\n    "
     "description: Exercises", "59]", 'modifiers must be text (got number 59); put it in '
     'quotes: "59"'),
])
def test_modifier_values(tmp_path, old, new, needle, message) -> None:
    rates = changed(FULL, old, new)
    assert errors(tmp_path, rates) == [f"{P}:{line_col(rates, needle)}: error: {message}"]


@pytest.mark.parametrize("old, new, needle, message", [
    # a code with its modifiers glued on (the newcomer's "97110-GP")
    ('    code: "97110"\n    modifiers: [GP]\n', '    code: "97110-GP"\n', '"97110-GP"',
     "'97110-GP' is not a valid CPT code: modifiers go in their own key (write code: "
     "\"97110\" and modifiers: [GP]); check the code; set code_type: HCPCS for HCPCS codes "
     "like G0283"),
    ("    modifiers: [GP]\n    description: Exercises", "    modifiers: [GP, GP]\n    "
     "description: Exercises", "[GP, GP]", "'exercise' lists a modifier twice; list each "
     "modifier once"),
    ("    location: south\n", "    location: sooth\n", "sooth", "'eval-south' names unknown "
     "location 'sooth'; did you mean 'south'?"),
    ("    cash_price: 150.00\n    cash_price_max: 180.00", "    cash_price: 150.00\n    "
     "cash_price_max: 150.00", "150.00\n    negotiated", "cash_price_max 150.00 must be above "
     "cash_price 150.00; give the range from low (cash_price) to high (cash_price_max), or "
     "remove cash_price_max"),
    ("    cash_price: 100.00\n    lines:", "    cash_price_max: 120.00\n    lines:", "120.00",
     "cash_price_max needs a cash_price (the low end of the range); add cash_price: with the "
     "lowest price"),
    ("    session: visit-45\n    visits: 5", "    session: visit-54\n    visits: 5",
     "visit-54", "package 'five' names unknown session 'visit-54'; did you mean 'visit-45'?"),
    ("    - {up_to_percent: 200, discount: 0.40}", "    - {up_to_percent: 200, discount: 0.40,"
     " visit_price: 20.00}", "{up_to_percent: 200", "a sliding-scale tier needs exactly one of "
     "discount or visit_price; write discount: 0.50 (50% off the cash price) or visit_price: "
     "40.00 (a fixed price per visit)"),
    ("    - {up_to_percent: 200, discount: 0.40}", "    - {up_to_percent: 100, discount: 0.40}",
     "100, discount", "sliding-scale tiers must go up: 100% is not above the tier before it "
     "(100%); list the tiers from the lowest income to the highest"),
    ("  - {name: Acme, plan: PPO}", "  - {name: Acme, plan: PPO|Gold}", "{name: Acme",
     "payer plan 'Acme PPO|Gold' contains '|', which separates payer and plan in the wide CMS "
     "CSV file; use another character, or csv_layout: tall"),
    ("    - id: south\n", "    - id: north\n", "north\n      name: South",
     "duplicate location id 'north' (first given on line 7); each location id must be unique "
     "in the file"),
])
def test_new_rules(tmp_path, old, new, needle, message) -> None:
    rates = changed(FULL, old, new)
    found = errors(tmp_path, rates)
    assert f"{P}:{line_col(rates, needle)}: error: {message}" in found, found


def test_the_same_code_twice_needs_another_location_or_modifier(tmp_path) -> None:
    rates = changed(FULL, "    location: south\n", "    location: north\n")
    code = '"97161"'
    assert errors(tmp_path, rates) == [
        f"{P}:{line_col(rates, code, 1)}: error: code 97161-GP is listed twice (first on line "
        f"{line_col(rates, code).split(':')[0]}) with the same modifiers, location and "
        "setting; remove one, or tell them apart with modifiers:, location: or settings:"]
    # modifiers in another order are the same modifiers
    rates = changed(FULL, "    location: south\n", "    location: north\n")
    rates = rates.replace("    modifiers: [GP]\n    description: First visit",
                          "    modifiers: [GP, KX]\n    description: First visit", 1)
    assert errors(tmp_path / "b", rates) == []


def test_a_sliding_scale_needs_the_poverty_guidelines(tmp_path) -> None:
    assert errors(tmp_path, FULL, SITE) == [
        f"{P}:{line_col(FULL, 'sliding_scale:')}: error: sliding_scale needs the year's "
        "federal poverty guidelines, but site.yaml has no poverty_guidelines; add "
        "poverty_guidelines: to site.yaml (see docs/fee-schedule.md)"]


# --- dated fee schedules and the price history ------------------------------------------

H1 = FULL.replace("  last_updated: 2026-09-01", "  last_updated: 2026-01-01")
H2 = changed(changed(FULL, "    cash_price: 40.00", "    cash_price: 45.00"),
             "    cash_price: 100.00\n", "    cash_price: 104.00\n")
H3 = changed(changed(H2, "    cash_price: 45.00", "    cash_price: 50.00"),
             "    price: 450.00", "    price: 470.00")


def history_site(tmp_path: Path, extra: dict[str, str | None] | None = None) -> Path:
    return make_site(tmp_path, {"site.yaml": FULL_SITE, P: None,
                                "rates/a/2026-01-01.yaml": H1, "rates/a/2026-06-01.yaml": H2,
                                "rates/a/2027-01-01.yaml": H3, **(extra or {})})


def test_the_schedule_in_effect_is_published_and_the_next_one_announced(tmp_path) -> None:
    files = build_ok(history_site(tmp_path))  # the suite's date: 2026-11-27
    page = files["clinics/a/outpatient/index.html"]
    assert text(by_id(page, "exercise")).split(" per 15 minutes ")[1].startswith(
        "$60.00 $45.00")
    assert text(by_id(page, "upcoming--2027-01-01")) == (
        "New prices take effect on January 1, 2027: rows that change say so below; see the "
        "price history.")
    assert "From January 1, 2027: cash price $50.00 (up $5.00)." in words(page)
    doc = json.loads(files["clinics/a/prices.json"])
    assert doc["effective_from"] == "2026-06-01"
    assert [u["effective_from"] for u in doc["upcoming"]] == ["2027-01-01"]
    assert next(r for r in doc["upcoming"][0]["rows"]
                if r["service_id"] == "exercise")["cash_price"] == "50.00"


def test_the_price_history_page_lists_what_moved(tmp_path) -> None:
    files = build_ok(history_site(tmp_path))
    page = files["clinics/a/price-history/index.html"]
    sections = [s for s in html5lib.parse(page).iter(f"{NS}section")]
    assert [text(next(s.iter(f"{NS}h2"))) for s in sections] == [
        "Upcoming: from January 1, 2027 (compared with June 1, 2026)",
        "From June 1, 2026 (compared with January 1, 2026)"]
    rows = [[text(c) for c in tr] for tr in sections[0].iter(f"{NS}tr")][1:]
    assert rows == [
        ["Exercises (CPT 97110-GP)", "Cash price", "$45.00", "$50.00", "up $5.00"],
        ["Prepaid package: Five visits", "Package price", "$450.00", "$470.00", "up $20.00"]]
    rows = [[text(c) for c in tr] for tr in sections[1].iter(f"{NS}tr")][1:]
    assert rows == [
        ["Exercises (CPT 97110-GP)", "Cash price", "$40.00", "$45.00", "up $5.00"],
        ["45-minute visit (one price per visit)", "Visit price", "$100.00", "$104.00",
         "up $4.00"]]


def test_added_and_removed_services_and_lower_prices(tmp_path) -> None:
    from sitegen.history import diff
    from sitegen.model import Edition

    after_text = changed(H1, "    cash_price: 160.00", "    cash_price: 155.50")
    after_text = changed(after_text, '    code: "97110"', '    code: "97112"')
    schedules = []
    for i, text_ in enumerate((H1, after_text)):
        site, found = load(make_site(tmp_path / str(i), {"site.yaml": FULL_SITE, P: text_}))
        assert found == [] and site is not None
        schedules.append(site.clinics[0].schedule)
    d = diff(Edition(effective="2026-01-01", path="a", schedule=schedules[0]),
             Edition(effective="2026-06-01", path="b", schedule=schedules[1]), False)
    assert [(i.kind, i.name) for i in d.items] == [
        ("changed", "First visit (CPT 97161-GP, at South)"),
        ("added", "Exercises (CPT 97112-GP)"),
        ("removed", "Exercises (CPT 97110-GP)")]
    assert [(c.what, c.before, c.after, c.difference) for c in d.items[0].changes] == [
        ("Cash price", Decimal("160.00"), Decimal("155.50"), Decimal("-4.50"))]


def test_a_rebuild_on_the_date_switches_to_the_new_prices(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1798848000")  # 2027-01-02
    files = build_ok(history_site(tmp_path))
    page = files["clinics/a/outpatient/index.html"]
    assert text(by_id(page, "exercise")).split(" per 15 minutes ")[1].startswith(
        "$60.00 $50.00")
    assert "New prices take effect" not in words(page)
    assert json.loads(files["clinics/a/prices.json"])["effective_from"] == "2027-01-01"


def test_dated_file_errors(tmp_path) -> None:
    site = history_site(tmp_path, {"rates/a/2026-13-01.yaml": H1, "rates/a.yaml": FULL,
                                   "rates/b/2030-01-01.yaml": FULL.replace(
                                       "name: Test Clinic", "name: Later Clinic")})
    assert load(site)[1] == [
        "rates/a/2026-01-01.yaml: error: clinic 'a' has both rates/a.yaml and a folder "
        "rates/a/; move rates/a.yaml into the folder, named by the date its prices took effect",
        "rates/a/2026-06-01.yaml: error: clinic 'a' has both rates/a.yaml and a folder "
        "rates/a/; move rates/a.yaml into the folder, named by the date its prices took effect",
        "rates/a/2026-13-01.yaml: error: clinic 'a' has both rates/a.yaml and a folder "
        "rates/a/; move rates/a.yaml into the folder, named by the date its prices took effect",
        "rates/a/2027-01-01.yaml: error: clinic 'a' has both rates/a.yaml and a folder "
        "rates/a/; move rates/a.yaml into the folder, named by the date its prices took effect",
        "rates/b/2030-01-01.yaml: error: no fee schedule of 'b' is in effect yet: the first "
        "takes effect on 2030-01-01; add the schedule in effect today, named by the date it "
        "took effect",
    ]


def test_a_file_name_that_is_not_a_date(tmp_path) -> None:
    site = history_site(tmp_path, {"rates/a/2026-13-01.yaml": H1, "rates/a/current.yaml": H1})
    assert load(site)[1] == [
        "rates/a/2026-13-01.yaml: error: the file name '2026-13-01.yaml' is not the date its "
        "prices take effect; name each file in a clinic's folder by that date, like "
        "rates/my-clinic/2026-01-01.yaml",
        "rates/a/current.yaml: error: the file name 'current.yaml' is not the date its prices "
        "take effect; name each file in a clinic's folder by that date, like "
        "rates/my-clinic/2026-01-01.yaml"]


def test_errors_in_an_earlier_or_later_schedule_are_reported(tmp_path) -> None:
    broken = changed(H3, "    session: visit-45\n    visits: 5", "    session: nope\n    visits: 5")
    site = history_site(tmp_path, {"rates/a/2027-01-01.yaml": broken})
    assert load(site)[1] == [
        f"rates/a/2027-01-01.yaml:{line_col(broken, 'nope')}: error: package 'five' names "
        "unknown session 'nope'; use the id of one of this file's sessions"]


def test_a_folder_name_that_cannot_be_an_address(tmp_path) -> None:
    site = make_site(tmp_path, {"site.yaml": FULL_SITE, P: None,
                                "rates/My Clinic/2026-01-01.yaml": H1})
    assert load(site)[1] == [
        "rates/My Clinic/2026-01-01.yaml: error: the folder name 'My Clinic' cannot be used in "
        "a web address; rename the folder to rates/my-clinic/ (lower-case letters, digits and "
        "dashes), or set clinic.slug"]




def test_an_end_date_is_shown_and_warned_about_once_passed(tmp_path) -> None:
    rates = changed(FULL, "  last_updated: 2026-09-01\n",
                    "  last_updated: 2026-09-01\n  effective_until: 2026-12-31\n")
    files = build_ok(make_site(tmp_path / "a", {"site.yaml": FULL_SITE, P: rates}))
    assert "Prices last updated September 1, 2026. These prices apply until December 31, " \
        "2026." in words(files["clinics/a/outpatient/index.html"])
    assert json.loads(files["clinics/a/prices.json"])["effective_until"] == "2026-12-31"
    rates = changed(rates, "effective_until: 2026-12-31", "effective_until: 2026-11-26")
    assert errors(tmp_path / "b", rates) == [
        f"{P}:{line_col(rates, '2026-11-26')}: warning: these prices applied until 2026-11-26, "
        "which has passed; publish the fee schedule in effect now (see Price history in "
        "docs/fee-schedule.md), or change effective_until"]


def test_an_end_date_before_the_start_of_a_dated_file(tmp_path) -> None:
    broken = changed(H2, "  last_updated: 2026-09-01\n",
                     "  last_updated: 2026-09-01\n  effective_until: 2026-05-31\n")
    site = history_site(tmp_path, {"rates/a/2026-06-01.yaml": broken})
    assert load(site)[1] == [
        f"rates/a/2026-06-01.yaml:{line_col(broken, '2026-05-31')}: error: effective_until "
        "2026-05-31 is before the date these prices take effect (2026-06-01, the file name); "
        "give the last day the prices apply, or remove effective_until"]


def test_a_discount_is_a_fraction_at_most_1(tmp_path) -> None:
    rates = changed(FULL, "discount: 0.40", "discount: 40")
    assert errors(tmp_path, rates) == [
        f"{P}:{line_col(rates, '40}')}: error: discount is too large (got number 40); it must "
        "be at most 1"]


def test_the_wide_layout_needs_a_payer(tmp_path) -> None:
    rates = FULL.replace("payers:\n  - {name: Acme, plan: PPO}\n", "")
    rates = re.sub(r"    negotiated: \{Acme PPO: [\d.]+\}\n", "", rates)
    assert errors(tmp_path, rates) == [
        f"{P}:{line_col(rates, 'wide')}: error: csv_layout: wide needs at least one payer "
        "plan: its columns are the plans' columns; use csv_layout: tall, or list your plans "
        "under payers:"]


def test_the_price_history_lists_each_schedule_with_its_days(tmp_path) -> None:
    h1 = changed(H1, "  last_updated: 2026-01-01\n",
                 "  last_updated: 2026-01-01\n  effective_until: 2026-04-30\n")
    files = build_ok(history_site(tmp_path, {"rates/a/2026-01-01.yaml": h1}))
    table = next(html5lib.parse(files["clinics/a/price-history/index.html"]).iter(f"{NS}table"))
    assert [[text(c) for c in tr] for tr in next(table.iter(f"{NS}tbody"))] == [
        ["January 1, 2027", "No end date", "Upcoming: takes effect on its date"],
        ["June 1, 2026", "December 31, 2026", "In effect now"],
        ["January 1, 2026", "April 30, 2026", "Replaced"]]


def test_cost_tables_explain_the_modifiers_they_show(full) -> None:
    assert text(by_id(full["clinics/a/outpatient/index.html"], "modifiers")) == (
        "A code with a suffix, like 97110-GP, is billed with modifiers that tell the plan more "
        "about the service: GP, therapy under a physical therapy plan of care.")


def test_json_ld_offers_say_when_their_prices_apply(tmp_path) -> None:
    h2 = changed(H2, "  last_updated: 2026-09-01\n",
                 "  last_updated: 2026-09-01\n  effective_until: 2026-12-31\n")
    files = build_ok(history_site(tmp_path, {"rates/a/2026-06-01.yaml": h2}))
    data = json.loads(next(html5lib.parse(files["clinics/a/index.html"]).iter(
        f"{NS}script")).text)
    assert {(o["validFrom"], o["priceValidUntil"]) for o in data["makesOffer"]} == \
        {("2026-06-01", "2026-12-31")}


def test_a_service_dropped_by_an_upcoming_schedule_says_so(tmp_path) -> None:
    start = H3.index("  - id: eval-south")
    h3 = H3[:start] + H3[H3.index("  - id: exercise"):]
    files = build_ok(history_site(tmp_path, {"rates/a/2027-01-01.yaml": h3}))
    page = files["clinics/a/evaluation/index.html"]
    assert "From January 1, 2027: no longer offered." in words(page)


def test_the_same_code_in_other_settings_is_two_prices(tmp_path) -> None:
    """A hospital may price one code for inpatients and outpatients apart; overlapping
    settings are still the same thing twice."""
    same_place = changed(FULL, "    location: south\n", "    location: north\n")
    second = "    settings: [evaluation]\n    gross_charge: 220.00"
    apart = changed(same_place, second, "    settings: [outpatient]\n    gross_charge: 220.00")
    assert not [e for e in errors(tmp_path / "a", apart) if "listed twice" in e]
    overlap = changed(same_place, second,
                      "    settings: [outpatient, evaluation]\n    gross_charge: 220.00")
    assert [e for e in errors(tmp_path / "b", overlap) if "listed twice" in e] != []
