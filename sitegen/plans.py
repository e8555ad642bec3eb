"""Stage `derive`: one payer plan's page data: its own rate for every service by setting,
its visit limit in words, and every course of care priced with its own negotiated rates.

Pure functions (validated models in, frozen data out), so the plan pages, the guided
"What will I pay?" pages and any later per-clinic view read the same numbers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sitegen.estimates import (
    CourseEstimate,
    ScenarioResult,
    assumptions,
    discipline_words,
    price_course,
    therapies,
    visit_plan,
)
from sitegen.history import Change, upcoming_changes
from sitegen.i18n import Say, joined
from sitegen.model import ClinicSource, Package, Payer, Scenario, Service, Session, SiteConfig
from sitegen.tables import PriceRow, price_rows


@dataclass(frozen=True)
class PlanRate:
    """The plan's rate next to the cost table's row, so the plan page names the same code
    with modifiers, the same location and the same cash price (or range) as the table."""

    row: PriceRow
    rate: Decimal | None   # None: the plan has no rate on file for this service

    @property
    def service(self) -> Service:
        return self.row.service

    @property
    def bundled(self) -> bool:
        """Inpatient: part of the stay's payment, as on the cost table."""
        return self.row.bundled


@dataclass(frozen=True)
class PlanSetting:
    setting: str
    rates: tuple[PlanRate, ...]


@dataclass(frozen=True)
class PlanView:
    payer: Payer
    limit: str                              # the visit limit in words
    settings: tuple[PlanSetting, ...]
    courses: tuple[CourseEstimate, ...]     # under the site's in-network scenarios
    visits: tuple[Session, ...]             # visits with one self-pay price, as on the tables
    packages: tuple[Package, ...]           # prepaid packages, for paying yourself instead
    sliding_scale: bool                     # the clinic has a sliding-scale page
    # service id -> announced changes of this plan's rate (and of the cash price, where the
    # page shows it), by date: the cost table's "From <date>" rows, for this plan
    upcoming: dict[str, tuple[tuple[dt.date, tuple[Change, ...]], ...]]

    @property
    def rows(self) -> list[PriceRow]:
        """Every cost-table row the page shows, settings in order."""
        return [item.row for group in self.settings for item in group.rates]

    @property
    def self_pay(self) -> bool:
        return offers_self_pay(self.payer)


def offers_self_pay(payer: Payer) -> bool:
    """Whether a plan's page offers paying yourself instead: not for Medicaid (the clinic
    accepts its payment in full) nor Original Medicare (the clinic bills Medicare for
    covered care), as the cost tables' note says."""
    return not (payer.medicaid or payer.original_medicare)


def plan_upcoming(source: ClinicSource, payer: Payer
                  ) -> dict[str, tuple[tuple[dt.date, tuple[Change, ...]], ...]]:
    """The cost table's announced changes that the plan's page shows: the plan's own rate,
    and the cash price where the page shows it."""
    shown = {f"Rate of {payer.key}"} | ({"Cash price", "Cash price, high end"}
                                        if offers_self_pay(payer) else set())
    found = {}
    for service_id, dates in upcoming_changes(source).items():
        kept = tuple((date, tuple(c for c in changes if c.what in shown))
                     for date, changes in dates)
        if any(changes for _, changes in kept):
            found[service_id] = tuple((d, c) for d, c in kept if c)
    return found


def limit_words(payer: Payer) -> Say:
    """'20 visits per calendar year, one limit shared by physical therapy and occupational
    therapy', or a plain 'ask your plan' when the fee schedule gives none; with a Medicaid
    plan's prior authorization and payment in full."""
    limit = payer.visit_limit
    parts: list[object] = []
    if limit is None:
        parts.append(Say("No limit on file: ask your plan"))
    else:
        parts.append(Say("%(visits)s visits per %(period)s", visits=limit.visits,
                         period=Say(limit.period)))
        if limit.each:
            parts.append(Say(" for each of %(names)s", names=discipline_words(limit.each)))
        elif len(limit.shared_by) > 1:
            parts.append(Say(", one limit shared by %(names)s",
                             names=therapies(limit.shared_by)))
        elif limit.shared_by:
            parts.append(Say(" of %(names)s", names=therapies(limit.shared_by)))
        else:
            parts.append(Say(", every therapy visit counts"))
        if limit.prior_authorization:
            parts.append(Say("; more with prior authorization"))
    if payer.medicaid:
        parts.append(Say(". Medicaid: the clinic accepts Medicaid's payment as payment in full"))
    return joined(*parts)


def plan_scenarios(config: SiteConfig, payer: Payer) -> list[Scenario]:
    """The site's in-network scenarios, priced with this plan's own rates and limit."""
    return [s.model_copy(update={"payer": payer.key}) for s in config.scenarios
            if s.network == "in-network" and s.payer is None]


def plan_view(config: SiteConfig, source: ClinicSource, payer: Payer) -> PlanView:
    settings = []
    for setting in source.settings():
        rates = tuple(PlanRate(row, row.service.negotiated.get(payer.key))
                      for row in price_rows(source, setting))
        settings.append(PlanSetting(setting, rates))
    courses = []
    scenarios = plan_scenarios(config, payer)
    for course in source.schedule.courses if scenarios else []:
        results = tuple(ScenarioResult(s, assumptions(s, source), price_course(source, course, s),
                                       tuple(visit_plan(source, v, s.unit_rule)
                                             for v in course.visits))
                        for s in scenarios)
        courses.append(CourseEstimate(course, tuple(visit_plan(source, v) for v in course.visits),
                                      results))
    schedule = source.schedule
    return PlanView(payer, limit_words(payer), tuple(settings), tuple(courses),
                    tuple(s for s in schedule.sessions if s.cash_price is not None),
                    tuple(schedule.packages),
                    schedule.sliding_scale is not None and config.poverty_guidelines is not None,
                    plan_upcoming(source, payer))


def plan_views(config: SiteConfig, source: ClinicSource) -> list[PlanView]:
    """Every plan the clinic lists, in the fee schedule's order."""
    return [plan_view(config, source, payer) for payer in source.schedule.payers]
