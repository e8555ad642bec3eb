"""Stage `price`: courses of care priced under each insurance scenario, for the estimate
pages and the Markdown shortcodes. Turns fee-schedule data into `pricing` inputs; the rules
themselves live in `pricing`."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from sitegen.clinic_memo import clinic_memo
from sitegen.coverage import (
    course_dates,
    plan_years,
    second_coverage,
    threshold_group,
    thresholds,
)
from sitegen.diagnostics import Diagnostics, did_you_mean
from sitegen.formats import DISCIPLINE_NAMES, N_, money, percent
from sitegen.i18n import Say, lower_case, own_words, translated
from sitegen.model import (
    ClinicSource,
    Course,
    CourseVisit,
    MedicareYear,
    Payer,
    Scenario,
    Service,
    SiteConfig,
)
from sitegen.pricing import (
    Coverage,
    Estimate,
    Visit,
    estimate,
    mppr_allowed,
    round_cents,
    split_units,
)
from sitegen.selfpay import (
    CashVisit,
    package_use,
    tier_floor,
    tier_price,
    tier_words,
    with_package,
)
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
    session: str | None = None
    visit_price: Decimal | None = None        # the session's own cash price for the visit
    visit_price_max: Decimal | None = None    # the top of its range

    @property
    def cash(self) -> Decimal:
        """What a self-pay patient is charged per visit: the visit's own price, or the sum
        of its codes' cash prices; the high end where a price is a range."""
        if self.visit_price is not None:
            return self.visit_price_max or self.visit_price
        return sum((line.service.cash_high * line.units for line in self.lines), Decimal(0))

    @property
    def cash_low(self) -> Decimal:
        """The low end of the self-pay price per visit (the same as `cash` without a range)."""
        if self.visit_price is not None:
            return self.visit_price
        return sum((line.service.cash_price * line.units for line in self.lines), Decimal(0))

    @property
    def has_range(self) -> bool:
        if self.visit_price is not None:
            return self.visit_price_max is not None
        return any(line.service.cash_price_max for line in self.lines)
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
        session = next((s for s in source.schedule.sessions if s.id == visit.session), None)
        if session is not None and session.discipline is not None:
            return frozenset([session.discipline])
        services = [source.service(line.service) for line in session.lines] if session else []
    else:
        services = [source.service(visit.service)]  # type: ignore[arg-type]
    named = {s.discipline for s in services if s is not None}
    named.discard(None)
    if named:
        return frozenset(named)  # type: ignore[arg-type]
    return frozenset(source.clinic.disciplines)


def visit_plan(source: ClinicSource, visit: CourseVisit, rule: str = "cms") -> VisitPlan:
    """`_visit_plan`, remembered: "What will I pay?" prices each course under dozens of
    scenarios, and a visit's plan depends only on the clinic, the visit and the rule."""
    memo = clinic_memo(source)
    key = ("visit plan", visit, rule)
    plan = memo.get(key)
    if plan is None:
        plan = memo[key] = _visit_plan(source, visit, rule)
    return plan


def _visit_plan(source: ClinicSource, visit: CourseVisit, rule: str = "cms") -> VisitPlan:
    """What one visit bills: timed minutes of a code are added up across the visit (a code
    listed twice is one line) before the unit rule turns them into units. References are
    checked by `validate` first; one that is unknown anyway bills nothing here rather than
    raising."""
    disciplines = visit_disciplines(source, visit)
    if visit.service is not None:
        service = source.service(visit.service)
        lines = (BilledLine(service, 1, None),) if service is not None else ()
        return VisitPlan(own_words(service, "description") if service else visit.service,
                         visit.count, lines,
                         disciplines=disciplines)
    session = next((s for s in source.schedule.sessions if s.id == visit.session), None)
    if session is None:
        return VisitPlan(visit.session or "", visit.count, (), disciplines=disciplines)
    known = [(line, source.service(line.service)) for line in session.lines]
    known = [(line, service) for line, service in known if service is not None]
    timed = [(line.service, line.minutes) for line, _ in known if line.minutes is not None]
    minutes: dict[str, int] = {}
    for key, m in timed:
        minutes[key] = minutes.get(key, 0) + m  # type: ignore[operator]
    units = dict(split_units(timed, rule))  # type: ignore[arg-type]
    lines = []
    for line, service in known:
        if line.minutes is None:
            lines.append(BilledLine(service, line.units or 1, None))
        elif line.service in units:
            lines.append(BilledLine(service, units.pop(line.service), minutes[line.service]))
    return VisitPlan(own_words(session, "name"), visit.count, tuple(lines), session.id,
                     session.cash_price,
                     session.cash_price_max, disciplines)


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


def scenario_payer(scenario: Scenario, source: ClinicSource) -> Payer | None:
    """The clinic's payer the scenario names (the first listed of a key), found by key:
    pricing one course looks it up once per visit."""
    memo = clinic_memo(source)
    payers = memo.get("payers")
    if payers is None:
        payers = memo["payers"] = {}
        for payer in source.schedule.payers:
            payers.setdefault(payer.key, payer)
    return payers.get(scenario.payer)


def covered_past_limit(payer: Payer | None) -> bool:
    """Visits past the limit are still paid by the plan: after its prior authorization, or
    because Medicaid's payment is payment in full (42 CFR 447.15), never the cash price."""
    return payer is not None and (payer.medicaid or bool(
        payer.visit_limit and payer.visit_limit.prior_authorization))


def coverage(scenario: Scenario, source: ClinicSource,
             config: SiteConfig | None = None) -> Coverage:
    """The scenario as `pricing` terms; a Medicare scenario takes its thresholds and the
    Part B deductible of a new year from the year's Medicare figures (figures/<YEAR>.yaml)."""
    visits = scenario.visits_remaining
    per_year = None
    payer = scenario_payer(scenario, source)
    if payer is not None:
        per_year = payer.visit_limit.visits if payer.visit_limit else None
        visits = per_year if visits is None else visits
    figures = medicare_figures(scenario, source, config)
    deductible = scenario.deductible
    if scenario.medicare and figures is not None and deductible is None:
        deductible = figures.part_b_deductible
    return Coverage(
        network=scenario.network, deductible_remaining=scenario.deductible_remaining,
        coinsurance=scenario.coinsurance, copay=scenario.copay,
        copay_waives_deductible=scenario.copay_waives_deductible,
        oop_remaining=scenario.oop_remaining, visits_remaining=visits,
        balance_billing=False if payer is not None and payer.medicaid
        else True if superbill(scenario, source) else scenario.balance_billing,
        deductible=deductible, covered_past_limit=covered_past_limit(payer),
        oop_max=scenario.oop_max, visits_per_year=per_year,
        thresholds=thresholds(figures, scenario.therapy_spent) if scenario.medicare else (),
        second=second_coverage(scenario.second_coverage))


def medicare_figures(scenario: Scenario, source: ClinicSource,
                     config: SiteConfig | None) -> MedicareYear | None:
    """The Medicare figures of the year the course starts (or of the prices' date)."""
    if not scenario.medicare or config is None:
        return None
    day = scenario.start or source.clinic.last_updated
    return config.medicare_year(day.year)


def limit_disciplines(scenario: Scenario, source: ClinicSource) -> frozenset[str]:
    """The disciplines whose visits count toward the scenario's visit limit; empty means
    every visit counts (a limit of the whole plan)."""
    payer = scenario_payer(scenario, source)
    if payer is None or payer.visit_limit is None:
        return frozenset()
    return frozenset(payer.visit_limit.shared_by or payer.visit_limit.each)


def limit_group(scenario: Scenario, source: ClinicSource, disciplines: set) -> str:
    """Which count a visit uses: its therapy's own, when each therapy has its own limit."""
    payer = scenario_payer(scenario, source)
    if payer is None or payer.visit_limit is None or not payer.visit_limit.each:
        return ""
    return next((d for d in payer.visit_limit.each if d in disciplines), "")


def price_course(source: ClinicSource, course: Course, scenario: Scenario,
                 config: SiteConfig | None = None) -> Estimate:
    visits = list(course_visits(source, course, scenario))
    if scenario.start is not None:
        dates = course_dates(scenario.start, course.months, len(visits))
        years = plan_years(dates, scenario.plan_year_starts)
        visits = [replace(v, year=y) for v, y in zip(visits, years)]
    result = estimate(coverage(scenario, source, config), visits)
    if superbill(scenario, source):
        said = tuple(replace(v, explanation=Say("You pay %(paid)s at the visit; your plan may "
                                                "pay you back %(back)s",
                                                paid=money(v.patient + v.plan),
                                                back=money(v.plan)))
                     for v in result.visits)
        result = replace(result, visits=said)
    return result


def course_visits(source: ClinicSource, course: Course, scenario: Scenario
                  ) -> tuple[Visit, ...]:
    """`_course_visits`, remembered: the rows of "What will I pay?" price one course under
    many deductibles and cost shares, and its visits' billed and allowed amounts depend only
    on the scenario's fields named in the key."""
    key = ("course visits", tuple(course.visits), scenario.unit_rule, scenario.network,
           scenario.payer, scenario.allowed_share, scenario.medicare, scenario.over_limit)
    memo = clinic_memo(source)
    visits = memo.get(key)
    if visits is None:
        visits = memo[key] = _course_visits(source, course, scenario)
    return visits


def _course_visits(source: ClinicSource, course: Course, scenario: Scenario
                   ) -> tuple[Visit, ...]:
    """The course's visits as billed under the scenario, in order (first plan year)."""
    visits: list[Visit] = []
    counted = limit_disciplines(scenario, source)
    plans = [visit_plan(source, v, scenario.unit_rule) for v in course.visits]
    everyone = {line.service.discipline for plan in plans for line in plan.lines}
    fallback = everyone if everyone - {None} else set(source.clinic.disciplines)
    price = "cash_price" if superbill(scenario, source) else "gross_charge"
    for course_visit, plan in zip(course.visits, plans):
        billed = plan.total(price)
        cash = plan.cash
        allowed, reduction = visit_allowed(plan, scenario, price)
        over = cash if scenario.over_limit == "cash" else billed
        disciplines = {line.service.discipline for line in plan.lines}
        counts = not counted or bool(plan.disciplines & counted)
        group = threshold_group(disciplines, fallback) if scenario.medicare else None
        own = limit_group(scenario, source, set(plan.disciplines))
        visits.extend([Visit(plan.name, billed, allowed, cash, over, counts, reduction=reduction,
                             group=group, limit_group=own)] * course_visit.count)
    return tuple(visits)


MONTHS = (N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"),
          N_("July"), N_("August"), N_("September"), N_("October"), N_("November"),
          N_("December"))


def scenario_name(scenario: Scenario) -> Say:
    """The scenario's name, with its `translations:` (a name sitegen made is a Say)."""
    if isinstance(scenario.name, Say):
        return scenario.name
    return translated(scenario.name, {lang: t.name for lang, t in scenario.translations.items()})


def described(scenario: Scenario) -> Say:
    """The scenario's own description, with its `translations:`."""
    return translated(scenario.description or "", {
        lang: t.description for lang, t in scenario.translations.items() if t.description})


def named(scenario: Scenario, name: Say) -> Scenario:
    """A scenario sitegen makes, named in words of its own (a `Say`, worded per page)."""
    return scenario.model_copy(update={"name": name})


def therapies(disciplines: list[str] | frozenset[str]) -> Say:
    """'occupational therapy and physical therapy', in the canonical order."""
    return discipline_words([d for d in DISCIPLINE_NAMES if d in disciplines])


def unit_rule_sentence(rule: str) -> Say:
    """Which unit rule priced the timed services, in words."""
    if rule == "per-code":
        return Say("Timed services are counted code by code (the rule many private plans "
                   "use): each code needs 8 minutes or more of its own for a 15-minute unit.")
    return Say("Timed services are counted under Medicare's 8-minute rule: the timed minutes "
               "of the whole visit are added up, then split into 15-minute units.")


def visit_allowed(plan: VisitPlan, scenario: Scenario, price: str = "gross_charge"
                  ) -> tuple[Decimal, Decimal]:
    """(allowed amount, Medicare's payment reduction for multiple therapy services)."""
    if not scenario.medicare:
        return sum((allowed_amount(line.service, scenario, price) * line.units
                    for line in plan.lines), Decimal(0)), Decimal(0)
    # A code without a Medicare rate falls back to its gross charge, which has no reduced
    # further unit: it is paid as it is, like a code Medicare does not reduce.
    return mppr_allowed([(allowed_amount(line.service, scenario),
                          line.service.medicare_further_unit
                          if scenario.payer in line.service.negotiated else None, line.units)
                         for line in plan.lines])


def assumptions(scenario: Scenario, source: ClinicSource,
                config: SiteConfig | None = None) -> tuple[str, ...]:
    """The scenario in words, so every number on the page can be traced to its inputs."""
    if scenario.network == "self-pay":
        said = [Say("You pay the clinic's cash (self-pay) price for every visit; no "
                    "insurance is billed. This is for people without insurance or not using "
                    "private insurance: if you are enrolled in Medicare or Medicaid, the clinic "
                    "bills it for the care it covers."), unit_rule_sentence(scenario.unit_rule)]
        return tuple([described(scenario)] if scenario.description else []) + tuple(said)
    said = []
    if scenario.description:
        said.append(described(scenario))
    if scenario.medicare and scenario.network == "in-network":
        said.append(Say("The clinic accepts Medicare: the Medicare-approved amounts are its "
                        "%(payer)s rates; where no rate is listed, the gross charge.",
                        payer=scenario.payer))
    elif scenario.network == "in-network":
        said.append(Say("Your plan is in network. The plan's allowed amounts are the rates "
                        "%(payer)s pays the clinic; where no rate is listed, the gross charge.",
                        payer=scenario.payer) if scenario.payer else
                    Say("Your plan is in network. The plan's allowed amounts are the middle "
                        "(median) of the rates the clinic's in-network plans pay it; where no "
                        "rate is listed, the gross charge."))
    elif superbill(scenario, source):
        said.append(Say("You pay the clinic's cash price at each visit. The clinic is out of "
                        "network with every plan and gives you a superbill (an itemized "
                        "receipt) to claim from your plan yourself."))
        said.append(Say("\u201cYour plan pays\u201d is what a plan that allows %(share)s of the "
                        "price you paid may pay you back: a reimbursement the clinic does not "
                        "control, and nothing at all if your plan has no out-of-network "
                        "benefits. Ask your plan before you start.",
                        share=percent(scenario.allowed_share or 0)))
    else:
        said.append(Say("Your plan is out of network and allows %(share)s of the clinic's "
                        "gross charge.", share=percent(scenario.allowed_share or 0)))
    if scenario.network == "out-of-network" and not superbill(scenario, source):
        bills = scenario.balance_billing is not False
        said.append(Say("The clinic bills you the difference between its charge and what the "
                        "plan allows (balance billing).") if bills else
                    Say("The clinic does not bill you the difference between its charge and "
                        "what the plan allows."))
    if scenario.copay is not None and scenario.copay_waives_deductible:
        said.append(Say("You pay a %(copay)s copay per visit; the deductible does not apply.",
                        copay=money(scenario.copay)))
    elif not (scenario.deductible_remaining or scenario.coinsurance or scenario.copay):
        said.append(Say("You pay no deductible, copay or coinsurance."))
    else:
        said.append(Say("%(amount)s of your deductible is left.",
                        amount=money(scenario.deductible_remaining))
                    if scenario.deductible_remaining else Say("Your deductible is already met."))
        if scenario.copay is not None:
            said.append(Say("After the deductible you pay a %(copay)s copay per visit.",
                            copay=money(scenario.copay)))
        else:
            said.append(Say("After the deductible you pay %(rate)s coinsurance of the allowed "
                            "amount.", rate=percent(scenario.coinsurance)))
    said.append(Say("%(amount)s is left before your out-of-pocket maximum.",
                    amount=money(scenario.oop_remaining))
                if scenario.oop_remaining is not None else
                Say("Original Medicare has no out-of-pocket maximum.") if scenario.medicare else
                Say("No out-of-pocket maximum is applied."))
    if scenario.medicare:
        said.extend(medicare_words(scenario, source, config))
    said.extend(second_coverage_words(scenario))
    said.extend(plan_year_words(scenario, source, config))
    said.append(unit_rule_sentence(scenario.unit_rule))
    said.extend(limit_words(scenario, source))
    return tuple(said)


def limit_words(scenario: Scenario, source: ClinicSource) -> list[str]:
    """The visit limit, and what a visit past it costs (never the cash price for Medicaid)."""
    said = []
    limit = coverage(scenario, source).visits_remaining
    payer = scenario_payer(scenario, source)
    if payer is not None and payer.medicaid:
        said.append(Say("The clinic takes Medicaid, so it accepts Medicaid's payment as "
                        "payment in full: it cannot charge you its own price for covered care."))
    if limit is None:
        return [*said, Say("No visit limit is applied.")]
    rule = payer.visit_limit if payer and payer.visit_limit else None
    if rule and rule.each:
        share = Say(" for each of %(names)s (each counted on its own)",
                    names=discipline_words(rule.shared_by or rule.each))
    else:
        shared = limit_disciplines(scenario, source)
        share = Say(" (the limit covers %(names)s; other visits do not count toward it)",
                    names=therapies(shared)) if shared else \
            Say(" (every visit counts toward it)")
    if covered_past_limit(payer):
        said.append(Say("%(limit)s visits are covered this year%(share)s without prior "
                        "authorization. The estimate assumes the plan approves more visits when "
                        "they are medically necessary, so visits past the limit are priced as "
                        "covered visits; the clinic asks for the approval before you reach it.",
                        limit=limit, share=share))
    elif scenario.over_limit == "cash":
        said.append(Say("%(limit)s covered visits are left this year%(share)s; visits past the "
                        "limit are paid by you at the clinic's cash price.",
                        limit=limit, share=share))
    else:
        said.append(Say("%(limit)s covered visits are left this year%(share)s; visits past the "
                        "limit are paid by you at the clinic's full charge.",
                        limit=limit, share=share))
    return said


def discipline_words(disciplines: list[str]) -> Say:
    """'physical therapy', 'a and b', 'a, b and c' (lower case, in the page's language)."""
    return Say("%(names)s", names=tuple(lower_case(Say(DISCIPLINE_NAMES[d]))
                                        for d in disciplines))


def medicare_words(scenario: Scenario, source: ClinicSource,
                   config: SiteConfig | None) -> list[str]:
    """Original Medicare's payment reduction and therapy thresholds, in plain words."""
    said = [Say("When a visit has more than one unit of therapy, Medicare pays one unit in "
                "full and less for each further unit (a payment reduction for multiple therapy "
                "services); your %(rate)s is of the reduced amount.", rate="20%")]
    figures = medicare_figures(scenario, source, config)
    if figures is None:
        return said
    pt, ot = figures.therapy_threshold_pt_slp, figures.therapy_threshold_ot
    spent = scenario.therapy_spent
    said.append(Say(
        "Medicare's therapy threshold for %(year)s is %(pt)s for physical and speech therapy "
        "together and %(ot)s for occupational therapy, counting the whole Medicare-approved "
        "amount (what Medicare and you pay). It is not a cap: past it, the clinic adds the KX "
        "modifier to each claim to confirm the therapy is medically necessary, and Medicare "
        "keeps paying. Above %(review)s Medicare may review your records.",
        year=figures.year, pt=money(pt), ot=money(ot),
        review=money(figures.targeted_review_threshold)))
    had = tuple(Say("%(amount)s of %(name)s", amount=money(amount), name=name) for amount, name
                in ((spent.pt_slp, Say("physical and speech therapy")),
                    (spent.ot, Say("occupational therapy"))) if amount)
    if had:
        said.append(Say("Therapy you already had this year counts toward the threshold: "
                        "%(had)s.", had=had))
    said.append(Say("If your therapist thinks a service would not be medically necessary, "
                    "they must tell you in writing before you get it (an Advance Beneficiary "
                    "Notice). If you sign it and choose the service anyway, you may have to "
                    "pay for it yourself; these estimates assume every visit is medically "
                    "necessary."))
    return said


def second_coverage_words(scenario: Scenario) -> list[str]:
    """What the second coverage pays, so its column can be checked."""
    spec = scenario.second_coverage
    if spec is None:
        return []
    pays = second_coverage(spec)
    assert pays is not None
    if spec.type == "medigap":
        said = Say("%(name)s pays your Part B deductible and coinsurance.", name=pays.name) \
            if pays.pays_deductible else \
            Say("%(name)s pays your %(rate)s coinsurance after the Part B deductible, which you "
                "pay yourself.", name=pays.name, rate="20%")
        if spec.medigap_plan == "N":
            return [Say("%(said)s With Plan N you may owe a copay of up to %(copay)s per visit; "
                        "these estimates count it on every visit, the most you could owe. Ask "
                        "your insurer whether it charges the copay for therapy visits.",
                        said=said, copay=money(pays.copay))]
        return [said]
    if spec.type == "medicaid":
        if pays.copay:
            return [Say("%(name)s pays what is left after your first coverage (deductible and "
                        "coinsurance), except a %(copay)s copay per visit, as long as the "
                        "clinic accepts %(name)s; then the clinic may not bill you more.",
                        name=pays.name, copay=money(pays.copay))]
        return [Say("%(name)s pays what is left after your first coverage (deductible and "
                    "coinsurance), as long as the clinic accepts %(name)s; then the clinic may "
                    "not bill you more.", name=pays.name)]
    plan = pays.plan
    assert plan is not None
    terms = (Say("%(amount)s deductible left, then a %(copay)s copay",
                 amount=money(plan.deductible_remaining), copay=money(plan.copay))
             if plan.copay is not None else
             Say("%(amount)s deductible left, then %(rate)s coinsurance",
                 amount=money(plan.deductible_remaining), rate=percent(plan.coinsurance)))
    return [Say("%(name)s pays second (%(terms)s): it pays what it would have paid as your "
                "only plan, but never more than what is left for you to pay (coordination of "
                "benefits).", name=pays.name, terms=terms)]


def plan_year_words(scenario: Scenario, source: ClinicSource,
                    config: SiteConfig | None) -> list[str]:
    """Where the course's dates come from, and what a new plan year starts again."""
    if scenario.start is None:
        return []
    month = Say(MONTHS[scenario.plan_year_starts - 1])
    new = coverage(scenario, source, config)
    again = [Say("a deductible of %(amount)s", amount=money(
        new.deductible if new.deductible is not None else new.deductible_remaining))]
    oop = new.oop_max if new.oop_max is not None else new.oop_remaining
    if oop is not None:
        again.append(Say("an out-of-pocket maximum of %(amount)s", amount=money(oop)))
    if new.visits_per_year is not None:
        again.append(Say("%(visits)s covered visits", visits=new.visits_per_year))
    if new.thresholds:
        again.append(Say("the therapy thresholds counted from zero"))
    said = [Say("The course starts on %(start)s, with its visits spread evenly over the months "
                "it takes. On %(month)s 1 a new plan year starts, with %(listed)s.",
                start=scenario.start, month=month, listed=tuple(again))]
    figures = medicare_figures(scenario, source, config)
    if figures is not None and config is not None and \
            config.medicare_year(scenario.start.year + 1) is figures:
        said.append(Say("Medicare's figures for %(next)s are not listed yet, so the estimate "
                        "uses those of %(year)s.", next=scenario.start.year + 1,
                        year=figures.year))
    return said


def estimate_courses(config: SiteConfig, source: ClinicSource) -> list[CourseEstimate]:
    found = []
    for course in source.schedule.courses:
        plans = tuple(visit_plan(source, v) for v in course.visits)
        notes = price_notes(plans)
        results = tuple(ScenarioResult(s, assumptions(s, source, config) + (
            notes if s.network == "self-pay" or
            coverage(s, source, config).visits_remaining is not None else ()),
            price_course(source, course, s, config),
            tuple(visit_plan(source, v, s.unit_rule) for v in course.visits))
            for s in scenarios_for(config, source))
        found.append(CourseEstimate(course, plans, results + self_pay_options(source, plans)))
    return found


def price_notes(plans: tuple[VisitPlan, ...]) -> tuple[str, ...]:
    """What every scenario of a course should say about its prices: which end of a range
    a self-pay or over-limit visit is counted at, and which visits have one price."""
    said = []
    if any(p.visit_price is not None for p in plans):
        said.append(Say("Visits paid by you of a kind with its own visit price are charged "
                        "that price, whatever codes the visit bills; insurance pays code by "
                        "code."))
    if any(p.has_range for p in plans):
        said.append(Say("Where a cash price is a range (it depends on what the therapist "
                        "finds), this estimate uses the high end of the range, so the real "
                        "price is the same or lower."))
    return tuple(said)


def _no_insurance(option: Say) -> Say:
    """A way to pay without insurance, named as the estimate pages list it."""
    return Say("No insurance, %(option)s", option=option)


def option_name(result: ScenarioResult) -> Say:
    """A self-pay option's own words (without "No insurance, "), as its row names it."""
    return result.scenario.name.values["option"]  # type: ignore[attr-defined]


# The ids of the self-pay scenarios made from a clinic's packages and sliding-scale tiers
# ('package-<package id>', 'sliding-scale-<tier number>'): no written scenario may start
# with them, so a made scenario never takes the id (and the row) of a written one.
MADE_SCENARIO_PREFIXES = {"package-": "its prepaid packages",
                          "sliding-scale-": "its sliding-scale tiers"}


def cash_visits(plans: tuple[VisitPlan, ...]) -> list[CashVisit]:
    return [CashVisit(p.name, p.cash, p.session) for p in plans for _ in range(p.count)]


def self_pay_options(source: ClinicSource, plans: tuple[VisitPlan, ...]
                     ) -> tuple[ScenarioResult, ...]:
    """Self-pay with each package the course can use, and with each sliding-scale tier."""
    visits = cash_visits(plans)
    notes = price_notes(plans)
    found = []
    for package in source.schedule.packages:
        use = package_use(package, visits)
        if use is None:
            continue
        valid = (Say(" within %(months)s months of buying it", months=package.valid_months)
                 if package.valid_months else "")
        scenario = named(Scenario(id=f"package-{package.id}", network="self-pay", name="-"),
                         _no_insurance(Say("with the prepaid package: %(name)s",
                                           name=own_words(package, "name"))))
        said = (Say("You pay %(price)s in advance for %(visits)s visits of this kind, to be "
                    "used%(valid)s; you buy %(count)s package for this course and pay the "
                    "cash price for the other visits.", price=money(package.price),
                    visits=package.visits, valid=valid, count=use.packages)
                if use.packages == 1 else
                Say("You pay %(price)s in advance for %(visits)s visits of this kind, to be "
                    "used%(valid)s; you buy %(count)s packages for this course and pay the "
                    "cash price for the other visits.", price=money(package.price),
                    visits=package.visits, valid=valid, count=use.packages),) + notes
        lines = [Visit(name, price, cash=price) for name, price in with_package(use, visits)]
        found.append(ScenarioResult(scenario, said, estimate(Coverage("self-pay"), lines)))
    scale = source.schedule.sliding_scale
    for i, tier in enumerate(scale.tiers if scale else []):
        low = tier_floor(scale.tiers, i)  # type: ignore[union-attr]
        income = (Say("above %(low)s and up to %(high)s", low=f"{low}%",
                      high=f"{tier.up_to_percent}%")
                  if low else Say("up to %(high)s", high=f"{tier.up_to_percent}%"))
        scenario = named(Scenario(id=f"sliding-scale-{i + 1}", network="self-pay", name="-"),
                         _no_insurance(Say("sliding scale: household income %(income)s of "
                                           "the federal poverty guideline", income=income)))
        said = (Say("The clinic's sliding scale (%(scale)s) gives %(tier)s to households with "
                    "a yearly income %(income)s of the federal poverty guideline; ask the "
                    "clinic how to apply.", scale=own_words(scale, "name"),
                    tier=tier_words(tier), income=income),) + notes
        lines = [Visit(v.name, tier_price(tier, v.cash), cash=tier_price(tier, v.cash))
                 for v in visits]
        found.append(ScenarioResult(scenario, said, estimate(Coverage("self-pay"), lines)))
    return tuple(found)


def validate_scenarios(config: SiteConfig, clinics: list[ClinicSource], diags: Diagnostics,
                       site_positions: object) -> None:
    """Scenario rules that need the clinic's data; positions point into site.yaml or rates/."""
    site_ids: dict[str, int] = {}
    for i, scenario in enumerate(config.scenarios):
        _check_scenario(scenario, None, "site.yaml",
                        lambda *loc, i=i: site_positions.of(("scenarios", i, *loc)), diags)
        if scenario.id in site_ids:
            diags.error("site.yaml", *site_positions.of(("scenarios", i, "id")),
                        f"duplicate scenario id '{scenario.id}' (first given on line "
                        f"{site_positions.of(('scenarios', site_ids[scenario.id], 'id'))[0]})",
                        "each scenario id must be unique")
        site_ids.setdefault(scenario.id, i)
    for source in clinics:
        own: dict[str, int] = {}
        for i, scenario in enumerate(source.schedule.scenarios):
            def at(*loc, i=i, source=source):
                return source.positions.of(("scenarios", i, *loc))  # type: ignore[attr-defined]
            if scenario.id in site_ids:
                diags.error(source.path, *at("id"), f"scenario id '{scenario.id}' is already "
                            "used by a scenario in site.yaml", "give this scenario another id")
            elif scenario.id in own:
                diags.error(source.path, *at("id"), f"duplicate scenario id '{scenario.id}' "
                            f"(first given on line {_line_of_scenario(source, own[scenario.id])})",
                            "each scenario id must be unique")
            own.setdefault(scenario.id, i)
            _check_scenario(scenario, source, source.path, at, diags)
            if scenario.medicare and scenario.payer is not None:
                _check_medicare_year(config, scenario, source, at, diags)


def _check_medicare_year(config: SiteConfig, scenario: Scenario, source: ClinicSource, at,
                         diags: Diagnostics) -> None:
    """A Medicare scenario needs the year's thresholds, and every course's visits a known
    discipline (PT and speech count toward one threshold, OT toward another)."""
    figures = medicare_figures(scenario, source, config)
    if figures is not None and scenario.deductible_remaining > figures.part_b_deductible:
        diags.error(source.path, *at("deductible_remaining"), f"deductible_remaining of "
                    f"Medicare scenario '{scenario.id}' is more than the {figures.year} Part B "
                    f"deductible (got {scenario.deductible_remaining}, the deductible is "
                    f"{figures.part_b_deductible})", "write what is left of the Part B "
                    "deductible, at most the year's amount, or write {figure: "
                    "medicare.part_b_deductible} for all of it")
    if figures is None:
        year = (scenario.start or source.clinic.last_updated).year
        diags.warning(source.path, *at("medicare"), f"the site has no Medicare figures "
                      f"for {year}, so the estimates of scenario '{scenario.id}' do not show "
                      "the therapy threshold", f"add figures/{year}.yaml with "
                      "medicare.part_b_deductible, medicare.kx_threshold_pt_slp, "
                      "medicare.kx_threshold_ot and medicare.review_threshold (see "
                      "docs/figures.md)")
    for i, course in enumerate(source.schedule.courses):
        plans = [visit_plan(source, v) for v in course.visits]
        everyone = {line.service.discipline for plan in plans for line in plan.lines}
        fallback = everyone if everyone - {None} else set(source.clinic.disciplines)
        if any(threshold_group({line.service.discipline for line in plan.lines}, fallback)
               is None for plan in plans):
            diags.warning(source.path, *source.positions.of(  # type: ignore[attr-defined]
                ("courses", i, "visits")), f"the Medicare estimates of course "
                f"'{course.id}' cannot tell whether some visits are PT and speech or OT, so "
                "they count toward no therapy threshold", "give the services of each visit "
                "a discipline: (PT, OT or SLP)")


def _line_of_scenario(source: ClinicSource, index: int) -> int:
    """The line of the clinic's scenario number `index`."""
    return source.positions.of(("scenarios", index, "id"))[0]  # type: ignore[attr-defined]


def _check_scenario(scenario: Scenario, source: ClinicSource | None, path: str, at,
                    diags: Diagnostics) -> None:
    for prefix, what in MADE_SCENARIO_PREFIXES.items():
        if scenario.id.startswith(prefix):
            diags.error(path, *at("id"), f"scenario id '{scenario.id}' starts with '{prefix}', "
                        f"which the estimates keep for the scenarios made from {what}",
                        f"give this scenario an id that does not start with '{prefix}'")
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
    _check_medicare(scenario, source, path, at, diags)


def _check_medicare(scenario: Scenario, source: ClinicSource | None, path: str, at,
                    diags: Diagnostics) -> None:
    """Medicare and second-coverage settings that only make sense together."""
    second = scenario.second_coverage
    if second is not None and scenario.network == "self-pay":
        diags.error(path, *at("second_coverage"), f"self-pay scenario '{scenario.id}' cannot "
                    "have a second coverage", "remove second_coverage:, or set network: "
                    "in-network")
    if second is not None and second.type == "medigap" and not scenario.medicare:
        diags.error(path, *at("second_coverage", "type"), "a Medigap plan pays only after "
                    f"Original Medicare, but scenario '{scenario.id}' is not a Medicare one",
                    "add medicare: true to the scenario")
    if not scenario.medicare:
        if "therapy_spent" in scenario.model_fields_set:
            diags.error(path, *at("therapy_spent"), "therapy_spent counts toward Medicare's "
                        f"therapy thresholds, but scenario '{scenario.id}' is not a Medicare "
                        "one", "add medicare: true, or remove therapy_spent:")
        return
    if scenario.plan_year_starts != 1:
        diags.error(path, *at("plan_year_starts"), f"Medicare's year starts in January (got "
                    f"plan_year_starts: {scenario.plan_year_starts} in Medicare scenario "
                    f"'{scenario.id}')", "remove plan_year_starts:")
    if scenario.network != "in-network":
        diags.error(path, *at("network"), f"Medicare scenario '{scenario.id}' must be "
                    f"in-network (got {scenario.network})", "use network: in-network for a "
                    "clinic that accepts Medicare")
    if scenario.payer is None:
        diags.error(path, *at("medicare"), f"Medicare scenario '{scenario.id}' needs the "
                    "clinic's Medicare rates", "add payer: Medicare Part B (the payer plan "
                    "whose negotiated: amounts are Medicare's)" if source is not None else
                    "move the scenario into a clinic's fee schedule, with payer: Medicare "
                    "Part B")
        return
    if source is None:
        return
    for i, service in enumerate(source.schedule.services):
        first = service.negotiated.get(scenario.payer)
        further = service.medicare_further_unit
        if further is not None and first is not None and further > first:
            diags.error(source.path, *source.positions.of(  # type: ignore[attr-defined]
                ("services", i, "medicare_further_unit")), f"medicare_further_unit of "
                f"'{service.id}' is more than its first unit (got {further}, {scenario.payer} "
                f"allows {first})", "copy the reduced amount of a further unit from the "
                "Medicare fee schedule; it is never more than the full amount")
