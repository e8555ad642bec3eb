"""Stage `price`: courses of care priced under each insurance scenario, for the estimate
pages and the Markdown shortcodes. Turns fee-schedule data into `pricing` inputs; the rules
themselves live in `pricing`."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from sitegen.diagnostics import Diagnostics, did_you_mean
from sitegen.model import ClinicSource, Course, CourseVisit, Scenario, Service, SiteConfig
from sitegen.pricing import Coverage, Estimate, Visit, estimate, round_cents, split_units
from sitegen.render import DISCIPLINE_NAMES, money, percent
from sitegen.tables import median_rate


@dataclass(frozen=True)
class BilledLine:
    service: Service
    units: int
    minutes: int | None


@dataclass(frozen=True)
class VisitPlan:
    """One kind of visit of a course: what it bills, and how many times it happens."""

    name: str
    count: int
    lines: tuple[BilledLine, ...]
    disciplines: frozenset[str] = frozenset()  # the therapies this visit is (for limits)

    @property
    def minutes(self) -> int:
        return sum(line.minutes or 0 for line in self.lines)

    @property
    def timed_units(self) -> int:
        return sum(line.units for line in self.lines if line.minutes is not None)

    def total(self, price: str) -> Decimal:
        return sum((getattr(line.service, price) * line.units for line in self.lines), Decimal(0))


@dataclass(frozen=True)
class ScenarioResult:
    scenario: Scenario
    assumptions: tuple[str, ...]
    estimate: Estimate
    visits: tuple[VisitPlan, ...] = ()  # what each kind of visit bills under its unit rule


@dataclass(frozen=True)
class CourseEstimate:
    course: Course
    visits: tuple[VisitPlan, ...]
    results: tuple[ScenarioResult, ...]

    @property
    def visit_count(self) -> int:
        return sum(v.count for v in self.visits)


def scenarios_for(config: SiteConfig, source: ClinicSource) -> list[Scenario]:
    """The site's scenarios, then the clinic's own; a clinic that takes no insurance gets
    only the self-pay ones, a superbill clinic no in-network ones."""
    found = [*config.scenarios, *source.schedule.scenarios]
    if source.clinic.insurance == "none":
        return [s for s in found if s.network == "self-pay"]
    if source.clinic.insurance == "superbill":
        return [s for s in found if s.network != "in-network"]
    return found


def superbill(scenario: Scenario, source: ClinicSource) -> bool:
    """Out of network at a clinic that gives superbills: the patient pays the cash price at
    the visit and may claim part of it back from the plan."""
    return scenario.network == "out-of-network" and source.clinic.insurance == "superbill"


def visit_disciplines(source: ClinicSource, visit: CourseVisit) -> frozenset[str]:
    """The therapy a visit is: the session's `discipline:`, else the ones its services name,
    else the clinic's. A visit counts against a limit only when one of these is among the
    therapies sharing it, so an unnamed visit at an OT-only clinic never uses up a limit
    shared by PT and speech therapy."""
    if visit.session is not None:
        session = next(s for s in source.schedule.sessions if s.id == visit.session)
        if session.discipline is not None:
            return frozenset([session.discipline])
        named = {source.service(line.service).discipline for line in session.lines}
    else:
        named = {source.service(visit.service).discipline}  # type: ignore[arg-type]
    named.discard(None)
    if named:
        return frozenset(named)  # type: ignore[arg-type]
    return frozenset(source.clinic.disciplines)


def visit_plan(source: ClinicSource, visit: CourseVisit, rule: str = "cms") -> VisitPlan:
    """What one visit bills: timed minutes of a code are added up across the visit (a code
    listed twice is one line) before the unit rule turns them into units."""
    disciplines = visit_disciplines(source, visit)
    if visit.service is not None:
        service = source.service(visit.service)
        return VisitPlan(service.description, visit.count, (BilledLine(service, 1, None),),
                         disciplines)
    session = next(s for s in source.schedule.sessions if s.id == visit.session)
    timed = [(line.service, line.minutes) for line in session.lines if line.minutes is not None]
    minutes: dict[str, int] = {}
    for key, m in timed:
        minutes[key] = minutes.get(key, 0) + m  # type: ignore[operator]
    units = dict(split_units(timed, rule))  # type: ignore[arg-type]
    lines = []
    for line in session.lines:
        service = source.service(line.service)
        if line.minutes is None:
            lines.append(BilledLine(service, line.units or 1, None))
        elif line.service in units:
            lines.append(BilledLine(service, units.pop(line.service), minutes[line.service]))
    return VisitPlan(session.name, visit.count, tuple(lines), disciplines)


def allowed_amount(service: Service, scenario: Scenario, billed: str = "gross_charge"
                   ) -> Decimal:
    """What the plan allows for one unit: the named plan's rate, or the middle of the
    clinic's rates, in network; a share of the billed price out of network (the gross
    charge, or the cash price on a superbill)."""
    if scenario.network == "out-of-network":
        return round_cents(getattr(service, billed) * (scenario.allowed_share or Decimal(0)))
    if scenario.payer is not None:
        rate = service.negotiated.get(scenario.payer)
    else:
        rate = median_rate(service)
    return rate if rate is not None else service.gross_charge


def coverage(scenario: Scenario, source: ClinicSource) -> Coverage:
    visits = scenario.visits_remaining
    if visits is None and scenario.payer is not None:
        payer = next(p for p in source.schedule.payers if p.key == scenario.payer)
        visits = payer.visit_limit.visits if payer.visit_limit else None
    return Coverage(
        network=scenario.network, deductible_remaining=scenario.deductible_remaining,
        coinsurance=scenario.coinsurance, copay=scenario.copay,
        copay_waives_deductible=scenario.copay_waives_deductible,
        oop_remaining=scenario.oop_remaining, visits_remaining=visits,
        balance_billing=True if superbill(scenario, source) else scenario.balance_billing)


def limit_disciplines(scenario: Scenario, source: ClinicSource) -> frozenset[str]:
    """The disciplines whose visits count toward the scenario's visit limit; empty means
    every visit counts (a limit of the whole plan)."""
    payer = next((p for p in source.schedule.payers if p.key == scenario.payer), None)
    if payer is None or payer.visit_limit is None:
        return frozenset()
    return frozenset(payer.visit_limit.shared_by)


def price_course(source: ClinicSource, course: Course, scenario: Scenario) -> Estimate:
    visits: list[Visit] = []
    counted = limit_disciplines(scenario, source)
    for course_visit in course.visits:
        plan = visit_plan(source, course_visit, scenario.unit_rule)
        price = "cash_price" if superbill(scenario, source) else "gross_charge"
        billed = plan.total(price)
        cash = plan.total("cash_price")
        allowed = sum((allowed_amount(line.service, scenario, price) * line.units
                       for line in plan.lines), Decimal(0))
        over = cash if scenario.over_limit == "cash" else billed
        counts = not counted or bool(plan.disciplines & counted)
        visits.extend([Visit(plan.name, billed, allowed, cash, over, counts)] * course_visit.count)
    result = estimate(coverage(scenario, source), visits)
    if superbill(scenario, source):
        said = tuple(replace(v, explanation=f"You pay {money(v.patient + v.plan)} at the visit; "
                             f"your plan may pay you back {money(v.plan)}")
                     for v in result.visits)
        result = replace(result, visits=said)
    return result


def therapies(disciplines: list[str] | frozenset[str]) -> str:
    """'occupational therapy and physical therapy', in the canonical order."""
    names = [DISCIPLINE_NAMES[d].lower() for d in DISCIPLINE_NAMES if d in disciplines]
    return ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1]


def unit_rule_sentence(rule: str) -> str:
    """Which unit rule priced the timed services, in words."""
    if rule == "per-code":
        return ("Timed services are counted code by code (the rule many private plans use): "
                "each code needs 8 minutes or more of its own for a 15-minute unit.")
    return ("Timed services are counted under Medicare's 8-minute rule: the timed minutes of "
            "the whole visit are added up, then split into 15-minute units.")


def assumptions(scenario: Scenario, source: ClinicSource) -> tuple[str, ...]:
    """The scenario in words, so every number on the page can be traced to its inputs."""
    if scenario.network == "self-pay":
        said = ["You pay the clinic's cash (self-pay) price for every visit; no insurance "
                "is billed.", unit_rule_sentence(scenario.unit_rule)]
        return tuple([scenario.description] if scenario.description else []) + tuple(said)
    said = []
    if scenario.description:
        said.append(scenario.description)
    if scenario.network == "in-network":
        rates = (f"the rates the clinic agreed with {scenario.payer}" if scenario.payer else
                 "the middle (median) of the rates the clinic agreed with its in-network plans")
        said.append(f"Your plan is in network. The plan's allowed amounts are {rates}; where "
                    "no rate is listed, the gross charge.")
    elif superbill(scenario, source):
        said.append("You pay the clinic's cash price at each visit. The clinic is out of network "
                    "with every plan and gives you a superbill (an itemized receipt) to claim "
                    "from your plan yourself.")
        said.append(f"\u201cYour plan pays\u201d is what a plan that allows "
                    f"{percent(scenario.allowed_share or 0)} of the price you paid may pay you "
                    "back: a reimbursement the clinic does not control, and nothing at all if "
                    "your plan has no out-of-network benefits. Ask your plan before you start.")
    else:
        said.append(f"Your plan is out of network and allows {percent(scenario.allowed_share or 0)}"
                    " of the clinic's gross charge.")
    if scenario.network == "out-of-network" and not superbill(scenario, source):
        bills = scenario.balance_billing is not False
        said.append("The clinic bills you the difference between its charge and what the plan "
                    "allows (balance billing)." if bills else "The clinic does not bill you "
                    "the difference between its charge and what the plan allows.")
    if scenario.copay is not None and scenario.copay_waives_deductible:
        said.append(f"You pay a {money(scenario.copay)} copay per visit; the deductible does "
                    "not apply.")
    else:
        said.append(f"{money(scenario.deductible_remaining)} of your deductible is left."
                    if scenario.deductible_remaining else "Your deductible is already met.")
        if scenario.copay is not None:
            said.append(f"After the deductible you pay a {money(scenario.copay)} copay per visit.")
        else:
            said.append(f"After the deductible you pay {percent(scenario.coinsurance)} "
                        "coinsurance of the allowed amount.")
    said.append(f"{money(scenario.oop_remaining)} is left before your out-of-pocket maximum."
                if scenario.oop_remaining is not None else "No out-of-pocket maximum is applied.")
    limit = coverage(scenario, source).visits_remaining
    if limit is None:
        said.append("No visit limit is applied.")
    else:
        shared = limit_disciplines(scenario, source)
        share = (f" (the limit covers {therapies(shared)}; other visits do not count "
                 "toward it)") if shared else " (every visit counts toward it)"
        over = "cash price" if scenario.over_limit == "cash" else "full charge"
        said.append(f"{limit} covered visits are left this year{share}; visits past the limit "
                    f"are paid by you at the clinic's {over}.")
    said.append(unit_rule_sentence(scenario.unit_rule))
    return tuple(said)


def estimate_courses(config: SiteConfig, source: ClinicSource) -> list[CourseEstimate]:
    found = []
    for course in source.schedule.courses:
        results = tuple(ScenarioResult(s, assumptions(s, source), price_course(source, course, s),
                                       tuple(visit_plan(source, v, s.unit_rule)
                                             for v in course.visits))
                        for s in scenarios_for(config, source))
        plans = tuple(visit_plan(source, v) for v in course.visits)
        found.append(CourseEstimate(course, plans, results))
    return found


def validate_scenarios(config: SiteConfig, clinics: list[ClinicSource], diags: Diagnostics,
                       site_positions: object) -> None:
    """Scenario rules that need the clinic's data; positions point into site.yaml or rates/."""
    for i, scenario in enumerate(config.scenarios):
        _check_scenario(scenario, None, "site.yaml",
                        lambda *loc, i=i: site_positions.of(("scenarios", i, *loc)), diags)
    site_ids = {s.id for s in config.scenarios}
    for source in clinics:
        for i, scenario in enumerate(source.schedule.scenarios):
            def at(*loc, i=i, source=source):
                return source.positions.of(("scenarios", i, *loc))  # type: ignore[attr-defined]
            if scenario.id in site_ids:
                diags.error(source.path, *at("id"), f"scenario id '{scenario.id}' is already "
                            "used by a scenario in site.yaml", "give this scenario another id")
            _check_scenario(scenario, source, source.path, at, diags)


def _check_scenario(scenario: Scenario, source: ClinicSource | None, path: str, at,
                    diags: Diagnostics) -> None:
    if scenario.payer is not None:
        if source is None:
            diags.error(path, *at("payer"), "a site-wide scenario cannot name a payer plan",
                        "move the scenario into the clinic's fee schedule under scenarios:")
        else:
            keys = [p.key for p in source.schedule.payers]
            if scenario.payer not in keys:
                diags.error(path, *at("payer"), f"scenario '{scenario.id}' names unknown "
                            f"payer plan '{scenario.payer}'", did_you_mean(scenario.payer, keys)
                            or "use a payer's name and plan, like 'Aetna PPO'")
    if scenario.network == "out-of-network" and scenario.allowed_share is None:
        diags.error(path, *at(), f"out-of-network scenario '{scenario.id}' needs allowed_share",
                    "add allowed_share: 0.60 (the share of the gross charge the plan allows)")
    if scenario.copay_waives_deductible and scenario.copay is None:
        diags.error(path, *at("copay_waives_deductible"), "copay_waives_deductible is set "
                    "but there is no copay", "add copay: <amount>, or remove this key")
