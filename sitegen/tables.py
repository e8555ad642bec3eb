"""Price rows: the one model that cost tables (and later JSON-LD and price files) read,
so every output shows the same numbers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

from sitegen.model import ClinicSource, Location, Service


@dataclass(frozen=True)
class PriceRow:
    service: Service
    setting: str
    gross_charge: Decimal
    cash_price: Decimal
    negotiated: tuple[tuple[str, Decimal], ...]   # (payer plan, rate), sorted by plan name
    bundled: bool                                   # inpatient: part of the daily rate
    cash_price_max: Decimal | None = None           # a range: cash_price to cash_price_max
    location: Location | None = None                # priced at this location only

    @property
    def lowest(self) -> Decimal | None:
        return min((r for _, r in self.negotiated), default=None)

    @property
    def highest(self) -> Decimal | None:
        return max((r for _, r in self.negotiated), default=None)

    @property
    def median(self) -> Decimal | None:
        return median_rate(self.service)

    @property
    def plan_count(self) -> int:
        return len(self.negotiated)


def median_rate(service: Service) -> Decimal | None:
    """The middle negotiated rate (half-up to cents), or None when no plan has one."""
    rates = sorted(service.negotiated.values())
    if not rates:
        return None
    return Decimal(median(rates)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def price_rows(source: ClinicSource, setting: str) -> list[PriceRow]:
    """Rows of one setting's cost table, in the fee schedule's order."""
    rows = []
    for service in source.schedule.services:
        if setting not in service.settings:
            continue
        rows.append(PriceRow(
            service=service,
            setting=setting,
            gross_charge=service.gross_charge,
            cash_price=service.cash_price,
            negotiated=tuple(sorted(service.negotiated.items())),
            bundled=setting == "inpatient" and service.inpatient_bundled,
            cash_price_max=service.cash_price_max,
            location=location_of(source, service),
        ))
    return rows


def location_of(source: ClinicSource, service: Service) -> Location | None:
    """The location a service's prices are limited to (None: every location)."""
    return next((loc for loc in source.clinic.locations
                 if service.location is not None and loc.id == service.location), None)


def place(location: Location) -> str:
    """'Division Street (Portland, OR)': how pages name a location next to a price."""
    return f"{location.name} ({location.address.city}, {location.address.state})"


def all_rows(source: ClinicSource, rows: Sequence[PriceRow] | None = None) -> Sequence[PriceRow]:
    """Rows of every setting, settings in the canonical order, services in file order;
    `rows` when given (a clinic's view has them computed once)."""
    if rows is not None:
        return rows
    return [row for setting in source.settings() for row in price_rows(source, setting)]
