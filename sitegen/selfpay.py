"""Stage `derive` (self-pay): what people who pay for themselves are charged beyond the
per-code cash price: prepaid packages and sliding-scale discounts by household income.

Pure functions from validated models to plain immutable data, shared by the estimate
pages, the good faith estimates and the sliding-scale page, so they always agree. Imports
only `model` and `pricing`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sitegen.diagnostics import Diagnostics
from sitegen.i18n import Say
from sitegen.model import ClinicSource, Package, PovertyGuidelines, SiteConfig, SlidingTier
from sitegen.pricing import round_cents

HOUSEHOLD_SIZES = tuple(range(1, 9))


@dataclass(frozen=True)
class CashVisit:
    """One visit as a self-pay patient is charged for it."""

    name: str
    cash: Decimal          # the price charged (the high end of a range)
    session: str | None    # the session id, for packages


@dataclass(frozen=True)
class PackageUse:
    """How a course of care uses a package: `packages` bought, `rest` visits paid one by one."""

    package: Package
    packages: int
    rest: int

    @property
    def covered(self) -> int:
        return self.packages * self.package.visits


def package_use(package: Package, visits: Sequence[CashVisit]) -> PackageUse | None:
    """Whole packages for the course's visits of the package's session; None when the course
    has fewer such visits than one package holds (buying it would cost more)."""
    count = sum(1 for v in visits if v.session == package.session)
    if count < package.visits:
        return None
    return PackageUse(package, count // package.visits, count % package.visits)


def with_package(use: PackageUse, visits: Sequence[CashVisit]) -> list[tuple[str, Decimal]]:
    """(name, price) lines: each package once, where its first visit falls; the visits it
    covers are prepaid; everything else at its own cash price."""
    lines: list[tuple[str, Decimal]] = []
    seen = 0
    size = use.package.visits
    for visit in visits:
        if visit.session == use.package.session and seen < use.covered:
            if seen % size == 0:
                lines.append((f"Prepaid package: {use.package.name}", use.package.price))
            seen += 1
            continue
        lines.append((visit.name, visit.cash))
    return lines


def tier_price(tier: SlidingTier, cash: Decimal) -> Decimal:
    """A tier's price for one visit: a share off the cash price, or a fixed visit price that
    is never more than the cash price."""
    if tier.discount is not None:
        return round_cents(cash * (1 - tier.discount))
    assert tier.visit_price is not None
    return min(tier.visit_price, cash)


def tier_words(tier: SlidingTier) -> Say:
    """'50% off the cash price' or '$40.00 per visit'."""
    if tier.discount is not None:
        return Say("%(rate)s off the cash price", rate=f"{(tier.discount * 100).normalize():f}%")
    return Say("%(price)s per visit (or the cash price, if lower)",
               price=f"${tier.visit_price:,.2f}")


def tier_floor(tiers: Sequence[SlidingTier], index: int) -> int:
    """The income a tier starts above, as a percent of the guideline (0 for the first)."""
    return 0 if index == 0 else tiers[index - 1].up_to_percent


@dataclass(frozen=True)
class IncomeRow:
    household: int
    limits: tuple[Decimal, ...]   # the highest yearly income of each tier, in dollars


def income_table(guidelines: PovertyGuidelines, state: str,
                 tiers: Sequence[SlidingTier]) -> list[IncomeRow]:
    """Who qualifies for which tier: yearly household income limits for households of 1-8
    people, from the poverty guideline of the clinic's state."""
    return [IncomeRow(size, tuple(guidelines.income(state, size, t.up_to_percent)
                                  for t in tiers)) for size in HOUSEHOLD_SIZES]


def clinic_state(source: ClinicSource) -> str:
    """The state whose guideline applies: the first location's (Alaska and Hawaii have
    their own guidelines)."""
    return source.clinic.locations[0].address.state


def validate_sliding_scales(config: SiteConfig, clinics: Sequence[ClinicSource],
                            diags: Diagnostics) -> None:
    """A sliding scale is in percent of the poverty guidelines, so site.yaml must give them."""
    if config.poverty_guidelines is not None:
        return
    for source in clinics:
        if source.schedule.sliding_scale is not None:
            diags.error(source.path, *source.positions.of(("sliding_scale",), key=True),  # type: ignore
                        "sliding_scale needs the year's federal poverty guidelines, but "
                        "site.yaml has no poverty_guidelines", "add poverty_guidelines: to "
                        "site.yaml (see docs/fee-schedule.md)")
