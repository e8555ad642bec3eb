"""Patient cost estimates and timed-code units for clinic price pages.

Pure functions only: the page builder passes in plan details and visit
charges and gets exact ``Decimal`` amounts back, so published prices never
drift through float rounding and the rules can be tested in isolation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Literal

from sitegen.i18n import Say, joined, lowered

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
    visits_remaining: int | None = None  # None = no visit limit; per limit group
    balance_billing: bool | None = None  # None = True out of network only
    # Past the limit the plan still pays once it approves more visits (prior authorization,
    # or Medicaid's payment in full): such visits are priced as covered, and flagged.
    covered_past_limit: bool = False
    # A new plan year starts these again (None: the remaining amount above).
    deductible: Decimal | None = None
    oop_max: Decimal | None = None
    visits_per_year: int | None = None
    thresholds: tuple[Threshold, ...] = ()  # Medicare's yearly therapy thresholds
    second: SecondCoverage | None = None  # a second coverage behind this one
    # Terms of out-of-network visits of an in-network plan, with their own deductible and
    # maximum (None: out-of-network visits share the terms and amounts above).
    out_of_network: Coverage | None = None


@dataclass(frozen=True)
class Threshold:
    """Medicare's yearly therapy threshold for one group of disciplines (PT and speech
    together, or OT). Not a cap: past it the clinic adds the KX modifier and Medicare keeps
    paying for medically necessary therapy; past `review` claims may be reviewed."""

    group: str  # Visit.group this threshold counts
    name: str  # "physical and speech therapy"
    amount: Decimal
    review: Decimal | None = None
    spent: Decimal = Decimal(0)  # allowed amounts already counted this year


@dataclass(frozen=True)
class SecondCoverage:
    """A coverage that pays after the first one, from the patient's share.

    "supplement" (Medigap, Medicaid) pays the share it covers: coinsurance and copays, the
    deductible too when `pays_deductible`, leaving the patient up to `copay` per visit.
    "commercial" pays what `plan` would have paid as the only plan, never more than the
    patient's share (ordinary coordination of benefits)."""

    kind: Literal["supplement", "commercial"]
    name: str
    pays_deductible: bool = False
    copay: Decimal = Decimal(0)
    plan: Coverage | None = None


@dataclass(frozen=True)
class Visit:
    """One billed visit; unset prices fall back to the billed charge."""

    name: str
    billed: Decimal
    allowed: Decimal | None = None  # negotiated rate / plan allowance
    cash: Decimal | None = None  # self-pay price
    over_limit: Decimal | None = None  # price once the visit limit is used up
    counts_as_visit: bool = True
    reduction: Decimal = Decimal(0)  # Medicare's multiple-service reduction, already off allowed
    group: str | None = None  # the therapy threshold it counts toward (Threshold.group)
    year: int = 0  # plan years after the first: deductible, maximum and limits start again
    network: Network | None = None  # where this visit is, when not the coverage's network
    limit_group: str = ""  # visits of one group share a count (a therapy, or all of them)


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
    over_limit: bool  # True when past the visit limit and not covered
    capped: bool  # True when the out-of-pocket maximum reduced the cost share
    explanation: str
    second: Decimal = Decimal("0.00")  # what the second coverage pays
    reduction: Decimal = Decimal("0.00")  # payment reduction for multiple therapy services
    new_year: bool = False  # the first visit of a new plan year
    events: tuple[str, ...] = ()  # threshold crossings and plan-year resets, in words
    needs_authorization: bool = False  # past the limit, covered once the plan approves it


@dataclass(frozen=True)
class Estimate:
    """Per-visit costs plus totals for a whole course of care."""

    visits: tuple[VisitCost, ...]
    patient_total: Decimal
    plan_total: Decimal
    second_total: Decimal = Decimal("0.00")

    @property
    def total(self) -> Decimal:
        """Everything the clinic is paid, by patient and plans together."""
        return self.patient_total + self.plan_total + self.second_total

    def events(self) -> list[tuple[int, str]]:
        """(visit number from 1, what happens there): the milestones a patient should see."""
        return [(i, text) for i, cost in enumerate(self.visits, 1) for text in cost.events]


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


def mppr_allowed(units: Sequence[tuple[Decimal, Decimal | None, int]]) -> tuple[Decimal, Decimal]:
    """Medicare's allowed amount for one day's therapy, and the reduction taken off it.

    Each entry is (first-unit amount, further-unit amount or None for a code Medicare does
    not reduce, units). CMS pays one unit in full, the one with the highest practice-expense
    payment, and every other unit at its reduced amount (Pub. 100-04 ch. 5, 10.7). A unit's
    reduction is half its practice-expense payment, so the unit with the largest
    first-minus-further difference is the one paid in full; ties change nothing."""
    full = sum((first * n for first, _, n in units), Decimal(0))
    cuts = [(first - further, n) for first, further, n in units if further is not None and n > 0]
    if any(cut < 0 for cut, _ in cuts):
        raise ValueError("a further unit must not cost more than the first")
    if sum(n for _, n in cuts) < 2:
        return round_cents(full), ZERO
    reduction = sum((cut * n for cut, n in cuts), Decimal(0)) - max(cut for cut, _ in cuts)
    return round_cents(full - reduction), round_cents(reduction)


@dataclass
class _Year:
    """What is left of one plan's yearly amounts as the course goes on."""

    deductible: Decimal
    oop: Decimal | None
    visits: int | None  # the visit limit of each limit group this year
    spent: dict[str, Decimal]
    seen: set[str] = field(default_factory=set)  # threshold groups with a visit this year
    left: dict[str, int] = field(default_factory=dict)  # visits left, per limit group

    @classmethod
    def first(cls, c: Coverage) -> _Year:
        oop = None if c.oop_remaining is None else _money(c.oop_remaining, "oop")
        return cls(_money(c.deductible_remaining, "deductible_remaining"), oop,
                   c.visits_remaining, {t.group: t.spent for t in c.thresholds})

    @classmethod
    def new(cls, c: Coverage) -> _Year:
        """A new plan year: the yearly amounts again (the remaining ones when not given)."""
        deductible = c.deductible_remaining if c.deductible is None else c.deductible
        oop = c.oop_remaining if c.oop_max is None else c.oop_max
        visits = c.visits_remaining if c.visits_per_year is None else c.visits_per_year
        return cls(_money(deductible, "deductible"),
                   None if oop is None else _money(oop, "oop"), visits,
                   {t.group: Decimal(0) for t in c.thresholds})

    def share(self, c: Coverage, allowed: Decimal) -> tuple[Decimal, Decimal, Decimal, bool]:
        """(deductible, copay, coinsurance, capped) for one visit, used up from this year."""
        d, copay, coins = _cost_share(c, allowed, self.deductible)
        self.deductible -= d
        share = d + copay + coins
        capped = self.oop is not None and share > self.oop
        if self.oop is not None:
            if capped:
                # Show what is still owed, deductible first, then copay/coinsurance.
                share = self.oop
                d = min(d, share)
                copay = min(copay, share - d)
                coins = share - d - copay
            self.oop -= share
        return d, copay, coins, capped


def estimate(coverage: Coverage, visits: Sequence[Visit]) -> Estimate:
    """Estimate patient and plan payments visit by visit, in order.

    Cost sharing is on the allowed amount; deductible, out-of-pocket maximum and visit
    limit are used up as the course goes on, and start again in a new plan year. A second
    coverage pays from the patient's share. Raises ValueError only for programmer errors
    (bad coinsurance, negative amounts).
    """
    _check_coverage(coverage)
    apart = coverage.out_of_network
    if apart is not None:
        _check_coverage(apart)
    year, year_no = _Year.first(coverage), 0
    year_out = _Year.first(apart) if apart is not None else year
    second = coverage.second
    plan2 = second.plan if second is not None else None
    year2 = _Year.first(plan2) if plan2 is not None else None
    costs: list[VisitCost] = []
    for visit in visits:
        billed = _money(visit.billed, "billed")
        network = visit.network or coverage.network
        if coverage.network == "self-pay" or network == "self-pay":
            cash = _money(_or(visit.cash, billed), "cash")
            costs.append(_flat(visit.name, cash, False, Say("Self-pay price %(price)s",
                                                             price=_usd(cash))))
            continue
        events: list[str] = []
        new_year = visit.year > year_no
        if new_year:
            year, year_no = _Year.new(coverage), visit.year
            year_out = _Year.new(apart) if apart is not None else year
            year2 = _Year.new(plan2) if plan2 is not None else None
            events.append(_new_year_words(year, bool(coverage.thresholds)))
        authorize = False
        if visit.counts_as_visit and year.visits is not None:
            left = year.left.setdefault(visit.limit_group, year.visits)
            if left <= 0 and not coverage.covered_past_limit:
                price = _money(_or(visit.over_limit, billed), "over_limit")
                costs.append(replace(
                    _flat(visit.name, price, True, Say("Visit limit reached: %(price)s",
                                                       price=_usd(price))),
                    new_year=new_year, events=tuple(events)))
                continue
            authorize = left <= 0
            year.left[visit.limit_group] = left - 1
        separate = apart is not None and network != coverage.network
        terms, used = (apart, year_out) if separate else (coverage, year)
        assert terms is not None
        balance_billing = network == "out-of-network" and terms.balance_billing is not False
        allowed = _money(_or(visit.allowed, billed), "allowed")
        events.extend(_thresholds(coverage, year, visit.group, allowed))
        d, copay, coins, capped = used.share(terms, allowed)
        share = d + copay + coins
        balance = max(billed - allowed, ZERO) if balance_billing else ZERO
        paid2 = _second_pays(second, year2, allowed, d, copay, coins)
        text = _explain(d, copay, coins, terms.coinsurance, balance, capped)
        if visit.reduction:
            text = Say("Medicare allows %(allowed)s after a payment reduction for multiple "
                       "therapy services of %(reduction)s; %(rest)s", allowed=_usd(allowed),
                       reduction=_usd(_money(visit.reduction, "reduction")), rest=lowered(text))
        if second is not None:
            text = joined(text, Say("; %(name)s pays %(amount)s", name=second.name,
                                    amount=_usd(paid2)))
        if authorize:
            text = joined(text, Say(" (past the visit limit: covered once the plan approves "
                                    "more visits)"))
        costs.append(
            VisitCost(
                name=visit.name,
                patient=share + balance - paid2,
                plan=allowed - share,
                deductible=d,
                copay=copay,
                coinsurance=coins,
                balance_bill=balance,
                over_limit=False,
                capped=capped,
                explanation=text,
                second=paid2,
                reduction=round_cents(visit.reduction),
                new_year=new_year,
                events=tuple(events),
                needs_authorization=authorize,
            )
        )
    return Estimate(
        visits=tuple(costs),
        patient_total=sum((c.patient for c in costs), ZERO),
        plan_total=sum((c.plan for c in costs), ZERO),
        second_total=sum((c.second for c in costs), ZERO),
    )


def _new_year_words(year: _Year, thresholds: bool) -> str:
    """'A new plan year starts: the deductible and visit limit start again'."""
    parts = [Say("the deductible (%(amount)s)", amount=_usd(year.deductible))]
    if year.oop is not None:
        parts.append(Say("the out-of-pocket maximum (%(amount)s)", amount=_usd(year.oop)))
    if year.visits is not None:
        parts.append(Say("the visit limit (%(visits)s visits)", visits=year.visits))
    if thresholds:
        parts.append(Say("the therapy thresholds"))
    if len(parts) == 1:
        return Say("A new plan year starts: %(listed)s starts again", listed=parts[0])
    return Say("A new plan year starts: %(listed)s start again", listed=tuple(parts))


_KX = Say("the clinic adds the KX modifier to confirm your therapy is medically necessary, "
          "and Medicare keeps paying")


def _thresholds(coverage: Coverage, year: _Year, group: str | None,
                allowed: Decimal) -> list[str]:
    """Count the visit toward its Medicare therapy threshold; say so where it is passed.

    The threshold counts the whole allowed amount (what Medicare and the patient pay); the
    visit that takes the year's total above it is the first that needs the KX modifier."""
    said = []
    for t in coverage.thresholds:
        if t.group != group:
            continue
        before = year.spent[group]
        after = year.spent[group] = before + allowed
        first = group not in year.seen
        year.seen.add(group)
        if before <= t.amount < after:
            said.append(Say("Medicare therapy threshold for %(name)s (%(amount)s a year) "
                            "passed: from this visit %(kx)s", name=t.name,
                            amount=_usd(t.amount), kx=_KX))
        elif first and before > t.amount:
            said.append(Say("Your %(name)s this year is already above Medicare's threshold "
                            "(%(amount)s): at every visit %(kx)s", name=t.name,
                            amount=_usd(t.amount), kx=_KX))
        if t.review is not None and (before <= t.review < after or
                                     (first and before > t.review)):
            said.append(Say("Above %(amount)s for %(name)s this year, Medicare may review "
                            "your therapy records (targeted medical review)",
                            amount=_usd(t.review), name=t.name))
    return said


def _second_pays(second: SecondCoverage | None, year2: _Year | None, allowed: Decimal,
                 d: Decimal, copay: Decimal, coins: Decimal) -> Decimal:
    """What the second coverage pays of the patient's share of one visit."""
    if second is None:
        return ZERO
    share = d + copay + coins
    if second.kind == "commercial":
        assert second.plan is not None and year2 is not None
        d2, copay2, coins2, _ = year2.share(second.plan, allowed)
        return min(allowed - (d2 + copay2 + coins2), share)
    covered = share if second.pays_deductible else copay + coins
    return covered - min(round_cents(second.copay), covered)


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


# Remembered: a course repeats the same few cost shares visit after visit, and the
# estimates of a site repeat them course after course (the arguments are cents and a rate).
@lru_cache(maxsize=4096)
def _explain(
    d: Decimal, copay: Decimal, coins: Decimal, rate: Decimal, balance: Decimal, capped: bool
) -> str:
    """Short sentence a patient can check against the numbers."""
    parts: list[object] = []
    if d:
        parts.append(Say("Deductible %(amount)s", amount=_usd(d)))
    if copay:
        parts.append(Say("Copay %(amount)s", amount=_usd(copay)))
    if coins:
        parts.append(Say("%(rate)s coinsurance %(amount)s", rate=_percent(rate),
                         amount=_usd(coins)))
    parts = [p for part in parts for p in (" + ", part)][1:] or [Say("No cost share")]
    if capped:
        parts.append(Say(" (out-of-pocket maximum reached)"))
    if balance:
        parts.append(Say(" + balance bill %(amount)s", amount=_usd(balance)))
    return joined(*parts) if len(parts) > 1 else parts[0]  # type: ignore[return-value]


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
