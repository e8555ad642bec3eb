"""Stage `derive`: one payer plan's page data: its own rate for every service by setting,
its visit limit in words, and every course of care priced with its own negotiated rates.

Pure functions (validated models in, frozen data out), so the plan pages, the guided
"What will I pay?" pages and any later per-clinic view read the same numbers.
"""

from __future__ import annotations

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
from sitegen.i18n import Say, joined
from sitegen.model import ClinicSource, Payer, Scenario, Service, SiteConfig


@dataclass(frozen=True)
class PlanRate:
    service: Service
    rate: Decimal | None   # None: the plan has no rate on file for this service
    bundled: bool          # inpatient: part of the stay's daily rate


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
        rates = tuple(PlanRate(s, s.negotiated.get(payer.key),
                               setting == "inpatient" and s.inpatient_bundled)
                      for s in source.schedule.services if setting in s.settings)
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
    return PlanView(payer, limit_words(payer), tuple(settings), tuple(courses))


def plan_views(config: SiteConfig, source: ClinicSource) -> list[PlanView]:
    """Every plan the clinic lists, in the fee schedule's order."""
    return [plan_view(config, source, payer) for payer in source.schedule.payers]
