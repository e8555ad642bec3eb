"""prices.json / prices.csv (docs/price-files.md), the clinic pages' JSON-LD, and the proof
that every output shows the same prices: cost tables, JSON-LD, price files and CMS files."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

import html5lib
import pytest
from helpers import write_site

from sitegen.build import BuildOptions, build

ROOT = Path(__file__).resolve().parent.parent
NS = "{http://www.w3.org/1999/xhtml}"

SITE = "title: Test prices\nbase_url: https://example.org/\n"
RATES = """\
clinic:
  name: Example Therapy
  npi: "1234567893"
  tin: "12-3456789"
  disciplines: [PT]
  about: Hands </script><script>alert(1)</script> & more
  locations:
    - name: Main
      address: {street: 1 Main St, city: Portland, state: OR, zip: "97201"}
      phone: "503-555-0100"
  last_updated: 2026-10-01
payers:
  - name: Zeta
    plan: PPO
  - name: Acme
    plan: HMO
services:
  - id: eval
    code: "97161"
    description: Evaluation, "first" visit
    settings: [evaluation]
    gross_charge: 250
    cash_price: 190.5
    negotiated: {Zeta PPO: 110.00, Acme HMO: 99.99}
  - id: exercise
    code: "97110"
    description: Exercises
    settings: [outpatient, telehealth, inpatient]
    timed: true
    inpatient_bundled: true
    gross_charge: 60.00
    cash_price: 45.00
    negotiated: {Acme HMO: 31.67}
  - id: splint
    code: L3906
    code_type: HCPCS
    description: Wrist splint
    settings: [outpatient]
    gross_charge: 300.00
    cash_price: 240.00
"""


def make_site(tmp_path: Path, files: dict[str, str]) -> Path:
    return write_site(tmp_path, {"site.yaml": SITE, **files})


def build_ok(root: Path) -> dict[str, bytes]:
    result = build(BuildOptions(root=root), write=False)
    assert result.ok, [d.format() for d in result.diagnostics.items]
    return result.files


@pytest.fixture(scope="module")
def inline(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    return build_ok(make_site(tmp_path_factory.mktemp("inline"), {"rates/a.yaml": RATES}))


@pytest.fixture(scope="module")
def example() -> dict[str, bytes]:
    return build_ok(ROOT)


def no_floats(text: str) -> float:
    raise AssertionError(f"a JSON number where an amount should be text: {text}")


# --- prices.json ------------------------------------------------------------------------------

def row(service_id, setting, code, code_type, description, unit, amounts, negotiated,
        bundled=False):
    gross, cash, low, median, high = amounts
    return {"service_id": service_id, "setting": setting, "code": code, "code_type": code_type,
            "modifiers": "", "location": "", "location_city": "", "location_state": "",
            "cash_price_max": None,
            "description": description, "unit": unit, "bundled": bundled,
            "gross_charge": gross, "cash_price": cash, "negotiated_min": low,
            "negotiated_median": median, "negotiated_max": high, "negotiated": negotiated}


def test_prices_json(inline: dict[str, bytes]) -> None:
    text = inline["clinics/a/prices.json"].decode("utf-8")
    doc = json.loads(text, parse_float=no_floats)
    exercise = ("exercise", "97110", "CPT", "Exercises", "per 15 minutes")
    rates = ("60.00", "45.00", "31.67", "31.67", "31.67")
    assert doc == {
        "format": "sitegen-prices",
        "format_version": "2",
        "currency": "USD",
        "clinic": {"name": "Example Therapy", "slug": "a", "npi": "1234567893",
                   "tin": "12-3456789", "last_updated": "2026-10-01"},
        "payers": [{"key": "Acme HMO", "name": "Acme", "plan": "HMO"},
                   {"key": "Zeta PPO", "name": "Zeta", "plan": "PPO"}],
        "rows": [
            row("eval", "evaluation", "97161", "CPT", 'Evaluation, "first" visit', "per visit",
                ("250.00", "190.50", "99.99", "105.00", "110.00"),
                {"Acme HMO": "99.99", "Zeta PPO": "110.00"}),
            row(exercise[0], "outpatient", *exercise[1:], rates, {"Acme HMO": "31.67"}),
            row("splint", "outpatient", "L3906", "HCPCS", "Wrist splint", "per visit",
                ("300.00", "240.00", None, None, None), {}),
            row(exercise[0], "telehealth", *exercise[1:], rates, {"Acme HMO": "31.67"}),
            row(exercise[0], "inpatient", *exercise[1:], (None,) * 5, {}, bundled=True),
        ],
        "visits": [], "packages": [], "sliding_scale": [], "effective_from": None,
        "effective_until": None, "upcoming": [],
    }
    assert text == json.dumps(doc, sort_keys=True, ensure_ascii=False,
                              separators=(",", ":")) + "\n"


def test_prices_csv(inline: dict[str, bytes]) -> None:
    blank = ",,,,,,,"  # session_id ... visit_price: only for visits, packages and tiers
    assert inline["clinics/a/prices.csv"].decode("utf-8") == (
        "kind,id,effective_from,setting,code,code_type,modifiers,location,location_city,"
        "location_state,description,unit,bundled,gross_charge,cash_price,cash_price_max,"
        "negotiated_min,negotiated_median,negotiated_max,session_id,visits,valid_months,price,"
        "up_to_percent_of_poverty_guideline,discount,visit_price,"
        "negotiated: Acme HMO,negotiated: Zeta PPO\n"
        'service,eval,,evaluation,97161,CPT,,,,,"Evaluation, ""first"" visit",per visit,false,'
        f"250.00,190.50,,99.99,105.00,110.00{blank},99.99,110.00\n"
        "service,exercise,,outpatient,97110,CPT,,,,,Exercises,per 15 minutes,false,60.00,45.00,"
        f",31.67,31.67,31.67{blank},31.67,\n"
        "service,splint,,outpatient,L3906,HCPCS,,,,,Wrist splint,per visit,false,300.00,240.00,"
        f",,,{blank},,\n"
        "service,exercise,,telehealth,97110,CPT,,,,,Exercises,per 15 minutes,false,60.00,45.00,"
        f",31.67,31.67,31.67{blank},31.67,\n"
        f"service,exercise,,inpatient,97110,CPT,,,,,Exercises,per 15 minutes,true,,,,,,{blank},,\n")


def test_every_clinic_has_price_files(example: dict[str, bytes]) -> None:
    for slug in ["cedar-street-pt", "juniper-hill-pt", "little-steps-pediatric", "mercy-valley-rehab",
                 "riverside-hand-ot"]:
        doc = json.loads(example[f"clinics/{slug}/prices.json"], parse_float=no_floats)
        assert doc["clinic"]["slug"] == slug and doc["rows"]
        lines = example[f"clinics/{slug}/prices.csv"].decode().splitlines()
        assert len(lines) == 1 + len(doc["rows"]) + len(doc["visits"]) + \
            len(doc["packages"]) + len(doc["sliding_scale"]) + \
            sum(len(e["rows"]) for e in doc["upcoming"])


# --- JSON-LD ----------------------------------------------------------------------------------

def scripts(html: bytes) -> list:
    return list(html5lib.parse(html).iter(f"{NS}script"))


def test_clinic_page_json_ld(inline: dict[str, bytes]) -> None:
    page = inline["clinics/a/index.html"]
    found = scripts(page)
    assert [s.get("type") for s in found] == ["application/ld+json"]
    data = json.loads(found[0].text)
    assert {k: data[k] for k in ["@context", "@type", "name", "url", "identifier"]} == {
        "@context": "https://schema.org", "@type": "MedicalClinic", "name": "Example Therapy",
        "url": "https://example.org/clinics/a/",
        "identifier": [{"@type": "PropertyValue", "propertyID": "NPI", "value": "1234567893"}]}
    assert data["description"] == "Hands </script><script>alert(1)</script> & more"
    offers = {o["itemOffered"]["code"]["codeValue"]: o for o in data["makesOffer"]}
    assert list(offers) == ["97161", "97110", "L3906"]
    assert offers["97110"] == {
        "@type": "Offer", "price": "45.00", "priceCurrency": "USD",
        "itemOffered": {"@type": "MedicalProcedure", "name": "Exercises",
                        "code": {"@type": "MedicalCode", "codeValue": "97110",
                                 "codingSystem": "CPT"}},
        "priceSpecification": [
            {"@type": "UnitPriceSpecification", "name": "Cash price", "price": "45.00",
             "priceCurrency": "USD",
             "referenceQuantity": {"@type": "QuantitativeValue", "value": 15, "unitCode": "MIN",
                                   "unitText": "per 15 minutes"}},
            {"@type": "UnitPriceSpecification", "name": "Gross charge",
             "priceType": "https://schema.org/ListPrice", "price": "60.00",
             "priceCurrency": "USD",
             "referenceQuantity": {"@type": "QuantitativeValue", "value": 15, "unitCode": "MIN",
                                   "unitText": "per 15 minutes"}}]}
    assert offers["L3906"]["itemOffered"]["code"]["codingSystem"] == "HCPCS"


def test_json_ld_cannot_close_its_script_element(inline: dict[str, bytes]) -> None:
    page = inline["clinics/a/index.html"].decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.DOTALL)
    assert block is not None
    body = block.group(1)
    assert "<" not in body and ">" not in body and "&" not in body
    assert r"Hands \u003c/script\u003e\u003cscript\u003ealert(1)\u003c/script\u003e \u0026 more" \
        in body
    assert page.count("<script") == 1


def test_only_clinic_pages_carry_json_ld(example: dict[str, bytes]) -> None:
    with_script = sorted(rel for rel, data in example.items()
                         if rel.endswith(".html") and b"<script" in data)
    clinics = ["clinics/cedar-street-pt/index.html", "clinics/juniper-hill-pt/index.html",
               "clinics/little-steps-pediatric/index.html",
               "clinics/mercy-valley-rehab/index.html", "clinics/riverside-hand-ot/index.html"]
    assert with_script == clinics + ["es/" + rel for rel in clinics]  # and their Spanish pages


# --- one source of truth ----------------------------------------------------------------------

def money(text: str) -> Decimal:
    assert re.fullmatch(r"\$[\d,]+\.\d\d", text), text
    return Decimal(text[1:].replace(",", ""))


def html_cost_rows(files: dict[str, bytes]) -> dict[tuple[str, str, str], dict]:
    """(clinic, setting, service id) -> what the cost table shows."""
    found = {}
    for rel, data in files.items():
        m = re.fullmatch(r"clinics/([^/]+)/([a-z]+)/index\.html", rel)
        if not m or m.group(2) in ("estimates", "price-transparency", "good-faith-estimate"):
            continue
        table = next(t for t in html5lib.parse(data).iter(f"{NS}table")
                     if "prices" in (t.get("class") or ""))
        for tr in next(table.iter(f"{NS}tbody")).iter(f"{NS}tr"):
            if "upcoming-row" in (tr.get("class") or ""):
                continue
            cells = {c.get("data-label"): "".join(c.itertext()).strip() for c in tr}
            key = (m.group(1), m.group(2), tr.get("id"))
            code_type, shown_code = cells["Code"].split()
            code, *modifiers = shown_code.split("-")
            shown = {"code": code, "code_type": code_type, "unit": cells["Billed"],
                     "modifiers": "|".join(modifiers)}
            if "Price" in cells:
                assert cells["Price"].startswith("Included in the payment for the hospital stay")
                found[key] = {**shown, "bundled": True}
                continue
            rates = cells["Negotiated rates"]
            if rates == "No plan rates":
                low = high = None
                count = 0
            else:
                amounts = re.findall(r"\$[\d,]+\.\d\d", rates)
                low, high = money(amounts[0]), money(amounts[-1])
                count = int(re.search(r"\((\d+) plans?\)", rates).group(1))
            cash = re.findall(r"\$[\d,]+\.\d\d", cells["Cash price"])
            found[key] = {**shown, "bundled": False, "gross": money(cells["Gross charge"]),
                          "cash": money(cash[0]), "cash_max": money(cash[1]) if len(cash) > 1
                          else None, "low": low, "high": high, "count": count}
    return found


def dec(value: str | None) -> Decimal | None:
    return None if value in (None, "") else Decimal(value)


def test_every_output_shows_the_same_prices(example: dict[str, bytes]) -> None:
    """Cost tables, JSON-LD, prices.json, prices.csv and the CMS files of the example site
    agree on every amount."""
    compared = Counter()
    html = html_cost_rows(example)
    assert len(html) > 60
    slugs = sorted({slug for slug, _, _ in html})
    for slug in slugs:
        # prices.json: one row per cost-table row, with the same amounts
        doc = json.loads(example[f"clinics/{slug}/prices.json"], parse_float=no_floats)
        rows = {(slug, r["setting"], r["service_id"]): r for r in doc["rows"]}
        assert set(rows) == {k for k in html if k[0] == slug}
        for key, r in rows.items():
            shown = html[key]
            assert (r["code"], r["code_type"], r["modifiers"], r["unit"], r["bundled"]) == (
                shown["code"], shown["code_type"], shown["modifiers"], shown["unit"],
                shown["bundled"]), key
            if r["bundled"]:
                assert [r[k] for k in ("gross_charge", "cash_price", "negotiated_min",
                                       "negotiated_median", "negotiated_max")] == [None] * 5
                assert r["negotiated"] == {}
                continue
            assert dec(r["gross_charge"]) == shown["gross"]
            assert dec(r["cash_price"]) == shown["cash"]
            assert dec(r["cash_price_max"]) == shown["cash_max"]
            assert dec(r["negotiated_min"]) == shown["low"]
            assert dec(r["negotiated_max"]) == shown["high"]
            assert len(r["negotiated"]) == shown["count"]
            rates = sorted(Decimal(v) for v in r["negotiated"].values())
            assert (rates[0] if rates else None) == shown["low"]
            assert (rates[-1] if rates else None) == shown["high"]
            compared["prices.json"] += 4 + len(rates)

        # prices.csv: the same rows and amounts as prices.json
        table = [line for line in csv.DictReader(io.StringIO(
            example[f"clinics/{slug}/prices.csv"].decode())) if line["kind"] == "service"
            and line["effective_from"] == (doc["effective_from"] or "")]
        assert len(table) == len(rows)
        for line in table:
            r = rows[(slug, line["setting"], line["id"])]
            for name in ("gross_charge", "cash_price", "cash_price_max", "negotiated_min",
                         "negotiated_median", "negotiated_max"):
                assert dec(line[name]) == dec(r[name]), (slug, line["id"], name)
                compared["prices.csv"] += 1
            plans = {k.removeprefix("negotiated: "): dec(v) for k, v in line.items()
                     if k.startswith("negotiated: ") and v}
            assert plans == {k: Decimal(v) for k, v in r["negotiated"].items()}
            assert line["bundled"] == ("true" if r["bundled"] else "false")
            compared["prices.csv"] += len(plans)

        # JSON-LD: one offer per service with a separate charge, with that row's amounts
        page = html5lib.parse(example[f"clinics/{slug}/index.html"])
        data = json.loads(next(page.iter(f"{NS}script")).text)
        offers = {(o["itemOffered"]["code"]["codeValue"],
                   o.get("availableAtOrFrom", {}).get("name", "")): o
                  for o in data["makesOffer"] if "itemOffered" in o}
        priced = {("-".join(filter(None, [r["code"], *r["modifiers"].split("|")])),
                   r["location"]): r for r in rows.values() if not r["bundled"]}
        assert set(offers) == set(priced)
        for code, offer in offers.items():
            specs = {s["name"]: s for s in offer["priceSpecification"]}
            cash = specs["Cash price"]
            assert Decimal(offer["price"]) == Decimal(cash.get("price", cash.get("minPrice"))) \
                == dec(priced[code]["cash_price"])
            assert dec(cash.get("maxPrice")) == dec(priced[code]["cash_price_max"])
            assert Decimal(specs["Gross charge"]["price"]) == dec(priced[code]["gross_charge"])
            compared["JSON-LD"] += 3

    # CMS files (the example's hospital department): the same amounts and plan rates
    stem = "clinics/mercy-valley-rehab/913072584_mercy-valley-medical-center_standardcharges"
    doc = json.loads(example["clinics/mercy-valley-rehab/prices.json"])
    by_code = {r["code"]: r for r in doc["rows"] if not r["bundled"]}
    payers = {(p["name"], p["plan"]): p["key"] for p in doc["payers"]}
    cms = json.loads(example[stem + ".json"], parse_float=Decimal)
    assert {i["code_information"][0]["code"] for i in cms["standard_charge_information"]} == \
        set(by_code)
    for item in cms["standard_charge_information"]:
        r = by_code[item["code_information"][0]["code"]]
        (charges,) = item["standard_charges"]
        assert charges["gross_charge"] == dec(r["gross_charge"])
        assert charges["discounted_cash"] == dec(r["cash_price"])
        assert charges["minimum"] == dec(r["negotiated_min"])
        assert charges["maximum"] == dec(r["negotiated_max"])
        plans = {payers[(p["payer_name"], p["plan_name"])]: p["standard_charge_dollar"]
                 for p in charges["payers_information"]}
        assert plans == {k: Decimal(v) for k, v in r["negotiated"].items()}
        compared["CMS JSON"] += 4 + len(plans)
    lines = list(csv.reader(io.StringIO(example[stem + ".csv"].decode())))
    for line in (dict(zip(lines[2], values)) for values in lines[3:]):
        r = by_code[line["code|1"]]
        assert dec(line["standard_charge|gross"]) == dec(r["gross_charge"])
        assert dec(line["standard_charge|discounted_cash"]) == dec(r["cash_price"])
        assert dec(line["standard_charge|min"]) == dec(r["negotiated_min"])
        assert dec(line["standard_charge|max"]) == dec(r["negotiated_max"])
        key = payers[(line["payer_name"], line["plan_name"])]
        assert dec(line["standard_charge|negotiated_dollar"]) == dec(r["negotiated"][key])
        compared["CMS CSV"] += 5
    assert compared["CMS CSV"] == 5 * sum(len(r["negotiated"]) for r in by_code.values())
    assert all(compared[k] > 50 for k in ["prices.json", "prices.csv", "JSON-LD", "CMS JSON",
                                          "CMS CSV"]), compared


def test_spreadsheet_formulas_in_text_are_made_inert() -> None:
    from sitegen.csvout import inert

    assert [inert(c) for c in ["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "Exercise", "118.40",
                                ""]] == ["'=HYPERLINK(\"x\")", "'+1", "'-2", "'@SUM(A1)",
                                         "Exercise", "118.40", ""]
