"""Hostile and careless input to the second wave's keys (packages, sliding scale, ranges,
locations, modifiers, translations, Medicare fields, second coverage, course dates, yearly
figures, dated fee schedules, shards and merge): every case ends in exit 1 (or 2 for a
command-line usage error) with each error at the line and column of the file the person
wrote, never a traceback, never a misleading page.

Each table row is one class of mistake with one example; the expected position is where the
row's `at` text sits in the changed file, so the rows stay readable.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from helpers import RATES, REPO, SITE, changed, cli, load, make_site
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.build import BuildOptions, build
from sitegen.shard import MANIFEST, Shard, merge
from sitegen.write import UnsafeOutput

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
"""
SITE_FULL = SITE + GUIDELINES
# The tiny clinic with every second-wave key: a per-visit service with a price range at a
# location, a session with a visit price, a package, a sliding scale, a course with a
# frequency and a Medicare scenario with a second coverage and a start date.
FULL = changed(RATES, "      phone: \"503-555-0100\"\n",
               "      phone: \"503-555-0100\"\n      id: main\n") + """\
  - id: eval
    code: "97161"
    modifiers: [GP]
    description: First visit
    translations:
      es: {description: Primera visita}
    settings: [evaluation]
    gross_charge: 200.00
    cash_price: 150.00
    cash_price_max: 180.00
    location: main
    negotiated: {Medicare Part B: 101.26}
    medicare_further_unit: 80.00
payers:
  - {name: Medicare, plan: Part B}
sessions:
  - id: visit
    name: Treatment visit
    setting: outpatient
    cash_price: 100.00
    lines:
      - {service: exercise, minutes: 30}
courses:
  - id: plan
    name: Evaluation and 8 visits
    visits:
      - {service: eval}
      - {session: visit, count: 8}
    months: 2
packages:
  - {id: five, name: Five visits, session: visit, visits: 5, price: 450.00, valid_months: 6}
sliding_scale:
  how_to_apply: Ask at the desk.
  tiers:
    - {up_to_percent: 100, visit_price: 40.00}
    - {up_to_percent: 200, discount: 0.50}
scenarios:
  - id: medicare
    name: Medicare with Medigap Plan G
    network: in-network
    payer: Medicare Part B
    medicare: true
    coinsurance: 0.20
    second_coverage: {type: medigap, medigap_plan: G}
    start: 2026-11-16
"""


def position(text: str, at: str) -> str:
    """'line:col' of the one occurrence of `at` in `text`."""
    assert text.count(at) == 1, f"{at!r} occurs {text.count(at)} times"
    before = text[:text.index(at)]
    return f"{before.count(chr(10)) + 1}:{len(before) - before.rfind(chr(10))}"


def errors(tmp_path: Path, rates: str, site: str = SITE_FULL) -> list[str]:
    _, said = load(make_site(tmp_path, {"site.yaml": site, P: rates}))
    return [line for line in said if ": error: " in line]


def test_the_full_tiny_clinic_is_sound(tmp_path: Path) -> None:
    assert errors(tmp_path, FULL) == []


# (old text, new text, where the error is, what it says): values taken as YAML typed them.
WRONG_TYPES = [
    ("visits: 5,", 'visits: "5",', '"5"', "visits must be a whole number (got text \"5\")"),
    ("valid_months: 6}", "valid_months: true}", "true}", "valid_months must be a whole number"),
    ("up_to_percent: 200", 'up_to_percent: "200"', '"200"', "up_to_percent must be a whole"),
    ("minutes: 30}", "minutes: 30.5}", "30.5}", "minutes must be a whole number"),
    ("count: 8}", "count: true}", "true}", "count must be a whole number"),
    ("    months: 2\n", "    months: '2'\n", "'2'", "months must be a whole number"),
    ("    timed: true\n", "    timed: \"yes\"\n", '"yes"', "timed must be true or false"),
    ("    medicare: true\n", "    medicare: 1\n", "1\n    coinsurance",
     "medicare must be true or false"),
    ("price: 450.00", 'price: "450"', '"450"', "price must be an amount like 120.00"),
    ("visit_price: 40.00", "visit_price: .nan", ".nan", "'.nan' is not an amount"),
    ("visit_price: 40.00", "visit_price: 1e400", "1e400", "visit_price"),
    ("discount: 0.50", "discount: 0.505055", "0.505055", "discount"),
    ("cash_price_max: 180.00", "cash_price_max: [180.00]", "[180.00]",
     "cash_price_max must be an amount"),
    ("medicare_further_unit: 80.00", "medicare_further_unit: -80.00", "-80.00",
     "medicare_further_unit must be more than 0"),
    ("medigap_plan: G}", "medigap_plan: K}", "K}", "unknown medigap_plan value \"K\""),
    ("medigap_plan: G}", "medigap_plan: g}", "g}", "unknown medigap_plan value \"g\""),
    ("location: main", "location: [main]", "[main]", "location must be text"),
    ("modifiers: [GP]", "modifiers: [GP, ZZ]", "ZZ]", "unknown modifier 'ZZ'"),
    ("es: {description: Primera visita}", "fr: {description: Premiere visite}", "fr:",
     "unknown language 'fr'"),
    ("es: {description: Primera visita}", "es: Primera visita", "Primera",
     "must be a mapping of keys"),
    ("start: 2026-11-16", "start: 2026-02-30", "2026-02-30", "'2026-02-30' is not a real date"),
    # far dates: a course starting on 9999-12-31 crashed the build (date overflow)
    ("start: 2026-11-16", "start: 9999-12-31", "9999-12-31",
     "a course starts between 2000 and 2100 (got 9999-12-31)"),
    ("last_updated: 2026-09-01", "last_updated: 0206-09-01", "0206-09-01", "out of range"),
]


@pytest.mark.parametrize(("old", "new", "at", "says"), WRONG_TYPES,
                         ids=[row[1].strip()[:30] for row in WRONG_TYPES])
def test_wrong_values_are_located_errors(tmp_path: Path, old: str, new: str, at: str,
                                         says: str) -> None:
    text = changed(FULL, old, new)
    found = errors(tmp_path, text)
    assert len(found) == 1, found
    assert found[0].startswith(f"{P}:{position(text, at)}: error: "), found
    assert says in found[0], found


# Odd but well-typed data a patient could misread: errors at the value that is wrong.
MISLEADING = [
    ("cash_price_max: 180.00", "cash_price_max: 120.00", "120.00\n    location",
     "cash_price_max 120.00 must be above cash_price 150.00"),
    # a tier's fixed price above every visit's cash price discounts nothing
    ("visit_price: 40.00", "visit_price: 190.00", "190.00}",
     "visit_price 190.00 is not below any visit's cash price (the highest is 180.00)"),
    # people with higher incomes would pay less than people with lower incomes
    ("visit_price: 40.00", "visit_price: 60.00", "0.50}",
     "this tier (incomes up to 200%) charges 50.00 for session 'visit' (cash price 100.00), "
     "while the tier for lower incomes (up to 100%) charges 60.00"),
    ("- {up_to_percent: 100, visit_price: 40.00}", "- {up_to_percent: 100, discount: 0.25}",
     "0.50}", "charges 50.00 for session 'visit' (cash price 100.00), while the "
     "tier for lower incomes (up to 100%) charges 75.00"),
    ("price: 450.00", "price: 600.00", "600.00",
     "package 'five' costs 600.00, more than its 5 visits paid one by one (5 x 100.00 = "
     "500.00)"),
    ("session: visit, visits: 5", "session: visits, visits: 5", "visits, visits",
     "package 'five' names unknown session 'visits'"),
    ("location: main", "location: mian", "mian", "names unknown location 'mian'"),
    ("up_to_percent: 200", "up_to_percent: 100", "100, discount",
     "sliding-scale tiers must go up"),
]


@pytest.mark.parametrize(("old", "new", "at", "says"), MISLEADING,
                         ids=[row[1].strip()[:30] for row in MISLEADING])
def test_misleading_data_is_a_located_error(tmp_path: Path, old: str, new: str, at: str,
                                            says: str) -> None:
    text = changed(FULL, old, new)
    found = errors(tmp_path, text)
    assert len(found) == 1, found
    assert found[0].startswith(f"{P}:{position(text, at)}: error: "), found
    assert says in found[0], found


def test_a_cheaper_package_and_falling_tier_prices_are_fine(tmp_path: Path) -> None:
    text = changed(changed(FULL, "price: 450.00", "price: 499.99"), "discount: 0.50",
                   "discount: 0.55")  # 45.00 for the visit at 200%, above the 40.00 before
    assert errors(tmp_path, text) == []


MEDICARE_2026 = ("{year: 2026, part_b_deductible: 283.00, therapy_threshold_pt_slp: 2480.00, "
                 "therapy_threshold_ot: 2480.00, targeted_review_threshold: 3000.00}")


@pytest.mark.parametrize(("setting", "at", "says"), [
    ("what_will_i_pay:\n  deductible:\n    - {id: a, name: A, deductible_remaining: 10.00}\n"
     "    - {id: a, name: B, deductible_remaining: 20.00}\n", "a, name: B",
     "duplicate what_will_i_pay.deductible id 'a' (first given on line 13)"),
    ("what_will_i_pay:\n  visits_used: [0, 10, 10]\n", "10]",
     "duplicate what_will_i_pay.visits_used value '10' (first given on line 12)"),
    (f"medicare:\n  - {MEDICARE_2026}\n  - {MEDICARE_2026.replace('283.00', '1.00')}\n",
     "2026, part_b_deductible: 1.00", "duplicate medicare year '2026' (first given on line 12)"),
])
def test_repeated_site_settings_are_errors(tmp_path: Path, setting: str, at: str,
                                           says: str) -> None:
    site = SITE_FULL + setting
    found = errors(tmp_path, FULL, site)
    assert len(found) == 1 and found[0].startswith(
        f"site.yaml:{position(site, at)}: error: {says}"), found


# --- yearly figures ---------------------------------------------------------------------

def figures_site(tmp_path: Path, rates: str, extra: dict[str, str | None]) -> list[str]:
    root = make_site(tmp_path, {"site.yaml": SITE_FULL, P: rates})
    for rel, text in extra.items():
        if text is None:
            (root / rel).unlink()
        else:
            (root / rel).write_text(text, encoding="utf-8")
    return [line for line in load(root)[1] if ": error: " in line]


def test_a_figure_counted_in_days_is_no_amount(tmp_path: Path) -> None:
    text = changed(FULL, "    coinsurance: 0.20\n    second",
                   "    coinsurance: 0.20\n    deductible_remaining: {figure: nsa.dispute_days}"
                   "\n    second")
    assert figures_site(tmp_path, text, {}) == [
        f"{P}:{position(text, 'nsa.dispute_days')}: error: figure 'nsa.dispute_days' is "
        "counted in days, not dollars, so it cannot be an amount; name a figure with unit: "
        "dollars, or write the amount"]


def test_figures_yml_is_read_and_a_year_twice_is_an_error(tmp_path: Path) -> None:
    year = (REPO / "figures/2026.yaml").read_text(encoding="utf-8")
    assert figures_site(tmp_path, FULL, {"figures/2026.yml": year}) == [
        "figures/2026.yml: error: the figures of 2026 are given twice, here and in "
        "figures/2026.yaml; keep one of the two files"]


def test_a_figure_source_must_be_a_web_address_and_breaks_nothing_else(tmp_path: Path
                                                                        ) -> None:
    year = (REPO / "figures/2026.yaml").read_text(encoding="utf-8")
    bad = year.replace("url: https://www.cms.gov/newsroom/fact-sheets/2026-medicare-parts-b-"
                       "premiums-deductibles", "url: javascript:alert(1)", 1)
    found = figures_site(tmp_path, FULL, {"figures/2026.yaml": bad})
    assert found[0] == (f"figures/2026.yaml:{position(bad, 'javascript:')}: error: "
                        "'javascript:alert(1)' is not a web address starting with https:// "
                        "(or http://), like https://example.org/")
    # the templates' figures are not "missing from a site without figures": the file is
    # named, with what to do
    assert all("the site has no yearly figures" not in line for line in found), found
    assert all("figures/2026.yaml could not be read" in line for line in found[1:]), found


def test_poverty_guidelines_source_must_be_a_web_address(tmp_path: Path) -> None:
    site = SITE_FULL.replace("source_url: https://aspe.hhs.gov/", "source_url: javascript://",
                             1)
    found = errors(tmp_path, FULL, site)
    assert len(found) == 1 and found[0].startswith(
        f"site.yaml:{position(site, 'javascript://')}: error: 'javascript://"), found


# --- dated fee schedules ----------------------------------------------------------------

def test_one_day_twice_and_unread_files_under_rates_are_errors(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"site.yaml": SITE_FULL, P: None,
                                "rates/a/2026-01-01.yaml": FULL,
                                "rates/a/2026-01-01.yml": FULL,
                                "rates/a/old/2025-01-01.yaml": FULL,
                                "rates/b.YAML": FULL})
    found = [line for line in load(root)[1] if ": error: " in line]
    assert found == [
        "rates/a/2026-01-01.yml: error: two fee schedules of 'a' take effect on 2026-01-01: "
        "this file and rates/a/2026-01-01.yaml; keep one of the two files (.yaml and .yml "
        "are read alike)",
        "rates/a/old/2025-01-01.yaml: error: this file is not read: fee schedules are "
        "rates/<clinic>.yaml or rates/<clinic>/<YYYY-MM-DD>.yaml; move it to one of those "
        "places (with a lower-case .yaml), or out of rates/",
        "rates/b.YAML: error: this file is not read: fee schedules are rates/<clinic>.yaml "
        "or rates/<clinic>/<YYYY-MM-DD>.yaml; move it to one of those places (with a "
        "lower-case .yaml), or out of rates/"]


# --- shards and merge -------------------------------------------------------------------

@pytest.mark.parametrize("text", ["0/0", "3/2", "-1/2", "a/b", "1/0", "1/2/3", "", "/",
                                  "\uff11/2", "1/1001", "1.0/2", "1 /2"])
def test_bad_shard_arguments_are_refused_in_words(text: str) -> None:
    with pytest.raises(ValueError, match="K/N|between 1 and N|at most 1000"):
        Shard.parse(text)
    assert Shard.parse(" 2/3 ") == Shard(2, 3)


@pytest.fixture(scope="module")
def two_shards(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = make_site(tmp_path_factory.mktemp("shards"), {"site.yaml": SITE_FULL, P: FULL})
    parts = []
    for k in (1, 2):
        out = root.parent / f"shard{k}"
        result = build(BuildOptions(root=root, out=out, jobs=1, shard=(k, 2)))
        assert result.ok, result.diagnostics.errors
        parts.append(out)
    return parts


def test_merge_never_replaces_a_shard_it_reads(two_shards: list[Path]) -> None:
    before = {p: sorted(p.rglob("*")) for p in two_shards}
    for out in (two_shards[0], two_shards[1] / "inside"):
        with pytest.raises(UnsafeOutput, match="lies inside the shard"):
            merge(two_shards, out)
    assert {p: sorted(p.rglob("*")) for p in two_shards} == before


def test_a_manifest_naming_files_outside_the_folder_is_refused(two_shards: list[Path],
                                                               tmp_path: Path) -> None:
    forged = tmp_path / "forged"
    shutil.copytree(two_shards[1], forged)
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the web", encoding="utf-8")
    info = json.loads((forged / MANIFEST).read_text("utf-8"))
    info["files"]["../secret.txt"] = hashlib.sha256(secret.read_bytes()).hexdigest()
    (forged / MANIFEST).write_text(json.dumps(info), encoding="utf-8")
    diags, files = merge([two_shards[0], forged], tmp_path / "site")
    assert files == {} and not (tmp_path / "site").exists()
    assert [d.format() for d in diags.errors] == [
        f"{forged.as_posix()}/{MANIFEST}: error: not a shard made by sitegen build --shard: "
        f"its {MANIFEST} has been changed; pass the folders that sitegen build --shard K/N "
        "--out wrote"]


@pytest.mark.parametrize(("content", "says"), [
    (None, f"it has no {MANIFEST}"), ("{", f"its {MANIFEST} cannot be read"),
    ("[1, 2]", "lacks what a shard's manifest holds"),
    ('{"shard": "1", "of": 2, "files": {}, "inputs": "", "base_url": "/"}', "been changed")])
def test_a_foreign_folder_is_not_merged_and_never_gets_a_python_message(
        two_shards: list[Path], tmp_path: Path, content: str | None, says: str) -> None:
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "index.html").write_text("<p>hi</p>", encoding="utf-8")
    if content is not None:
        (foreign / MANIFEST).write_text(content, encoding="utf-8")
    diags, _ = merge([two_shards[0], foreign], tmp_path / "site")
    said = [d.format() for d in diags.errors]
    assert len(said) == 1 and says in said[0], said
    assert "Errno" not in said[0] and "Expecting" not in said[0]


# --- command-line amounts ---------------------------------------------------------------

@pytest.mark.parametrize("amount", ["1e400", "-5", "nan", "12.345", "10000000"])
def test_estimate_amounts_out_of_range_are_usage_errors(amount: str) -> None:
    result = cli("estimate", "--site", REPO, "--clinic", "riverside-hand-ot", "--course",
                 "x", "--self-pay", "--deductible-left", amount)
    assert result.exit_code == 2, result.output
    assert "must be an amount like 1500.00" in result.output


# --- fuzzing the second wave's keys -----------------------------------------------------

# Each anchor is a `key: value` of FULL whose value the fuzzer replaces.
ANCHORS = ["visits: 5", "price: 450.00", "valid_months: 6", "up_to_percent: 100",
           "visit_price: 40.00", "discount: 0.50", "cash_price_max: 180.00",
           "medicare_further_unit: 80.00", "location: main", "medigap_plan: G",
           "start: 2026-11-16", "months: 2", "count: 8", "session: visit,", "modifiers: [GP]",
           "coinsurance: 0.20", "es: {description: Primera visita}", "type: medigap",
           "how_to_apply: Ask at the desk.", "medicare: true", "id: main",
           "{service: exercise, minutes: 30}", "negotiated: {Medicare Part B: 101.26}"]
HOSTILE = ['"10"', "abc", "[1]", "{a: 1}", "null", "-5", "0", "1e400", ".nan", ".inf",
           "1.005", "99999999.00", "true", "2026-02-30", "9999-12-31", "''", "[]", "{}",
           "<b>x</b>", "'{{ 7*7 }}'", "'{% if %}'", "{figure: medicare.part_b_deductible}",
           "{figure: nsa.dispute_days}", "{figure: nope.x}", "visit", "main", "G", "1000",
           "exercise", "'\\u202e'", "1_000", "0x10", "2026-11-16T10:00:00"]
FUZZ_WAVE = settings(max_examples=40, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow,
                                            HealthCheck.function_scoped_fixture])


def hostile(changes: list[tuple[int, int]]) -> str:
    text = FULL
    for anchor, value in changes:
        old = ANCHORS[anchor % len(ANCHORS)]
        key, _, rest = old.partition(": ") if not old.startswith("{") else ("", "", old)
        tail = "," if rest.endswith(",") else ""
        new = f"{key}: {HOSTILE[value % len(HOSTILE)]}{tail}" if key else \
            HOSTILE[value % len(HOSTILE)]
        if text.count(old) == 1:
            text = text.replace(old, new)
    return text


@FUZZ_WAVE
@given(st.lists(st.tuples(st.integers(0, 100), st.integers(0, 100)), min_size=1, max_size=4))
def test_hostile_values_in_new_keys_build_or_explain(tmp_path_factory, changes) -> None:
    """Any mix of hostile values in the second wave's keys: the whole build (rendering
    too) ends in a site or in errors located in the fee schedule, never an exception."""
    root = make_site(tmp_path_factory.mktemp("wave"), {"site.yaml": SITE_FULL,
                                                       P: hostile(changes)})
    result = build(BuildOptions(root=root, jobs=1), write=False)
    for item in result.diagnostics.errors:
        assert item.path == P and item.line >= 1 and item.col >= 1, item.format()
    if result.ok:
        pages = b"".join(data for name, data in result.files.items() if name.endswith(".html"))
        assert b"<b>x</b>" not in pages and b"{{" not in pages


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1949-12-31"])
def test_a_good_faith_estimate_prepared_on_a_far_date_is_a_usage_error(tmp_path: Path,
                                                                        day: str) -> None:
    result = cli("gfe", REPO / "examples/patient.yaml", "--site", REPO, "--out", tmp_path,
                 "--today", day)
    assert result.exit_code == 2 and "is out of range: give a date between 1950 and 2099" \
        in result.output, result.output
    assert list(tmp_path.iterdir()) == []
