"""Stage `price` helpers: validated coverage settings in, `pricing` inputs out.

Shared by the estimate pages (`estimates`) and `sitegen estimate` (`estimate_input`), so a
Medigap plan, Medicare's therapy thresholds or a plan-year reset mean the same in both.
Imports only `model` and `pricing`; everything here is a pure function.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from sitegen.i18n import Say
from sitegen.model import MedicareYear, SecondCoverage, TherapySpent
from sitegen.pricing import Coverage, Threshold
from sitegen.pricing import SecondCoverage as Second

# Which yearly Medicare threshold a discipline's therapy counts toward.
THRESHOLD_GROUPS = {"PT": "pt_slp", "SLP": "pt_slp", "OT": "ot"}
THRESHOLD_NAMES = {"pt_slp": Say("physical and speech therapy together"),
                   "ot": Say("occupational therapy")}
# Medigap plans that pay the Part B deductible (C and F, sold only to people eligible for
# Medicare before 2020); every plan listed pays the Part B coinsurance in full, except
# Plan N's copay of up to $20 (Medicare.gov, "Compare Medigap plan benefits").
PAYS_PART_B_DEDUCTIBLE = frozenset("CF")
PLAN_N_COPAY = Decimal("20.00")


def second_coverage(spec: SecondCoverage | None) -> Second | None:
    """The pricing rule of a second coverage."""
    if spec is None:
        return None
    if spec.type == "medigap":
        plan = spec.medigap_plan or ""
        copay = (PLAN_N_COPAY if spec.copay is None else spec.copay) if plan == "N" else Decimal(0)
        return Second("supplement", spec.name or Say("Medigap Plan %(plan)s", plan=plan),
                      pays_deductible=plan in PAYS_PART_B_DEDUCTIBLE, copay=copay)
    if spec.type == "medicaid":
        return Second("supplement", spec.name or Say("Medicaid"), pays_deductible=True,
                      copay=spec.copay or Decimal(0))
    plan = Coverage(network="in-network", deductible_remaining=spec.deductible_remaining,
                    coinsurance=spec.coinsurance, copay=spec.copay,
                    copay_waives_deductible=spec.copay_waives_deductible,
                    oop_remaining=spec.oop_remaining, deductible=spec.deductible,
                    oop_max=spec.oop_max)
    return Second("commercial", spec.name or Say("Your second plan"), plan=plan)


def thresholds(figures: MedicareYear | None, spent: TherapySpent) -> tuple[Threshold, ...]:
    """Medicare's two yearly therapy thresholds, with what was already spent this year."""
    if figures is None:
        return ()
    review = figures.targeted_review_threshold
    return (Threshold("pt_slp", THRESHOLD_NAMES["pt_slp"], figures.therapy_threshold_pt_slp,
                      review, spent.pt_slp),
            Threshold("ot", THRESHOLD_NAMES["ot"], figures.therapy_threshold_ot, review,
                      spent.ot))


def threshold_group(disciplines: set[str | None], fallback: set[str | None]) -> str | None:
    """The threshold a visit counts toward: its own services' discipline, else the course's
    (timed codes such as 97110 belong to no one discipline). None when it cannot be told."""
    for found in (disciplines, fallback):
        groups = {THRESHOLD_GROUPS[d] for d in found if d is not None}
        if len(groups) == 1:
            return groups.pop()
        if groups:
            return None
    return None


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def course_dates(start: dt.date, months: int | None, count: int) -> list[dt.date]:
    """Visit dates of a course spread evenly over `months` from `start` (all on `start`
    without months): visit i falls i * span // count days after the start."""
    if not months:
        return [start] * count
    span = (add_months(start, months) - start).days
    return [start + dt.timedelta(days=i * span // count) for i in range(count)]


def plan_years(dates: Sequence[dt.date], starts: int) -> list[int]:
    """For each date, how many plan years (starting on the 1st of month `starts`) after the
    first date's plan year it falls."""
    def year_of(day: dt.date) -> int:
        return day.year if day.month >= starts else day.year - 1
    if not dates:
        return []
    first = year_of(dates[0])
    return [year_of(day) - first for day in dates]
