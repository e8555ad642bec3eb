"""Stage `derive`: the guided "What will I pay?" pages of a clinic, as a tree of static pages.

GOV.UK's one-question-per-page pattern, with no JavaScript: every answer is a link to the
next page. Questions that multiply the tree (deductible, cost sharing) are answered by a
row of a table on the answer page instead, so a clinic has tens of pages, not thousands:

  1. Which care?         one page: each course, and each length it offers, is a link
  2. How will you pay?   one page per care: paying yourself, each plan, another plan
  3. Visits used?        one page per (care, plan with a visit limit)
     Other coverage?     Original Medicare only: one page per care (none, each Medigap plan
                         of site.yaml, Medicaid, another plan paying after Medicare)
  4-5. Deductible, cost sharing: the rows of the answer page (one page per path); for
     Medicare: when the course starts (only where a new year can fall inside it) and what
     this year already counted (Part B deductible, therapy toward the KX threshold)

Pure: validated models in, frozen data out. Every amount comes from `estimates.price_course`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sitegen.coverage import THRESHOLD_GROUPS, course_dates, second_coverage, threshold_group
from sitegen.diagnostics import Diagnostics
from sitegen.estimates import (
    ScenarioResult,
    VisitPlan,
    assumptions,
    named,
    option_name,
    own_words,
    price_course,
    price_notes,
    self_pay_options,
    therapies,
    visit_plan,
)
from sitegen.formats import N_, money
from sitegen.i18n import Say, capitalized, joined
from sitegen.model import (
    ClinicSource,
    Course,
    Payer,
    Scenario,
    SecondCoverage,
    SiteConfig,
    TherapySpent,
    WhatWillIPay,
)
from sitegen.pricing import Estimate, VisitCost
from sitegen.tables import location_of, place
from sitegen.urls import anchor, flow_url

QUESTIONS = (Say("Which care do you need?"), Say("How will you pay?"),
             Say("How many visits has your plan already covered this year?"),
             Say("Where does your deductible stand?"), Say("How does your plan share the cost?"))
SECOND_QUESTION = Say("Do you have other coverage besides Medicare?")
# Words of the second coverages (Medicare.gov, "Compare Medigap plan benefits"; docs/estimate.md)
_PAYS_ALL = Say("Pays your Part B deductible and your %(rate)s coinsurance. Sold only to people "
                "who were eligible for Medicare before January 1, 2020.", rate="20%")
MEDIGAP_HINTS = {
    "C": _PAYS_ALL,
    "F": _PAYS_ALL,
    "N": Say("Pays your %(rate)s coinsurance after you pay the Part B deductible, except a "
             "copay of up to %(copay)s for some office visits.", rate="20%", copay="$20"),
}
MEDIGAP_HINT = Say("Pays your %(rate)s coinsurance after you pay the Part B deductible "
                   "yourself.", rate="20%")
MEDICAID_HINT = Say("Medicaid pays after Medicare. When the clinic accepts Medicaid you "
                    "usually pay nothing for covered care, or a small copay.")
OTHER_PLAN_HINT = Say("A retiree plan, or a plan from a job that pays after Medicare (if your "
                      "job's plan pays first, choose it on the previous page instead).")
PAY_HINTS = {
    "medicare": Say("Original Medicare: a yearly Part B deductible, then %(rate)s coinsurance "
                    "of Medicare's rate.", rate="20%"),
    "out-of-network": Say("A plan this clinic is not in network with: the plan pays part of "
                          "an allowance, and the clinic may bill you the rest of its charge."),
    "superbill": Say("You pay the cash price at each visit, then send the clinic's superbill "
                     "(itemized receipt) to your plan, which may pay part of it back."),
}
SELF_PAY_HINT = Say("No insurance, or not using it: you pay the clinic's cash price, and you "
                    "have the right to a good faith estimate. People enrolled in Medicare or "
                    "Medicaid are not in the self-pay group of the good faith estimate rules "
                    "for care those programs cover.")


@dataclass(frozen=True)
class Choice:
    text: str
    url: str
    hint: str = ""


@dataclass(frozen=True)
class Answered:
    """An answer given so far, with the page where it can be changed."""

    question: str
    answer: str
    change_url: str


@dataclass(frozen=True)
class Question:
    url: str
    number: int
    total: int
    title: str
    choices: tuple[Choice, ...]
    groups: tuple[tuple[str, str, tuple[Choice, ...]], ...]  # (heading, hint, choices)
    back_url: str | None
    answered: tuple[Answered, ...]


@dataclass(frozen=True)
class Step:
    """Visits in a row that cost the same: 'Visits 2-6: $95.00 each'."""

    first: int
    last: int
    cost: VisitCost


@dataclass(frozen=True)
class Row:
    """One line of the answer table: the table's own answers and what they give."""

    id: str
    deductible: str        # the answer to "where does your deductible stand?" ('' if none)
    cost_sharing: str      # the answer to "how does your plan share the cost?" ('' if none)
    scenario: Scenario
    estimate: Estimate
    assumptions: tuple[str, ...]
    steps: tuple[Step, ...]
    start: str = ""        # Medicare: the answer to "when do you start?" ('' if not asked)


@dataclass(frozen=True)
class Answer:
    url: str
    title: str
    pay: str               # 'self-pay', 'plan', 'medicare', 'out-of-network', 'superbill'
    payer: Payer | None
    course: Course         # with the chosen number of sessions
    visits: tuple[VisitPlan, ...]
    rows: tuple[Row, ...]
    back_url: str
    answered: tuple[Answered, ...]
    second: str = ""       # Medicare: the name of the second coverage ('' if none)
    notes: tuple[str, ...] = ()  # price notes: ranges, visit prices, per-location prices

    @property
    def asks_start(self) -> bool:
        return any(row.start for row in self.rows)

    @property
    def shared_assumptions(self) -> tuple[str, ...]:
        """Assumptions every row makes, said once on the page (keeps pages small)."""
        first = self.rows[0].assumptions
        return tuple(a for a in first if all(a in row.assumptions for row in self.rows[1:]))

    def own_assumptions(self, row: Row) -> tuple[str, ...]:
        """The assumptions that set this row apart."""
        shared = set(self.shared_assumptions)
        return tuple(a for a in row.assumptions if a not in shared)


@dataclass(frozen=True)
class Flow:
    start_url: str
    questions: tuple[Question, ...]
    answers: tuple[Answer, ...]

    @property
    def page_count(self) -> int:
        return len(self.questions) + len(self.answers)


def care_name(course: Course, sessions: int) -> str:
    """The course's own name, or its name with the other number of sessions."""
    if sessions == course.sessions:
        return own_words(course, "name")
    return Say("%(name)s (with %(sessions)s sessions instead of %(usual)s)",
               name=own_words(course, "name"), sessions=sessions, usual=course.sessions)


def _steps(costs: tuple[VisitCost, ...]) -> tuple[Step, ...]:
    """Runs of equal visits; a visit where something happens (the therapy threshold is
    passed, a new plan year starts) is a step of its own, so its words stay with it."""
    steps: list[Step] = []
    for i, cost in enumerate(costs, start=1):
        prev = steps[-1] if steps else None
        if prev and not prev.cost.events and not cost.events and (
                prev.cost.name, prev.cost.patient, prev.cost.plan, prev.cost.second,
                prev.cost.explanation) == (cost.name, cost.patient, cost.plan, cost.second,
                                           cost.explanation):
            steps[-1] = Step(prev.first, i, prev.cost)
        else:
            steps.append(Step(i, i, cost))
    return tuple(steps)


def _row(config: SiteConfig, source: ClinicSource, course: Course, scenario: Scenario,
         deductible: str, sharing: str, start: str = "", row_id: str = "") -> Row:
    """`row_id`: the row's HTML id when the scenario's id is joined from several answers'
    ids (joined with `urls.anchor`, so two different pairs never give the same id)."""
    result = price_course(source, course, scenario, config)
    return Row(row_id or scenario.id, deductible, sharing, scenario, result,
               assumptions(scenario, source, config), _steps(result.visits), start)


def _self_pay_rows(config: SiteConfig, source: ClinicSource, course: Course,
                   visits: tuple[VisitPlan, ...]) -> tuple[Row, ...]:
    """The cash price, then each prepaid package the course can use and each sliding-scale
    tier, priced by the same functions as the estimate pages."""
    scenario = named(Scenario(id="self-pay", name="-", network="self-pay"),
                     Say("Paying yourself"))
    words = Say("The clinic's cash price")
    if any(plan.has_range for plan in visits):
        low = sum((plan.cash_low * plan.count for plan in visits), Decimal(0))
        words = Say("The clinic's cash price (the high end of its price ranges; %(low)s at the "
                    "low end)", low=money(low))
    rows = [_row(config, source, course, scenario, words, "")]
    for option in self_pay_options(source, visits):
        rows.append(_option_row(option))
    return tuple(rows)


def _option_row(option: ScenarioResult) -> Row:
    """A package or sliding-scale tier; the price notes are said once, under the care."""
    return Row(option.scenario.id, capitalized(option_name(option)), "", option.scenario,
               option.estimate, option.assumptions[:1], _steps(option.estimate.visits))


def _rows(config: SiteConfig, source: ClinicSource, course: Course, pay: str,
          payer: Payer | None, visits_left: int | None) -> tuple[Row, ...]:
    """The answer table: one row per (deductible, cost sharing) that makes sense here."""
    settings = config.what_will_i_pay
    if pay == "self-pay":
        visits = tuple(visit_plan(source, v) for v in course.visits)
        return _self_pay_rows(config, source, course, visits)
    network = "in-network" if pay == "plan" else "out-of-network"
    rows = []
    for d in settings.deductible:
        for c in settings.cost_sharing:
            if network == "out-of-network" and c.copay is not None:
                continue  # out-of-network benefits pay a share of an allowance, not copays
            d_name, c_name = own_words(d, "name"), own_words(c, "name")
            scenario = Scenario.model_construct(  # of validated settings: valid as it is
                id=f"{d.id}-{c.id}", name=f"{d.name}; {c.name}", network=network,
                payer=payer.key if payer else None, deductible_remaining=d.deductible_remaining,
                coinsurance=c.coinsurance, copay=c.copay,
                copay_waives_deductible=c.copay_waives_deductible, oop_remaining=d.oop_remaining,
                visits_remaining=visits_left,
                allowed_share=settings.out_of_network_allowed_share
                if network == "out-of-network" else None)
            scenario = named(scenario, joined(d_name, "; ", c_name))
            rows.append(_row(config, source, course, scenario, d_name, c_name,
                             row_id=anchor(d.id, c.id)))
    return tuple(rows)


@dataclass(frozen=True)
class Start:
    """An answer to "when do you start?": a late month, or earlier (no new year inside)."""

    id: str
    words: str
    day: dt.date | None


MONTHS = (N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"),
          N_("July"), N_("August"), N_("September"), N_("October"), N_("November"),
          N_("December"))


def start_choices(settings: WhatWillIPay, course: Course, year: int) -> list[Start]:
    """When the course may start: 'before <month>' (the whole course in one year), the
    first month from which its visits run into the next year, and the later months of
    `start_months`. One choice (asked nowhere) when no start puts a new year inside."""
    count = sum(v.count for v in course.visits)

    def crosses(month: int) -> bool:
        return bool(course.months) and \
            course_dates(dt.date(year, month, 1), course.months, count)[-1].year > year
    first = next((m for m in range(1, 13) if crosses(m)), None)
    if first is None:
        return [Start("", "", None)]
    found = [] if first == 1 else [
        Start("earlier", Say("Before %(month)s: the whole course in %(year)s",
                             month=Say(MONTHS[first - 1]), year=year), None)]
    for month in sorted({first, *(m for m in settings.start_months if m > first)}):
        found.append(Start(MONTHS[month - 1].lower(),
                           Say("In %(month)s %(year)s", month=Say(MONTHS[month - 1]), year=year),
                           dt.date(year, month, 1)))
    return found


def course_groups(source: ClinicSource, visits: tuple[VisitPlan, ...]) -> list[str]:
    """The Medicare therapy thresholds the course's visits count toward, in THRESHOLD_GROUPS
    order ('pt_slp', 'ot')."""
    everyone = {line.service.discipline for plan in visits for line in plan.lines}
    fallback = everyone if everyone - {None} else set(source.clinic.disciplines)
    found = {threshold_group({line.service.discipline for line in plan.lines}, fallback)
             for plan in visits}
    return [g for g in dict.fromkeys(THRESHOLD_GROUPS.values()) if g in found]


GROUP_WORDS = {"pt_slp": Say("physical and speech therapy"), "ot": Say("occupational therapy")}


def so_far_choices(settings: WhatWillIPay, deductible: Decimal | None, groups: list[str]
                   ) -> list[tuple[str, str, Decimal, TherapySpent]]:
    """(id, words, deductible left, therapy spent) of "what has Medicare already counted
    this year?": nothing yet, then the deductible met with each `therapy_so_far` amount
    counted toward the course's therapy threshold(s)."""
    found = []
    if deductible:
        found.append(("nothing-yet", Say("Nothing yet: the Part B deductible is still to pay"),
                      deductible, TherapySpent()))
    kinds = Say("%(names)s", names=tuple(GROUP_WORDS[g] for g in groups)) if groups \
        else Say("therapy")
    for amount in settings.therapy_so_far:
        if not amount:
            found.append(("deductible-met", Say("Part B deductible met; no therapy yet this "
                                                "year"), Decimal(0), TherapySpent()))
            continue
        spent = TherapySpent(**{g: amount for g in groups})
        found.append((f"therapy-{amount:f}".replace(".00", ""),
                      Say("Part B deductible met; %(amount)s of %(kinds)s already",
                          amount=money(amount), kinds=kinds),
                      Decimal(0), spent))
    return found


def second_choices(settings: WhatWillIPay) -> list[tuple[str, str, str, SecondCoverage | None]]:
    """(url part, words, hint, coverage) of each answer to "other coverage?"."""
    found: list[tuple[str, str, str, SecondCoverage | None]] = [
        ("medicare-only", Say("No, only Medicare"), Say("You pay the Part B deductible and "
                                                        "%(rate)s coinsurance yourself.",
                                                        rate="20%"), None)]
    for letter in settings.medigap_plans:
        found.append((f"medigap-{letter.lower()}", Say("Medigap (Medicare Supplement) Plan "
                                                       "%(letter)s", letter=letter),
                      MEDIGAP_HINTS.get(letter, MEDIGAP_HINT),
                      SecondCoverage(type="medigap", medigap_plan=letter)))
    found.append(("medicaid", Say("Medicaid"), MEDICAID_HINT, SecondCoverage(type="medicaid")))
    other = SecondCoverage(type="commercial", coinsurance=settings.second_plan_coinsurance)
    found.append(("other-plan", Say("Another plan that pays after Medicare"), OTHER_PLAN_HINT,
                  other.model_copy(update={"name": Say("Your other plan")})))  # worded per page
    return found


def _medicare_rows(config: SiteConfig, source: ClinicSource, course: Course, payer: Payer,
                   second: SecondCoverage | None) -> tuple[Row, ...]:
    """One row per (start, what this year already counted)."""
    settings = config.what_will_i_pay
    visits = tuple(visit_plan(source, v) for v in course.visits)
    year = source.clinic.last_updated.year
    rows = []
    for start in start_choices(settings, course, year):
        for so_far_id, words, left, spent in so_far_choices(
                settings, medicare_deductible(config, source), course_groups(source, visits)):
            scenario = named(Scenario.model_construct(  # of validated settings, as above
                id="-".join(p for p in (start.id, so_far_id) if p), name="-",
                network="in-network", payer=payer.key, medicare=True,
                deductible_remaining=left, coinsurance=settings.medicare_coinsurance,
                therapy_spent=spent, second_coverage=second, start=start.day), words)
            rows.append(_row(config, source, course, scenario, words, "", start.words,
                             row_id=anchor(*(p for p in (start.id, so_far_id) if p))))
    return tuple(rows)


def care_notes(source: ClinicSource, visits: tuple[VisitPlan, ...], cash: bool
               ) -> tuple[str, ...]:
    """What the prices of the care depend on: services priced at one location only; and
    where the patient may pay cash prices (`cash`: paying yourself, a superbill, visits past
    a limit), which end of a range is counted and which visits have a price of their own."""
    said = list(price_notes(visits)) if cash else []
    for plan in visits:
        for line in plan.lines:
            where = location_of(source, line.service)
            if where is not None:
                said.append(Say("%(code)s (%(visit)s) is priced for %(place)s; its price at "
                                "another location may differ.",
                                code=f"{line.service.code_type} {line.service.code}",
                                visit=plan.name, place=place(where)))
    return tuple(dict.fromkeys(said))


def medicare_deductible(config: SiteConfig, source: ClinicSource) -> Decimal | None:
    """The Part B deductible: `what_will_i_pay.medicare_deductible` when site.yaml sets it,
    else the prices' year's from the yearly figures; None when neither says it."""
    own = config.what_will_i_pay.medicare_deductible
    figures = config.medicare_year(source.clinic.last_updated.year)
    return own if own is not None else figures.part_b_deductible if figures else None


def _pay_choices(source: ClinicSource) -> list[tuple[str, str, Payer | None, str]]:
    """(url part, text, payer, kind) of every way to pay that makes sense at this clinic."""
    found: list[tuple[str, str, Payer | None, str]] = [
        ("self-pay", Say("Paying yourself"), None, "self-pay")]
    insurance = source.clinic.insurance
    if insurance == "superbill":
        found.append(("superbill", Say("With insurance: I will claim from my plan with the "
                                       "clinic's superbill"), None, "superbill"))
    elif insurance == "in-network":
        for payer in source.schedule.payers:
            kind = "medicare" if payer.original_medicare else "plan"
            found.append((payer.slug, payer.key, payer, kind))
        found.append(("out-of-network", Say("Another plan (out of network)"), None,
                      "out-of-network"))
    return found


def _asks_visits_used(kind: str, payer: Payer | None) -> bool:
    return kind == "plan" and payer is not None and payer.visit_limit is not None


def page_count(config: SiteConfig, source: ClinicSource) -> int:
    """The pages `clinic_flow` makes, counted without pricing anything (for the cap)."""
    pays = _pay_choices(source)
    per_care = 1 if len(pays) > 1 else 0
    for _, _, payer, kind in pays if len(pays) > 1 else pays[:1]:
        per_care += (1 + len(_visits_used_choices(config.what_will_i_pay, payer))  # type: ignore
                     if _asks_visits_used(kind, payer) else
                     1 + len(second_choices(config.what_will_i_pay)) if kind == "medicare"
                     else 1)
    cares = sum(len(c.session_counts()) for c in source.schedule.courses)
    return 1 + cares * per_care


def _visits_used_choices(settings: WhatWillIPay, payer: Payer) -> list[int]:
    limit = payer.visit_limit.visits  # type: ignore[union-attr]
    return sorted({n for n in settings.visits_used if n < limit} | {0})


def clinic_flow(config: SiteConfig, source: ClinicSource) -> Flow:
    """Every page of the clinic's "What will I pay?", generated from its courses, its plans
    and site.yaml's `what_will_i_pay:` answers."""
    settings = config.what_will_i_pay
    slug = source.slug
    start = flow_url(slug)
    pays = _pay_choices(source)
    ask_pay = len(pays) > 1
    has_limits = any(_asks_visits_used(kind, payer) or kind == "medicare"
                     for _, _, payer, kind in pays)
    total = 1 + (3 if ask_pay else 0) + (1 if has_limits else 0)
    questions: list[Question] = []
    answers: list[Answer] = []
    groups = []
    for course in source.schedule.courses:
        choices = []
        for n in course.session_counts():
            part = f"{course.id}-{n}"
            target = flow_url(slug, part) if ask_pay else flow_url(slug, part, "self-pay")
            choices.append(Choice(Say("%(n)s sessions", n=n) if len(course.session_counts()) > 1
                                  else own_words(course, "name"), target))
        groups.append((own_words(course, "name"),
                       own_words(course, "description") if course.description else "",
                       tuple(choices)))
    questions.append(Question(start, 1, total, QUESTIONS[0], (), tuple(groups), None, ()))
    for course in source.schedule.courses:
        for n in course.session_counts():
            care = course.with_sessions(n)
            part = f"{course.id}-{n}"
            chose_care = Answered(QUESTIONS[0], care_name(course, n), start)
            visits = tuple(visit_plan(source, v) for v in care.visits)
            notes = care_notes(source, visits, cash=False)
            cash_notes = care_notes(source, visits, cash=True)
            pay_url = flow_url(slug, part)
            if ask_pay:
                choices = tuple(Choice(text, flow_url(slug, part, key),
                                       SELF_PAY_HINT if kind == "self-pay"
                                       else PAY_HINTS.get(kind, ""))
                                for key, text, payer, kind in pays)
                questions.append(Question(pay_url, 2, total, QUESTIONS[1], choices, (), start,
                                          (chose_care,)))
            back = pay_url if ask_pay else start
            for key, text, payer, kind in pays:
                if not ask_pay and kind != "self-pay":
                    continue
                chose_pay = Answered(QUESTIONS[1], text, pay_url)
                if _asks_visits_used(kind, payer):
                    used_url = flow_url(slug, part, key)
                    limit = payer.visit_limit  # type: ignore[union-attr]
                    used = _visits_used_choices(settings, payer)  # type: ignore[arg-type]
                    questions.append(Question(
                        used_url, 3, total, QUESTIONS[2],
                        tuple(Choice(_used_words(u), flow_url(slug, part, key, f"used-{u}"))
                              for u in used),
                        ((Say("%(plan)s covers %(visits)s visits per %(period)s of %(names)s",
                              plan=payer.key, visits=limit.visits, period=Say(limit.period),
                              names=therapies(limit.shared_by)) if limit.shared_by else
                          Say("%(plan)s covers %(visits)s visits per %(period)s",
                              plan=payer.key, visits=limit.visits, period=Say(limit.period)),
                          Say("Count only the visits of those therapies this year."), ()),),
                        pay_url, (chose_care, chose_pay)))
                    for u in used:
                        answers.append(Answer(
                            flow_url(slug, part, key, f"used-{u}"),
                            joined(chose_care.answer, ", ", text),
                            kind, payer, care, visits,
                            _rows(config, source, care, kind, payer, limit.visits - u),
                            used_url, (chose_care, chose_pay,
                                       Answered(QUESTIONS[2], _used_words(u), used_url)),
                            notes=cash_notes))
                    continue
                if kind == "medicare":
                    second_url = flow_url(slug, part, key)
                    seconds = second_choices(settings)
                    questions.append(Question(
                        second_url, 3, total, SECOND_QUESTION,
                        tuple(Choice(words, flow_url(slug, part, key, sub), hint)
                              for sub, words, hint, _ in seconds), (),
                        pay_url, (chose_care, chose_pay)))
                    for sub, words, _, second in seconds:
                        rows = _medicare_rows(config, source, care, payer, second)  # type: ignore
                        name = second_coverage(second).name if second else ""  # type: ignore
                        title = (Say("%(care)s, %(pay)s and %(second)s", care=chose_care.answer,
                                     pay=text, second=name) if second else
                                 Say("%(care)s, %(pay)s only", care=chose_care.answer, pay=text))
                        answers.append(Answer(
                            flow_url(slug, part, key, sub), title, kind, payer, care, visits,
                            rows, second_url, (chose_care, chose_pay,
                                               Answered(SECOND_QUESTION, words, second_url)),
                            name, notes))
                    continue
                rows = _rows(config, source, care, kind, payer, None)
                answers.append(Answer(
                    flow_url(slug, part, key), joined(chose_care.answer, ", ", text), kind,
                    payer, care, visits, rows, back,
                    (chose_care, chose_pay) if ask_pay else (chose_care,),
                    notes=cash_notes if kind in ("self-pay", "superbill") else notes))
    return Flow(start, tuple(questions), tuple(answers))


def _used_words(n: int) -> str:
    return Say("None yet") if n == 0 else Say("%(n)s visits", n=n)


def check_page_counts(config: SiteConfig, clinics: list[ClinicSource],
                      diags: Diagnostics) -> None:
    """A clinic whose tree would pass `max_pages_per_clinic` fails the build, at the
    course lengths that multiply it, naming the settings that shrink it."""
    cap = config.what_will_i_pay.max_pages_per_clinic
    for source in clinics:
        if source.clinic.insurance == "in-network" and not source.schedule.courses:
            continue
        count = page_count(config, source)
        if count > cap:
            line, col = source.positions.of(("courses",), key=True)  # type: ignore[attr-defined]
            diags.error(source.path, line, col, f"\"What will I pay?\" would make {count} pages "
                        f"for this clinic (got {count}, the limit is {cap})",
                        "offer fewer lengths: in its courses or fewer plans, shorten "
                        "what_will_i_pay.visits_used (or medigap_plans, for Medicare) in "
                        "site.yaml, or raise "
                        "what_will_i_pay.max_pages_per_clinic there")
