"""Good faith estimates (45 CFR 149.610): the public notice, business days and due dates,
and the estimate of a course of care, for the public pages and `sitegen gfe`.

Every clinic must give uninsured and self-pay patients a good faith estimate and post a
notice of that right. The public pages (`clinics/<slug>/good-faith-estimate/`) carry the
notice and one printable estimate per course of care with the patient fields left blank;
`sitegen gfe` (sitegen/gfe_input.py) fills one in for one patient, outside `public/`.
Units come from `estimates.visit_plan`, so the estimates bill exactly what the cost pages
price; the expected charges are the clinic's cash (self-pay) prices.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Literal

from sitegen import notices
from sitegen.estimates import VisitPlan, own_words, visit_plan
from sitegen.formats import long_date
from sitegen.i18n import translated
from sitegen.model import (
    ClinicSource,
    Course,
    CourseVisit,
    Location,
    Package,
    Service,
    SiteConfig,
)
from sitegen.selfpay import CashVisit, package_use, with_package
from sitegen.tables import location_of

# --- The notice -------------------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    """The "right to receive a good faith estimate" notice: a built-in version
    (sitegen/notices.py) or site.yaml's own (`good_faith_estimate:`), always with its
    version."""

    version: str
    title: str
    paragraphs: tuple[str, ...]
    points: tuple[str, ...]
    contact: str
    builtin: bool
    lang: str = "en"  # the language the text is in (a page in another language marks it)


def notice(config: SiteConfig, lang: str = "en") -> Notice:
    """The notice of `config`: the version it names (validated), else the current one; a
    built-in version in `lang` when sitegen has that translation (else in English)."""
    settings = config.good_faith_estimate
    version = settings.notice_version or notices.CURRENT
    if settings.notice is None and settings.notice_title is None:
        text, text_lang = notices.BUILTIN[version], "en"
        translated = getattr(notices, "notice_for", None)  # the Spanish notices
        if lang != "en" and translated is not None:
            text, text_lang = translated(version, lang), lang
        return Notice(version, text.title, text.paragraphs, text.points, text.contact, True,
                      text_lang)
    base = notices.BUILTIN[notices.CURRENT]
    own = settings.notice is not None
    return Notice(version, settings.notice_title or base.title,
                  tuple(settings.notice) if own else base.paragraphs,
                  () if own else base.points, "" if own else base.contact, False)


# --- Business days ----------------------------------------------------------------------


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    """The n-th `weekday` (Monday 0) of the month; n = -1 for the last one."""
    if n > 0:
        first = dt.date(year, month, 1)
        return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    last = following - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: dt.date) -> dt.date:
    """A holiday on a Saturday is observed the Friday before, on a Sunday the Monday after
    (the rule for federal employees, 5 U.S.C. 6103(b) and Executive Order 11582)."""
    if day.weekday() == 5:
        return day - dt.timedelta(days=1)
    if day.weekday() == 6:
        return day + dt.timedelta(days=1)
    return day


def legal_holidays(year: int) -> dict[dt.date, str]:
    """The legal public holidays of 5 U.S.C. 6103(a) in `year`, on their actual dates."""
    days = {
        dt.date(year, 1, 1): "New Year's Day",
        _nth_weekday(year, 1, 0, 3): "Birthday of Martin Luther King, Jr.",
        _nth_weekday(year, 2, 0, 3): "Washington's Birthday",
        _nth_weekday(year, 5, 0, -1): "Memorial Day",
        dt.date(year, 7, 4): "Independence Day",
        _nth_weekday(year, 9, 0, 1): "Labor Day",
        _nth_weekday(year, 10, 0, 2): "Columbus Day",
        dt.date(year, 11, 11): "Veterans Day",
        _nth_weekday(year, 11, 3, 4): "Thanksgiving Day",
        dt.date(year, 12, 25): "Christmas Day",
    }
    if year >= 2021:  # Juneteenth National Independence Day Act, June 17, 2021
        days[dt.date(year, 6, 19)] = "Juneteenth National Independence Day"
    return dict(sorted(days.items()))


def federal_holidays(year: int) -> dict[dt.date, str]:
    """The days federal offices are closed in `year`: each holiday on its observed date.
    New Year's Day on a Saturday is observed on December 31 of the year before."""
    found: dict[dt.date, str] = {}
    for source_year in (year - 1, year, year + 1):
        for day, name in legal_holidays(source_year).items():
            observed = _observed(day)
            if observed.year == year:
                found[observed] = name + (" (observed)" if observed != day else "")
    return dict(sorted(found.items()))


_HOLIDAYS: dict[int, frozenset[dt.date]] = {}


def is_business_day(day: dt.date) -> bool:
    """Monday to Friday, except observed federal holidays."""
    if day.weekday() >= 5:
        return False
    if day.year not in _HOLIDAYS:
        _HOLIDAYS[day.year] = frozenset(federal_holidays(day.year))
    return day not in _HOLIDAYS[day.year]


def add_business_days(day: dt.date, count: int) -> dt.date:
    """The `count`-th business day after `day` (`day` itself is never counted)."""
    while count > 0:
        day += dt.timedelta(days=1)
        if is_business_day(day):
            count -= 1
    return day


def business_days_between(start: dt.date, end: dt.date) -> int:
    """Business days after `start`, up to and including `end` (0 when end <= start): how
    many business days ahead of `start` the day `end` is."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        count += is_business_day(day)
    return count


# --- When the estimate is due -----------------------------------------------------------


def weekday_date(day: dt.date) -> str:
    """'Tuesday, November 24, 2026'."""
    return f"{day:%A}, {long_date(day)}"


@dataclass(frozen=True)
class Timing:
    """When an estimate must be given (45 CFR 149.610), and why."""

    kind: Literal["booked", "requested"]
    start: dt.date                 # the day the service was booked, or the estimate asked for
    scheduled: dt.date | None      # the day of the (first) service, when booked
    days_ahead: int | None         # business days from booking to the service
    within: int | None             # business days allowed; None: no estimate required
    due: dt.date | None

    @property
    def required(self) -> bool:
        return self.due is not None

    def rule(self) -> str:
        """The rule that applies, in words."""
        if self.kind == "requested":
            return (f"the patient asked for an estimate on {weekday_date(self.start)}, "
                    "so it is due within 3 business days of the request")
        assert self.scheduled is not None and self.days_ahead is not None
        ahead = _days(self.days_ahead)
        if self.within is None:
            return (f"the service on {weekday_date(self.scheduled)} was booked on "
                    f"{weekday_date(self.start)}, only {ahead} ahead; an estimate is "
                    "required only for services booked at least 3 business days ahead")
        between = "at least 10" if self.within == 3 else "at least 3, fewer than 10"
        return (f"the service on {weekday_date(self.scheduled)} was booked on "
                f"{weekday_date(self.start)}, {ahead} ahead ({between}), so the estimate is "
                f"due within {_days(self.within)} of booking")

    def staff_line(self, today: dt.date) -> str:
        """What the front desk needs to know, as of `today`."""
        if self.due is None:
            return (f"No good faith estimate is required: {self.rule()}. Giving this "
                    "estimate anyway is allowed and helps the patient.")
        if today > self.due:
            return (f"Late: this estimate was due by {weekday_date(self.due)}; give it to the "
                    f"patient today. It was due then because {self.rule()}.")
        if today == self.due:
            return f"Due today, {weekday_date(self.due)}: {self.rule()}."
        return f"Due by {weekday_date(self.due)}: {self.rule()}."


def _days(n: int) -> str:
    return f"{n} business day" + ("" if n == 1 else "s")


def timing(*, booked: dt.date | None = None, scheduled: dt.date | None = None,
           requested: dt.date | None = None) -> Timing:
    """Booked at least 10 business days ahead: due within 3 business days of booking; at
    least 3 ahead: within 1 business day; fewer: no estimate required. Asked for without a
    booking: within 3 business days of the request."""
    if booked is None:
        if requested is None or scheduled is not None:
            raise ValueError("give booked and scheduled, or requested alone")
        return Timing("requested", requested, None, None, 3,
                      add_business_days(requested, 3))
    if scheduled is None or requested is not None:
        raise ValueError("give booked and scheduled, or requested alone")
    ahead = business_days_between(booked, scheduled)
    within = 3 if ahead >= 10 else 1 if ahead >= 3 else None
    due = add_business_days(booked, within) if within is not None else None
    return Timing("booked", booked, scheduled, ahead, within, due)


# --- The estimate -----------------------------------------------------------------------


@dataclass(frozen=True)
class ItemLine:
    """One service code of one kind of visit, for all the visits of that kind."""

    service: Service
    units: int              # per visit
    minutes: int | None     # per visit, for timed services
    visits: int
    included: bool = False  # part of the visit's own price, not charged by itself

    @property
    def quantity(self) -> int:
        return self.units * self.visits

    @property
    def price(self) -> Decimal | None:
        """The cash price per unit, the high end of a range (the estimate must not be
        exceeded by $400 or more, so it never counts on the low end)."""
        return None if self.included else self.service.cash_high

    @property
    def charge(self) -> Decimal | None:
        return None if self.included else self.service.cash_high * self.quantity


@dataclass(frozen=True)
class VisitItems:
    plan: VisitPlan
    lines: tuple[ItemLine, ...]

    @property
    def visit_charge(self) -> Decimal | None:
        """The visits' own price in total, when the visit has one."""
        return None if self.plan.visit_price is None else self.plan.cash * self.plan.count

    @property
    def total(self) -> Decimal:
        if self.visit_charge is not None:
            return self.visit_charge
        return sum((line.charge or Decimal(0) for line in self.lines), Decimal(0))


@dataclass(frozen=True)
class ProviderItems:
    """The items of one provider or facility, with who it is and where care is given."""

    name: str
    npi: str
    tin: str
    locations: tuple[Location, ...]
    visits: tuple[VisitItems, ...]
    email: str | None = None   # the clinic's; a location's own email comes first

    @property
    def contacts(self) -> tuple[tuple[str, str, str | None], ...]:
        """(location name, phone, email) to ask about the estimate, for its first page."""
        return tuple((loc.name, loc.phone, loc.email or self.email) for loc in self.locations)

    @property
    def states(self) -> tuple[str, ...]:
        return tuple(sorted({loc.address.state for loc in self.locations}))

    @property
    def lines(self) -> tuple[ItemLine, ...]:
        return tuple(line for visit in self.visits for line in visit.lines)

    @property
    def total(self) -> Decimal:
        return sum((visit.total for visit in self.visits), Decimal(0))


@dataclass(frozen=True)
class Patient:
    name: str
    date_of_birth: dt.date


@dataclass(frozen=True)
class GoodFaithEstimate:
    """Every element 45 CFR 149.610 requires; patient fields are None on public pages."""

    id: str                              # the course id (an anchor on the public page)
    primary_service: str
    description: str | None
    providers: tuple[ProviderItems, ...]
    frequency: str | None
    months: int | None
    scheduled_separately: tuple[str, ...]
    diagnosis_codes: tuple[str, ...] = ()
    patient: Patient | None = None
    scheduled: dt.date | None = None
    package_charges: tuple[PackageCharge, ...] = ()

    @property
    def visit_count(self) -> int:
        return sum(v.plan.count for p in self.providers for v in p.visits)

    @property
    def total(self) -> Decimal:
        return sum((p.total for p in self.providers), Decimal(0))

    @property
    def has_range(self) -> bool:
        return any(v.plan.has_range for p in self.providers for v in p.visits)


@dataclass(frozen=True)
class PackageCharge:
    """The expected charges of the course when the patient buys a prepaid package."""

    package: Package
    packages: int
    rest: tuple[str, ...]       # visits outside the package, by name
    total: Decimal


def provider_items(source: ClinicSource, visits: list[CourseVisit],
                   locations: tuple[Location, ...] | None = None) -> ProviderItems:
    """The clinic's items for these visits, at the cash price, units as on the cost pages."""
    items = []
    for visit in visits:
        plan = visit_plan(source, visit)
        lines = tuple(ItemLine(line.service, line.units, line.minutes, plan.count,
                               plan.visit_price is not None) for line in plan.lines)
        items.append(VisitItems(plan, lines))
    clinic = source.clinic
    return ProviderItems(clinic.name, clinic.npi, clinic.tin,
                         locations or care_locations(source, items), tuple(items),
                         clinic.email)


def care_locations(source: ClinicSource, items: list[VisitItems]) -> tuple[Location, ...]:
    """Where the care is given: the one location whose prices the visits use, when every
    service is priced for a location; otherwise every location of the clinic."""
    places = {location_of(source, line.service) for visit in items for line in visit.lines}
    if len(places) == 1 and None not in places:
        return (places.pop(),)  # type: ignore[return-value]
    return tuple(source.clinic.locations)


def package_charges(source: ClinicSource, visits: list[CourseVisit]) -> tuple[PackageCharge, ...]:
    """Each package the course can use, with the course's expected charges when bought."""
    plans = tuple(visit_plan(source, v) for v in visits)
    cash = [CashVisit(p.name, p.cash, p.session) for p in plans for _ in range(p.count)]
    found = []
    for package in source.schedule.packages:
        use = package_use(package, cash)
        if use is not None:
            lines = with_package(use, cash)
            rest = tuple(name for name, _ in lines if not name.startswith("Prepaid package: "))
            found.append(PackageCharge(package, use.packages, rest,
                                       sum((price for _, price in lines), Decimal(0))))
    return tuple(found)


def course_estimate(source: ClinicSource, course: Course) -> GoodFaithEstimate:
    """The blank (public) estimate of one of the clinic's courses of care."""
    return GoodFaithEstimate(
        id=course.id, primary_service=own_words(course, "name"),
        description=own_words(course, "description") if course.description else None,
        providers=(provider_items(source, list(course.visits)),),
        frequency=own_words(course, "frequency") if course.frequency else None,
        months=course.months,
        scheduled_separately=tuple(
            translated(item, {lang: words.scheduled_separately[i]
                              for lang, words in course.translations.items()
                              if words.scheduled_separately})
            for i, item in enumerate(course.scheduled_separately)),
        package_charges=package_charges(source, list(course.visits)))


def clinic_estimates(source: ClinicSource) -> list[GoodFaithEstimate]:
    return [course_estimate(source, course) for course in source.schedule.courses]


def icd10_display(code: str) -> str:
    """'R6250' and 'R62.50' are both shown as R62.50."""
    code = code.upper()
    return code if "." in code or len(code) <= 3 else f"{code[:3]}.{code[3:]}"


# --- A bill above the estimate ----------------------------------------------------------

DISPUTE_THRESHOLD = Decimal(400)   # 45 CFR 149.620: "substantially in excess" is $400 or more
DISPUTE_DAYS = 120                 # calendar days from the date on the first bill
EXAMPLE_BILL_DATE = dt.date(2027, 1, 5)


@dataclass(frozen=True)
class BillCheck:
    """A bill compared with the estimate of one provider: more visits of one kind than
    estimated. `disputable` when it is at least $400 above."""

    extra_visits: int
    bill: Decimal
    difference: Decimal

    @property
    def disputable(self) -> bool:
        return self.difference >= DISPUTE_THRESHOLD


@dataclass(frozen=True)
class BillExample:
    """The worked example of the clinic's "a bill above the estimate" page, from the
    blank estimate of its first course: the same course billed with extra visits."""

    estimate: GoodFaithEstimate
    visit: VisitItems           # the kind of visit billed more often than estimated
    below: BillCheck | None     # too little above the estimate to dispute (None: no such bill)
    above: BillCheck            # the fewest extra visits that reach $400
    bill_date: dt.date
    deadline: dt.date

    @property
    def threshold(self) -> Decimal:
        return self.estimate.total + DISPUTE_THRESHOLD


def bill_example(source: ClinicSource) -> BillExample | None:
    """None when the clinic has no course, or its visits cost nothing."""
    estimates = clinic_estimates(source)
    if not estimates:
        return None
    estimate = estimates[0]
    visit = max(estimate.providers[0].visits, key=lambda v: (v.plan.count, v.total))
    price = visit.total / visit.plan.count if visit.plan.count else Decimal(0)
    if price <= 0:
        return None
    needed = int((DISPUTE_THRESHOLD / price).to_integral_value(ROUND_CEILING))  # >= $400

    def check(extra: int) -> BillCheck:
        return BillCheck(extra, estimate.total + price * extra, price * extra)

    return BillExample(estimate, visit, check(needed - 1) if needed > 1 else None,
                       check(needed), EXAMPLE_BILL_DATE,
                       EXAMPLE_BILL_DATE + dt.timedelta(days=DISPUTE_DAYS))
