"""Visit limits counted per therapy, prior authorization past a limit, and Medicaid's payment
in full (42 CFR 447.15): a Medicaid patient is never priced at the cash price for covered care.

The tiny clinic: OT evaluation 200 charged / 150 cash / 80 allowed; OT session 100 / 70 / 40;
speech session 120 / 90 / 50."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from helpers import check, load, make_site

from sitegen.estimates import assumptions, price_course
from sitegen.pricing import Coverage, Visit, estimate

D = Decimal

RATES = """\
clinic:
  name: Kids Therapy
  npi: "1234567893"
  tin: "12-3456789"
  disciplines: [OT, SLP]
  locations:
    - name: Main
      address: {street: 1 Main St, city: Columbus, state: OH, zip: "43214"}
      phone: "614-555-0100"
  last_updated: 2026-10-01
payers:
  - name: State
    plan: Medicaid
%s
services:
  - {id: ot-eval, code: "97166", description: OT evaluation, discipline: OT,
     settings: [evaluation], gross_charge: 200.00, cash_price: 150.00,
     negotiated: {State Medicaid: 80.00}}
  - {id: ot-visit, code: "97530", description: OT session, discipline: OT,
     settings: [outpatient], gross_charge: 100.00, cash_price: 70.00,
     negotiated: {State Medicaid: 40.00}}
  - {id: speech, code: "92507", description: Speech session, discipline: SLP,
     settings: [outpatient], gross_charge: 120.00, cash_price: 90.00,
     negotiated: {State Medicaid: 50.00}}
courses:
  - id: both
    name: OT and speech
    visits:
      - service: ot-eval
      - {service: ot-visit, count: 3}
      - {service: speech, count: 2}
scenarios:
  - id: plan
    name: The plan
    network: in-network
    payer: State Medicaid
    coinsurance: 0.10
"""


def course_costs(tmp_path: Path, payer: str) -> tuple[list[tuple[str, str, str, bool]],
                                                     tuple[str, ...]]:
    site, found = load(make_site(tmp_path, {"rates/a.yaml": RATES % payer}))
    assert found == [] and site is not None, found
    source = site.clinics[0]
    course, scenario = source.schedule.courses[0], source.schedule.scenarios[0]
    result = price_course(source, course, scenario)
    return ([(c.name, str(c.patient), str(c.plan), c.needs_authorization)
             for c in result.visits], assumptions(scenario, source))


def test_each_therapy_has_its_own_count_and_past_it_the_patient_pays_cash(tmp_path):
    costs, said = course_costs(tmp_path, "    visit_limit: {visits: 2, each: [OT, SLP]}")
    assert costs == [
        ("OT evaluation", "8.00", "72.00", False),     # OT visit 1: 10% of 80
        ("OT session", "4.00", "36.00", False),        # OT visit 2
        ("OT session", "70.00", "0.00", False),        # OT past its 2: cash price
        ("OT session", "70.00", "0.00", False),
        ("Speech session", "5.00", "45.00", False),    # speech has 2 of its own
        ("Speech session", "5.00", "45.00", False)]
    assert said[-1] == (
        "2 covered visits are left this year for each of occupational therapy and "
        "speech-language therapy (each counted on its own); visits past the limit are paid by "
        "you at the clinic's cash price.")


def test_a_shared_limit_still_counts_every_therapy_together(tmp_path):
    costs, _ = course_costs(tmp_path, "    visit_limit: {visits: 2, shared_by: [OT, SLP]}")
    assert [c[1] for c in costs] == ["8.00", "4.00", "70.00", "70.00", "90.00", "90.00"]


def test_with_prior_authorization_visits_past_the_limit_stay_covered(tmp_path):
    costs, said = course_costs(
        tmp_path, "    visit_limit: {visits: 2, each: [OT, SLP], prior_authorization: true}")
    assert costs == [
        ("OT evaluation", "8.00", "72.00", False), ("OT session", "4.00", "36.00", False),
        ("OT session", "4.00", "36.00", True), ("OT session", "4.00", "36.00", True),
        ("Speech session", "5.00", "45.00", False), ("Speech session", "5.00", "45.00", False)]
    assert said[-1].startswith("2 visits are covered this year for each of occupational "
                               "therapy and speech-language therapy (each counted on its own) "
                               "without prior authorization.")


@pytest.mark.parametrize("limit", ["    visit_limit: {visits: 2, shared_by: [OT, SLP]}",
                                   "    visit_limit: {visits: 1}"])
def test_medicaid_is_payment_in_full_never_the_cash_price(tmp_path, limit):
    costs, said = course_costs(tmp_path, "    medicaid: true\n" + limit)
    assert all(plan != "0.00" for _, _, plan, _ in costs)
    assert sum(D(patient) for _, patient, _, _ in costs) == D("30.00")  # 8 + 4 x 3 + 5 x 2
    assert any(flag for *_, flag in costs)
    assert "The clinic takes Medicaid, so it accepts Medicaid's payment as payment in full: " \
           "it cannot charge you its own price for covered care." in said
    assert "cash price" not in " ".join(said)


def test_past_the_limit_covered_visits_explain_themselves():
    result = estimate(
        Coverage(network="in-network", coinsurance=D("0.20"), visits_remaining=1,
                 covered_past_limit=True),
        [Visit("A", D("100"), D("50"), D("60"), D("60"))] * 2)
    assert [(str(v.patient), str(v.plan), v.over_limit, v.needs_authorization, v.explanation)
            for v in result.visits] == [
        ("10.00", "40.00", False, False, "20% coinsurance $10.00"),
        ("10.00", "40.00", False, True, "20% coinsurance $10.00 (past the visit limit: "
         "covered once the plan approves more visits)")]


def test_limit_groups_count_on_their_own():
    visits = [Visit("OT", D("100"), D("50"), D("60"), D("60"), True, limit_group="OT"),
              Visit("SLP", D("100"), D("50"), D("60"), D("60"), True, limit_group="SLP"),
              Visit("OT", D("100"), D("50"), D("60"), D("60"), True, limit_group="OT")]
    result = estimate(Coverage(network="in-network", visits_remaining=1), visits)
    assert [str(v.patient) for v in result.visits] == ["0.00", "0.00", "60.00"]
    assert result.patient_total == D("60.00") and result.plan_total == D("100.00")


def test_a_limit_is_shared_or_per_therapy_not_both(tmp_path):
    found = check(tmp_path, {"rates/a.yaml": RATES % (
        "    visit_limit: {visits: 2, shared_by: [OT, SLP], each: [OT]}")})
    assert found == [
        "rates/a.yaml:14:18: error: a visit limit is either shared_by several therapies or "
        "counted for each therapy on its own, not both; keep one of the two keys"]
