"""Medicare and second coverage, each rule against a hand-worked example with the arithmetic
written out: the payment reduction for multiple therapy services (MPPR), the yearly therapy
thresholds (KX modifier, targeted review), Medigap, Medicaid and coordination of benefits,
a course across the plan year, and separate in- and out-of-network amounts.

The Medicare amounts are the example clinic's (rates/riverside-hand-ot.yaml): 97110 28.74
(further unit 22.10), 97140 26.95 (21.20), 97530 34.20 (26.05), evaluation 97166 102.84.
Its 60-minute visit (20 min 97110, 15 min 97140, 25 min 97530) bills 4 units: 97110 x1,
97140 x1, 97530 x2.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from decimal import Decimal as D
from pathlib import Path

import html5lib
import pytest
from helpers import CLINIC, check, cli, write_site
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.build import BuildOptions, build
from sitegen.coverage import course_dates, plan_years
from sitegen.pricing import (
    Coverage,
    SecondCoverage,
    Threshold,
    Visit,
    estimate,
    mppr_allowed,
)

NS = "{http://www.w3.org/1999/xhtml}"
SESSION_UNITS = [(D("28.74"), D("22.10"), 1), (D("26.95"), D("21.20"), 1),
                 (D("34.20"), D("26.05"), 2)]
MEDICARE = Coverage(network="in-network", deductible_remaining=D("283.00"),
                    coinsurance=D("0.20"))


def course(session: D = D("103.55"), reduction: D = D("20.54"), group: str = "ot",
           sessions: int = 12) -> list[Visit]:
    """Evaluation (one unit, no reduction) and `sessions` 60-minute sessions."""
    return ([Visit("Evaluation", D("245.00"), D("102.84"), group=group)]
            + [Visit("Session", D("420.00"), session, reduction=reduction, group=group)]
            * sessions)


# --- Multiple procedure payment reduction -------------------------------------------------

def test_mppr_pays_the_unit_with_the_highest_practice_expense_in_full() -> None:
    # Full amounts: 28.74 + 26.95 + 2 x 34.20 = 124.09.
    # Reductions (first - further): 6.64, 5.75, 8.15 and 8.15 = 28.69; the largest (8.15,
    # one 97530 unit) is paid in full, so the reduction is 28.69 - 8.15 = 20.54.
    # Allowed: 124.09 - 20.54 = 103.55 = 34.20 + 26.05 + 22.10 + 21.20.
    assert mppr_allowed(SESSION_UNITS) == (D("103.55"), D("20.54"))


def test_mppr_order_of_codes_does_not_matter() -> None:
    assert mppr_allowed(list(reversed(SESSION_UNITS))) == (D("103.55"), D("20.54"))


@pytest.mark.parametrize("units, expected", [
    # One unit: nothing to reduce.
    ([(D("34.20"), D("26.05"), 1)], (D("34.20"), D("0.00"))),
    # Two units of one code: the second at 26.05 -> 34.20 + 26.05.
    ([(D("34.20"), D("26.05"), 2)], (D("60.25"), D("8.15"))),
    # A code Medicare does not reduce (a splint) beside one therapy unit: no reduction.
    ([(D("248.60"), None, 1), (D("40.85"), D("30.95"), 1)], (D("289.45"), D("0.00"))),
    # The same beside two therapy units: 248.60 + 40.85 + 30.95 (97760 x2).
    ([(D("248.60"), None, 1), (D("40.85"), D("30.95"), 2)], (D("320.40"), D("9.90"))),
    # Zero units count for nothing.
    ([(D("34.20"), D("26.05"), 0), (D("28.74"), D("22.10"), 1)], (D("28.74"), D("0.00"))),
])
def test_mppr_cases(units: list, expected: tuple) -> None:
    assert mppr_allowed(units) == expected


def test_mppr_patient_share_follows_the_reduced_amount() -> None:
    # Deductible met: 20% of 103.55 = 20.71 (not 20% of 124.09 = 24.82).
    result = estimate(Coverage("in-network", coinsurance=D("0.20")),
                      [Visit("Session", D("420.00"), D("103.55"), reduction=D("20.54"))])
    cost = result.visits[0]
    assert (cost.patient, cost.plan, cost.reduction) == (D("20.71"), D("82.84"), D("20.54"))
    assert cost.explanation.startswith("Medicare allows $103.55 after a payment reduction "
                                       "for multiple therapy services of $20.54; ")


def test_original_medicare_course_with_the_part_b_deductible() -> None:
    # Evaluation 102.84, all deductible (180.16 left). Session 1: 103.55 deductible (76.61
    # left). Session 2: 76.61 + 20% of 26.94 = 5.388 -> 5.39: 82.00 (Medicare 21.55).
    # Sessions 3-12: 20.71 each (Medicare 82.84).
    # You: 102.84 + 103.55 + 82.00 + 10 x 20.71 = 495.49; Medicare: 21.55 + 828.40 = 849.95.
    result = estimate(MEDICARE, course())
    assert [v.patient for v in result.visits[:4]] == [D("102.84"), D("103.55"), D("82.00"),
                                                      D("20.71")]
    assert (result.patient_total, result.plan_total) == (D("495.49"), D("849.95"))


# --- The therapy threshold -----------------------------------------------------------------

def thresholds(spent: D = D(0)) -> tuple[Threshold, ...]:
    return (Threshold("pt_slp", "physical and speech therapy together", D("2480.00"),
                      D("3000.00"), spent),
            Threshold("ot", "occupational therapy", D("2480.00"), D("3000.00")))


def crossings(result) -> list[tuple[int, str]]:
    return [(n, text.split(" ")[0] + " " + text.split(" ")[1]) for n, text in result.events()]


def test_threshold_crossing_and_review_in_a_long_course() -> None:
    # Mercy Valley's 60-minute PT visit: 97116 29.05/22.35, 97110 29.12/22.40,
    # 97112 33.48/25.90, 97530 34.55/26.40. Full 126.20; reductions 6.70 + 6.72 + 7.58 +
    # 8.15 = 29.15, less the largest 8.15 = 21.00; allowed 105.20.
    session, reduction = mppr_allowed([(D("29.05"), D("22.35"), 1), (D("29.12"), D("22.40"), 1),
                                       (D("33.48"), D("25.90"), 1), (D("34.55"), D("26.40"), 1)])
    assert (session, reduction) == (D("105.20"), D("21.00"))
    visits = ([Visit("Evaluation", D("560.00"), D("104.26"), group="pt_slp")]
              + [Visit("Session", D("600.00"), session, reduction=reduction, group="pt_slp")]
              * 36)
    result = estimate(Coverage("in-network", D("283.00"), D("0.20"), thresholds=thresholds()),
                      visits)
    # 104.26 + n x 105.20 > 2,480 when n > 22.58: session 23 is visit 24.
    # 104.26 + n x 105.20 > 3,000 when n > 27.53: session 28 is visit 29.
    assert crossings(result) == [(24, "Medicare therapy"), (29, "Above $3,000.00")]
    text = result.visits[23].events[0]
    assert "the clinic adds the KX modifier" in text and "Medicare keeps paying" in text
    # Not a cap: Medicare pays 20%-coinsurance claims past both thresholds as before.
    assert result.visits[-1].plan == D("84.16") and result.visits[-1].patient == D("21.04")


def test_spending_so_far_moves_the_crossing() -> None:
    # 1,000.00 already: 1,000 + 104.26 + n x 105.20 > 2,480 when n > 13.08: visit 15.
    visits = ([Visit("Evaluation", D("560.00"), D("104.26"), group="pt_slp")]
              + [Visit("Session", D("600.00"), D("105.20"), group="pt_slp")] * 36)
    result = estimate(Coverage("in-network", coinsurance=D("0.20"),
                               thresholds=thresholds(D("1000.00"))), visits)
    assert crossings(result)[0] == (15, "Medicare therapy")


def test_exactly_at_the_threshold_is_not_past_it() -> None:
    # 50 + 100 + 100 = 250, then 350: visit 3 passes 300. From 0: 300 exactly at visit 3
    # is not past it; visit 4 (400) is.
    limit = (Threshold("ot", "occupational therapy", D("300.00")),)
    visits = [Visit("Session", D("100.00"), D("100.00"), group="ot")] * 4
    assert [n for n, _ in estimate(Coverage("in-network", thresholds=tuple(
        t.__class__(t.group, t.name, t.amount, t.review, D("50.00")) for t in limit)),
        visits).events()] == [3]
    assert [n for n, _ in estimate(Coverage("in-network", thresholds=limit),
                                   visits).events()] == [4]


def test_spending_already_above_the_threshold_is_said_at_the_first_visit() -> None:
    # 2,600 already: above 2,480 before the first visit (said once, at visit 1); 2,600 +
    # 2 x 250 = 3,100 passes 3,000 at visit 2.
    limit = (Threshold("ot", "occupational therapy", D("2480.00"), D("3000.00"),
                       D("2600.00")),)
    visits = [Visit("Session", D("250.00"), D("250.00"), group="ot")] * 3
    events = estimate(Coverage("in-network", thresholds=limit), visits).events()
    assert [(n, text.split(":")[0]) for n, text in events] == [
        (1, "Your occupational therapy this year is already above Medicare's threshold "
            "($2,480.00)"),
        (2, "Above $3,000.00 for occupational therapy this year, Medicare may review your "
            "therapy records (targeted medical review)")]


def test_thresholds_are_per_discipline_group() -> None:
    # OT visits never move the PT and speech threshold; PT and speech share one.
    limit = (Threshold("pt_slp", "physical and speech therapy together", D("150.00")),
             Threshold("ot", "occupational therapy", D("150.00")))
    visits = [Visit("OT", D("100.00"), D("100.00"), group="ot"),
              Visit("PT", D("100.00"), D("100.00"), group="pt_slp"),
              Visit("Speech", D("100.00"), D("100.00"), group="pt_slp"),
              Visit("OT", D("100.00"), D("100.00"), group="ot")]
    events = estimate(Coverage("in-network", thresholds=limit), visits).events()
    assert [(n, "occupational" in t) for n, t in events] == [(3, False), (4, True)]


# --- Second coverage -----------------------------------------------------------------------

def test_medigap_plan_g_pays_the_coinsurance_after_the_part_b_deductible() -> None:
    # The Original Medicare course above: Plan G pays every 20% coinsurance (5.39 of
    # session 2, then 10 x 20.71 = 207.10): 212.49; you pay the 283.00 deductible only.
    plan_g = SecondCoverage("supplement", "Medigap Plan G")
    result = estimate(Coverage("in-network", D("283.00"), D("0.20"), second=plan_g), course())
    assert (result.patient_total, result.plan_total, result.second_total) == (
        D("283.00"), D("849.95"), D("212.49"))
    assert result.visits[3].explanation.endswith("; Medigap Plan G pays $20.71")


def test_medigap_plan_n_leaves_a_copay_of_up_to_20() -> None:
    # Plan N pays the coinsurance except up to 20.00 a visit: session 2 (coinsurance 5.39)
    # you keep 5.39; sessions 3-12 (20.71) you keep 20.00 and Plan N pays 0.71.
    # You: 283.00 + 5.39 + 10 x 20.00 = 488.39; Plan N: 10 x 0.71 = 7.10.
    plan_n = SecondCoverage("supplement", "Medigap Plan N", copay=D("20.00"))
    result = estimate(Coverage("in-network", D("283.00"), D("0.20"), second=plan_n), course())
    assert (result.patient_total, result.second_total) == (D("488.39"), D("7.10"))


def test_medigap_plan_f_pays_the_deductible_too() -> None:
    plan_f = SecondCoverage("supplement", "Medigap Plan F", pays_deductible=True)
    result = estimate(Coverage("in-network", D("283.00"), D("0.20"), second=plan_f), course())
    # Plan F pays 283.00 + 212.49 = 495.49, all you would have paid.
    assert (result.patient_total, result.second_total) == (D("0.00"), D("495.49"))


def test_medicaid_as_secondary_leaves_only_its_copay() -> None:
    medicaid = SecondCoverage("supplement", "Medicaid", pays_deductible=True, copay=D("4.00"))
    result = estimate(Coverage("in-network", D("283.00"), D("0.20"), second=medicaid),
                      course())
    # 13 visits x 4.00; Medicaid pays 495.49 - 52.00 = 443.49.
    assert (result.patient_total, result.second_total) == (D("52.00"), D("443.49"))


def test_commercial_secondary_coordinates_benefits() -> None:
    # Primary: 100 deductible left, then 20%. Secondary: 500 deductible left, then 50%.
    # Visit 1 (allowed 200): primary share 100 + 20% of 100 = 120 (plan 80). As the only
    #   plan the secondary would apply all 200 to its deductible: pays 0. You: 120.
    # Visit 2: share 40. Secondary: 200 to its deductible (100 left): pays 0. You: 40.
    # Visit 3: share 40. Secondary: 100 deductible + 50% of 100 -> would pay 50; it pays
    #   at most your 40. You: 0.
    # Visit 4: share 40. Secondary would pay 100; pays 40. You: 0.
    second = SecondCoverage("commercial", "Spouse's plan", plan=Coverage(
        "in-network", D("500.00"), D("0.50")))
    result = estimate(Coverage("in-network", D("100.00"), D("0.20"), second=second),
                      [Visit("Visit", D("300.00"), D("200.00"))] * 4)
    assert [v.patient for v in result.visits] == [D("120.00"), D("40.00"), D("0.00"),
                                                  D("0.00")]
    assert [v.second for v in result.visits] == [D("0.00"), D("0.00"), D("40.00"),
                                                 D("40.00")]
    assert result.total == D("800.00")  # every visit's allowed amount, paid once


# --- A course across the plan year ---------------------------------------------------------

def test_course_dates_spread_evenly_and_the_new_year() -> None:
    # November 16 + 2 months = January 16: 61 days for 13 visits; visit i on day
    # i * 61 // 13: the 11th (i = 10) on day 46, January 1.
    dates = course_dates(dt.date(2026, 11, 16), 2, 13)
    assert dates[9] == dt.date(2026, 12, 28) and dates[10] == dt.date(2027, 1, 1)
    assert plan_years(dates, 1) == [0] * 10 + [1] * 3
    # A plan year starting July 1: a course from June 20 crosses it.
    assert plan_years([dt.date(2026, 6, 20), dt.date(2026, 7, 1), dt.date(2027, 7, 1)], 7) \
        == [0, 1, 2]


def test_new_plan_year_starts_the_deductible_maximum_and_limit_again() -> None:
    # Year 1: deductible met, 20%, 30.00 of the maximum left, 2 visits left.
    # Visits 1-2: 20% of 100 = 20.00, the second capped at the 10.00 left. Visit 3 would be
    # past the limit, but a new year starts: deductible 150 (100 of visit 3, 50 of visit 4),
    # maximum 1,000, 10 visits. Visit 4: 50 + 20% of 50 = 60.
    plan = Coverage("in-network", D("0"), D("0.20"), oop_remaining=D("30.00"),
                    visits_remaining=2, deductible=D("150.00"), oop_max=D("1000.00"),
                    visits_per_year=10)
    visits = [Visit("Visit", D("100.00"), D("100.00"))] * 2 + \
        [Visit("Visit", D("100.00"), D("100.00"), year=1)] * 2
    result = estimate(plan, visits)
    assert [v.patient for v in result.visits] == [D("20.00"), D("10.00"), D("100.00"),
                                                  D("60.00")]
    assert [v.new_year for v in result.visits] == [False, False, True, False]
    assert result.events() == [(3, "A new plan year starts: the deductible ($150.00), the "
                                   "out-of-pocket maximum ($1,000.00) and the visit limit "
                                   "(10 visits) start again")]


# --- Separate in- and out-of-network amounts -----------------------------------------------

def test_out_of_network_visits_use_their_own_deductible_and_maximum() -> None:
    # In network: 100 deductible left, 20%. Out of network: 500 left, 40%, its own maximum.
    # In-network visit (allowed 200): 100 + 20% of 100 = 120.
    # Out-of-network visit (allowed 200, billed 300): all 200 to the out-of-network
    #   deductible (the in-network one is already met, but does not count) + 100 balance
    #   bill = 300.
    # In-network visit again: 20% of 200 = 40.
    plan = Coverage("in-network", D("100.00"), D("0.20"), out_of_network=Coverage(
        "out-of-network", D("500.00"), D("0.40"), oop_remaining=D("2000.00")))
    visits = [Visit("In", D("300.00"), D("200.00")),
              Visit("Out", D("300.00"), D("200.00"), network="out-of-network"),
              Visit("In", D("300.00"), D("200.00"))]
    result = estimate(plan, visits)
    assert [v.patient for v in result.visits] == [D("120.00"), D("300.00"), D("40.00")]
    assert result.visits[1].balance_bill == D("100.00")


# --- The example site and `sitegen estimate` -----------------------------------------------

def test_example_site_medicare_rows(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    result = build(BuildOptions(root=root, out=tmp_path / "public"))
    assert result.ok, [d.format() for d in result.diagnostics.items]
    page = result.files["clinics/riverside-hand-ot/estimates/index.html"].decode()
    tree = html5lib.parse(page)
    rows = {tr.get("id"): ["".join(c.itertext()).strip() for c in tr]
            for tr in tree.iter(f"{NS}tr") if tr.get("id")}
    # The worked Original Medicare course above, and the same with Plan G.
    assert rows["eval-and-12--medicare-part-b"][1:] == ["$495.49", "$849.95", "—",
                                                       "$1,345.44"]
    assert rows["eval-and-12--medicare-medigap-g"][1:] == ["$283.00", "$849.95", "$212.49",
                                                          "$1,345.44"]
    assert "payment reduction for multiple therapy services of $20.54" in page
    stroke = result.files["clinics/mercy-valley-rehab/estimates/index.html"].decode()
    assert "At visit 24: Medicare therapy threshold for physical and speech therapy " \
        "together ($2,480.00 a year) passed" in stroke


def test_estimate_command_with_medicare_inputs(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    file = tmp_path / "plan.yaml"
    file.write_text("""\
plan:
  network: in-network
  deductible_remaining: 0
  coinsurance: 0.20
  medicare: true
  deductible: 283
  therapy_threshold: {pt_slp: 2480, ot: 2480, review: 3000}
  therapy_spent: {ot: 2400}
  second_coverage: {type: medigap, medigap_plan: N}
visits:
  - name: Session
    billed: 420
    discipline: OT
    codes:
      - {code: "97110", allowed: 28.74, further_unit: 22.10}
      - {code: "97140", allowed: 26.95, further_unit: 21.20}
      - {code: "97530", allowed: 34.20, further_unit: 26.05, units: 2}
    date: 2026-12-24
    repeat: 2
""", encoding="utf-8")
    result = cli("estimate", file)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    # Visit 1 (Dec 24): 20.71 coinsurance, Plan N pays 0.71; 2,400 + 103.55 passes 2,480.
    # Visit 2 (Dec 31, same year): the same.
    assert [v["patient"] for v in data["visits"]] == ["20.00", "20.00"]
    assert [v["second_coverage"] for v in data["visits"]] == ["0.71", "0.71"]
    assert [v["reduction"] for v in data["visits"]] == ["20.54", "20.54"]
    assert "KX modifier" in data["visits"][0]["events"][0]
    # One week later is January 7: a new year, deductible 283 again.
    file.write_text(file.read_text().replace("repeat: 2", "repeat: 3"), encoding="utf-8")
    data = json.loads(cli("estimate", file).stdout)
    assert data["visits"][2]["patient"] == "103.55"
    assert data["visits"][2]["events"][0].startswith("A new plan year starts")


@pytest.mark.parametrize("visit, message", [
    ("    allowed: 100\n    codes: [{allowed: 50}]\n",
     "plan.yaml:6:12: error: a visit takes allowed: or codes:, not both"),
    ("    date: 2026-03-01\n  - name: B\n    billed: 100\n    date: 2026-02-01\n",
     "plan.yaml:8:11: error: visit dates must not go back in time (got 2026-02-01 after "
     "2026-03-01)"),
    ("    date: 2026-03-01\n  - name: B\n    billed: 100\n",
     "plan.yaml:6:5: error: this visit has no date, but others have one"),
    ("plan: {network: in-network, second_coverage: {type: medigap, medigap_plan: G}}\n",
     "plan.yaml:1:53: error: a Medigap plan pays only after Original Medicare; add "
     "medicare: true to plan:"),
    ("plan: {network: in-network, therapy_spent: {ot: 10}}\n",
     "plan.yaml:1:44: error: therapy_spent counts toward therapy thresholds, but the plan "
     "has no therapy_threshold:"),
    ("plan: {network: self-pay, second_coverage: {type: medicaid}}\n",
     "plan.yaml:1:44: error: a self-pay plan cannot have a second coverage"),
    ("    codes: [{allowed: 20, further_unit: 25}]\n",
     "plan.yaml:5:41: error: further_unit is more than allowed (got 25 > 20)"),
])
def test_estimate_command_refuses_inconsistent_visits(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, visit: str, message: str) -> None:
    monkeypatch.chdir(tmp_path)
    plan = "{network: in-network}"
    if visit.startswith("plan: "):
        plan, visit = visit.removeprefix("plan: ").split("\n", 1)
    Path("plan.yaml").write_text(f"plan: {plan}\nvisits:\n  - name: A\n"
                                 "    billed: 100\n" + visit, encoding="utf-8")
    result = cli("estimate", "plan.yaml")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].startswith(message)


def test_medigap_needs_a_medicare_scenario(tmp_path: Path) -> None:
    site = ("title: T\nscenarios:\n  - id: gap\n    name: Gap\n    network: in-network\n"
            "    second_coverage: {type: medigap, medigap_plan: G}\n")
    messages = check(tmp_path, {"site.yaml": site})
    assert any("site.yaml:6:29: error: a Medigap plan pays only after Original Medicare"
               in m for m in messages), messages


def test_medicare_settings_that_do_not_fit_together(tmp_path: Path) -> None:
    rates = CLINIC + """payers:
  - {name: Medicare, plan: Part B}
services:
  - id: exercise
    code: "97110"
    description: Therapeutic exercise
    settings: [outpatient]
    timed: true
    gross_charge: 150.00
    cash_price: 120.00
    medicare_further_unit: 30.00
    negotiated: {Medicare Part B: 28.74}
scenarios:
  - id: medicare
    name: Medicare
    network: in-network
    medicare: true
  - id: medicare-self
    name: Medicare
    network: self-pay
    payer: Medicare Part B
    medicare: true
  - id: medicaid
    name: Medicaid
    network: self-pay
    second_coverage: {type: medicaid}
  - id: medicare-july
    name: Medicare
    network: in-network
    payer: Medicare Part B
    medicare: true
    plan_year_starts: 7
"""
    assert check(tmp_path, {"rates/a.yaml": rates}) == [
        "rates/a.yaml:21:28: error: medicare_further_unit of 'exercise' is more than its "
        "first unit (got 30.00, Medicare Part B allows 28.74); copy the reduced amount of a "
        "further unit from the Medicare fee schedule; it is never more than the full amount",
        "rates/a.yaml:27:15: error: Medicare scenario 'medicare' needs the clinic's Medicare "
        "rates; add payer: Medicare Part B (the payer plan whose negotiated: amounts are "
        "Medicare's)",
        "rates/a.yaml:30:14: error: Medicare scenario 'medicare-self' must be in-network (got "
        "self-pay); use network: in-network for a clinic that accepts Medicare",
        "rates/a.yaml:36:22: error: self-pay scenario 'medicaid' cannot have a second "
        "coverage; remove second_coverage:, or set network: in-network",
        "rates/a.yaml:42:23: error: Medicare's year starts in January (got plan_year_starts: "
        "7 in Medicare scenario 'medicare-july'); remove plan_year_starts:",
    ]


def test_therapy_spent_needs_a_medicare_scenario(tmp_path: Path) -> None:
    site = ("title: T\nscenarios:\n  - id: plan\n    name: Plan\n    network: in-network\n"
            "    therapy_spent: {ot: 100}\n")
    assert check(tmp_path, {"site.yaml": site}) == [
        "site.yaml:6:20: error: therapy_spent counts toward Medicare's therapy thresholds, but "
        "scenario 'plan' is not a Medicare one; add medicare: true, or remove therapy_spent:"]


@pytest.mark.parametrize("second, message", [
    ("{type: medigap, medigap_plan: N, copay: 25}",
     "Plan N's copay is at most 20.00 a visit (got 25); write copay: 20.00 or less"),
    ("{type: medigap}", "needs medigap_plan: (A, B, C, D, F, G, M or N)"),
    ("{type: medigap, medigap_plan: G, copay: 5}",
     "only Medigap Plan N has a copay (got Plan G); remove copay:"),
    ("{type: medicaid, medigap_plan: G}", "medigap_plan is only for type: medigap"),
    ("{type: medigap, medigap_plan: K}", "unknown medigap_plan value"),
])
def test_second_coverage_mistakes(tmp_path: Path, second: str, message: str) -> None:
    site = ("title: T\nscenarios:\n  - id: gap\n    name: Gap\n    network: in-network\n"
            f"    medicare: true\n    second_coverage: {second}\n")
    messages = check(tmp_path, {"site.yaml": site})
    assert any(m.startswith("site.yaml:7:") and message in m for m in messages), messages


def test_documented_medicare_example_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """examples/estimate-medicare.yaml (docs/estimate.md): Plan G, OT evaluation December 1
    and sessions weekly from December 3, 1,900.00 of OT already, deductible met in 2026.
    Threshold: 1,900 + 102.84 + 4 x 103.55 = 2,417.04, then visit 6 (December 31) reaches
    2,520.59. Visit 7 (January 7) starts 2027: 283.00 deductible = 103.55 + 103.55 + 75.90;
    visit 9: 75.90 + 20% of 27.65 (5.53, paid by Plan G)."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    root = Path(__file__).resolve().parent.parent
    data = json.loads(cli("estimate", root / "examples/estimate-medicare.yaml").stdout)
    assert [n for n, v in enumerate(data["visits"], 1) if "events" in v] == [6, 7]
    assert [v["patient"] for v in data["visits"][6:9]] == ["103.55", "103.55", "75.90"]
    assert (data["patient_total"], data["plan_total"], data["second_coverage_total"]) == (
        "283.00", "849.95", "212.49")


# --- Properties ----------------------------------------------------------------------------

cents = st.integers(min_value=0, max_value=100_000).map(lambda n: D(n) / 100)
rates = st.integers(min_value=0, max_value=100).map(lambda n: D(n) / 100)


@st.composite
def plans(draw: st.DrawFn) -> Coverage:
    return Coverage("in-network", deductible_remaining=draw(cents), coinsurance=draw(rates),
                    copay=draw(st.none() | cents), oop_remaining=draw(st.none() | cents),
                    copay_waives_deductible=draw(st.booleans()))


@st.composite
def seconds(draw: st.DrawFn) -> SecondCoverage:
    if draw(st.booleans()):
        return SecondCoverage("supplement", "Supplement", pays_deductible=draw(st.booleans()),
                              copay=draw(cents))
    return SecondCoverage("commercial", "Second plan", plan=draw(plans()))


amounts = st.lists(cents, min_size=0, max_size=12)


@settings(max_examples=200, deadline=None)
@given(plans(), seconds(), amounts)
def test_every_payer_together_pay_the_allowed_amount_once(
        plan: Coverage, second: SecondCoverage, allowed: list[D]) -> None:
    visits = [Visit(f"Visit {i}", a, a) for i, a in enumerate(allowed)]
    result = estimate(replace(plan, second=second), visits)
    for visit, cost in zip(visits, result.visits):
        assert cost.patient + cost.plan + cost.second == visit.allowed
        assert min(cost.patient, cost.plan, cost.second) >= 0
    alone = estimate(plan, visits)
    assert result.plan_total == alone.plan_total  # the first plan pays the same
    assert result.patient_total <= alone.patient_total


units = st.lists(st.tuples(cents, st.none() | cents, st.integers(0, 6)), max_size=5).map(
    lambda lines: [(first, None if cut is None else max(first - cut, D(0)), n)
                   for first, cut, n in lines])


@settings(max_examples=300, deadline=None)
@given(units, st.randoms(use_true_random=False))
def test_mppr_bounds_and_order(lines: list, rng) -> None:
    allowed, reduction = mppr_allowed(lines)
    full = sum((first * n for first, _, n in lines), D(0))
    floor = sum(((first if further is None else further) * n for first, further, n in lines),
                D(0))
    assert allowed + reduction == full
    assert floor <= allowed <= full and reduction >= 0
    shuffled = list(lines)
    rng.shuffle(shuffled)
    assert mppr_allowed(shuffled) == (allowed, reduction)


@settings(max_examples=200, deadline=None)
@given(plans(), cents, st.none() | cents, amounts, amounts)
def test_a_new_plan_year_is_priced_like_a_fresh_start(
        plan: Coverage, deductible: D, oop_max: D | None, first: list[D],
        second: list[D]) -> None:
    plan = replace(plan, deductible=deductible, oop_max=oop_max)
    year_one = [Visit("Visit", a, a) for a in first]
    year_two = [Visit("Visit", a, a, year=1) for a in second]
    together = estimate(plan, year_one + year_two).visits[len(first):]
    fresh = replace(plan, deductible_remaining=deductible,
                    oop_remaining=plan.oop_remaining if oop_max is None else oop_max)
    alone = estimate(fresh, [replace(v, year=0) for v in year_two]).visits
    assert [(c.patient, c.plan) for c in together] == [(c.patient, c.plan) for c in alone]


def test_a_course_whose_visits_cannot_be_told_apart_is_flagged(tmp_path: Path) -> None:
    """A clinic of PT and OT whose course bills only 97110 (no discipline): Medicare
    cannot be told which threshold it counts toward."""
    rates = CLINIC.replace("disciplines: [PT]", "disciplines: [PT, OT]") + """payers:
  - {name: Medicare, plan: Part B}
services:
  - id: exercise
    code: "97110"
    description: Therapeutic exercise
    settings: [outpatient]
    gross_charge: 150.00
    cash_price: 120.00
    negotiated: {Medicare Part B: 28.74}
courses:
  - id: exercises
    name: Exercises
    visits: [{service: exercise, count: 4}]
scenarios:
  - id: medicare
    name: Medicare
    network: in-network
    payer: Medicare Part B
    medicare: true
"""
    site = "title: T\n"  # Medicare's figures: figures/2026.yaml
    assert check(tmp_path, {"site.yaml": site, "rates/a.yaml": rates}) == [
        "rates/a.yaml:24:13: warning: the Medicare estimates of course 'exercises' cannot "
        "tell whether some visits are PT and speech or OT, so they count toward no therapy "
        "threshold; give the services of each visit a discipline: (PT, OT or SLP)"]


def test_estimate_shortcode_shows_the_second_coverage(tmp_path: Path) -> None:
    repo = Path(__file__).resolve().parent.parent
    guide = ("---\ntitle: Medicare\nsummary: Plan G.\n---\n\n{{< estimate clinic=\"riverside-"
             "hand-ot\" course=\"eval-and-12\" scenario=\"medicare-medigap-g\" >}}\n")
    root = write_site(tmp_path, {
        "site.yaml": (repo / "site.yaml").read_text(encoding="utf-8"),
        "rates/riverside-hand-ot.yaml": (repo / "rates/riverside-hand-ot.yaml").read_text(
            encoding="utf-8"),
        "content/guides/medicare.md": guide})
    result = build(BuildOptions(root=root, out=root / "public"))
    assert result.ok, [d.format() for d in result.diagnostics.items]
    tree = html5lib.parse(result.files["guides/medicare/index.html"].decode())
    table = next(t for t in tree.iter(f"{NS}table") if t.get("class") == "estimate-example")
    heads = ["".join(th.itertext()) for th in table.iter(f"{NS}th")]
    cells = ["".join(td.itertext()) for td in table.iter(f"{NS}td")]
    # Worked example M4: you 283.00, Medicare 849.95, Plan G 212.49.
    assert heads == ["You pay", "Your plan pays", "Second coverage pays", "Total"]
    assert cells == ["$283.00", "$849.95", "$212.49", "$1,345.44"]


def test_medicare_deductible_left_is_at_most_the_year_s(tmp_path: Path) -> None:
    repo = Path(__file__).resolve().parent.parent
    rates = (repo / "rates/riverside-hand-ot.yaml").read_text(encoding="utf-8")
    wrong = rates.replace("    deductible_remaining: {figure: medicare.part_b_deductible}\n",
                          "    deductible_remaining: 300.00\n", 1)
    line = wrong.splitlines().index("    deductible_remaining: 300.00") + 1
    messages = check(tmp_path, {"site.yaml": (repo / "site.yaml").read_text(encoding="utf-8"),
                                "rates/a.yaml": wrong})
    assert messages == [
        f"rates/a.yaml:{line}:27: error: deductible_remaining of Medicare scenario "
        "'medicare-part-b' is more than the 2026 Part B deductible (got 300.00, the deductible "
        "is 283.00); write what is left of the Part B deductible, at most the year's amount, "
        "or write {figure: medicare.part_b_deductible} for all of it"]


def test_a_code_without_a_medicare_rate_is_not_reduced(tmp_path: Path) -> None:
    """97110 has no Medicare rate here, so Medicare's amount falls back to the gross charge
    (150.00 a unit) and its further_unit is not used: 2 units of 97110 and one of 97530
    (34.20 / 26.05) allow 150 + 150 + 34.20 = 334.20, no reduction (only one reducible
    unit)."""
    rates = CLINIC + """payers:
  - {name: Medicare, plan: Part B}
services:
  - id: exercise
    code: "97110"
    description: Therapeutic exercise
    discipline: PT
    settings: [outpatient]
    timed: true
    gross_charge: 150.00
    cash_price: 120.00
    medicare_further_unit: 22.10
  - id: activities
    code: "97530"
    description: Therapeutic activities
    discipline: PT
    settings: [outpatient]
    timed: true
    gross_charge: 160.00
    cash_price: 130.00
    medicare_further_unit: 26.05
    negotiated: {Medicare Part B: 34.20}
sessions:
  - id: visit
    name: Visit
    setting: outpatient
    lines: [{service: exercise, minutes: 30}, {service: activities, minutes: 15}]
courses:
  - id: one
    name: One visit
    visits: [{session: visit}]
scenarios:
  - id: medicare
    name: Medicare
    network: in-network
    payer: Medicare Part B
    medicare: true
    coinsurance: 0.20
"""
    site = "title: T\n"  # Medicare's figures: figures/2026.yaml
    root = write_site(tmp_path, {"site.yaml": site, "rates/a.yaml": rates})
    result = build(BuildOptions(root=root, out=root / "public"))
    assert result.ok, [d.format() for d in result.diagnostics.items]
    tree = html5lib.parse(result.files["clinics/a/estimates/index.html"].decode())
    row = next(tr for tr in tree.iter(f"{NS}tr") if tr.get("id") == "one--medicare")
    # 20% of 334.20 = 66.84; Medicare 267.36.
    assert ["".join(c.itertext()).strip() for c in row][1:] == ["$66.84", "$267.36",
                                                                "$334.20"]
