"""The remembered pure computations of the derive stage (`estimates.visit_plan` and
`scenario_payer` per clinic, `pricing._explain`) give exactly what computing afresh gives,
whatever was asked before, and a clinic's values go with it."""

from __future__ import annotations

import gc
from decimal import Decimal
from pathlib import Path

import pytest
from helpers import RATES, changed, load, make_site

from sitegen import clinic_memo, estimates
from sitegen.flow import clinic_flow
from sitegen.model import CourseVisit, Scenario
from sitegen.pricing import _explain
from sitegen.views import clinic_view

ROOT = Path(__file__).resolve().parent.parent

SESSION = """\
sessions:
  - id: visit-45
    name: 45-minute visit
    setting: outpatient
    lines:
      - {service: exercise, minutes: 38}
"""


def _fresh() -> None:
    clinic_memo._MEMOS.clear()
    _explain.cache_clear()


def test_example_site_flows_equal_fresh_ones() -> None:
    """Every clinic's "What will I pay?" and plan pages, computed after all the others,
    equal the same computed with nothing remembered."""
    site, _ = load(ROOT)
    assert site is not None
    warm = [(clinic_flow(site.config, s), clinic_view(site.config, s).plans)
            for s in site.clinics]
    for source, (flow, plans) in zip(site.clinics, warm):
        _fresh()
        assert clinic_flow(site.config, source) == flow
        assert clinic_view(site.config, source).plans == plans


def test_visit_plan_is_the_clinic_s_own(tmp_path: Path) -> None:
    """The same visit (equal by value) at two clinics whose sessions bill differently gets
    each clinic's own plan, and asking again gives the remembered one."""
    _fresh()
    sessions = []
    for minutes in (38, 53):
        root = make_site(tmp_path / str(minutes), {
            "rates/a.yaml": RATES
            + changed(SESSION, "minutes: 38", f"minutes: {minutes}")})
        site, errors = load(root)
        assert site is not None, errors
        sessions.append(site.clinics[0])
    visit = CourseVisit(session="visit-45", count=3)
    first, second = (estimates.visit_plan(s, visit) for s in sessions)
    assert [line.units for line in first.lines] == [3]   # 38 minutes: 3 units
    assert [line.units for line in second.lines] == [4]  # 53 minutes: 4 units
    assert estimates.visit_plan(sessions[0], visit) is first
    assert estimates.visit_plan(sessions[0], visit, "per-code") == \
        estimates._visit_plan(sessions[0], visit, "per-code")


def test_a_clinic_s_values_go_with_it(tmp_path: Path) -> None:
    """Nothing is kept once a clinic's model is gone (serve rebuilds, many builds), and a
    later clinic never sees its values."""
    site, _ = load(make_site(tmp_path, {"rates/a.yaml": RATES + SESSION}))
    assert site is not None
    _fresh()
    source = site.clinics[0]
    estimates.visit_plan(source, CourseVisit(session="visit-45"))
    assert list(clinic_memo._MEMOS) == [id(source)]
    del site, source
    gc.collect()
    assert clinic_memo._MEMOS == {}


@pytest.mark.parametrize("rate", [Decimal("0.2"), Decimal("0.20"), Decimal("0.200")])
def test_explain_words_do_not_depend_on_how_a_rate_was_written(rate: Decimal) -> None:
    """Equal amounts written with more or fewer digits share a remembered sentence, which is
    the sentence each would get afresh."""
    _explain.cache_clear()
    _explain(Decimal("10.00"), Decimal("0.00"), Decimal("8.00"), Decimal("0.2"),
             Decimal("0.00"), False)
    said = _explain(Decimal("10.00"), Decimal("0.00"), Decimal("8.00"), rate,
                    Decimal("0.00"), False)
    assert said == _explain.__wrapped__(Decimal("10.00"), Decimal("0.00"), Decimal("8.00"),
                                        rate, Decimal("0.00"), False)
    assert said == "Deductible $10.00 + 20% coinsurance $8.00"


def _variants(source) -> list[Scenario]:
    """Scenarios that differ in one field each of what a course's billed visits depend on."""
    base = Scenario(id="s", name="S", network="in-network", deductible_remaining=Decimal(50),
                    coinsurance=Decimal("0.2"))
    payers = [p.key for p in source.schedule.payers]
    found = [base, base.model_copy(update={"unit_rule": "per-code"}),
             base.model_copy(update={"over_limit": "gross"}),
             base.model_copy(update={"network": "self-pay"}),
             base.model_copy(update={"network": "out-of-network",
                                     "allowed_share": Decimal("0.6")}),
             base.model_copy(update={"network": "out-of-network",
                                     "allowed_share": Decimal("0.7")})]
    for key in payers:
        found += [base.model_copy(update={"payer": key, "visits_remaining": 3}),
                  base.model_copy(update={"payer": key, "medicare": True})]
    return found


def test_a_course_s_visits_are_priced_as_afresh_under_every_scenario() -> None:
    """A course's billed visits are remembered per course and the scenario fields they
    depend on (unit rule, network, plan, allowed share, Medicare, price past the limit):
    every scenario, priced after all the others, costs what it costs with nothing
    remembered."""
    site, _ = load(ROOT)
    assert site is not None
    asked = [(source, course, scenario) for source in site.clinics
             for course in source.schedule.courses for scenario in _variants(source)]
    assert len({s.payer for _, _, s in asked}) > 2  # some clinics have plans
    _fresh()
    warm = [estimates.price_course(*args, site.config) for args in asked]
    for args, result in zip(asked, warm):
        _fresh()
        assert estimates.price_course(*args, site.config) == result
    source, course, scenario = asked[0]
    assert estimates.course_visits(source, course, scenario) is \
        estimates.course_visits(source, course, scenario)
