"""`sitegen estimate --clinic SLUG --course ID ...`: one patient's course of care priced from
the site's own fee schedules, with the same engine (`estimates.price_course`) and the same
scenario shapes as the guided "What will I pay?" pages, so both print the same amounts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import get_args

from sitegen.coverage import second_coverage
from sitegen.estimates import assumptions, medicare_figures, price_course, visit_plan
from sitegen.flow import care_name, course_groups
from sitegen.model import ClinicSource, Course, Scenario, SecondCoverage, Site, TherapySpent
from sitegen.pricing import Estimate
from sitegen.render import money

MEDIGAP_PLANS = get_args(SecondCoverage.model_fields["medigap_plan"].annotation)[0]
SECOND_KINDS = [f"medigap-{p.lower()}" for p in get_args(MEDIGAP_PLANS)] + [
    "medicaid", "other-plan"]


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
    coinsurance: Decimal | None = None     # None: 0, or Medicare's 20% for Medicare
    copay: Decimal | None = None
    copay_after_deductible: bool = False
    oop_left: Decimal | None = None
    visits_used: int | None = None
    # Medicare and second coverage, and a course across the plan year (docs/estimate.md)
    second: str | None = None               # one of SECOND_KINDS, as the guided pages say it
    second_deductible_left: Decimal | None = None
    second_coinsurance: Decimal | None = None
    second_copay: Decimal | None = None
    second_oop_left: Decimal | None = None
    start: dt.date | None = None
    plan_year_starts: int | None = None
    therapy_spent: Decimal | None = None


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


def scenario_for(site: Site, source: ClinicSource, course: Course, request: Request
                 ) -> Scenario:
    """The request as a scenario, checked against what the clinic offers."""
    ways = sum([request.plan is not None, request.self_pay, request.out_of_network])
    if ways != 1:
        raise ChoiceError("say how the patient pays with exactly one of --plan \"NAME PLAN\", "
                          "--self-pay or --out-of-network")
    if request.self_pay:
        given = [name for name, value in (
            ("--second-coverage", request.second), ("--start", request.start),
            ("--therapy-spent", request.therapy_spent)) if value is not None]
        if given:
            raise ChoiceError(f"{given[0]} is for a patient with insurance, not --self-pay")
        return Scenario(id="self-pay", name="Paying yourself", network="self-pay")
    shared = dict(deductible_remaining=request.deductible_left,
                  coinsurance=request.coinsurance or Decimal(0),
                  copay=request.copay, oop_remaining=request.oop_left,
                  copay_waives_deductible=request.copay is not None and
                  not request.copay_after_deductible)
    second = _second(site, request)
    yearly = dict(second_coverage=second, start=request.start,
                  plan_year_starts=request.plan_year_starts or 1)
    if request.out_of_network:
        _not_medicare(request, "--out-of-network")
        if source.clinic.insurance == "none":
            raise ChoiceError(f"{source.clinic.name} does not bill insurance; use --self-pay")
        if request.visits_used is not None:
            raise ChoiceError("--visits-used needs --plan: out-of-network visit limits are "
                              "not on file")
        share = site.config.what_will_i_pay.out_of_network_allowed_share
        return Scenario(id="out-of-network", name="Out of network", network="out-of-network",
                        allowed_share=share, **shared, **yearly)
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
    if not payer.original_medicare:
        _not_medicare(request, f"--plan \"{payer.key}\"")
        return Scenario(id=payer.slug, name=payer.key, network="in-network", payer=payer.key,
                        visits_remaining=visits_left, **shared, **yearly)
    if request.plan_year_starts not in (None, 1):
        raise ChoiceError(f"--plan-year-starts: Medicare's year starts in January (got "
                          f"{request.plan_year_starts}); leave it out")
    if request.copay is not None:
        raise ChoiceError("--copay: Original Medicare has no copay; give --coinsurance, or "
                          "leave it out for Medicare's 20%")
    if request.coinsurance is None:
        shared["coinsurance"] = site.config.what_will_i_pay.medicare_coinsurance
    spent = request.therapy_spent or Decimal(0)
    groups = course_groups(source, tuple(visit_plan(source, v) for v in course.visits))
    scenario = Scenario(id=payer.slug, name=payer.key, network="in-network", payer=payer.key,
                        visits_remaining=visits_left, medicare=True,
                        therapy_spent=TherapySpent(**{g: spent for g in groups}),
                        **shared, **yearly)
    figures = medicare_figures(scenario, source, site.config)
    if figures is not None and request.deductible_left > figures.part_b_deductible:
        raise ChoiceError(f"--deductible-left: more than the {figures.year} Part B deductible "
                          f"(got {request.deductible_left}, the deductible is "
                          f"{figures.part_b_deductible}); give what is left of it")
    return scenario


def _not_medicare(request: Request, how: str) -> None:
    """Options that only mean something after Original Medicare."""
    if request.therapy_spent is not None:
        raise ChoiceError(f"--therapy-spent counts toward Medicare's therapy threshold, but "
                          f"{how} is not Original Medicare; leave it out")
    if request.second is not None and request.second.startswith("medigap-"):
        raise ChoiceError(f"--second-coverage {request.second}: a Medigap plan pays only "
                          f"after Original Medicare, but {how} is not Original Medicare; "
                          "use --plan with the clinic's Medicare plan")


def _second(site: Site, request: Request) -> SecondCoverage | None:
    """The second coverage the request names, with its terms for another plan."""
    terms = {"--second-deductible-left": request.second_deductible_left,
             "--second-coinsurance": request.second_coinsurance,
             "--second-copay": request.second_copay, "--second-oop-left": request.second_oop_left}
    given = [name for name, value in terms.items() if value is not None]
    kind = request.second
    if kind is None:
        if given:
            raise ChoiceError(f"{given[0]} needs --second-coverage other-plan")
        return None
    if kind not in SECOND_KINDS:
        raise ChoiceError(f"--second-coverage: unknown coverage '{kind}'; valid: "
                          f"{_listing(SECOND_KINDS)}")
    if kind == "other-plan":
        if request.second_coinsurance is not None and request.second_copay is not None:
            raise ChoiceError("give --second-coinsurance or --second-copay, not both")
        coinsurance = request.second_coinsurance
        if coinsurance is None and request.second_copay is None:
            coinsurance = site.config.what_will_i_pay.second_plan_coinsurance
        return SecondCoverage(type="commercial", name="Your other plan",
                              deductible_remaining=request.second_deductible_left or Decimal(0),
                              coinsurance=coinsurance or Decimal(0), copay=request.second_copay,
                              copay_waives_deductible=request.second_copay is not None,
                              oop_remaining=request.second_oop_left)
    if kind == "medicaid":
        if any(name != "--second-copay" for name in given):
            raise ChoiceError(f"{given[0]} is for --second-coverage other-plan")
        return SecondCoverage(type="medicaid", copay=request.second_copay)
    if given:
        raise ChoiceError(f"{given[0]} is for --second-coverage other-plan")
    return SecondCoverage(type="medigap", medigap_plan=kind.removeprefix("medigap-").upper())


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
    scenario = scenario_for(site, source, course, request)
    return ClinicEstimate(source, course, care, scenario,
                          price_course(source, course, scenario, site.config),
                          assumptions(scenario, source, site.config))


def as_table(result: ClinicEstimate) -> str:
    """A readable table: per visit, totals, then the assumptions in words."""
    est = result.estimate
    names = [f"{i}. {v.name}" for i, v in enumerate(est.visits, start=1)]
    width = max([len(n) for n in names] + [len("Total")])
    second = second_coverage(result.scenario.second_coverage)
    paying = result.scenario.name + (f" and {second.name}" if second else "")
    head = f"{'Visit':<{width}}  {'You pay':>12}  {'Plan pays':>12}"
    lines = [result.source.clinic.name,
             f"{result.care}: {len(est.visits)} visits",
             f"Paying: {paying}", "", head + (f"  {'Second pays':>12}" if second else "")]
    for name, visit in zip(names, est.visits):
        lines.append(f"{name:<{width}}  {money(visit.patient):>12}  {money(visit.plan):>12}"
                     + (f"  {money(visit.second):>12}" if second else ""))
    lines.append(f"{'Total':<{width}}  {money(est.patient_total):>12}  "
                 f"{money(est.plan_total):>12}"
                 + (f"  {money(est.second_total):>12}" if second else ""))
    events = est.events()
    if events:
        lines += ["", "What happens on the way:"] + [f"- At visit {n}: {text}." for n, text
                                                     in events]
    lines += ["", "Assumptions:"] + [f"- {a}" for a in result.assumptions]
    return "\n".join(lines) + "\n"
