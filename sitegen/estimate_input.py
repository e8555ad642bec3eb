"""Input of `sitegen estimate FILE`: a plan and a list of visits, read from YAML or JSON.

The file is read with `yamlsrc.read_yaml` (JSON is valid YAML, so both share one reader and
one set of `path:line:col` diagnostics), validated by the pydantic models below with the
same error translation as the fee schedules (`load.validate_data`), then turned into
`pricing.Coverage` and `pricing.Visit` for `pricing.estimate`. docs/estimate.md documents
every key.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, StrictBool

from sitegen.coverage import THRESHOLD_GROUPS, plan_years, second_coverage, thresholds
from sitegen.diagnostics import Diagnostics
from sitegen.load import read_mapping, validate_data
from sitegen.model import (
    Amount,
    Day,
    Fraction,
    MedicareYear,
    Month,
    SecondCoverage,
    Strict,
    Text,
    TherapySpent,
)
from sitegen.pricing import Coverage, Estimate, Visit, estimate, mppr_allowed

DOCS = "docs/estimate.md"


Count = Annotated[int, Field(strict=True, ge=0, le=366)]
Repeat = Annotated[int, Field(strict=True, gt=0, le=366)]


class Terms(Strict):
    """Cost sharing of out-of-network visits of an in-network plan, kept apart."""

    deductible_remaining: Amount = Decimal(0)
    coinsurance: Fraction = Decimal(0)
    copay: Amount | None = None
    copay_waives_deductible: StrictBool = False
    oop_remaining: Amount | None = None
    balance_billing: StrictBool | None = None
    deductible: Amount | None = None
    oop_max: Amount | None = None

    def coverage(self) -> Coverage:
        return Coverage(network="out-of-network", **self.model_dump())


class ThresholdInput(Strict):
    """Medicare's yearly therapy thresholds (the year's physician fee schedule final rule)."""

    pt_slp: Amount
    ot: Amount
    review: Amount | None = None


class PlanInput(Strict):
    network: Literal["in-network", "out-of-network", "self-pay"]
    deductible_remaining: Amount = Decimal(0)
    coinsurance: Fraction = Decimal(0)
    copay: Amount | None = None
    copay_waives_deductible: StrictBool = False
    oop_remaining: Amount | None = None
    visits_remaining: Count | None = None
    balance_billing: StrictBool | None = None
    deductible: Amount | None = None
    oop_max: Amount | None = None
    visits_per_year: Count | None = None
    plan_year_starts: Month = 1
    medicare: StrictBool = False
    therapy_threshold: ThresholdInput | None = None
    therapy_spent: TherapySpent = TherapySpent()
    second_coverage: SecondCoverage | None = None
    out_of_network: Terms | None = None

    def coverage(self) -> Coverage:
        limits = self.therapy_threshold
        figures = None if limits is None else MedicareYear(
            year=2000, part_b_deductible=Decimal(0), therapy_threshold_pt_slp=limits.pt_slp,
            therapy_threshold_ot=limits.ot,
            targeted_review_threshold=limits.review or max(limits.pt_slp, limits.ot))
        found = thresholds(figures, self.therapy_spent)
        if limits is not None and limits.review is None:
            found = tuple(replace(t, review=None) for t in found)
        return Coverage(
            network=self.network,
            deductible_remaining=self.deductible_remaining,
            coinsurance=self.coinsurance,
            copay=self.copay,
            copay_waives_deductible=self.copay_waives_deductible,
            oop_remaining=self.oop_remaining,
            visits_remaining=self.visits_remaining,
            balance_billing=self.balance_billing,
            deductible=self.deductible,
            oop_max=self.oop_max,
            visits_per_year=self.visits_per_year,
            thresholds=found,
            second=second_coverage(self.second_coverage),
            out_of_network=None if self.out_of_network is None else
            self.out_of_network.coverage(),
        )


class CodeInput(Strict):
    """One code of a visit: Medicare's amount for the first unit and for further units."""

    code: Text | None = None
    allowed: Amount
    further_unit: Amount | None = None
    units: Repeat = 1


class VisitInput(Strict):
    name: Text
    billed: Amount
    allowed: Amount | None = None
    codes: list[CodeInput] | None = Field(default=None, min_length=1)
    cash: Amount | None = None
    over_limit: Amount | None = None
    counts_as_visit: StrictBool = True
    discipline: Literal["PT", "OT", "SLP"] | None = None
    network: Literal["in-network", "out-of-network", "self-pay"] | None = None
    date: Day | None = None
    days_apart: Repeat = 7
    repeat: Repeat = 1

    def visits(self, medicare: bool) -> list[Visit]:
        allowed, reduction = self.allowed, Decimal(0)
        if self.codes is not None:
            lines = [(c.allowed, c.further_unit if medicare else None, c.units)
                     for c in self.codes]
            allowed, reduction = mppr_allowed(lines)
        one = Visit(self.name, self.billed, allowed=allowed, cash=self.cash,
                    over_limit=self.over_limit, counts_as_visit=self.counts_as_visit,
                    reduction=reduction, group=THRESHOLD_GROUPS.get(self.discipline or ""),
                    network=self.network)
        return [one] * self.repeat

    def dates(self) -> list[dt.date | None]:
        if self.date is None:
            return [None] * self.repeat
        return [self.date + dt.timedelta(days=i * self.days_apart) for i in range(self.repeat)]


class EstimateInput(Strict):
    plan: PlanInput
    visits: list[VisitInput] = Field(min_length=1)


def load_estimate(file: Path, display: str, diags: Diagnostics
                  ) -> tuple[Coverage, list[Visit]] | None:
    """Read and validate FILE; None (with every problem in `diags`) when it is wrong."""
    doc = read_mapping(file, display, diags, "a mapping with the keys 'plan' and 'visits'",
                       f"see the example in {DOCS}")
    if doc is None:
        return None
    found = Diagnostics()
    result = validate_data(doc, EstimateInput, found)
    diags.extend(_fraction_hint(d) for d in found.items)
    if result is None:
        return None
    if _visit_problems(result, doc, display, diags):
        return None
    medicare = result.plan.medicare
    visits = [visit for entry in result.visits for visit in entry.visits(medicare)]
    dates = [day for entry in result.visits for day in entry.dates()]
    if dates and dates[0] is not None:
        years = plan_years(dates, result.plan.plan_year_starts)  # type: ignore[arg-type]
        visits = [replace(v, year=y) for v, y in zip(visits, years)]
    return result.plan.coverage(), visits


def _visit_problems(result: EstimateInput, doc: Any, display: str, diags: Diagnostics) -> bool:
    """Rules across keys: Medigap only behind Medicare, one way to give the allowed amount,
    dates on all visits or none, in order, and further units never above the first."""
    before = len(diags.errors)

    def problem(loc: tuple, message: str, hint: str) -> None:
        diags.error(display, *doc.positions.of(loc), message, hint)

    second = result.plan.second_coverage
    if second is not None and second.type == "medigap" and not result.plan.medicare:
        problem(("plan", "second_coverage", "type"), "a Medigap plan pays only after "
                "Original Medicare", "add medicare: true to plan:")
    if second is not None and result.plan.network == "self-pay":
        problem(("plan", "second_coverage"), "a self-pay plan cannot have a second coverage",
                "remove second_coverage:, or set network: in-network")
    if "therapy_spent" in result.plan.model_fields_set and result.plan.therapy_threshold is None:
        problem(("plan", "therapy_spent"), "therapy_spent counts toward therapy thresholds, "
                "but the plan has no therapy_threshold:", "add therapy_threshold: {pt_slp: "
                "2480, ot: 2480, review: 3000} (the year's amounts), or remove therapy_spent:")
    dated = [entry.date is not None for entry in result.visits]
    last: dt.date | None = None
    for i, entry in enumerate(result.visits):
        if entry.codes is not None and entry.allowed is not None:
            problem(("visits", i, "codes"), "a visit takes allowed: or codes:, not both",
                    "keep codes: (the allowed amount is their sum) or allowed:")
        for j, code in enumerate(entry.codes or []):
            if code.further_unit is not None and code.further_unit > code.allowed:
                problem(("visits", i, "codes", j, "further_unit"), "further_unit is more "
                        f"than allowed (got {code.further_unit} > {code.allowed})",
                        "a further unit is paid at most the full amount of the first")
        if any(dated) and not all(dated):
            if entry.date is None:
                problem(("visits", i), "this visit has no date, but others have one",
                        "give every visit a date: (YYYY-MM-DD), or none")
        elif entry.date is not None:
            if last is not None and entry.date < last:
                problem(("visits", i, "date"), f"visit dates must not go back in time (got "
                        f"{entry.date} after {last})", "list the visits in date order")
            last = entry.dates()[-1]
    return len(diags.errors) > before


def _fraction_hint(diag: Any) -> Any:
    """The shared translation's 'it must be below 1' does not say why 20 is wrong."""
    if diag.message.startswith("coinsurance is too large"):
        return replace(diag, hint="coinsurance is a fraction: write 20% as 0.20")
    return diag


def to_json(result: Estimate, second: bool = False) -> str:
    """The command's output: amounts as strings with two decimals, keys in a fixed order.
    The second coverage's amounts, Medicare's reductions and the events (threshold passed,
    new plan year) appear only when the input can have them."""
    reduced = any(v.reduction for v in result.visits)
    visits = []
    for v in result.visits:
        item = {"name": v.name, "patient": _cents(v.patient), "plan": _cents(v.plan)}
        if second:
            item["second_coverage"] = _cents(v.second)
        if reduced:
            item["reduction"] = _cents(v.reduction)
        if v.events:
            item["events"] = list(v.events)
        visits.append(item)
    data: dict[str, Any] = {"visits": visits, "patient_total": _cents(result.patient_total),
                            "plan_total": _cents(result.plan_total)}
    if second:
        data["second_coverage_total"] = _cents(result.second_total)
    return json.dumps(data, indent=2) + "\n"


def _cents(amount: Decimal) -> str:
    return f"{amount:.2f}"


def run(file: Path, display: str, diags: Diagnostics) -> str | None:
    """The JSON estimate for FILE, or None with diagnostics."""
    loaded = load_estimate(file, display, diags)
    if loaded is None:
        return None
    coverage, visits = loaded
    return to_json(estimate(coverage, visits), second=coverage.second is not None)
