"""Original Medicare in the guided "What will I pay?" pages and in `sitegen estimate
--clinic`: other coverage (Medigap, Medicaid, another plan), the start month (a new year
inside the course), what this year already counted (deductible, therapy toward the KX
threshold); and the yearly Medicare amounts typed in one place only (figures/<YEAR>.yaml).

Amounts are worked by hand from the example fee schedules (docs/estimate.md, M4-M6):
Riverside (OT) evaluation 97166, Medicare 102.84; a 60-minute session bills 97110, 97140
and 97530 x2, Medicare allows 103.55 after the payment reduction for multiple therapy
services (124.09 - 20.54). Mercy Valley (PT) evaluation 104.26, session 105.20.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import html5lib
import pytest
import yaml
from click.testing import CliRunner
from helpers import write_site

from sitegen.build import BuildOptions, build, load_site
from sitegen.cli import main
from sitegen.diagnostics import Diagnostics
from sitegen.flow import clinic_flow, start_choices
from sitegen.model import Course

ROOT = Path(__file__).resolve().parent.parent
NS = "{http://www.w3.org/1999/xhtml}"
FLOW = "clinics/{}/what-will-i-pay/{}/medicare-part-b/{}/index.html"


@pytest.fixture(scope="module")
def example():
    result = build(BuildOptions(root=ROOT), write=False)
    assert result.ok, [d.format() for d in result.diagnostics.items]
    return {k: v.decode() for k, v in result.files.items() if k.endswith(".html")}


def text(node) -> str:
    return re.sub(r"\s+", " ", "".join(node.itertext())).strip()


def table(page: str) -> dict[str, list[str]]:
    """The answer table: row id -> its cells."""
    tree = html5lib.parse(page)
    return {tr.get("id").removeprefix("row-"): [text(c) for c in tr]
            for tr in tree.iter(f"{NS}tr") if (tr.get("id") or "").startswith("row-")}


def section(page: str, row: str) -> str:
    tree = html5lib.parse(page)
    found = next(s for s in tree.iter(f"{NS}section")
                 if s.get("aria-labelledby") == row)
    return text(found)


def test_other_coverage_question_lists_the_choices_with_their_hints(example) -> None:
    page = example["clinics/riverside-hand-ot/what-will-i-pay/eval-and-12-12/medicare-part-b/"
                   "index.html"]
    tree = html5lib.parse(page)
    assert text(next(tree.iter(f"{NS}h1"))) == "Do you have other coverage besides Medicare?"
    assert "Question 3 of 5" in text(next(tree.iter(f"{NS}main")))
    choices = [text(a) for a in tree.iter(f"{NS}a") if a.get("class") == "choice"]
    assert choices == ["No, only Medicare", "Medigap (Medicare Supplement) Plan G",
                       "Medigap (Medicare Supplement) Plan N", "Medicaid",
                       "Another plan that pays after Medicare"]
    hints = [text(p) for p in tree.iter(f"{NS}p") if p.get("class") == "hint"]
    assert hints[2] == ("Pays your 20% coinsurance after you pay the Part B deductible, "
                        "except a copay of up to $20 for some office visits.")
    assert not [s for s in tree.iter(f"{NS}script")]


def test_plan_g_and_plan_n_rows_match_the_worked_examples(example) -> None:
    """Evaluation and 12 sessions, the whole course in 2026, nothing counted yet:
    deductible 283.00 = 102.84 (eval) + 103.55 (session 1) + 76.61 of session 2; 20% of the
    rest of session 2 = 5.39; then 20% of 103.55 = 20.71 for sessions 3-12.
    Plan G: you 283.00; Plan G 5.39 + 10 x 20.71 = 212.49; Medicare 849.95; total 1,345.44.
    Plan N: you also pay up to 20.00 of each 20.71: 283.00 + 5.39 + 10 x 20.00 = 488.39;
    Plan N 10 x 0.71 = 7.10."""
    g = table(example[FLOW.format("riverside-hand-ot", "eval-and-12-12", "medigap-g")])
    assert g["earlier--nothing-yet"] == [
        "Before December: the whole course in 2026",
        "Nothing yet: the Part B deductible is still to pay",
        "$283.00", "$849.95", "$212.49", "$1,345.44"]
    n = table(example[FLOW.format("riverside-hand-ot", "eval-and-12-12", "medigap-n")])
    assert n["earlier--nothing-yet"][2:] == ["$488.39", "$849.95", "$7.10", "$1,345.44"]
    only = table(example[FLOW.format("riverside-hand-ot", "eval-and-12-12", "medicare-only")])
    # Medicare only: 283.00 + 5.39 + 10 x 20.71 = 495.49, and no second column.
    assert only["earlier--nothing-yet"][2:] == ["$495.49", "$849.95", "$1,345.44"]
    medicaid = table(example[FLOW.format("riverside-hand-ot", "eval-and-12-12", "medicaid")])
    assert medicaid["earlier--nothing-yet"][2:] == ["$0.00", "$849.95", "$495.49", "$1,345.44"]


def test_a_december_start_shows_where_the_new_year_starts_again(example) -> None:
    """Starting December 1, 2026, 13 visits spread over 2 months (62 days): visit i falls
    (i - 1) x 62 // 13 days later: visit 7 on day 28 (December 29), visit 8 on day 33
    (January 3, 2027). Deductible met, Plan N: visits 1-7 you 20.00 each (the evaluation's
    20.57 is 20.00 + 0.57 from Plan N; sessions 20.00 + 0.71). Visits 8-9 start the 2027
    deductible: 103.55 each; visit 10: 283.00 - 207.10 = 75.90 + 20% of 27.65 = 5.53, you
    81.43, Medicare 22.12; visits 11-13: 20.00 + 0.71.
    You: 7 x 20.00 + 2 x 103.55 + 81.43 + 3 x 20.00 = 488.53; Plan N 0.57 + 9 x 0.71 = 6.96;
    Medicare 82.27 + 6 x 82.84 + 22.12 + 3 x 82.84 = 849.95."""
    page = example[FLOW.format("riverside-hand-ot", "eval-and-12-12", "medigap-n")]
    rows = table(page)
    assert rows["december--deductible-met"] == [
        "In December 2026", "Part B deductible met; no therapy yet this year",
        "$488.53", "$849.95", "$6.96", "$1,345.44"]
    said = section(page, "december--deductible-met")
    assert ("At visit 8: A new plan year starts: the deductible ($283.00) and the therapy "
            "thresholds start again.") in said
    assert "Visit 10 (Standard 60-minute visit): you pay $81.43, Medicare $22.12, Medigap " \
           "Plan N $0.00." in said
    assert "The course starts on December 1, 2026" in said or "December 1, 2026" in page
    # the same patient in the command
    result = CliRunner().invoke(main, [
        "estimate", "--site", str(ROOT), "--clinic", "riverside-hand-ot", "--course",
        "eval-and-12", "--plan", "Medicare Part B", "--second-coverage", "medigap-n",
        "--start", "2026-12", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["patient_total"], data["plan_total"], data["second_coverage_total"]) == (
        "488.53", "849.95", "6.96")
    assert data["visits"][7]["events"] == [
        "A new plan year starts: the deductible ($283.00) and the therapy thresholds start "
        "again"]


def test_therapy_already_counted_moves_the_kx_crossing(example) -> None:
    """Mercy Valley, PT after a stroke (evaluation and 36 sessions), Medicare only. With
    nothing counted: 104.26 + n x 105.20 > 2,480 when n > 22.58, session 23 = visit 24;
    > 3,000 when n > 27.53: visit 29. With 1,500.00 already counted: 1,604.26 + n x 105.20
    > 2,480 when n > 8.32: visit 10; > 3,000 when n > 13.27: visit 15."""
    page = example[FLOW.format("mercy-valley-rehab", "pt-after-stroke-36", "medicare-only")]
    none = section(page, "earlier--deductible-met")
    assert "At visit 24: Medicare therapy threshold for physical and speech therapy " \
           "together ($2,480.00 a year) passed" in none
    assert "At visit 29: Above $3,000.00" in none
    some = section(page, "earlier--therapy-1500")
    assert "At visit 10: Medicare therapy threshold" in some
    assert "At visit 15: Above $3,000.00" in some
    assert table(page)["earlier--therapy-1500"][1] == (
        "Part B deductible met; $1,500.00 of physical and speech therapy already")
    result = CliRunner().invoke(main, [
        "estimate", "--site", str(ROOT), "--clinic", "mercy-valley-rehab", "--course",
        "pt-after-stroke", "--plan", "Medicare Part B", "--therapy-spent", "1500.00"])
    assert result.exit_code == 0, result.output
    assert "- At visit 10: Medicare therapy threshold for physical and speech therapy" \
        in result.output


def test_start_choices_follow_the_course_length() -> None:
    """A start question only where a new year can fall inside the course: a 2-month
    course crosses it only from December, a 6-month one from August."""
    from sitegen.model import WhatWillIPay

    settings = WhatWillIPay()

    def course(months: int | None) -> Course:
        return Course(id="c", name="C", months=months,
                      visits=[{"service": "e"}, {"service": "s", "count": 12}])
    assert [(s.id, s.words) for s in start_choices(settings, course(2), 2026)] == [
        ("earlier", "Before December: the whole course in 2026"),
        ("december", "In December 2026")]
    assert [s.id for s in start_choices(settings, course(6), 2026)] == [
        "earlier", "august", "october", "december"]
    assert [s.id for s in start_choices(settings, course(None), 2026)] == [""]


def test_page_count_per_clinic_with_the_medicare_questions() -> None:
    site = load_site(BuildOptions(root=ROOT), Diagnostics())
    mercy = next(c for c in site.clinics if c.slug == "mercy-valley-rehab")
    flow = clinic_flow(site.config, mercy)
    medicare = [a for a in flow.answers if a.pay == "medicare"]
    # 4 cares x (only Medicare, Plan G, Plan N, Medicaid, another plan)
    assert len(medicare) == 20
    assert max(len(a.rows) for a in medicare) == 9   # 3 starts x 3 "so far" rows


@pytest.mark.parametrize("args, message", [
    (["--self-pay", "--second-coverage", "medigap-g"],
     "--second-coverage is for a patient with insurance, not --self-pay"),
    (["--plan", "Aetna PPO", "--second-coverage", "medigap-g"],
     "--second-coverage medigap-g: a Medigap plan pays only after Original Medicare, but "
     "--plan \"Aetna PPO\" is not Original Medicare; use --plan with the clinic's Medicare "
     "plan"),
    (["--plan", "Aetna PPO", "--therapy-spent", "100"],
     "--therapy-spent counts toward Medicare's therapy threshold, but --plan \"Aetna PPO\" "
     "is not Original Medicare; leave it out"),
    (["--plan", "Medicare Part B", "--second-coverage", "medigap-x"],
     "--second-coverage: unknown coverage 'medigap-x'; valid: medigap-a, medigap-b, "
     "medigap-c, medigap-d, medigap-f, medigap-g, medigap-m, medigap-n, medicaid, "
     "other-plan"),
    (["--plan", "Medicare Part B", "--start", "2026-13"],
     "Invalid value for '--start': must be a date like 2026-12-01, or a month like 2026-12 "
     "(got '2026-13')"),
    (["--plan", "Medicare Part B", "--deductible-left", "300"],
     "--deductible-left: more than the 2026 Part B deductible (got 300, the deductible is "
     "283.00); give what is left of it"),
    (["--plan", "Medicare Part B", "--plan-year-starts", "7"],
     "--plan-year-starts: Medicare's year starts in January (got 7); leave it out"),
    (["--plan", "Medicare Part B", "--second-coinsurance", "0.1"],
     "--second-coinsurance needs --second-coverage other-plan"),
    (["--plan", "Medicare Part B", "--second-coverage", "medigap-g", "--second-copay", "5"],
     "--second-copay is for --second-coverage other-plan"),
    (["--plan", "Medicare Part B", "--copay", "20"],
     "--copay: Original Medicare has no copay; give --coinsurance, or leave it out for "
     "Medicare's 20%"),
    (["--plan", "Medicare Part B", "--therapy-spent", "1,000"],
     "Invalid value for '--therapy-spent': must be an amount like 1500.00 (got '1,000')"),
    (["--plan", "Aetna PPO", "--plan-year-starts", "13"], "--plan-year-starts"),
])
def test_estimate_clinic_refuses_bad_medicare_options(args, message) -> None:
    result = CliRunner().invoke(main, ["estimate", "--site", str(ROOT), "--clinic",
                                       "riverside-hand-ot", "--course", "eval-and-12", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_another_plan_after_aetna_with_a_plan_year_in_july() -> None:
    """A second plan behind Aetna PPO (ordinary coordination of benefits) and a plan year
    that starts in July: the command accepts both, and the July reset is named."""
    result = CliRunner().invoke(main, [
        "estimate", "--site", str(ROOT), "--clinic", "riverside-hand-ot", "--course",
        "eval-and-12", "--plan", "Aetna PPO", "--deductible-left", "500", "--coinsurance",
        "0.20", "--second-coverage", "other-plan", "--start", "2026-06-15",
        "--plan-year-starts", "7"])
    assert result.exit_code == 0, result.output
    assert "Paying: Aetna PPO and Your other plan" in result.output
    assert "On July 1 a new plan year starts" in result.output
    assert re.search(r"- At visit \d+: A new plan year starts", result.output)


# --- one place for Medicare's yearly amounts ---------------------------------------------

MEDICARE_KEYS = {"deductible_remaining", "deductible", "part_b_deductible",
                 "therapy_threshold_pt_slp", "therapy_threshold_ot",
                 "targeted_review_threshold", "medicare_deductible", "pt_slp", "ot", "review"}


def _typed_amounts(node, path=()):
    """(path, number) of every number under a Medicare key of a YAML document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in MEDICARE_KEYS and isinstance(value, (int, float)) \
                    and not isinstance(value, bool):
                yield (*path, key), Decimal(str(value))
            yield from _typed_amounts(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _typed_amounts(value, (*path, i))


def test_no_medicare_amount_is_typed_twice() -> None:
    """site.yaml and the fee schedules name the yearly figures ({figure: ...}) instead of
    typing $283, $2,480 or $3,000 again; site.yaml has no medicare: block."""
    figures = yaml.safe_load((ROOT / "figures/2026.yaml").read_text())
    medicare = {Decimal(str(v["value"])) for k, v in figures.items()
                if k.startswith("medicare.")}
    assert medicare == {Decimal("283.00"), Decimal("2480.00"), Decimal("3000.00")}
    site = yaml.safe_load((ROOT / "site.yaml").read_text())
    assert "medicare" not in site
    files = [ROOT / "site.yaml", *sorted((ROOT / "rates").rglob("*.yaml"))]
    typed = [(f.name, where, amount) for f in files
             for where, amount in _typed_amounts(yaml.safe_load(f.read_text()))
             if amount in medicare]
    assert typed == []
    named = sum(f.read_text().count("{figure: medicare.part_b_deductible}") for f in files)
    assert named >= 6


def test_medicare_figures_come_from_the_figures_file() -> None:
    site = load_site(BuildOptions(root=ROOT), Diagnostics())
    year = site.config.medicare_year(2026)
    assert (year.year, year.part_b_deductible, year.therapy_threshold_pt_slp,
            year.therapy_threshold_ot, year.targeted_review_threshold) == (
        2026, Decimal("283.00"), Decimal("2480.00"), Decimal("2480.00"), Decimal("3000.00"))
    riverside = next(c for c in site.clinics if c.slug == "riverside-hand-ot")
    scenario = next(s for s in riverside.schedule.scenarios if s.medicare)
    assert scenario.deductible_remaining == Decimal("283.00")


def test_a_site_yaml_entry_overrides_its_year_and_warns_when_it_only_repeats(
        tmp_path: Path) -> None:
    """A new figure in a site.yaml entry wins for its year (a correction announced before
    the figures file is updated, say); an amount equal to the figure is a warning."""
    site = (ROOT / "site.yaml").read_text() + (
        "medicare:\n  - {year: 2026, part_b_deductible: 283.00, therapy_threshold_pt_slp: "
        "2500.00, therapy_threshold_ot: 2480.00, targeted_review_threshold: 3000.00}\n")
    root = write_site(tmp_path, {"site.yaml": site,
                                 "figures/2026.yaml": (ROOT / "figures/2026.yaml").read_text(),
                                 "rates/a.yaml": (ROOT / "rates/riverside-hand-ot.yaml")
                                 .read_text()})
    diags = Diagnostics()
    loaded = load_site(BuildOptions(root=root), diags)
    assert loaded is not None
    assert loaded.config.medicare_year(2026).therapy_threshold_pt_slp == Decimal("2500.00")
    line = site.splitlines().index("medicare:") + 2
    warned = [d.format() for d in diags.items if d.path == "site.yaml"]
    assert len(warned) == 3  # the PT and speech threshold differs: an override
    assert warned[0].startswith(f"site.yaml:{line}:")
    assert ("warning: medicare: part_b_deductible repeats figure medicare.part_b_deductible "
            "of figures/2026.yaml (got 283.00); remove it: the figures file is the one place "
            "for Medicare's amounts") in warned[0]


def test_a_site_without_medicare_figures_says_which_file_to_add(tmp_path: Path) -> None:
    """Without the year's Medicare figures the estimates cannot show the threshold: the
    warning names the figures file and the four figure names."""
    figures = yaml.safe_load((ROOT / "figures/2026.yaml").read_text())
    kept = {k: v for k, v in figures.items() if not k.startswith("medicare.")}
    rates = (ROOT / "rates/riverside-hand-ot.yaml").read_text().replace(
        "{figure: medicare.part_b_deductible}", "283.00")
    root = write_site(tmp_path, {"site.yaml": (ROOT / "site.yaml").read_text(),
                                 "figures/2026.yaml": yaml.safe_dump(kept),
                                 "rates/riverside-hand-ot.yaml": rates})
    diags = Diagnostics()
    assert load_site(BuildOptions(root=root), diags) is not None
    warned = [d.format() for d in diags.items if "Medicare figures" in d.message]
    assert len(warned) == 3  # one per Medicare scenario of the clinic
    assert warned[0].endswith(
        "warning: the site has no Medicare figures for 2026, so the estimates of scenario "
        "'medicare-part-b' do not show the therapy threshold; add figures/2026.yaml with "
        "medicare.part_b_deductible, medicare.kx_threshold_pt_slp, medicare.kx_threshold_ot "
        "and medicare.review_threshold (see docs/figures.md)")


@pytest.mark.parametrize("setting, message", [
    ("medigap_plans: [G, N, G]", "G is listed twice; list each answer once"),
    ("therapy_so_far: [0, 1500, 1500.00]", "1500.00 is listed twice; list each answer once"),
    ("start_months: [12, 12]", "12 is listed twice; list each answer once"),
    ("start_months: [13]", "start_months is too large (got number 13); it must be at most 12"),
    ("medigap_plans: [K]", "medigap_plans"),
    ("therapy_so_far: [-5]", "therapy_so_far"),
    ("second_plan_coinsurance: 20", "second_plan_coinsurance"),
])
def test_medicare_answers_of_site_yaml_are_checked(tmp_path: Path, setting: str,
                                                   message: str) -> None:
    site = (ROOT / "site.yaml").read_text() + f"what_will_i_pay:\n  {setting}\n"
    root = write_site(tmp_path, {"site.yaml": site})
    diags = Diagnostics()
    assert load_site(BuildOptions(root=root), diags) is None
    errors = [d.format() for d in diags.errors]
    line = len(site.splitlines())
    assert len(errors) == 1 and errors[0].startswith(f"site.yaml:{line}:"), errors
    assert message in errors[0]


def test_more_medigap_plans_make_more_pages_and_the_cap_still_holds(tmp_path: Path) -> None:
    """Every Medigap plan offered is one more answer page per course length: with all
    eight, Riverside's 5 course lengths make 5 x 6 = 30 more pages than with G and N (106),
    past a cap of 120: a located error, never a traceback."""
    site = (ROOT / "site.yaml").read_text() + (
        "what_will_i_pay:\n  medigap_plans: [A, B, C, D, F, G, M, N]\n")
    rates = (ROOT / "rates/riverside-hand-ot.yaml").read_text()
    root = write_site(tmp_path, {"site.yaml": site, "rates/riverside-hand-ot.yaml": rates})
    result = build(BuildOptions(root=root), write=False)
    assert [d.format() for d in result.diagnostics.errors] == [
        f"rates/riverside-hand-ot.yaml:{rates.splitlines().index('courses:') + 1}:1: error: "
        "\"What will I pay?\" would make 136 pages for this clinic (got 136, the limit is "
        "120); offer fewer lengths: in its courses or fewer plans, shorten "
        "what_will_i_pay.visits_used (or medigap_plans, for Medicare) in site.yaml, or raise "
        "what_will_i_pay.max_pages_per_clinic there"]


@pytest.mark.parametrize("start", ["9999-12", "1899-01-01"])
def test_a_start_outside_this_century_is_refused(start: str) -> None:
    result = CliRunner().invoke(main, ["estimate", "--site", str(ROOT), "--clinic",
                                       "riverside-hand-ot", "--course", "eval-and-12", "--plan",
                                       "Medicare Part B", "--start", start])
    assert result.exit_code == 2, result.output
    assert "Invalid value for '--start': a course starts between 2000 and 2100" in result.output


def test_a_scenario_start_outside_this_century_is_located(tmp_path: Path) -> None:
    rates = (ROOT / "rates/riverside-hand-ot.yaml").read_text()
    marker = "      medigap_plan: G\n"
    assert marker in rates
    wrong = rates.replace(marker, marker + "    start: 9999-12-01\n", 1)
    line = wrong.splitlines().index("    start: 9999-12-01") + 1
    root = write_site(tmp_path, {"site.yaml": (ROOT / "site.yaml").read_text(),
                                 "rates/riverside-hand-ot.yaml": wrong})
    result = build(BuildOptions(root=root), write=False)
    assert [d.format() for d in result.diagnostics.errors] == [
        f"rates/riverside-hand-ot.yaml:{line}:12: error: a course starts between 2000 and "
        "2100 (got 9999-12-01); write the date it starts, like 2026-12-01"]
