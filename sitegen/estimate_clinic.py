"""`sitegen estimate --clinic SLUG --course ID ...`: one patient's course of care priced from
the site's own fee schedules, with the same engine (`estimates.price_course`) and the same
scenario shapes as the guided "What will I pay?" pages, so both print the same amounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sitegen.estimates import assumptions, price_course
from sitegen.flow import care_name
from sitegen.model import ClinicSource, Course, Scenario, Site
from sitegen.pricing import Estimate
from sitegen.render import money


class ChoiceError(ValueError):
    """A wrong --clinic, --course, --plan or combination: the message lists what is valid."""


@dataclass(frozen=True)
class Request:
    clinic: str
    course: str
    visits: int | None = None
    plan: str | None = None
    self_pay: bool = False
    out_of_network: bool = False
    deductible_left: Decimal = Decimal(0)
    coinsurance: Decimal = Decimal(0)
    copay: Decimal | None = None
    copay_after_deductible: bool = False
    oop_left: Decimal | None = None
    visits_used: int | None = None


@dataclass(frozen=True)
class ClinicEstimate:
    source: ClinicSource
    course: Course          # with the requested number of sessions
    care: str               # its name in words, as "What will I pay?" says it
    scenario: Scenario
    estimate: Estimate
    assumptions: tuple[str, ...]


def _listing(things: list[str]) -> str:
    return ", ".join(things) if things else "(none)"


def scenario_for(site: Site, source: ClinicSource, request: Request) -> Scenario:
    """The request as a scenario, checked against what the clinic offers."""
    ways = sum([request.plan is not None, request.self_pay, request.out_of_network])
    if ways != 1:
        raise ChoiceError("say how the patient pays with exactly one of --plan \"NAME PLAN\", "
                          "--self-pay or --out-of-network")
    if request.self_pay:
        return Scenario(id="self-pay", name="Paying yourself", network="self-pay")
    shared = dict(deductible_remaining=request.deductible_left, coinsurance=request.coinsurance,
                  copay=request.copay, oop_remaining=request.oop_left,
                  copay_waives_deductible=request.copay is not None and
                  not request.copay_after_deductible)
    if request.out_of_network:
        if source.clinic.insurance == "none":
            raise ChoiceError(f"{source.clinic.name} does not bill insurance; use --self-pay")
        if request.visits_used is not None:
            raise ChoiceError("--visits-used needs --plan: out-of-network visit limits are "
                              "not on file")
        share = site.config.what_will_i_pay.out_of_network_allowed_share
        return Scenario(id="out-of-network", name="Out of network", network="out-of-network",
                        allowed_share=share, **shared)
    plans = [p.key for p in source.schedule.payers]
    payer = next((p for p in source.schedule.payers if p.key == request.plan), None)
    if payer is None:
        raise ChoiceError(f"--plan: '{request.plan}' is not a plan of {source.slug}; valid "
                          f"plans: {_listing(plans)}")
    visits_left = None
    if request.visits_used is not None:
        if payer.visit_limit is None:
            raise ChoiceError(f"--visits-used: {payer.key} has no visit limit on file")
        visits_left = max(payer.visit_limit.visits - request.visits_used, 0)
    return Scenario(id=payer.slug, name=payer.key, network="in-network", payer=payer.key,
                    visits_remaining=visits_left, **shared)


def clinic_estimate(site: Site, request: Request) -> ClinicEstimate:
    """Price the request; ChoiceError names the valid clinics, courses or plans."""
    source = next((c for c in site.clinics if c.slug == request.clinic), None)
    if source is None:
        raise ChoiceError(f"--clinic: no clinic '{request.clinic}'; valid clinics: "
                          f"{_listing([c.slug for c in site.clinics])}")
    course = next((c for c in source.schedule.courses if c.id == request.course), None)
    if course is None:
        raise ChoiceError(f"--course: {source.slug} has no course '{request.course}'; valid "
                          f"courses: {_listing([c.id for c in source.schedule.courses])}")
    sessions = course.sessions if request.visits is None else request.visits
    care = care_name(course, sessions)
    course = course.with_sessions(sessions)
    scenario = scenario_for(site, source, request)
    return ClinicEstimate(source, course, care, scenario,
                          price_course(source, course, scenario, site.config),
                          assumptions(scenario, source, site.config))


def as_table(result: ClinicEstimate) -> str:
    """A readable table: per visit, totals, then the assumptions in words."""
    est = result.estimate
    names = [f"{i}. {v.name}" for i, v in enumerate(est.visits, start=1)]
    width = max([len(n) for n in names] + [len("Total")])
    lines = [result.source.clinic.name,
             f"{result.care}: {len(est.visits)} visits",
             f"Paying: {result.scenario.name}", "",
             f"{'Visit':<{width}}  {'You pay':>12}  {'Plan pays':>12}"]
    for name, visit in zip(names, est.visits):
        lines.append(f"{name:<{width}}  {money(visit.patient):>12}  {money(visit.plan):>12}")
    lines.append(f"{'Total':<{width}}  {money(est.patient_total):>12}  "
                 f"{money(est.plan_total):>12}")
    lines += ["", "Assumptions:"] + [f"- {a}" for a in result.assumptions]
    return "\n".join(lines) + "\n"
