"""Price rows: the one model that cost tables (and later JSON-LD and price files) read,
so every output shows the same numbers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

from sitegen.clinic_memo import clinic_memo
from sitegen.formats import N_
from sitegen.i18n import Say
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
    """The location a service's prices are limited to (None: every location). Looked up
    by id in a table made once per clinic: the pages ask for every line of every visit."""
    if service.location is None:
        return None
    memo = clinic_memo(source)
    places = memo.get("locations")
    if places is None:
        places = memo["locations"] = {}
        for loc in source.clinic.locations:
            places.setdefault(loc.id, loc)  # the first listed of an id, as before
    return places.get(service.location)


def place(location: Location) -> str:
    """'Division Street (Portland, OR)': how pages name a location next to a price."""
    return f"{location.name} ({location.address.city}, {location.address.state})"


def all_rows(source: ClinicSource, rows: Sequence[PriceRow] | None = None) -> Sequence[PriceRow]:
    """Rows of every setting, settings in the canonical order, services in file order;
    `rows` when given (a clinic's view has them computed once)."""
    if rows is not None:
        return rows
    return [row for setting in source.settings() for row in price_rows(source, setting)]


# Neutral names for the per-code comparison pages and the A-Z index, in our own plain words
# (never the AMA's descriptors, never one clinic's wording), with the therapy they belong to.
CODE_NAMES: dict[str, tuple[str, str]] = {
    "97161": (N_("Physical therapy evaluation, simple problem"), "PT"),
    "97162": (N_("Physical therapy evaluation, moderate problem"), "PT"),
    "97163": (N_("Physical therapy evaluation, complex problem"), "PT"),
    "97164": (N_("Physical therapy re-evaluation"), "PT"),
    "97165": (N_("Occupational therapy evaluation, simple problem"), "OT"),
    "97166": (N_("Occupational therapy evaluation, moderate problem"), "OT"),
    "97167": (N_("Occupational therapy evaluation, complex problem"), "OT"),
    "97168": (N_("Occupational therapy re-evaluation"), "OT"),
    "92507": (N_("Speech, language or voice therapy session"), "SLP"),
    "92521": (N_("Stuttering (fluency) evaluation"), "SLP"),
    "92522": (N_("Speech sound evaluation"), "SLP"),
    "92523": (N_("Speech sound and language evaluation"), "SLP"),
    "92524": (N_("Voice and resonance evaluation"), "SLP"),
    "92610": (N_("Swallowing evaluation"), "SLP"),
    "97110": (N_("Therapeutic exercise"), ""),
    "97112": (N_("Balance and coordination training (neuromuscular re-education)"), ""),
    "97116": (N_("Walking (gait) training"), "PT"),
    "97140": (N_("Hands-on (manual) therapy"), ""),
    "97150": (N_("Group therapy session"), ""),
    "97530": (N_("Therapeutic activities: practising everyday movements"), ""),
    "97535": (N_("Self-care and home management training"), ""),
    "97542": (N_("Wheelchair skills training"), ""),
    "97750": (N_("Physical performance test"), ""),
    "97760": (N_("Splint or brace fitting and training"), ""),
    "97763": (N_("Splint or brace check and adjustment"), ""),
    "L3906": (N_("Custom-made wrist and hand splint"), ""),
}


@dataclass(frozen=True)
class IndexEntry:
    """One line of the /services/ A-Z index."""

    name: str
    code_type: str
    code: str
    disciplines: tuple[str, ...]


def service_title(entries: list) -> Say:
    """The comparison page's title: the neutral name of the code, or the code itself."""
    service = entries[0][1].service
    known = CODE_NAMES.get(service.code)
    return Say(known[0]) if known else Say("Service billed as %(code)s",
                                           code=f"{service.code_type} {service.code}")


def service_index(codes: dict[str, list]) -> list[IndexEntry]:
    """Every code on the site, A to Z by its plain name; the therapies from the code
    itself, else from the clinics' services."""
    found = []
    for code, entries in codes.items():
        service = entries[0][1].service
        known = CODE_NAMES.get(code)
        # a code any therapy bills is "any therapy", even if one clinic tagged it
        named = {known[1]} - {""} if known else {
            row.service.discipline for _, row in entries} - {None}
        order = ("PT", "OT", "SLP")
        found.append(IndexEntry(service_title(entries), service.code_type, code,
                                tuple(d for d in order if d in named)))
    return sorted(found, key=lambda e: (e.name.lower(), e.code))
