"""Fee schedule additions in the outputs that came after them: plan pages, prices.csv next
to prices.json, the spreadsheet export, and anchors (HTML ids) that never collide."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from decimal import Decimal
from pathlib import Path

import html5lib
import pytest
from helpers import changed, make_site
from test_fee_additions import FULL, FULL_SITE, P, build_ok, by_id, errors, line_col, text

from sitegen.pricefiles import CSV_COLUMNS

NS = "{http://www.w3.org/1999/xhtml}"
ROOT = Path(__file__).resolve().parent.parent
PLAN = "clinics/a/plans/acme-ppo/index.html"


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    root = make_site(tmp_path_factory.mktemp("full"), {"site.yaml": FULL_SITE, P: FULL})
    return build_ok(root)


@pytest.fixture(scope="module")
def example() -> dict[str, bytes]:
    return build_ok(ROOT)


def cells(row) -> list[str]:
    return [text(c) for c in row]


# --- plan pages ---------------------------------------------------------------------------

def test_plan_page_rows_are_the_cost_table_rows(full) -> None:
    """Codes with modifiers, a row per location with its city and state, the cash price and
    its range next to the plan's own rate."""
    page = full[PLAN]
    assert cells(by_id(page, "evaluation--eval")) == [
        "First visit at North (Portland, OR) only", "CPT 97161-GP", "per visit",
        "$150.00 to $180.00 (depends on what the therapist finds)", "$100.00"]
    assert cells(by_id(page, "evaluation--eval-south")) == [
        "First visit at South (Salem, OR) only", "CPT 97161-GP", "per visit", "$160.00",
        "$100.00"]
    assert cells(by_id(page, "outpatient--exercise")) == [
        "Exercises", "CPT 97110-GP", "per 15 minutes", "$40.00", "$30.00"]
    assert text(by_id(page, "modifiers")) == (
        "A code with a suffix, like 97161-GP, is billed with modifiers that tell the plan more "
        "about the service: GP, therapy under a physical therapy plan of care.")


def test_plan_page_offers_paying_yourself_instead(full) -> None:
    page = full[PLAN]
    assert text(by_id(page, "visit--visit-45")) == (
        "45-minute visit (outpatient therapy): one price for the whole visit, $100.00, "
        "whatever codes it bills.")
    assert text(by_id(page, "package--five")) == (
        "Prepaid package, Five visits: 5 visits for $450.00, to be used within 3 months.")
    assert text(by_id(page, "sliding-scale")) == (
        "Lower prices when your household income is low: see the sliding scale for people "
        "who pay themselves.")
    link = next(by_id(page, "sliding-scale").iter(f"{NS}a")).get("href")
    assert link == "../../sliding-scale/" and "clinics/a/sliding-scale/index.html" in full
    # the plan's course: 3 covered visits at 20% (20 + 18 + 18), then 5 visits over the
    # limit at the visit's own cash price (5 x 100): 556, as on the estimates page
    assert cells(by_id(page, "course--eval-and-7--limited")) == [
        "In network with 3 visits left", "$556.00", "$224.00", "$780.00"]


def test_medicare_and_medicaid_plan_pages_offer_no_cash_price(tmp_path) -> None:
    rates = changed(FULL, "  - {name: Acme, plan: PPO}\n",
                    "  - {name: Acme, plan: PPO}\n  - {name: Medicare, plan: Part B}\n"
                    "  - {name: State, plan: Medicaid, medicaid: true}\n")
    files = build_ok(make_site(tmp_path, {"site.yaml": FULL_SITE, P: rates}))
    for plan in ["medicare-part-b", "state-medicaid"]:
        page = files[f"clinics/a/plans/{plan}/index.html"]
        heads = [text(th) for th in html5lib.parse(page).iter(f"{NS}th")
                 if th.get("scope") == "col"][:4]
        assert heads[3] != "Cash price", plan
        ids = {e.get("id") for e in html5lib.parse(page).iter()}
        assert "paying-yourself" not in ids and "package--five" not in ids, plan


def test_example_plan_pages_show_each_location_and_modifier(example) -> None:
    page = example["clinics/cedar-street-pt/plans/quartz-hmo/index.html"]
    assert cells(by_id(page, "evaluation--pt-eval-low-middleton"))[:4] == [
        "First PT visit for a simple problem, such as a recent ankle sprain at Cedar Street "
        "PT, Middleton (Middleton, WI) only", "CPT 97161-GP", "per visit",
        "$168.00 to $205.00 (depends on what the therapist finds)"]


# --- the other pages that show prices -------------------------------------------------------

def test_comparison_page_names_the_visit_price_of_visits_with_the_code(full) -> None:
    row = next(tr for tr in html5lib.parse(full["services/97110/index.html"]).iter(f"{NS}tr")
               if tr.find(f"{NS}th") is not None and tr.find(f"{NS}th").get("scope") == "row")
    assert text(row[1]).startswith("Outpatient therapy, billed as 97110-GP")
    assert text(row[1].find(f"{NS}span")) == ("Paying yourself, a visit that includes it has "
                                              "one price: 45-minute visit, $100.00 per visit")
    link = next(row[1].iter(f"{NS}a")).get("href")
    assert link == "../../clinics/a/outpatient/#visit--visit-45"
    assert by_id(full["clinics/a/outpatient/index.html"], "visit--visit-45") is not None


def test_clinic_page_names_visit_prices_and_packages(full) -> None:
    page = full["clinics/a/index.html"]
    para = next(p for p in html5lib.parse(page).iter(f"{NS}p")
                if text(p).startswith("Paying yourself, "))
    assert text(para) == ("Paying yourself, some visits have one price, whatever codes they "
                          "bill: 45-minute visit, $100.00. You can also buy prepaid packages: "
                          "five visits, 5 visits for $450.00.")
    assert [a.get("href") for a in para.iter(f"{NS}a")] == [
        "outpatient/#visit--visit-45", "outpatient/#package--five"]


# --- prices.csv and prices.json -------------------------------------------------------------

def json_records(doc: dict) -> list[dict[str, str]]:
    """What prices.csv must hold for prices.json, written out from the documented layout."""
    now = doc["effective_from"] or ""

    def cell(value) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        return "" if value is None else str(value)

    found = []
    for kind, items, key in [("service", doc["rows"], "service_id"),
                             ("visit", doc["visits"], "session_id"),
                             ("package", doc["packages"], "package_id")]:
        for item in items:
            record = {k: cell(v) for k, v in item.items() if k != "negotiated"}
            record.update(kind=kind, id=item[key], effective_from=now)
            if kind != "service":
                record["description"] = item["name"]
                record.pop("name")
            for plan, rate in (item.get("negotiated") or {}).items():
                record["negotiated: " + plan] = rate
            record.pop(key)
            found.append(record)
    for number, tier in enumerate(doc["sliding_scale"], 1):
        found.append({**{k: cell(v) for k, v in tier.items()}, "kind": "sliding-scale",
                      "id": str(number), "effective_from": now})
    for edition in doc["upcoming"]:
        for row in edition["rows"]:
            record = {k: cell(v) for k, v in row.items() if k not in ("negotiated",
                                                                      "service_id")}
            record.update(kind="service", id=row["service_id"],
                          effective_from=edition["effective_from"])
            record.update({"negotiated: " + p: r for p, r in row["negotiated"].items()})
            found.append(record)
    return found


def agree(files: dict[str, bytes], slug: str) -> int:
    doc = json.loads(files[f"clinics/{slug}/prices.json"])
    table = list(csv.DictReader(io.StringIO(files[f"clinics/{slug}/prices.csv"].decode())))
    assert list(table[0])[:len(CSV_COLUMNS)] == CSV_COLUMNS
    expected = json_records(doc)
    assert len(table) == len(expected), slug
    for line, record in zip(table, expected):
        assert {k: v for k, v in line.items() if v} == {k: v for k, v in record.items() if v}, \
            (slug, line["kind"], line["id"])
    return len(table)


def test_prices_csv_and_prices_json_agree_line_for_line(full, example) -> None:
    kinds = Counter(line["kind"] for line in csv.DictReader(
        io.StringIO(full["clinics/a/prices.csv"].decode())))
    assert kinds == {"service": 3, "visit": 1, "package": 1, "sliding-scale": 2}
    assert agree(full, "a") == 7
    counted = {slug: agree(example, slug) for slug in [
        "cedar-street-pt", "juniper-hill-pt", "little-steps-pediatric", "mercy-valley-rehab",
        "riverside-hand-ot"]}
    assert all(counted.values())


def test_upcoming_prices_are_lines_with_their_date(tmp_path) -> None:
    later = FULL.replace("  last_updated: 2026-09-01\n", "  last_updated: 2027-01-01\n") \
        .replace("    cash_price: 40.00\n", "    cash_price: 44.00\n") \
        .replace("    negotiated: {Acme PPO: 30.00}\n", "    negotiated: {Acme PPO: 28.50}\n")
    root = make_site(tmp_path, {"site.yaml": FULL_SITE, P: None, "rates/a/2026-01-01.yaml": FULL,
                                "rates/a/2099-01-01.yaml": later})
    files = build_ok(root)
    table = list(csv.DictReader(io.StringIO(files["clinics/a/prices.csv"].decode())))
    assert [(r["kind"], r["id"], r["effective_from"], r["cash_price"]) for r in table
            if r["id"] == "exercise"] == [("service", "exercise", "2026-01-01", "40.00"),
                                          ("service", "exercise", "2099-01-01", "44.00")]
    agree(files, "a")
    # the plan page announces them too, under the row, as the cost table does
    rows = list(html5lib.parse(files[PLAN]).iter(f"{NS}tr"))
    at = [tr.get("id") for tr in rows].index("outpatient--exercise")
    assert text(rows[at + 1]) == (
        "From January 1, 2099: cash price $44.00 (up $4.00), the Acme PPO rate $28.50 (down "
        "$1.50).")


# --- anchors: HTML ids never collide --------------------------------------------------------

# Ids chosen to collide under the old anchors: a service named like a package's or a visit's
# list item, courses and scenarios whose ids run together ('eval-and-7' + 'self-pay' and
# 'eval-and-7-self' + 'pay'), a course named like a setting heading of the plan page, a
# course named like a row of another course, and a course named after a made GFE part.
TRICKY = FULL.replace("sessions:\n", """\
  - id: package-five
    code: "97112"
    description: Balance
    settings: [outpatient]
    timed: true
    gross_charge: 60.00
    cash_price: 40.00
    negotiated: {Acme PPO: 30.00}
  - id: visit-visit-45
    code: "97140"
    description: Hands-on
    settings: [outpatient]
    timed: true
    gross_charge: 60.00
    cash_price: 40.00
    negotiated: {Acme PPO: 30.00}
  - id: outpatient-exercise
    code: "97530"
    description: Activities
    settings: [outpatient]
    timed: true
    gross_charge: 60.00
    cash_price: 40.00
    negotiated: {Acme PPO: 30.00}
sessions:
""") + """\
  - {id: eval-and-7-self, name: Two, visits: [{service: eval}]}
  - {id: eval-and-7-self-pay, name: Three, visits: [{service: eval}]}
  - {id: outpatient, name: Four, visits: [{service: eval}]}
  - {id: courses, name: Five, visits: [{service: eval}]}
  - {id: eval-and-7-title, name: Six, visits: [{service: eval}]}
scenarios:
  - {id: pay, name: Paying, network: self-pay}
  - {id: exercise, name: Paying again, network: self-pay}
"""


def duplicate_ids(files: dict[str, bytes]) -> dict[str, list[str]]:
    found = {}
    for path, body in files.items():
        if path.endswith(".html"):
            ids = Counter(e.get("id") for e in html5lib.parse(body).iter() if e.get("id"))
            if any(n > 1 for n in ids.values()):
                found[path] = sorted(i for i, n in ids.items() if n > 1)
    return found


def test_no_page_has_two_elements_with_one_id(tmp_path, example) -> None:
    files = build_ok(make_site(tmp_path, {"site.yaml": FULL_SITE, P: TRICKY}))
    assert duplicate_ids(files) == {}
    estimates = files["clinics/a/estimates/index.html"]
    assert cells(by_id(estimates, "eval-and-7--self-pay"))[:2] == ["Paying yourself", "$880.00"]
    assert cells(by_id(estimates, "eval-and-7-self--pay"))[:2] == ["Paying", "$180.00"]
    assert text(by_id(estimates, "eval-and-7-self-pay")) == "Three"
    assert duplicate_ids({k: v for k, v in example.items() if k.endswith(".html")}) == {}


@pytest.mark.parametrize("old, new, message", [
    ("exercise", "packages", "service id 'packages' is taken: the cost table uses 'packages' "
     "for a part of its own; choose another service id (not main, modifiers, packages, "
     "visit-prices)"),
    ("exercise", "visit-prices", "service id 'visit-prices' is taken: the cost table uses "
     "'visit-prices' for a part of its own; choose another service id (not main, modifiers, "
     "packages, visit-prices)"),
    ("eval", "main", "service id 'main' is taken: the cost table uses 'main' for a part of "
     "its own; choose another service id (not main, modifiers, packages, visit-prices)"),
    ("eval-and-7", "main", "course id 'main' is taken: the estimates page uses 'main' for a "
     "part of its own; choose another course id (not main)"),
])
def test_ids_a_page_uses_itself(tmp_path, old, new, message) -> None:
    rates = FULL.replace(f"  - id: {old}\n", f"  - id: {new}\n") \
        .replace(f"service: {old}\n", f"service: {new}\n") \
        .replace(f"service: {old},", f"service: {new},")
    assert errors(tmp_path, rates) == [
        f"{P}:{line_col(rates, f'id: {new}') .split(':')[0]}:9: error: {message}"]


def test_written_scenarios_cannot_take_the_made_ones_ids(tmp_path) -> None:
    rates = FULL + "scenarios:\n  - {id: package-five, name: Mine, network: self-pay}\n"
    assert errors(tmp_path, rates) == [
        f"{P}:{line_col(rates, 'package-five, name')}: error: scenario id 'package-five' "
        "starts with 'package-', which the estimates keep for the scenarios made from its "
        "prepaid packages; give this scenario an id that does not start with 'package-'"]
    site = FULL_SITE + "  - {id: sliding-scale-1, name: Mine, network: self-pay}\n"
    assert errors(tmp_path / "2", FULL, site) == [
        f"site.yaml:{line_col(site, 'sliding-scale-1')}: error: scenario id 'sliding-scale-1' "
        "starts with 'sliding-scale-', which the estimates keep for the scenarios made from "
        "its sliding-scale tiers; give this scenario an id that does not start with "
        "'sliding-scale-'"]


def test_a_clinic_file_named_main(tmp_path) -> None:
    from helpers import load
    root = make_site(tmp_path, {"site.yaml": FULL_SITE, P: None, "rates/main.yaml": FULL})
    assert load(root)[1] == [
        "rates/main.yaml: error: clinic slug 'main' is taken: the clinics page uses "
        "'main' for a part of its own; choose another clinic slug (not main)"]


# --- sitegen export / import ----------------------------------------------------------------

SHEET_KEYS = ("modifiers", "location", "cash_price_max", "medicare_further_unit")


def loaded(path: Path):
    from sitegen.diagnostics import Diagnostics
    from sitegen.figures import references_near
    from sitegen.load import load_model
    from sitegen.model import FeeSchedule

    diags = Diagnostics()  # the example schedules name yearly figures: resolve them
    found = load_model(path, path.name, FeeSchedule, diags, 10**7, references_near(path, diags))
    assert found is not None, [d.format() for d in diags.items]
    return found


def services_of(path: Path) -> list[dict]:
    return [s.model_dump() for s in loaded(path)[0].services]


@pytest.mark.parametrize("clinic", ["cedar-street-pt/2026-07-01", "mercy-valley-rehab"])
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_the_sheet_alone_brings_back_the_additions(tmp_path, clinic, suffix) -> None:
    """Export, strip modifiers, locations, ranges and further-unit amounts from the file,
    import: the sheet's columns put every one of them back."""
    import shutil

    from helpers import cli

    from sitegen.sheet import replace_services, services_yaml

    site = tmp_path / "site"
    shutil.copytree(ROOT / "rates", site / "rates")
    shutil.copytree(ROOT / "figures", site / "figures")
    rates = site / "rates" / f"{clinic}.yaml"
    original = services_of(rates)
    assert any(s[k] for s in original for k in SHEET_KEYS)
    sheet = tmp_path / f"fees{suffix}"
    assert cli("export", rates, "--out", sheet).exit_code == 0
    text = rates.read_text()
    stripped = [{k: v for k, v in s.items() if k not in SHEET_KEYS}
                for s in loaded(rates)[1].data["services"]]
    rates.write_text(replace_services(text, services_yaml(stripped)))
    assert services_of(rates) != original
    result = cli("import", sheet, "--clinic", clinic, "--site", site, "--force")
    assert result.exit_code == 0, result.output
    assert services_of(rates) == original


def test_sheet_cells_for_the_additions(tmp_path) -> None:
    from helpers import cli, write_site
    from test_sheet import INSURED, write_csv

    site = write_site(tmp_path / "s", {"site.yaml": FULL_SITE, "rates/a.yaml": INSURED})
    header = ["id", "code", "description", "settings", "gross", "cash", "Aetna PPO",
              "modifiers", "cash_price_max", "medicare_further_unit"]
    sheet = write_csv(tmp_path / "fees.csv", [
        header,
        ["pt-eval", "97162", "First PT visit", "evaluation", "230", "175", "128.75", "gp",
         "$210.00", ""],
        ["exercise", "97110", "Therapeutic exercise", "outpatient", "65", "50", "38.10",
         "GP, 95", "", "29.50"]])
    assert cli("import", sheet, "--clinic", "a", "--site", site, "--force").exit_code == 0
    found = {s["id"]: s for s in services_of(site / "rates" / "a.yaml")}
    assert (found["pt-eval"]["modifiers"], found["pt-eval"]["cash_price_max"]) == \
        (["GP"], Decimal("210.00"))
    assert (found["exercise"]["modifiers"], found["exercise"]["cash_price_max"],
            found["exercise"]["medicare_further_unit"]) == (["GP", "95"], None,
                                                             Decimal("29.50"))
    bad = write_csv(tmp_path / "bad.csv", [
        header,
        ["pt-eval", "97162", "First PT visit", "evaluation", "230", "175", "128.75", "GP",
         "about 200", ""],
        ["exercise", "97110", "Therapeutic exercise", "outpatient", "65", "50", "38.10",
         "GP, GX", "", ""]])
    result = cli("import", bad, "--clinic", "a", "--site", site, "--force")
    assert result.exit_code == 1
    assert result.output.splitlines()[:2] == [
        f"{bad}:2:9: error: cash_price_max must be an amount like 1,078.00 (got \"about "
        "200\"); write the amount in dollars, or leave the cell empty",
        f"{bad}:3:8: error: unknown modifier 'GX'; use one of GP, GO, GN, 59, XE, XP, XS, XU, "
        "KX, CQ, CO, 95, 93"]


def test_visit_prices_round_trip_through_the_sheet(tmp_path) -> None:
    """Rows 'visit:<session>' carry each session's own price: changed, removed and added in
    the sheet, they change only those lines of the file."""
    import shutil

    from helpers import cli

    site = tmp_path / "site"
    shutil.copytree(ROOT / "rates", site / "rates")
    shutil.copytree(ROOT / "figures", site / "figures")
    clinic = "cedar-street-pt/2026-07-01"
    rates = site / "rates" / f"{clinic}.yaml"
    before = rates.read_text()
    out = tmp_path / "fees.csv"
    assert cli("export", rates, "--out", out).exit_code == 0
    table = list(csv.reader(io.StringIO(out.read_text())))
    head = table[0]
    visits = {row[0]: row for row in table if row[0].startswith("visit:")}
    assert {k: (v[head.index("cash_price")], v[head.index("cash_price_max")])
            for k, v in visits.items()} == {"visit:treatment-45": ("105.00", ""),
                                            "visit:balance-45": ("105.00", ""),
                                            "visit:video-30": ("", "")}
    visits["visit:treatment-45"][head.index("cash_price")] = "$110"
    visits["visit:treatment-45"][head.index("cash_price_max")] = "125.00"
    visits["visit:balance-45"][head.index("cash_price")] = ""
    visits["visit:video-30"][head.index("cash_price")] = "90"
    out.write_text("".join(",".join(f'"{c}"' for c in row) + "\n" for row in table))
    result = cli("import", out, "--clinic", clinic, "--site", site, "--force")
    assert result.exit_code == 0, result.output
    after = rates.read_text()
    sessions = {s.id: (s.cash_price, s.cash_price_max) for s in loaded(rates)[0].sessions}
    assert sessions == {"treatment-45": (Decimal("110.00"), Decimal("125.00")),
                        "balance-45": (None, None), "video-30": (Decimal("90.00"), None)}
    expected = before.replace(
        "    setting: outpatient\n    cash_price: 105.00\n    lines:\n      - service: "
        "therapeutic-exercise\n        minutes: 25",
        "    setting: outpatient\n    cash_price: 110.00\n    cash_price_max: 125.00\n    "
        "lines:\n      - service: therapeutic-exercise\n        minutes: 25").replace(
        "    setting: outpatient\n    cash_price: 105.00\n    lines:\n      - service: "
        "neuromuscular", "    setting: outpatient\n    lines:\n      - service: neuromuscular"
    ).replace("    setting: telehealth\n    lines:",
              "    setting: telehealth\n    cash_price: 90.00\n    lines:")
    from test_sheet import outside_services  # the services block is written anew
    assert outside_services(after) == outside_services(expected) != outside_services(before)


def test_visit_price_rows_with_errors(tmp_path) -> None:
    from helpers import cli, write_site
    from test_sheet import INSURED, write_csv

    site = write_site(tmp_path / "s", {"site.yaml": FULL_SITE, "rates/a.yaml": INSURED})
    before = (site / "rates" / "a.yaml").read_text()
    sheet = write_csv(tmp_path / "fees.csv", [
        ["id", "code", "description", "gross", "cash", "cash_price_max"],
        ["pt-eval", "97162", "First PT visit", "230", "175", ""],
        ["exercise", "97110", "Therapeutic exercise", "65", "50", ""],
        ["visit:visit-54", "", "45-minute visit", "", "100", ""],
        ["visit:visit-45", "", "45-minute visit", "", "a hundred", ""],
        ["visit:visit-45", "", "45-minute visit", "", "100", ""]])
    result = cli("import", sheet, "--clinic", "a", "--site", site, "--force")
    assert result.exit_code == 1
    assert result.output.splitlines()[:3] == [
        f"{sheet}:4:1: error: 'visit:visit-54' names no session of the fee schedule; did you "
        "mean 'visit-45'?",
        f"{sheet}:5:5: error: the visit price cash_price must be an amount like 105.00 (got "
        "\"a hundred\"); write the amount in dollars, or leave the cell empty for no visit "
        "price",
        f"{sheet}:6:1: error: the visit 'visit-45' has two rows; keep one of them"]
    assert (site / "rates" / "a.yaml").read_text() == before


def test_a_visit_written_on_one_line_is_changed_by_hand(tmp_path) -> None:
    from helpers import cli, write_site
    from test_sheet import INSURED, write_csv

    rates = INSURED.replace("""  - id: visit-45
    name: 45-minute visit
    setting: outpatient
    lines: [{service: exercise, minutes: 45}]""", """  - {id: visit-45, name: 45-minute visit, setting: outpatient, cash_price: 90.00,
     lines: [{service: exercise, minutes: 45}]}""")
    site = write_site(tmp_path / "s", {"site.yaml": FULL_SITE, "rates/a.yaml": rates})
    sheet = write_csv(tmp_path / "fees.csv", [
        ["id", "code", "description", "gross", "cash"],
        ["pt-eval", "97162", "First PT visit", "230", "175"],
        ["exercise", "97110", "Therapeutic exercise", "65", "50"],
        ["visit:visit-45", "", "45-minute visit", "", "95"]])
    result = cli("import", sheet, "--clinic", "a", "--site", site, "--force")
    line = rates.splitlines().index("  - {id: visit-45, name: 45-minute visit, setting: "
                                    "outpatient, cash_price: 90.00,") + 1
    assert result.output.splitlines()[0] == (
        f"rates/a.yaml:{line}:76: error: import cannot change the visit price of session "
        "'visit-45' written on one line; write its keys one per line, or change cash_price "
        "here by hand")
    # the same price as the file's is no change at all
    write_csv(sheet, [["id", "code", "description", "gross", "cash"],
                      ["pt-eval", "97162", "First PT visit", "230", "175"],
                      ["exercise", "97110", "Therapeutic exercise", "65", "50"],
                      ["visit:visit-45", "", "45-minute visit", "", "90.00"]])
    assert cli("import", sheet, "--clinic", "a", "--site", site, "--force").exit_code == 0
