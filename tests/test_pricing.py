"""Tests for sitegen.pricing: worked examples, unit rules and properties."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.pricing import (
    Coverage,
    Estimate,
    Visit,
    estimate,
    round_cents,
    split_units,
    timed_units,
)

D = Decimal


def course(allowed: bool = True) -> list[Visit]:
    """Evaluation + 12 sessions; charges 250/150, in-network allowed 110/95."""
    eval_allowed = D("110") if allowed else None
    session_allowed = D("95") if allowed else None
    visits = [Visit("Evaluation", D("250"), allowed=eval_allowed)]
    visits += [
        Visit(f"Session {i}", D("150"), allowed=session_allowed, over_limit=D("150"))
        for i in range(1, 13)
    ]
    return visits


def amounts(result: Estimate) -> list[tuple[Decimal, Decimal]]:
    return [(v.patient, v.plan) for v in result.visits]


# --- Worked examples -------------------------------------------------------


def test_example_a_deductible_coinsurance_and_visit_limit() -> None:
    coverage = Coverage(
        "in-network",
        deductible_remaining=D("600"),
        coinsurance=D("0.20"),
        oop_remaining=D("2000"),
        visits_remaining=10,
    )
    result = estimate(coverage, course())
    expected = (
        [(D("110.00"), D("0.00"))]  # eval: all deductible (490 left)
        + [(D("95.00"), D("0.00"))] * 5  # sessions 1-5: deductible (15 left)
        + [(D("31.00"), D("64.00"))]  # session 6: 15 deductible + 20% of 80
        + [(D("19.00"), D("76.00"))] * 3  # sessions 7-9: 20% of 95
        + [(D("150.00"), D("0.00"))] * 3  # sessions 10-12: past the 10-visit limit
    )
    assert amounts(result) == expected
    assert result.patient_total == D("1123.00")
    assert result.plan_total == D("292.00")
    assert result.total == D("1415.00")
    assert [v.over_limit for v in result.visits] == [False] * 10 + [True] * 3
    session6 = result.visits[6]
    assert (session6.deductible, session6.coinsurance) == (D("15.00"), D("16.00"))
    assert session6.explanation == "Deductible $15.00 + 20% coinsurance $16.00"
    assert result.visits[10].deductible == D("0")


def test_example_b_copay_waives_deductible() -> None:
    coverage = Coverage(
        "in-network",
        deductible_remaining=D("600"),
        copay=D("30"),
        copay_waives_deductible=True,
    )
    result = estimate(coverage, course())
    assert amounts(result) == [(D("30.00"), D("80.00"))] + [(D("30.00"), D("65.00"))] * 12
    assert result.patient_total == D("390.00")
    assert result.plan_total == D("860.00")
    assert all(v.deductible == 0 and v.copay == D("30") for v in result.visits)
    assert result.visits[0].explanation == "Copay $30.00"


# --- Timed units ------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "units"),
    [(0, 0), (7, 0), (8, 1), (22, 1), (23, 2), (37, 2), (38, 3), (52, 3), (53, 4), (67, 4)],
)
def test_timed_units_boundaries(minutes: int, units: int) -> None:
    assert timed_units(minutes) == units


def test_cms_split_pools_minutes() -> None:
    # 40 minutes -> 3 units; 97530 gets 2 by floor, leftover goes to 97110 (7 min).
    assert split_units([("97530", 33), ("97110", 7)]) == [("97530", 2), ("97110", 1)]


def test_cms_split_largest_remainder_wins() -> None:
    # 15 + 8 = 23 -> 2 units; floors 1 + 0, the extra goes to the 8-minute code.
    assert split_units([("97110", 15), ("97140", 8)]) == [("97110", 1), ("97140", 1)]


def test_cms_split_ties_go_to_first_listed() -> None:
    # 10 + 10 = 20 -> 1 unit; equal remainders, so the first code gets it.
    assert split_units([("97140", 10), ("97110", 10)]) == [("97140", 1), ("97110", 0)]


def test_cms_split_keeps_zero_unit_codes_and_order() -> None:
    lines = [("97112", 3), ("97530", 30), ("97110", 2)]
    assert split_units(lines, rule="cms") == [("97112", 0), ("97530", 2), ("97110", 0)]
    assert split_units([]) == []


def test_per_code_rule() -> None:
    assert split_units([("97110", 7), ("97140", 7)], rule="per-code") == [
        ("97110", 0),
        ("97140", 0),
    ]
    assert split_units([("97110", 8), ("97140", 8)], rule="per-code") == [
        ("97110", 1),
        ("97140", 1),
    ]
    # Same 7 + 7 under CMS pools to 14 minutes -> 1 unit.
    assert split_units([("97110", 7), ("97140", 7)]) == [("97110", 1), ("97140", 0)]


def test_unit_errors() -> None:
    with pytest.raises(ValueError):
        timed_units(-1)
    with pytest.raises(ValueError):
        split_units([("97110", -5)])
    with pytest.raises(ValueError):
        split_units([("97110", 20)], rule="medicaid")  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 120), max_size=6))
def test_cms_split_totals_match_pooled_units(minutes: list[int]) -> None:
    lines = [(f"code{i}", m) for i, m in enumerate(minutes)]
    result = split_units(lines)
    assert [k for k, _ in result] == [k for k, _ in lines]
    assert sum(n for _, n in result) == timed_units(sum(minutes))
    assert all(n >= m // 15 for (_, n), m in zip(result, minutes))


# --- Other estimate cases ------------------------------------------------------


def test_out_of_network_balance_billing() -> None:
    coverage = Coverage("out-of-network", deductible_remaining=D("100"), coinsurance=D("0.40"))
    visits = [
        Visit("Visit 1", D("200"), allowed=D("120")),
        Visit("Visit 2", D("200"), allowed=D("120")),
    ]
    result = estimate(coverage, visits)
    # Visit 1: deductible 100, 40% of the other 20 = 8 -> cost share 108;
    #          balance bill 200 - 120 = 80 -> patient 188; plan 120 - 108 = 12.
    # Visit 2: 40% of 120 = 48, balance bill 80 -> patient 128; plan 72.
    assert amounts(result) == [(D("188.00"), D("12.00")), (D("128.00"), D("72.00"))]
    assert [v.balance_bill for v in result.visits] == [D("80"), D("80")]
    assert result.patient_total == D("316.00")
    assert result.plan_total == D("84.00")
    assert result.total == D("400.00")  # the full billed charges
    assert result.visits[0].explanation == (
        "Deductible $100.00 + 40% coinsurance $8.00 + balance bill $80.00"
    )
    # The same plan without balance billing (e.g. a no-surprises situation).
    no_bb = estimate(replace(coverage, balance_billing=False), visits)
    assert no_bb.patient_total == D("156.00")  # 108 + 48


def test_balance_bill_never_counts_toward_oop_or_goes_negative() -> None:
    coverage = Coverage("out-of-network", coinsurance=D("0.5"), oop_remaining=D("10"))
    visits = [Visit("A", D("100"), allowed=D("60")), Visit("B", D("50"), allowed=D("80"))]
    result = estimate(coverage, visits)
    # A: 50% of 60 = 30, capped at 10; balance bill 40 -> 50. Plan 50.
    # B: OOP met -> 0 cost share; allowed above billed -> no balance bill. Plan 80.
    assert amounts(result) == [(D("50.00"), D("50.00")), (D("0.00"), D("80.00"))]
    assert result.visits[1].balance_bill == 0


def test_in_network_never_balance_bills() -> None:
    coverage = Coverage("in-network", balance_billing=True)
    result = estimate(coverage, [Visit("A", D("250"), allowed=D("110"))])
    assert amounts(result) == [(D("0.00"), D("110.00"))]


def test_self_pay_totals() -> None:
    visits = [Visit("Evaluation", D("250"), allowed=D("110"), cash=D("180"))]
    visits += [Visit(f"Session {i}", D("150"), cash=D("120")) for i in range(12)]
    visits.append(Visit("Re-evaluation", D("175")))  # no cash price -> billed
    coverage = Coverage("self-pay", deductible_remaining=D("500"), visits_remaining=1)
    result = estimate(coverage, visits)
    assert result.patient_total == D("1795.00")  # 180 + 12 x 120 + 175
    assert result.plan_total == D("0")
    assert not any(v.over_limit for v in result.visits)
    assert result.visits[0].explanation == "Self-pay price $180.00"


def test_copay_without_deductible_waiver() -> None:
    coverage = Coverage("in-network", deductible_remaining=D("100"), copay=D("30"))
    result = estimate(coverage, course()[:3])
    # Eval: deductible 100, copay capped at the remaining 10 -> 110, plan 0.
    # Sessions: deductible met -> copay 30, plan 65.
    assert amounts(result) == [
        (D("110.00"), D("0.00")),
        (D("30.00"), D("65.00")),
        (D("30.00"), D("65.00")),
    ]
    first = result.visits[0]
    assert (first.deductible, first.copay) == (D("100"), D("10"))
    assert result.visits[1].deductible == 0


def test_copay_does_not_reduce_deductible() -> None:
    # Only the deductible part reduces the deductible; the copay on top does not.
    coverage = Coverage("in-network", deductible_remaining=D("50"), copay=D("20"))
    visits = [Visit("A", D("40")), Visit("B", D("40")), Visit("C", D("40"))]
    # A: 40 deductible (10 left). B: 10 deductible + copay 20 = 30. C: copay 20.
    assert amounts(estimate(coverage, visits)) == [
        (D("40.00"), D("0.00")),
        (D("30.00"), D("10.00")),
        (D("20.00"), D("20.00")),
    ]


def test_oop_maximum_reaches_zero_mid_course() -> None:
    coverage = Coverage(
        "in-network", copay=D("30"), copay_waives_deductible=True, oop_remaining=D("70")
    )
    result = estimate(coverage, course()[:5])
    # 30 + 30 reach 60; the third visit is capped at 10; then nothing is owed.
    assert amounts(result) == [
        (D("30.00"), D("80.00")),
        (D("30.00"), D("65.00")),
        (D("10.00"), D("85.00")),
        (D("0.00"), D("95.00")),
        (D("0.00"), D("95.00")),
    ]
    assert [v.capped for v in result.visits] == [False, False, True, True, True]
    assert result.visits[2].copay == D("10")
    assert result.visits[2].explanation == "Copay $10.00 (out-of-pocket maximum reached)"
    assert result.patient_total == D("70.00")


def test_over_limit_visits_skip_deductible_and_oop() -> None:
    coverage = Coverage(
        "in-network",
        deductible_remaining=D("100"),
        oop_remaining=D("100"),
        visits_remaining=0,
    )
    visits = [
        Visit("Home program", D("40"), allowed=D("30"), counts_as_visit=False),
        Visit("Session", D("150"), allowed=D("95"), over_limit=D("120")),
        Visit("Home program", D("40"), allowed=D("30"), counts_as_visit=False),
    ]
    result = estimate(coverage, visits)
    # The over-limit 120 neither meets the deductible nor the OOP maximum:
    # the second home program still goes to the deductible (70 left after first).
    assert amounts(result) == [
        (D("30.00"), D("0.00")),
        (D("120.00"), D("0.00")),
        (D("30.00"), D("0.00")),
    ]
    assert result.visits[1].explanation == "Visit limit reached: $120.00"
    assert result.visits[2].deductible == D("30")


def test_rounding_half_up() -> None:
    assert round_cents(D("2.675")) == D("2.68")
    assert round_cents(D("0.125")) == D("0.13")
    assert round_cents(D("0.124999")) == D("0.12")
    # 12.5% of 1.00 = 0.125 -> 0.13 (banker's rounding would give 0.12).
    coverage = Coverage("in-network", coinsurance=D("0.125"))
    result = estimate(coverage, [Visit("A", D("1.00"))])
    assert amounts(result) == [(D("0.13"), D("0.87"))]
    assert result.visits[0].explanation == "12.5% coinsurance $0.13"
    # 25% of 0.10 = 0.025 -> 0.03.
    coverage = Coverage("in-network", coinsurance=D("0.25"))
    assert estimate(coverage, [Visit("B", D("0.10"))]).patient_total == D("0.03")


def test_explanation_uses_thousands_separators() -> None:
    coverage = Coverage("in-network", deductible_remaining=D("5000"))
    result = estimate(coverage, [Visit("Surgery consult", D("1234.5"))])
    assert result.visits[0].explanation == "Deductible $1,234.50"
    assert estimate(Coverage("in-network"), [Visit("A", D("10"))]).visits[0].explanation == (
        "No cost share"
    )


def test_programmer_errors() -> None:
    visit = [Visit("A", D("100"))]
    with pytest.raises(ValueError):
        estimate(Coverage("in-network", coinsurance=D("1.2")), visit)
    with pytest.raises(ValueError):
        estimate(Coverage("in-network", coinsurance=D("-0.1")), visit)
    with pytest.raises(ValueError):
        estimate(Coverage("in-network", deductible_remaining=D("-1")), visit)
    with pytest.raises(ValueError):
        estimate(Coverage("in-network", copay=D("-5")), visit)
    with pytest.raises(ValueError):
        estimate(Coverage("in-network", visits_remaining=-1), visit)
    with pytest.raises(ValueError):
        estimate(Coverage("in-network"), [Visit("A", D("-100"))])
    with pytest.raises(ValueError):
        estimate(Coverage("in-network"), [Visit("A", D("100"), allowed=D("-1"))])
    with pytest.raises(ValueError):
        estimate(Coverage("in-network"), [Visit("A", D("NaN"))])
    with pytest.raises(TypeError):
        estimate(Coverage("in-network"), [Visit("A", 100.0)])  # type: ignore[arg-type]


def test_empty_course() -> None:
    result = estimate(Coverage("in-network"), [])
    assert (result.visits, result.patient_total, result.plan_total) == ((), 0, 0)


# --- Properties --------------------------------------------------------------

cents = st.integers(min_value=0, max_value=300_000)
money = cents.map(lambda n: Decimal(n) / 100)
rates = st.integers(min_value=0, max_value=1000).map(lambda n: Decimal(n) / 1000)


@st.composite
def visit_lists(draw: st.DrawFn, allowed_le_billed: bool = False) -> list[Visit]:
    visits = []
    for i in range(draw(st.integers(0, 15))):
        billed = draw(cents)
        allowed = draw(st.integers(0, billed) if allowed_le_billed else cents)
        visits.append(
            Visit(
                f"Visit {i}",
                Decimal(billed) / 100,
                allowed=Decimal(allowed) / 100,
                cash=draw(st.none() | money),
                over_limit=draw(st.none() | money),
                counts_as_visit=draw(st.booleans()),
            )
        )
    return visits


@st.composite
def coverages(
    draw: st.DrawFn, network: str | None = None, limit: bool = True, oop: bool = False
) -> Coverage:
    return Coverage(
        network or draw(st.sampled_from(["in-network", "out-of-network", "self-pay"])),
        deductible_remaining=draw(money),
        coinsurance=draw(rates),
        copay=draw(st.none() | money),
        copay_waives_deductible=draw(st.booleans()),
        oop_remaining=draw(money if oop else st.none() | money),
        visits_remaining=draw(st.none() | st.integers(0, 20)) if limit else None,
        balance_billing=draw(st.none() | st.booleans()),
    )


@settings(max_examples=200, deadline=None)
@given(coverages(network="in-network", limit=False), visit_lists())
def test_covered_in_network_patient_plus_plan_is_allowed(
    coverage: Coverage, visits: list[Visit]
) -> None:
    result = estimate(coverage, visits)
    for visit, cost in zip(visits, result.visits):
        assert cost.patient + cost.plan == visit.allowed
        assert cost.balance_bill == 0


@settings(max_examples=200, deadline=None)
@given(coverages(network=None, oop=True), visit_lists())
def test_cost_share_never_exceeds_oop_maximum(coverage: Coverage, visits: list[Visit]) -> None:
    result = estimate(coverage, visits)
    covered = [v for v in result.visits if not v.over_limit]
    if coverage.network != "self-pay":
        for v in covered:
            assert v.deductible + v.copay + v.coinsurance == v.patient - v.balance_bill
    shares = sum((v.deductible + v.copay + v.coinsurance for v in covered), Decimal(0))
    assert coverage.oop_remaining is not None
    assert shares <= coverage.oop_remaining


@settings(max_examples=200, deadline=None)
@given(coverages(network="in-network"), visit_lists(allowed_le_billed=True), money)
def test_larger_deductible_never_lowers_patient_total(
    coverage: Coverage, visits: list[Visit], extra: Decimal
) -> None:
    bigger = replace(coverage, deductible_remaining=coverage.deductible_remaining + extra)
    assert estimate(bigger, visits).patient_total >= estimate(coverage, visits).patient_total


@settings(max_examples=200, deadline=None)
@given(coverages(network="self-pay"), visit_lists())
def test_self_pay_total_is_sum_of_cash_prices(coverage: Coverage, visits: list[Visit]) -> None:
    result = estimate(coverage, visits)
    expected = sum((v.billed if v.cash is None else v.cash for v in visits), Decimal(0))
    assert result.patient_total == expected
    assert result.plan_total == 0


@settings(max_examples=200, deadline=None)
@given(coverages(), visit_lists())
def test_no_amount_is_ever_negative(coverage: Coverage, visits: list[Visit]) -> None:
    result = estimate(coverage, visits)
    assert result.patient_total >= 0 and result.plan_total >= 0
    for v in result.visits:
        parts = (v.patient, v.plan, v.deductible, v.copay, v.coinsurance, v.balance_bill)
        assert all(p >= 0 for p in parts), v
        assert all(p == round_cents(p) for p in parts), v
