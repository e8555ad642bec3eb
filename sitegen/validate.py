"""Stage `validate`: rules that need more than one value: references between services,
sessions, courses and payers, duplicate ids, and rules across clinics."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import PurePosixPath

from sitegen.diagnostics import Diagnostics, did_you_mean
from sitegen.freshness import is_stale, stale_message
from sitegen.model import RESERVED_PLAN_SLUGS, ClinicSource, plan_slug

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # as model.Slug: what a URL segment may be

# Ids that pages use as a bare HTML id next to their own sections' ids. Every other id a
# page makes from your ids joins them with '--' (urls.anchor), which no id can hold, so
# only these can collide: a service row on a cost table, a course on the estimates page,
# a clinic on the clinics index. What each page uses itself, by kind of id:
PAGE_IDS = {
    "service id": ("cost table", frozenset({"main", "modifiers", "visit-prices", "packages"})),
    "course id": ("estimates page", frozenset({"main"})),
    "clinic slug": ("clinics page", frozenset({"main"})),
}


def validate_clinic(source: ClinicSource, diags: Diagnostics) -> None:
    schedule, pos, path = source.schedule, source.positions, source.path

    def at(*loc: str | int, key: bool = False) -> tuple[int, int]:
        return pos.of(loc, key=key)  # type: ignore[attr-defined]

    payer_keys = [p.key for p in schedule.payers]
    if schedule.payers and schedule.clinic.insurance != "in-network":
        diags.error(path, *at("clinic", "insurance"), f"the clinic says insurance: "
                    f"{schedule.clinic.insurance} but lists {len(schedule.payers)} in-network "
                    "plan(s) under payers:", "remove the payers, or set insurance: in-network")
    slugs = [plan_slug(p.key) for p in schedule.payers]
    first_key: dict[str, str] = {}
    for i, (slug, key) in enumerate(zip(slugs, payer_keys)):
        if first_key.setdefault(slug, key) != key:  # the same key is a duplicate plan
            diags.error(path, *at("payers", i), f"the plan '{key}' would get the address "
                        f"'{slug}', like the plan '{first_key[slug]}'",
                        "rename one of them so the names differ in letters or digits")
    for i, slug in enumerate(slugs):
        if slug in RESERVED_PLAN_SLUGS:
            diags.error(path, *at("payers", i), f"the plan '{payer_keys[i]}' would get the "
                        f"address '{slug}', which \"What will I pay?\" uses for another answer",
                        "rename the plan (for example add the insurer's name)")
    _duplicates(payer_keys, "payer plan", lambda i: at("payers", i), path, diags)
    service_ids = [s.id for s in schedule.services]
    _duplicates(service_ids, "service id", lambda i: at("services", i, "id"), path, diags)
    _page_ids(service_ids, "service id", lambda i: at("services", i, "id"), path, diags)
    _page_ids([c.id for c in schedule.courses], "course id",
              lambda i: at("courses", i, "id"), path, diags)
    _duplicates([s.id for s in schedule.sessions], "session id",
                lambda i: at("sessions", i, "id"), path, diags)
    _duplicates([c.id for c in schedule.courses], "course id",
                lambda i: at("courses", i, "id"), path, diags)

    _same_code_twice(source, diags)
    location_ids = [loc.id for loc in source.clinic.locations if loc.id]
    _duplicates(location_ids, "location id",
                lambda i: at("clinic", "locations", _nth_with_id(source, i), "id"), path, diags)
    for i, service in enumerate(schedule.services):
        if service.location is not None and service.location not in location_ids:
            diags.error(path, *at("services", i, "location"),
                        f"'{service.id}' names unknown location '{service.location}'",
                        did_you_mean(service.location, location_ids) or
                        "give the location an id: under clinic.locations, and use it here")
        if len(set(service.modifiers)) < len(service.modifiers):
            diags.error(path, *at("services", i, "modifiers"),
                        f"'{service.id}' lists a modifier twice", "list each modifier once")
        _range_problem(service, ("services", i), at, path, diags)
        problem = service.code_problem()
        if problem:
            diags.error(path, *at("services", i, "code"), problem,
                        "check the code; set code_type: HCPCS for HCPCS codes like G0283"
                        if service.code_type == "CPT" else
                        "check the code; remove code_type: HCPCS for CPT codes like 97110")
        if service.cash_price > service.gross_charge:
            diags.warning(path, *at("services", i, "cash_price"),
                          f"cash price {service.cash_price} is above the gross charge "
                          f"{service.gross_charge}", "a self-pay price is normally a discount "
                          "on the gross charge; check both amounts")
        if service.inpatient_bundled and "inpatient" not in service.settings:
            diags.error(path, *at("services", i, "inpatient_bundled"),
                        f"'{service.id}' has inpatient_bundled: true but is not offered "
                        "inpatient", "add inpatient to its settings, or remove inpatient_bundled")
        for payer in service.negotiated:
            if payer not in payer_keys:
                diags.error(path, *at("services", i, "negotiated", payer, key=True),
                            f"negotiated rate for unknown payer plan '{payer}'",
                            did_you_mean(payer, payer_keys) or
                            "add it under payers (name and plan), or fix the spelling")

    services = {s.id: s for s in schedule.services}
    for i, session in enumerate(schedule.sessions):
        _range_problem(session, ("sessions", i), at, path, diags)
        for j, line in enumerate(session.lines):
            where = ("sessions", i, "lines", j)
            service = services.get(line.service)
            if service is None:
                diags.error(path, *at(*where, "service"),
                            f"session '{session.id}' names unknown service '{line.service}'",
                            did_you_mean(line.service, service_ids) or
                            "use the id of one of this file's services")
                continue
            if line.minutes is None and line.units is None:
                diags.error(path, *at(*where), "a session line needs minutes or units",
                            "write minutes: for timed services, units: for the others")
            elif line.minutes is not None and line.units is not None:
                diags.error(path, *at(*where), "a session line has both minutes and units",
                            "keep minutes: for timed services, units: for the others")
            elif line.minutes is not None and not service.timed:
                diags.error(path, *at(*where, "minutes"),
                            f"'{service.id}' is not timed, so it cannot be billed by minutes",
                            "write units: 1 instead")
            elif line.units is not None and service.timed:
                diags.error(path, *at(*where, "units"),
                            f"'{service.id}' is timed, so it is billed by its minutes "
                            f"(got units: {line.units})",
                            "write minutes: (the minutes spent on it in the visit) instead")
            if session.setting not in service.settings:
                diags.error(path, *at(*where, "service"),
                            f"'{service.id}' is not offered in the {session.setting} setting",
                            f"add {session.setting} to its settings, or use another service")

        timed = sum(line.minutes or 0 for line in session.lines
                    if line.service in services and services[line.service].timed)
        if 0 < timed < 8:
            diags.error(path, *at("sessions", i, "lines"),
                        f"session '{session.id}' has {timed} timed minutes, which bill 0 "
                        "units (a timed service needs 8 minutes or more for one unit)",
                        "give the timed services 8 minutes or more in all, or remove them")

    session_ids = [s.id for s in schedule.sessions]
    for i, course in enumerate(schedule.courses):
        for j, visit in enumerate(course.visits):
            where = ("courses", i, "visits", j)
            if visit.service is None and visit.session is None:
                diags.error(path, *at(*where), "a course visit needs a service or a session",
                            "write service: <service id> or session: <session id>")
            elif visit.service is not None and visit.session is not None:
                diags.error(path, *at(*where), "a course visit names both a service and a "
                            "session", "keep one of them; write a second visit for the other")
            elif visit.service is not None and visit.service not in services:
                diags.error(path, *at(*where, "service"),
                            f"course '{course.id}' names unknown service '{visit.service}'",
                            did_you_mean(visit.service, service_ids) or
                            "use the id of one of this file's services")
            elif visit.service is not None and services[visit.service].timed:
                diags.error(path, *at(*where, "service"),
                            f"course '{course.id}' uses the timed service '{visit.service}' as "
                            "a whole visit; timed services are billed by minutes",
                            "make a session with its minutes, and use session: <session id>")
            elif visit.session is not None and visit.session not in session_ids:
                diags.error(path, *at(*where, "session"),
                            f"course '{course.id}' names unknown session '{visit.session}'",
                            did_you_mean(visit.session, session_ids) or
                            "use the id of one of this file's sessions")


    _duplicates([p.id for p in schedule.packages], "package id",
                lambda i: at("packages", i, "id"), path, diags)
    sessions = {s.id: s for s in schedule.sessions}
    for i, package in enumerate(schedule.packages):
        if package.session not in session_ids:
            diags.error(path, *at("packages", i, "session"),
                        f"package '{package.id}' names unknown session '{package.session}'",
                        did_you_mean(package.session, session_ids) or
                        "use the id of one of this file's sessions")
            continue
        _package_saves(package, sessions[package.session],
                       lambda i=i: at("packages", i, "price"), path, diags)
    scale = schedule.sliding_scale
    for i, tier in enumerate(scale.tiers if scale else []):
        where = ("sliding_scale", "tiers", i)
        if (tier.discount is None) == (tier.visit_price is None):
            diags.error(path, *at(*where), "a sliding-scale tier needs exactly one of discount "
                        "or visit_price", "write discount: 0.50 (50% off the cash price) or "
                        "visit_price: 40.00 (a fixed price per visit)")
        if i and tier.up_to_percent <= scale.tiers[i - 1].up_to_percent:  # type: ignore
            diags.error(path, *at(*where, "up_to_percent"), "sliding-scale tiers must go up: "
                        f"{tier.up_to_percent}% is not above the tier before it "
                        f"({scale.tiers[i - 1].up_to_percent}%)",  # type: ignore[union-attr]
                        "list the tiers from the lowest income to the highest")
    if scale is not None:
        _tiers_make_sense(scale.tiers, _visit_prices(schedule), at, path, diags)


def _package_saves(package, session, where: Callable[[], tuple[int, int]], path: str,
                   diags: Diagnostics) -> None:
    """A prepaid package is offered as a way to pay less: it must cost less than its visits
    paid one by one (at the session's highest visit price). `where` finds the price's
    line and column, only when there is something to report."""
    high = session.cash_price_max or session.cash_price
    if high is None or package.price <= high * package.visits:
        return
    diags.error(path, *where(), f"package '{package.id}' costs {package.price}, more than its "
                f"{package.visits} visits paid one by one ({package.visits} x {high} = "
                f"{high * package.visits}): patients would be offered a package that costs "
                "them more", f"give a price below {high * package.visits}, or check visits:")


def _visit_prices(schedule) -> list[tuple[str, Decimal]]:
    """(name, highest cash price) of each whole visit a self-pay patient can buy at one
    price: sessions with a visit price and services billed per visit."""
    found = [(f"session '{s.id}'", s.cash_price_max or s.cash_price)
             for s in schedule.sessions if s.cash_price is not None]
    found += [(f"service '{s.id}'", s.cash_high) for s in schedule.services if not s.timed]
    return found


def _tiers_make_sense(tiers, visits: list[tuple[str, Decimal]], at, path: str,
                      diags: Diagnostics) -> None:
    """A sliding scale lowers prices, and more for lower incomes: a tier's fixed price must
    be below some visit's cash price (else it discounts nothing), and no visit may cost
    less in a tier for higher incomes than in the tier before it."""
    if not visits:
        return
    highest = max(price for _, price in visits)
    sound = [(t.discount is None) != (t.visit_price is None) for t in tiers]
    for i, tier in enumerate(tiers):
        if tier.visit_price is not None and tier.discount is None and \
                tier.visit_price >= highest:
            sound[i] = False  # no follow-on error about the next tier
            diags.error(path, *at("sliding_scale", "tiers", i, "visit_price"),
                        f"visit_price {tier.visit_price} is not below any visit's cash price "
                        f"(the highest is {highest}), so this tier discounts nothing",
                        "give a visit price below the cash prices, or use discount:")
    def price(tier, cash: Decimal) -> Decimal:  # as selfpay.tier_price, unrounded
        return cash * (1 - tier.discount) if tier.discount is not None else \
            min(tier.visit_price, cash)
    for i in range(1, len(tiers)):
        before, tier = tiers[i - 1], tiers[i]
        if not (sound[i - 1] and sound[i]):
            continue  # a tier with neither or both, or above every price, is reported
        for name, cash in visits:
            low, high = price(before, cash), price(tier, cash)
            if high < low:
                key = "discount" if tier.discount is not None else "visit_price"
                diags.error(path, *at("sliding_scale", "tiers", i, key),
                            f"this tier (incomes up to {tier.up_to_percent}%) charges "
                            f"{high:.2f} for {name} (cash price {cash}), while the "
                            f"tier for lower incomes (up to {before.up_to_percent}%) "
                            f"charges {low:.2f}",
                            "give lower incomes the larger discount: discounts go down and "
                            "visit prices go up from one tier to the next")
                break


def _nth_with_id(source: ClinicSource, n: int) -> int:
    """The index in clinic.locations of the n-th location that has an id."""
    return [i for i, loc in enumerate(source.clinic.locations) if loc.id][n]


def _range_problem(item, where: tuple, at, path: str, diags: Diagnostics) -> None:
    """A price range goes up: cash_price_max above cash_price, and only with a cash_price."""
    if item.cash_price_max is None:
        return
    if item.cash_price is None:
        diags.error(path, *at(*where, "cash_price_max"), "cash_price_max needs a cash_price "
                    "(the low end of the range)", "add cash_price: with the lowest price")
    elif item.cash_price_max <= item.cash_price:
        diags.error(path, *at(*where, "cash_price_max"), f"cash_price_max {item.cash_price_max}"
                    f" must be above cash_price {item.cash_price}", "give the range from low "
                    "(cash_price) to high (cash_price_max), or remove cash_price_max")


def _same_code_twice(source: ClinicSource, diags: Diagnostics) -> None:
    """One code may appear twice only for another location, other modifiers or other
    settings: otherwise a patient (and the CMS file) would see two prices for the same thing."""
    seen: dict[tuple, list[tuple[int, set]]] = {}
    for i, service in enumerate(source.schedule.services):
        same = seen.setdefault(service.key[:4], [])  # code, modifiers, location
        settings = set(service.settings)
        clash = next((j for j, other in same if other & settings), None)
        same.append((i, settings))
        if clash is None:
            continue
        line = source.positions.of(("services", clash, "code"))[0]  # type: ignore
        diags.error(source.path, *source.positions.of(("services", i, "code")),  # type: ignore
                    f"code {service.display_code} is listed twice (first on line {line}) "
                    "with the same modifiers, location and setting", "remove one, or tell "
                    "them apart with modifiers:, location: or settings:")


def freshness_warnings(source: ClinicSource, today: dt.date, diags: Diagnostics,
                       stale_months: int = 12) -> None:
    """Warnings `--strict` turns into errors: stale or future prices, no in-network plans."""
    updated = source.clinic.last_updated
    where = ("clinic", "last_updated")
    if is_stale(updated, today, stale_months):
        diags.warning(source.path, *source.positions.of(where),  # type: ignore[attr-defined]
                      stale_message(updated, stale_months),
                      "review the prices, then set last_updated to today")
    elif updated > today:
        diags.warning(source.path, *source.positions.of(where),  # type: ignore[attr-defined]
                      f"last_updated {updated} is in the future",
                      "set it to the date the prices were last reviewed")
    until = source.clinic.effective_until
    if until is not None and until < today:
        diags.warning(source.path, *source.positions.of(("clinic", "effective_until")),  # type: ignore
                      f"these prices applied until {until}, which has passed",
                      "publish the fee schedule in effect now (see Price history in "
                      "docs/fee-schedule.md), or change effective_until")
    if not source.schedule.payers and source.clinic.insurance == "in-network":
        diags.warning(source.path, *source.positions.of(("clinic",), key=True),  # type: ignore
                      "the clinic lists no in-network insurance plans", "add them under "
                      "payers:; if the clinic takes no insurance, set clinic.insurance: none "
                      "(or superbill, if it gives patients superbills)")


def validate_clinics(clinics: list[ClinicSource], diags: Diagnostics,
                     today: dt.date | None = None, stale_months: int = 12) -> None:
    """Rules across files: each clinic slug (its URL) must be unique. With `today`, also
    the freshness warnings (prices older than `stale_months`)."""
    first: dict[str, str] = {}
    for source in clinics:
        if today is not None:
            freshness_warnings(source, today, diags, stale_months)
        if source.clinic.slug is None and not _SLUG.fullmatch(source.slug):
            # the slug comes from the file name, which the model never checked
            suggestion = re.sub(r"[^a-z0-9]+", "-", source.slug.lower()).strip("-") or "clinic"
            if source.editions:  # rates/<clinic>/<date>.yaml: the folder names the clinic
                diags.error(source.path, 0, 0, f"the folder name '{source.slug}' cannot be "
                            "used in a web address", f"rename the folder to rates/{suggestion}/"
                            " (lower-case letters, digits and dashes), or set clinic.slug")
            else:
                diags.error(source.path, 0, 0, f"the file name "
                            f"'{PurePosixPath(source.path).name}' cannot be used in a web "
                            "address", f"rename it to {suggestion}.yaml (lower-case letters, "
                            "digits and dashes), or set clinic.slug")
        _page_ids([source.slug], "clinic slug", lambda i, source=source: (
            source.positions.of(("clinic", "slug")) if source.clinic.slug  # type: ignore
            else (0, 0)), source.path, diags)
        key = source.slug.lower()
        if key in first:
            diags.error(source.path, *source.positions.of(("clinic", "slug")),  # type: ignore
                        f"clinic slug '{source.slug}' is already used by {first[key]}",
                        "set a different clinic.slug, or rename the file")
        else:
            first[key] = source.path
        validate_clinic(source, diags)


def validate_site_settings(config, positions, diags: Diagnostics) -> None:
    """Lists of site.yaml whose entries must differ: the answers "What will I pay?" offers
    (a repeated one would be a second identical choice) and Medicare's years (which year's
    figures apply would depend on the order)."""
    def at(*loc: str | int) -> tuple[int, int]:
        return positions.of(loc)
    pay = config.what_will_i_pay
    for key in ("deductible", "cost_sharing"):
        _duplicates([c.id for c in getattr(pay, key)], f"what_will_i_pay.{key} id",
                    lambda i, key=key: at("what_will_i_pay", key, i, "id"), "site.yaml", diags)
    _duplicates([str(n) for n in pay.visits_used], "what_will_i_pay.visits_used value",
                lambda i: at("what_will_i_pay", "visits_used", i), "site.yaml", diags)
    _duplicates([str(m.year) for m in config.medicare], "medicare year",
                lambda i: at("medicare", i, "year"), "site.yaml", diags)


def _duplicates(values: list[str], what: str, where, path: str, diags: Diagnostics) -> None:
    """Each repeat is reported where it is, naming the line of the first."""
    first: dict[str, int] = {}
    for i, value in enumerate(values):
        if value in first:
            diags.error(path, *where(i), f"duplicate {what} '{value}' (first given on line "
                        f"{where(first[value])[0]})", f"each {what} must be unique in the file")
        else:
            first[value] = i


def _page_ids(values: list[str], what: str, where, path: str, diags: Diagnostics) -> None:
    """An id the page showing it already uses for one of its own parts."""
    page, taken = PAGE_IDS[what]
    for i, value in enumerate(values):
        if value in taken:
            diags.error(path, *where(i), f"{what} '{value}' is taken: the {page} uses "
                        f"'{value}' for a part of its own", f"choose another {what} (not "
                        f"{', '.join(sorted(taken))})")
