"""Effective dates and price history.

Stage `load` (the `assemble` part): a clinic may keep its fee schedules as dated files,
`rates/<clinic>/<YYYY-MM-DD>.yaml`, each a complete schedule in effect from the date of its
name. The build publishes the latest one in effect on the build date (`SOURCE_DATE_EPOCH`
pins it), lists later ones as upcoming ("from <date>"), and keeps earlier ones as history:
rebuilding on or after a date switches to that schedule.

Stage `derive` (the rest): what changed between consecutive schedules, as plain immutable
data for the price history page, the cost tables' "from <date>" notes and prices.json.
Imports only `model` and `diagnostics`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePosixPath

from sitegen.diagnostics import Diagnostics
from sitegen.i18n import Say, own_words
from sitegen.model import ClinicSource, Edition, FeeSchedule

_DATED = re.compile(r"\d{4}-\d{2}-\d{2}")


def clinic_folder(rel: str) -> str | None:
    """'rates/x/2026-01-01.yaml' -> 'x'; None for a plain 'rates/x.yaml'."""
    parts = PurePosixPath(rel).parts
    return parts[1] if len(parts) == 3 else None


def file_date(rel: str, diags: Diagnostics) -> dt.date | None:
    """The date a dated file's prices take effect, from its name (an error if it is not one)."""
    stem = PurePosixPath(rel).stem
    try:
        if _DATED.fullmatch(stem):
            return dt.date.fromisoformat(stem)
    except ValueError:
        pass
    diags.error(rel, 0, 0, f"the file name '{PurePosixPath(rel).name}' is not the date its "
                "prices take effect", "name each file in a clinic's folder by that date, like "
                "rates/my-clinic/2026-01-01.yaml")
    return None


def assemble(loaded: list[tuple[str, FeeSchedule, object]], today: dt.date,
             diags: Diagnostics) -> list[ClinicSource]:
    """One ClinicSource per clinic: plain files as they are; a folder of dated files as its
    schedule in effect on `today`, carrying every edition."""
    clinics: list[ClinicSource] = []
    folders: dict[str, list[tuple[dt.date, str, FeeSchedule, object]]] = {}
    plain = {PurePosixPath(rel).stem for rel, _, _ in loaded if clinic_folder(rel) is None}
    for rel, schedule, positions in loaded:
        folder = clinic_folder(rel)
        if folder is None:
            slug = schedule.clinic.slug or PurePosixPath(rel).stem
            clinics.append(ClinicSource(slug=slug, path=rel, schedule=schedule,
                                        positions=positions))
            continue
        if folder in plain:
            diags.error(rel, 0, 0, f"clinic '{folder}' has both rates/{folder}.yaml and a "
                        f"folder rates/{folder}/", f"move rates/{folder}.yaml into the folder, "
                        "named by the date its prices took effect")
            continue
        date = file_date(rel, diags)
        until = schedule.clinic.effective_until
        if date is not None and until is not None and until < date:
            diags.error(rel, *positions.of(("clinic", "effective_until")),  # type: ignore
                        f"effective_until {until} is before the date these prices take effect "
                        f"({date}, the file name)", "give the last day the prices apply, or "
                        "remove effective_until")
        elif date is not None:
            folders.setdefault(folder, []).append((date, rel, schedule, positions))
    for folder, dated in sorted(folders.items()):
        dated.sort(key=lambda d: (d[0], d[1]))
        for before, after in zip(dated, dated[1:]):
            if before[0] == after[0]:  # 2026-01-01.yaml and 2026-01-01.yml
                diags.error(after[1], 0, 0, f"two fee schedules of '{folder}' take effect on "
                            f"{after[0]}: this file and {before[1]}", "keep one of the two "
                            "files (.yaml and .yml are read alike)")
        dated = [d for i, d in enumerate(dated) if i == 0 or dated[i - 1][0] != d[0]]
        current = [d for d in dated if d[0] <= today]
        if not current:
            first = dated[0]
            diags.error(first[1], 0, 0, f"no fee schedule of '{folder}' is in effect yet: the "
                        f"first takes effect on {first[0]}", "add the schedule in effect "
                        "today, named by the date it took effect")
            continue
        date, rel, schedule, positions = current[-1]
        clinics.append(ClinicSource(
            slug=schedule.clinic.slug or folder, path=rel, schedule=schedule,
            positions=positions, effective=date,
            editions=tuple(Edition(effective=d, path=r, schedule=s) for d, r, s, _ in dated)))
    return clinics


# --- What changed -----------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One price of one item before and after (None: not listed)."""

    what: str
    before: Decimal | None
    after: Decimal | None

    @property
    def difference(self) -> Decimal | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


@dataclass(frozen=True)
class ItemChange:
    key: tuple
    name: str
    kind: str                      # "added", "removed" or "changed"
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class ScheduleDiff:
    before: Edition
    after: Edition
    upcoming: bool                 # takes effect after the schedule in effect
    items: tuple[ItemChange, ...]

    def by_kind(self, kind: str) -> list[ItemChange]:
        return [item for item in self.items if item.kind == kind]


def priced_items(schedule: FeeSchedule) -> dict[tuple, tuple[str, dict[str, Decimal]]]:
    """Everything with a price, by what identifies it across schedules: services by code,
    modifiers, location and settings (ids may be renamed), visit prices and packages by id."""
    places = {loc.id: loc.name for loc in schedule.clinic.locations if loc.id}
    found: dict[tuple, tuple[str, dict[str, Decimal]]] = {}
    for service in schedule.services:
        code = f"{service.code_type} {service.display_code}"
        prices = {Say("Gross charge"): service.gross_charge,
                  Say("Cash price"): service.cash_price}
        if service.cash_price_max is not None:
            prices[Say("Cash price, high end")] = service.cash_price_max
        prices.update({Say("Rate of %(plan)s", plan=plan): rate for plan, rate in
                       sorted(service.negotiated.items())})
        found[("service", *service.key)] = (
            Say("%(name)s (%(code)s, at %(place)s)", name=own_words(service, "description"),
                code=code, place=places[service.location]) if service.location in places else
            Say("%(name)s (%(code)s)", name=own_words(service, "description"), code=code), prices)
    for session in schedule.sessions:
        if session.cash_price is not None:
            prices = {Say("Visit price"): session.cash_price}
            if session.cash_price_max is not None:
                prices[Say("Visit price, high end")] = session.cash_price_max
            found[("visit", session.id)] = (Say("%(name)s (one price per visit)",
                                                name=own_words(session, "name")), prices)
    for package in schedule.packages:
        found[("package", package.id)] = (Say("Prepaid package: %(name)s",
                                              name=own_words(package, "name")),
                                          {Say("Package price"): package.price,
                                           Say("Visits"): Decimal(package.visits)})
    return found


def diff(before: Edition, after: Edition, upcoming: bool) -> ScheduleDiff:
    """Added, removed and changed prices from one schedule to the next, in the order of the
    newer schedule (removed items last, in the older one's order)."""
    old, new = priced_items(before.schedule), priced_items(after.schedule)
    items = []
    for key, (name, prices) in new.items():
        if key not in old:
            items.append(ItemChange(key, name, "added",
                                    tuple(Change(w, None, a) for w, a in prices.items())))
            continue
        was = old[key][1]
        changes = tuple(Change(w, was.get(w), prices.get(w))
                        for w in dict.fromkeys([*prices, *was]) if was.get(w) != prices.get(w))
        if changes:
            items.append(ItemChange(key, name, "changed", changes))
    for key, (name, prices) in old.items():
        if key not in new:
            items.append(ItemChange(key, name, "removed",
                                    tuple(Change(w, b, None) for w, b in prices.items())))
    return ScheduleDiff(before, after, upcoming, tuple(items))


@dataclass(frozen=True)
class Period:
    """When one schedule applies: from its date to the day before the next one (or its own
    `effective_until`, when earlier), and whether it is past, in effect or upcoming."""

    edition: Edition
    until: dt.date | None
    status: str                    # "replaced", "in effect" or "upcoming"


def periods(source: ClinicSource) -> list[Period]:
    """The clinic's schedules, newest first, with the days each one applies."""
    found = []
    editions = source.editions
    for i, edition in enumerate(editions):
        ends = [d for d in (edition.schedule.clinic.effective_until,
                            editions[i + 1].effective - dt.timedelta(days=1)
                            if i + 1 < len(editions) else None) if d is not None]
        status = ("in effect" if edition.effective == source.effective else
                  "upcoming" if edition.effective > source.effective else  # type: ignore[operator]
                  "replaced")
        found.append(Period(edition, min(ends) if ends else None, status))
    return found[::-1]


def history(source: ClinicSource) -> list[ScheduleDiff]:
    """Each consecutive pair of the clinic's schedules, newest first."""
    editions = source.editions
    return [diff(editions[i - 1], editions[i], editions[i].effective > source.effective)  # type: ignore[operator]
            for i in range(len(editions) - 1, 0, -1)]


def upcoming_changes(source: ClinicSource) -> dict[str, list[tuple[dt.date, tuple[Change, ...]]]]:
    """Service id (in the schedule in effect) -> its price changes to come, by date: what
    the cost tables show as 'from <date>'."""
    ids = {("service", *s.key): s.id for s in source.schedule.services}
    found: dict[str, list[tuple[dt.date, tuple[Change, ...]]]] = {}
    for change in reversed(history(source)):
        if not change.upcoming:
            continue
        for item in change.items:
            if item.kind != "added" and item.key in ids:
                found.setdefault(ids[item.key], []).append((change.after.effective,
                                                             item.changes))
    return found
