"""Patient cost estimates and timed-code units for clinic price pages.

Pure functions only: the page builder passes in plan details and visit
charges and gets exact ``Decimal`` amounts back, so published prices never
drift through float rounding and the rules can be tested in isolation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

Network = Literal["in-network", "out-of-network", "self-pay"]
UnitRule = Literal["cms", "per-code"]

NETWORKS = ("in-network", "out-of-network", "self-pay")
CENT = Decimal("0.01")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Coverage:
    """One patient's plan situation at the start of the course of care."""

    network: Network
    deductible_remaining: Decimal = Decimal(0)
    coinsurance: Decimal = Decimal(0)  # fraction 0..1
    copay: Decimal | None = None
    copay_waives_deductible: bool = False
    oop_remaining: Decimal | None = None  # None = no out-of-pocket maximum
    visits_remaining: int | None = None  # None = no visit limit
    balance_billing: bool | None = None  # None = True out of network only


@dataclass(frozen=True)
class Visit:
    """One billed visit; unset prices fall back to the billed charge."""

    name: str
    billed: Decimal
    allowed: Decimal | None = None  # negotiated rate / plan allowance
    cash: Decimal | None = None  # self-pay price
    over_limit: Decimal | None = None  # price once the visit limit is used up
    counts_as_visit: bool = True


@dataclass(frozen=True)
class VisitCost:
    """Who pays what for one visit, with the parts shown to the patient."""

    name: str
    patient: Decimal
    plan: Decimal
    deductible: Decimal  # part of the patient amount applied to the deductible
    copay: Decimal
    coinsurance: Decimal
    balance_bill: Decimal
    over_limit: bool  # True when past the visit limit
    capped: bool  # True when the out-of-pocket maximum reduced the cost share
    explanation: str


@dataclass(frozen=True)
class Estimate:
    """Per-visit costs plus totals for a whole course of care."""

    visits: tuple[VisitCost, ...]
    patient_total: Decimal
    plan_total: Decimal

    @property
    def total(self) -> Decimal:
        """Everything the clinic is paid, by patient and plan together."""
        return self.patient_total + self.plan_total


def round_cents(amount: Decimal) -> Decimal:
    """Round half-up to cents, as bills are rounded (not banker's rounding)."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"money must be Decimal, not {type(amount).__name__}")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def timed_units(minutes: int) -> int:
    """Billable 15-minute units for timed minutes under the 8-minute rule."""
    if minutes < 0:
        raise ValueError(f"minutes must not be negative: {minutes}")
    return 0 if minutes < 8 else (minutes + 7) // 15


def split_units(lines: Sequence[tuple[str, int]], rule: UnitRule = "cms") -> list[tuple[str, int]]:
    """Units per timed code, one entry per code in the order first listed (zero-unit codes
    included). A code listed twice in a visit (7 minutes at the start, 7 at the end) is one
    code of 14 minutes under either rule: CMS Pub. 100-04 ch. 5 section 20.2 counts a
    code's minutes across the whole visit.

    "cms" pools the visit's timed minutes, so short codes can still earn a
    unit together; "per-code" (many commercial payers) counts each code alone.
    """
    merged: dict[str, int] = {}
    for key, m in lines:
        if m < 0:
            raise ValueError(f"minutes must not be negative: {m}")
        merged[key] = merged.get(key, 0) + m
    keys, minutes = list(merged), list(merged.values())
    if rule == "per-code":
        return [(key, timed_units(m)) for key, m in merged.items()]
    if rule != "cms":
        raise ValueError(f"unknown unit rule: {rule!r}")
    shares = [m // 15 for m in minutes]
    # Never negative with this formula; max() guards against future changes.
    left = max(timed_units(sum(minutes)) - sum(shares), 0)
    # Largest remainder first, ties to the code listed first; only codes with
    # leftover minutes qualify, so we stop if remainders run out.
    order = sorted(
        (i for i, m in enumerate(minutes) if m % 15),
        key=lambda i: (-(minutes[i] % 15), i),
    )
    for i in order[:left]:
        shares[i] += 1
    return list(zip(keys, shares))


def estimate(coverage: Coverage, visits: Sequence[Visit]) -> Estimate:
    """Estimate patient and plan payments visit by visit, in order.

    Cost sharing is on the allowed amount; deductible, out-of-pocket maximum
    and visit limit are used up as the course goes on. Raises ValueError only
    for programmer errors (bad coinsurance, negative amounts).
    """
    _check_coverage(coverage)
    network = coverage.network
    deductible = _money(coverage.deductible_remaining, "deductible_remaining")
    oop = None if coverage.oop_remaining is None else _money(coverage.oop_remaining, "oop")
    visits_left = coverage.visits_remaining
    balance_billing = network == "out-of-network" and coverage.balance_billing is not False
    costs: list[VisitCost] = []
    for visit in visits:
        billed = _money(visit.billed, "billed")
        if network == "self-pay":
            cash = _money(_or(visit.cash, billed), "cash")
            costs.append(_flat(visit.name, cash, False, f"Self-pay price {_usd(cash)}"))
            continue
        if visit.counts_as_visit and visits_left is not None:
            if visits_left <= 0:
                price = _money(_or(visit.over_limit, billed), "over_limit")
                costs.append(_flat(visit.name, price, True, f"Visit limit reached: {_usd(price)}"))
                continue
            visits_left -= 1
        allowed = _money(_or(visit.allowed, billed), "allowed")
        d, copay, coins = _cost_share(coverage, allowed, deductible)
        deductible -= d
        share = d + copay + coins
        capped = oop is not None and share > oop
        if oop is not None:
            if capped:
                # Show what is still owed, deductible first, then copay/coinsurance.
                share = oop
                d = min(d, share)
                copay = min(copay, share - d)
                coins = share - d - copay
            oop -= share
        balance = max(billed - allowed, ZERO) if balance_billing else ZERO
        text = _explain(d, copay, coins, coverage.coinsurance, balance, capped)
        costs.append(
            VisitCost(
                name=visit.name,
                patient=share + balance,
                plan=allowed - share,
                deductible=d,
                copay=copay,
                coinsurance=coins,
                balance_bill=balance,
                over_limit=False,
                capped=capped,
                explanation=text,
            )
        )
    return Estimate(
        visits=tuple(costs),
        patient_total=sum((c.patient for c in costs), ZERO),
        plan_total=sum((c.plan for c in costs), ZERO),
    )


def _cost_share(
    coverage: Coverage, allowed: Decimal, deductible: Decimal
) -> tuple[Decimal, Decimal, Decimal]:
    """(deductible, copay, coinsurance) before the out-of-pocket cap."""
    copay = None if coverage.copay is None else round_cents(coverage.copay)
    if copay is not None and coverage.copay_waives_deductible:
        return ZERO, min(copay, allowed), ZERO
    d = min(allowed, deductible)
    rest = allowed - d
    if copay is not None:
        return d, min(copay, rest), ZERO
    return d, ZERO, round_cents(rest * coverage.coinsurance)


def _flat(name: str, price: Decimal, over_limit: bool, text: str) -> VisitCost:
    """A visit the patient pays in full with no plan involvement."""
    return VisitCost(name, price, ZERO, ZERO, ZERO, ZERO, ZERO, over_limit, False, text)


def _explain(
    d: Decimal, copay: Decimal, coins: Decimal, rate: Decimal, balance: Decimal, capped: bool
) -> str:
    """Short sentence a patient can check against the numbers."""
    parts = []
    if d:
        parts.append(f"Deductible {_usd(d)}")
    if copay:
        parts.append(f"Copay {_usd(copay)}")
    if coins:
        parts.append(f"{_percent(rate)} coinsurance {_usd(coins)}")
    text = " + ".join(parts) or "No cost share"
    if capped:
        text += " (out-of-pocket maximum reached)"
    if balance:
        text += f" + balance bill {_usd(balance)}"
    return text


def _usd(amount: Decimal) -> str:
    """'$1,234.50' style, the only money format shown to patients."""
    return f"${amount:,.2f}"


def _percent(rate: Decimal) -> str:
    """0.2 -> '20%', 0.125 -> '12.5%'."""
    return f"{(rate * 100).normalize():f}%"


def _check_coverage(coverage: Coverage) -> None:
    """Reject values no caller should ever pass (friendly checks live elsewhere)."""
    if coverage.network not in NETWORKS:
        raise ValueError(f"unknown network: {coverage.network!r}")
    rate = coverage.coinsurance
    if not isinstance(rate, Decimal):
        raise TypeError(f"coinsurance must be Decimal, not {type(rate).__name__}")
    if not (rate.is_finite() and 0 <= rate <= 1):
        raise ValueError(f"coinsurance must be between 0 and 1: {rate}")
    if coverage.copay is not None:
        _money(coverage.copay, "copay")
    if coverage.visits_remaining is not None and coverage.visits_remaining < 0:
        raise ValueError(f"visits_remaining must not be negative: {coverage.visits_remaining}")


def _money(amount: Decimal, what: str) -> Decimal:
    """Validate a non-negative finite Decimal and round it to cents."""
    if isinstance(amount, Decimal) and not amount.is_finite():
        raise ValueError(f"{what} must be a finite amount: {amount}")
    amount = round_cents(amount)
    if amount < 0:
        raise ValueError(f"{what} must not be negative: {amount}")
    return amount


def _or(amount: Decimal | None, default: Decimal) -> Decimal:
    """Unset visit prices fall back to the billed charge."""
    return default if amount is None else amount
