"""Input of `sitegen estimate FILE`: a plan and a list of visits, read from YAML or JSON.

The file is read with `yamlsrc.read_yaml` (JSON is valid YAML, so both share one reader and
one set of `path:line:col` diagnostics), validated by the pydantic models below with the
same error translation as the fee schedules (`load.validate_data`), then turned into
`pricing.Coverage` and `pricing.Visit` for `pricing.estimate`. docs/estimate.md documents
every key.
"""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, StrictBool

from sitegen.diagnostics import Diagnostics
from sitegen.load import read_mapping, validate_data
from sitegen.model import Amount, Fraction, Strict, Text
from sitegen.pricing import Coverage, Estimate, Visit, estimate

DOCS = "docs/estimate.md"


Count = Annotated[int, Field(strict=True, ge=0, le=366)]
Repeat = Annotated[int, Field(strict=True, gt=0, le=366)]


class PlanInput(Strict):
    network: Literal["in-network", "out-of-network", "self-pay"]
    deductible_remaining: Amount = Decimal(0)
    coinsurance: Fraction = Decimal(0)
    copay: Amount | None = None
    copay_waives_deductible: StrictBool = False
    oop_remaining: Amount | None = None
    visits_remaining: Count | None = None
    balance_billing: StrictBool | None = None

    def coverage(self) -> Coverage:
        return Coverage(
            network=self.network,
            deductible_remaining=self.deductible_remaining,
            coinsurance=self.coinsurance,
            copay=self.copay,
            copay_waives_deductible=self.copay_waives_deductible,
            oop_remaining=self.oop_remaining,
            visits_remaining=self.visits_remaining,
            balance_billing=self.balance_billing,
        )


class VisitInput(Strict):
    name: Text
    billed: Amount
    allowed: Amount | None = None
    cash: Amount | None = None
    over_limit: Amount | None = None
    counts_as_visit: StrictBool = True
    repeat: Repeat = 1

    def visits(self) -> list[Visit]:
        one = Visit(self.name, self.billed, allowed=self.allowed, cash=self.cash,
                    over_limit=self.over_limit, counts_as_visit=self.counts_as_visit)
        return [one] * self.repeat


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
    visits = [visit for entry in result.visits for visit in entry.visits()]
    return result.plan.coverage(), visits


def _fraction_hint(diag: Any) -> Any:
    """The shared translation's 'it must be below 1' does not say why 20 is wrong."""
    if diag.message.startswith("coinsurance is too large"):
        return replace(diag, hint="coinsurance is a fraction: write 20% as 0.20")
    return diag


def to_json(result: Estimate) -> str:
    """The command's output: amounts as strings with two decimals, keys in a fixed order."""
    data = {
        "visits": [{"name": v.name, "patient": _cents(v.patient), "plan": _cents(v.plan)}
                   for v in result.visits],
        "patient_total": _cents(result.patient_total),
        "plan_total": _cents(result.plan_total),
    }
    return json.dumps(data, indent=2) + "\n"


def _cents(amount: Decimal) -> str:
    return f"{amount:.2f}"


def run(file: Path, display: str, diags: Diagnostics) -> str | None:
    """The JSON estimate for FILE, or None with diagnostics."""
    loaded = load_estimate(file, display, diags)
    if loaded is None:
        return None
    coverage, visits = loaded
    return to_json(estimate(coverage, visits))
