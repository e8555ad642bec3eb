"""Units and limits, rule by rule (CMS Pub. 100-04 ch. 5 section 20.2 for the 8-minute rule),
with the units each code bills written out. Small inline clinics; the numbers are by hand."""

from __future__ import annotations

from pathlib import Path

import html5lib
import pytest
from helpers import CLINIC, SITE, changed, write_site

from sitegen.build import BuildOptions, build, load_site
from sitegen.diagnostics import Diagnostics
from sitegen.estimates import assumptions, price_course, visit_plan
from sitegen.pricing import split_units

NS = "{http://www.w3.org/1999/xhtml}"

# CLINIC is lines 1-10 (a PT clinic); these services are lines 11-31.
SERVICES = """\
services:
  - id: exercise
    code: "97110"
    description: Exercise
    settings: [outpatient]
    timed: true
    gross_charge: 60.00
    cash_price: 50.00
    negotiated: {Acme PPO: 30.00}
  - id: manual
    code: "97140"
    description: Manual therapy
    settings: [outpatient]
    timed: true
    gross_charge: 70.00
    cash_price: 55.00
    negotiated: {Acme PPO: 35.00}
  - id: group
    code: "97150"
    description: Group session
    settings: [outpatient]
    gross_charge: 40.00
    cash_price: 30.00
    negotiated: {Acme PPO: 20.00}
"""


def clinic(sessions: str, payers: str = "payers:\n  - {name: Acme, plan: PPO}\n",
           extra: str = "", disciplines: str = "[PT]") -> str:
    return (CLINIC.replace("disciplines: [PT]", f"disciplines: {disciplines}") + SERVICES
            + payers + sessions + extra)


def loaded(tmp_path: Path, rates: str, site: str = SITE):
    root = write_site(tmp_path, {"site.yaml": site, "rates/a.yaml": rates})
    diags = Diagnostics()
    result = load_site(BuildOptions(root=root), diags)
    assert result is not None, [d.format() for d in diags.items]
    return result


def units_of(site, session_visit: str, rule: str = "cms") -> list[tuple[str, int, int | None]]:
    source = site.clinics[0]
    course = source.schedule.courses[0]
    visit = next(v for v in course.visits if v.session == session_visit)
    plan = visit_plan(source, visit, rule)
    return [(line.service.code, line.units, line.minutes) for line in plan.lines]


SPLIT_VISIT = """\
sessions:
  - id: split
    name: Exercise at the start and at the end
    setting: outpatient
    lines:
      - {service: exercise, minutes: 7}
      - {service: manual, minutes: 30}
      - {service: exercise, minutes: 7}
courses:
  - id: one
    name: One visit
    visits: [{session: split}]
"""


@pytest.mark.parametrize("rule", ["cms", "per-code"])
def test_a_code_split_across_the_visit_adds_its_minutes_first(tmp_path: Path, rule) -> None:
    """97110 7 min + 97140 30 min + 97110 7 min: 97110 is 14 minutes. CMS: 44 minutes ->
    3 units; 97140 x2 by its 30 minutes, 97110 x1 by its 14. Per code: 97110 alone has
    14 minutes -> 1 unit; 97140 30 minutes -> 2 units. Before, per code gave 97110 0 units."""
    site = loaded(tmp_path, clinic(SPLIT_VISIT))
    assert units_of(site, "split", rule) == [("97110", 1, 14), ("97140", 2, 30)]


def test_split_units_merges_a_repeated_code() -> None:
    assert split_units([("97110", 7), ("97110", 7)], "per-code") == [("97110", 1)]
    assert split_units([("97110", 7), ("97110", 7)], "cms") == [("97110", 1)]
    assert split_units([("97110", 7), ("97140", 7)], "per-code") == [("97110", 0), ("97140", 0)]
    assert split_units([("97530", 33), ("97110", 4), ("97530", 2), ("97110", 3)]) == [
        ("97530", 2), ("97110", 1)]  # 35 + 7 = 42 minutes -> 3 units


PER_CODE = """\
sessions:
  - id: short-codes
    name: Two short codes
    setting: outpatient
    lines:
      - {service: exercise, minutes: 10}
      - {service: manual, minutes: 7}
      - {service: group, units: 1}
courses:
  - id: one
    name: One visit
    visits: [{session: short-codes}]
scenarios:
  - id: cms-rule
    name: CMS rule
    network: in-network
    payer: Acme PPO
  - id: per-code-rule
    name: Per-code rule
    network: in-network
    payer: Acme PPO
    unit_rule: per-code
"""


def test_per_code_scenario_bills_and_shows_its_own_units(tmp_path: Path) -> None:
    """97110 10 min + 97140 7 min + 97150. CMS: 17 minutes -> 1 unit, to 97110 (the larger
    remainder): 30.00 + 20.00 = 50.00 allowed. Per code: 97110 10 min -> 1, 97140 7 min -> 0:
    also 50.00 here, and the page lists 97140 x 0 for the per-code scenario."""
    site = loaded(tmp_path, clinic(PER_CODE))
    assert units_of(site, "short-codes", "cms") == [("97110", 1, 10), ("97140", 0, 7),
                                                    ("97150", 1, None)]
    assert units_of(site, "short-codes", "per-code") == [("97110", 1, 10), ("97140", 0, 7),
                                                         ("97150", 1, None)]
    source = site.clinics[0]
    per_code = source.schedule.scenarios[1]
    assert price_course(source, source.schedule.courses[0], per_code).plan_total == 50
    said = assumptions(per_code, source)
    assert ("Timed services are counted code by code (the rule many private plans use): "
            "each code needs 8 minutes or more of its own for a 15-minute unit.") in said
    assert any(line.startswith("Timed services are counted under Medicare's 8-minute rule")
               for line in assumptions(source.schedule.scenarios[0], source))


def test_per_code_units_differ_on_the_estimate_page(tmp_path: Path) -> None:
    """97110 7 min + 97140 8 min: CMS pools 15 minutes -> 1 unit (to 97140, larger
    remainder); per code 97110 0 + 97140 1. Then 97110 20 + 97140 20 under per code is
    1 + 1, under CMS 40 minutes -> 3 units (97110 x2 by the tie, 97140 x1)."""
    rates = clinic(PER_CODE.replace("minutes: 10}", "minutes: 20}").replace(
        "minutes: 7}", "minutes: 20}"))
    root = write_site(tmp_path, {"site.yaml": SITE, "rates/a.yaml": rates})
    result = build(BuildOptions(root=root), write=False)
    assert result.ok, [d.format() for d in result.diagnostics.items]
    page = result.files["clinics/a/estimates/index.html"].decode()
    tree = html5lib.parse(page)
    main = "".join(next(tree.iter(f"{NS}main")).itertext())
    assert "CPT 97110 × 2 (20 min), CPT 97140 × 1 (20 min), CPT 97150 × 1" in main
    assert ("Units billed under this rule:\n  \nTwo short codes: CPT 97110 × 1 (20 min), "
            "CPT 97140 × 1 (20 min), CPT 97150 × 1") in main.replace("  \n  ", "  \n")


LIMITED = """\
sessions:
  - id: visit
    name: Visit
    setting: outpatient
    lines: [{service: group, units: 1}]
courses:
  - id: three
    name: Three visits
    visits: [{session: visit, count: 3}]
scenarios:
  - id: limited
    name: One visit left
    network: in-network
    payer: Acme PPO
    visits_remaining: 1
"""


@pytest.mark.parametrize("disciplines, session_discipline, shared_by, counted", [
    ("[OT]", "", "[PT, SLP]", False),         # OT clinic, limit of PT and speech: never counts
    ("[OT]", "", "[OT, PT]", True),           # inherits the clinic's OT
    ("[OT, PT]", "    discipline: PT\n", "[OT]", False),  # the session says PT
    ("[OT, PT]", "    discipline: OT\n", "[OT]", True),
    ("[OT, PT]", "", "[PT, SLP]", True),      # unnamed at an OT+PT clinic: may be PT
    ("[OT]", "", "[]", True),                 # a limit of the whole plan: every visit
])
def test_a_visit_counts_only_against_limits_of_its_therapy(
        tmp_path: Path, disciplines, session_discipline, shared_by, counted) -> None:
    """Three visits of 97150 (20.00 allowed, no cost share), one covered visit left: when
    the visits count, visits 2 and 3 are over the limit at the cash price 30.00."""
    payers = f"payers:\n  - {{name: Acme, plan: PPO, visit_limit: {{visits: 20, " \
             f"shared_by: {shared_by}}}}}\n"
    sessions = LIMITED.replace("    setting: outpatient\n",
                               "    setting: outpatient\n" + session_discipline)
    site = loaded(tmp_path, clinic(sessions, payers, disciplines=disciplines))
    source = site.clinics[0]
    result = price_course(source, source.schedule.courses[0], source.schedule.scenarios[0])
    assert [v.patient for v in result.visits] == (
        [0, 30, 30] if counted else [0, 0, 0])
    said = assumptions(source.schedule.scenarios[0], source)
    limit_line = next(s for s in said if "covered visits are left" in s)
    if shared_by == "[PT, SLP]":
        assert ("(the limit covers physical therapy and speech-language therapy; other visits "
                "do not count toward it)") in limit_line
    if shared_by == "[]":
        assert "(every visit counts toward it)" in limit_line


@pytest.mark.parametrize("case, message", [
    ("zero units",
     "rates/a.yaml:42:7: error: session 'short' has 5 timed minutes, which bill 0 units (a "
     "timed service needs 8 minutes or more for one unit); give the timed services 8 "
     "minutes or more in all, or remove them"),
    ("units on timed",
     "rates/a.yaml:42:36: error: 'exercise' is timed, so it is billed by its minutes (got "
     "units: 2); write minutes: (the minutes spent on it in the visit) instead"),
    ("timed whole visit",
     "rates/a.yaml:47:24: error: course 'one' uses the timed service 'exercise' as a whole "
     "visit; timed services are billed by minutes; make a session with its minutes, and use "
     "session: <session id>"),
])
def test_unit_errors_point_at_their_line(tmp_path: Path, case: str, message: str) -> None:
    sessions = """\
sessions:
  - id: short
    name: Short visit
    setting: outpatient
    lines:
      - {service: exercise, minutes: 5}
      - {service: group, units: 1}
courses:
  - id: one
    name: One visit
    visits: [{session: short}]
"""
    if case == "units on timed":
        sessions = changed(sessions, "{service: exercise, minutes: 5}",
                           "{service: exercise, units: 2}")
    if case == "timed whole visit":
        sessions = changed(sessions, "minutes: 5}", "minutes: 15}")
        sessions = changed(sessions, "visits: [{session: short}]",
                           "visits: [{service: exercise}]")
    root = write_site(tmp_path, {"site.yaml": SITE, "rates/a.yaml": clinic(sessions)})
    result = build(BuildOptions(root=root), write=False)
    assert [d.format() for d in result.diagnostics.items] == [message]
