"""Shortcodes: computed examples inside editors' Markdown, without running template code.

    {{< estimate clinic="riverside-hand-ot" course="eval-and-12" scenario="copay" >}}
    {{< price clinic="riverside-hand-ot" service="ot-eval-moderate" >}}
    {{< price clinic="riverside-hand-ot" service="ot-eval-moderate" show="cash" >}}
    {{< figure medicare.part_b_deductible >}}   (a yearly figure of figures/<YEAR>.yaml)

Each is replaced by a placeholder before Markdown runs and by escaped HTML after it, so
Markdown cannot mangle the HTML and editors cannot inject any. Unknown names are located
build errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from sitegen.diagnostics import Diagnostics, did_you_mean
from sitegen.estimates import own_words, price_course, scenario_name, scenarios_for
from sitegen.figures import Figures
from sitegen.formats import money
from sitegen.i18n import N_, Say, current_language, gettext_for, here
from sitegen.model import ClinicSource, SiteConfig
from sitegen.tables import median_rate
from sitegen.urls import anchor, clinic_url, estimates_url, relative_url, setting_url
from sitegen.yamlsrc import visible

SHORTCODE = re.compile(r"\{\{<\s*(?P<name>[a-z-]+)"
                       r"(?P<args>(?:\s+(?:[a-z_]+=\"[^\"\n]*\"|[A-Za-z0-9_.-]+))*)\s*>\}\}")
ARG = re.compile(r"([a-z_]+)=\"([^\"\n]*)\"")
POSITIONAL = re.compile(r"(?:^|\s)([A-Za-z0-9_.-]+)(?=\s|$)")
SHOW = {"gross": "gross_charge", "cash": "cash_price"}
ARGS = {"estimate": ("clinic", "course", "scenario", "show"),
        "price": ("clinic", "service", "show"),
        "figure": ()}


@dataclass
class Expansion:
    body: str
    html: dict[str, str] = field(default_factory=dict)

    def restore(self, html: str) -> str:
        for token, fragment in self.html.items():
            html = html.replace(f"<p>{token}</p>", fragment).replace(token, fragment)
        return html


def expand(body: str, body_line: int, page_url: str, display: str,
           clinics: dict[str, ClinicSource], config: SiteConfig,
           diags: Diagnostics, broken: set[str] = frozenset(),
           figures: Figures | None = None) -> Expansion:
    """Replace each shortcode with a placeholder; shortcodes naming a clinic in `broken`
    (its file has errors of its own) render nothing and report nothing more."""
    expansion = Expansion(body)
    pieces: list[str] = []
    last = 0
    matches = list(SHORTCODE.finditer(body))
    _unparsed(body, body_line, {m.start() for m in matches}, display, diags)
    for n, match in enumerate(matches):
        line, col = _position(body, match.start(), body_line)

        def error(message: str, hint: str, line: int = line, col: int = col) -> None:
            diags.error(display, line, col, message, hint)

        token = f"sitegenshortcode{n}x"
        clinic = dict(ARG.findall(match.group("args"))).get("clinic")
        if match.group("name") == "figure":
            fragment = _figure(match, figures or Figures(), error)
        else:
            fragment = "" if clinic in broken else _render(match, page_url, clinics, config,
                                                           error)
        pieces.append(body[last:match.start()] + token)
        expansion.html[token] = fragment
        last = match.end()
    expansion.body = "".join(pieces) + body[last:]
    return expansion


def _position(body: str, index: int, body_line: int) -> tuple[int, int]:
    return (body_line + body.count("\n", 0, index),
            index - (body.rfind("\n", 0, index) + 1) + 1)


def _unparsed(body: str, body_line: int, parsed: set[int], display: str,
              diags: Diagnostics) -> None:
    """A '{{<' that does not start a shortcode would be published as literal text: an
    error at its line, with the syntax that works."""
    for opening in re.finditer(r"\{\{\s*<", body):
        if opening.start() in parsed:
            continue
        end = body.find(">}}", opening.start())
        newline = body.find("\n", opening.start())
        text = body[opening.start():end + 3] if end >= 0 and (newline < 0 or end < newline) \
            else body[opening.start():newline if newline >= 0 else len(body)]
        why = ("values must be in double quotes" if "='" in text or "= '" in text else
               "it is not closed with '>}}' on the same line" if not text.endswith(">}}") else
               "it is not written the way shortcodes are")
        diags.error(display, *_position(body, opening.start(), body_line),
                    f"this shortcode cannot be read: {why} (got \"{visible(text, 80)}\")",
                    'write it on one line as {{< price clinic="clinic-file" service="id" >}}: '
                    "a lower-case name, then key=\"value\" pairs in double quotes")


def _render(match: re.Match, page_url: str, clinics: dict[str, ClinicSource],
            config: SiteConfig, error) -> str:
    name = match.group("name")
    if name not in ARGS:
        error(f"unknown shortcode '{name}'", did_you_mean(name, ARGS) or
              "use estimate, price or figure (see the README)")
        return ""
    args = dict(ARG.findall(match.group("args")))
    loose = POSITIONAL.findall(ARG.sub(" ", match.group("args")))
    if loose:
        error(f"'{loose[0]}' needs a name in shortcode '{name}'",
              "write every argument as name=\"value\", like clinic=\"...\"")
        return ""
    for key in args:
        if key not in ARGS[name]:
            error(f"unknown argument '{key}' of shortcode '{name}'",
                  did_you_mean(key, ARGS[name]) or "use " + ", ".join(ARGS[name]))
            return ""
    source = _find(args, "clinic", clinics, error)
    if source is None:
        return ""
    if name == "estimate":
        return _estimate(args, source, page_url, config, error)
    return _price(args, source, page_url, error)


def _figure(match: re.Match, figures: Figures, error) -> str:
    """A yearly figure by name, as text: {{< figure medicare.part_b_deductible >}}."""
    names = POSITIONAL.findall(ARG.sub(" ", match.group("args")))
    if len(names) != 1 or ARG.search(match.group("args")):
        error("the figure shortcode takes one figure name",
              "write it like {{< figure medicare.part_b_deductible >}}")
        return ""
    problem = figures.problem(names[0])
    if problem is not None:
        error(*problem)
        return ""
    return str(escape(figures.text(names[0])))


def _find(args: dict[str, str], key: str, options: dict, error):
    value = args.get(key)
    if value is None:
        error(f"the shortcode needs {key}=\"...\"", f"add {key}=\"<id>\"")
        return None
    if value not in options:
        error(f"unknown {key} '{value}'", did_you_mean(value, options) or
              (f"use one of: {', '.join(sorted(options))}" if options else
               f"there is no {key} yet that it could name"))
        return None
    return options[value]


def _estimate(args, source: ClinicSource, page_url: str, config: SiteConfig, error) -> str:
    course = _find(args, "course", {c.id: c for c in source.schedule.courses}, error)
    scenario = _find(args, "scenario", {s.id: s for s in scenarios_for(config, source)}, error)
    if course is None or scenario is None:
        return ""
    show = args.get("show")
    if show not in (None, "visits"):
        error(f"unknown show '{show}' of shortcode 'estimate'",
              "use show=\"visits\" for the visit-by-visit table, or leave it out")
        return ""
    result = price_course(source, course, scenario, config)
    link = relative_url(page_url,
                        f"{estimates_url(source.slug)}#{anchor(course.id, scenario.id)}")
    name = own_words(course, "name").worded(current_language())
    situation = scenario_name(scenario).worded(current_language())
    note = Markup(str(escape(here("Computed from the clinic's prices as of %(date)s.",
                                  date=source.clinic.last_updated))).replace("&#39;", "'"))
    if show == "visits":
        return _visits_table(result, name, source.clinic.name, situation, link, note)
    second = scenario.second_coverage is not None
    return Markup(
        '<table class="estimate-example">\n<caption>{caption}</caption>\n<thead><tr><th '
        'scope="col" class="num">{you_pay}</th><th scope="col" class="num">{plan_pays}</th>'
        '{second_head}<th scope="col" class="num">{total_word}</th></tr></thead>\n<tbody><tr>'
        '<td class="num you" data-label="{you_pay}">{you}</td><td class="num" '
        'data-label="{plan_pays}">{plan}</td>{second_cell}<td class="num" '
        'data-label="{total_word}">{total}</td></tr></tbody>\n</table>\n<p class="note">'
        '{note} <a href="{link}">{see}</a>.</p>\n').format(
        caption=here("Example: %(course)s at %(clinic)s. %(scenario)s", course=name,
                     clinic=source.clinic.name, scenario=situation),
        you_pay=here("You pay"), plan_pays=here("Your plan pays"), total_word=here("Total"),
        you=money(result.patient_total), plan=money(result.plan_total),
        second_head=Markup('<th scope="col" class="num">{}</th>').format(
            here("Second coverage pays")) if second else "",
        second_cell=Markup('<td class="num" data-label="{}">{}</td>').format(
            here("Second coverage pays"), money(result.second_total)) if second else "",
        total=money(result.total), note=note, link=link,
        see=here("See the assumptions and each visit"))


def _visits_table(result, course: str, clinic: str, scenario: str, link: str,
                  note: str) -> str:
    """The visit-by-visit breakdown, with runs of identical visits on one row, so a worked
    example in a guide is computed by the engine instead of by hand."""
    rows: list[list] = []  # [first, last, cost]
    for number, cost in enumerate(result.visits, start=1):
        same = rows and rows[-1][2].name == cost.name and rows[-1][2].patient == cost.patient \
            and rows[-1][2].plan == cost.plan and rows[-1][2].explanation == cost.explanation
        if same:
            rows[-1][1] = number
        else:
            rows.append([number, number, cost])
    lang = current_language()
    words = {"visits": here("Visits"), "visit": here("Visit"), "you_pay": here("You pay"),
             "plan_pays": here("Your plan pays"), "why": here("Why")}
    body = Markup("").join(Markup(
        '<tr><th scope="row" data-label="{visits}">{which}</th><td data-label="{visit}">'
        '{name}</td><td class="num you" data-label="{you_pay}">{you}</td><td class="num" '
        'data-label="{plan_pays}">{plan}</td><td data-label="{why}">{why_text}</td></tr>\n'
        ).format(
        which=f"{first}" if first == last else here("%(first)s and %(last)s", first=first,
                                                    last=last)
        if last == first + 1 else here("%(first)s to %(last)s", first=first, last=last),
        name=_worded(cost.name, lang),
        you=money(cost.patient) if first == last else here("%(amount)s each",
                                                           amount=money(cost.patient)),
        plan=money(cost.plan) if first == last else here("%(amount)s each",
                                                         amount=money(cost.plan)),
        why_text=_worded(cost.explanation, lang), **words)
        for first, last, cost in rows)
    return Markup(
        '<div class="table-wrap"><table class="estimate-example">\n<caption>{caption}'
        '</caption>\n<thead><tr><th scope="col">{visits}</th><th scope="col">{visit}</th>'
        '<th scope="col" class="num">{you_pay}</th><th scope="col" class="num">{plan_pays}'
        '</th><th scope="col">{why}</th></tr></thead>\n<tbody>\n{body}<tr><th scope="row" '
        'data-label="{visits}">{all}</th><td data-label="{visit}">{total_word}</td><td '
        'class="num you" data-label="{you_pay}">{you}</td><td class="num" '
        'data-label="{plan_pays}">{plan}</td><td data-label="{why}"></td></tr>\n</tbody>\n'
        '</table></div>\n<p class="note">{note} <a href="{link}">{see}</a>.</p>\n').format(
        caption=here("Example, visit by visit: %(course)s at %(clinic)s. %(scenario)s",
                     course=course, clinic=clinic, scenario=scenario),
        body=body, all=here("All %(count)s", count=len(result.visits)),
        total_word=here("Total"), you=money(result.patient_total),
        plan=money(result.plan_total), note=note, link=link,
        see=here("See all the assumptions"), **words)


def _worded(text: str, lang: str) -> str:
    """A sentence the estimate engine worded (an i18n.Say), in `lang`."""
    return text.worded(lang) if isinstance(text, Say) else text


def rate_range(service) -> str:
    """The negotiated rates as the cost table's cell shows them: '$31.05 to $36.80 (5 plans)'."""
    rates = sorted(service.negotiated.values())
    if not rates:
        return here("No plan rates")
    if len(rates) == 1:
        return here("%(rate)s (1 plan)", rate=money(rates[0]))
    return here("%(low)s to %(high)s (%(count)s plans)", low=money(rates[0]),
                high=money(rates[-1]), count=len(rates))


def _said(msgid: str, **values: object) -> Markup:
    """`msgid`, HTML marked with `N_`, in the language of the page being made; its values
    escaped (a Say's keep their lang="en" marks)."""
    return Markup(gettext_for(current_language())(msgid)) % values


def _price(args, source: ClinicSource, page_url: str, error) -> str:
    service = _find(args, "service", {s.id: s for s in source.schedule.services}, error)
    if service is None:
        return ""
    show = args.get("show")
    if show is not None:
        if show not in (*SHOW, "median", "range"):
            error(f"unknown show '{show}'", "use gross, cash, median or range")
            return ""
        if show == "range":
            return str(escape(rate_range(service)))
        amount = median_rate(service) if show == "median" else getattr(service, SHOW[show])
        return str(escape(money(amount)))
    setting = service.settings[0]
    link = relative_url(page_url, f"{setting_url(source.slug, setting)}#{service.id}")
    median = median_rate(service)
    plans = (_said(N_("; in-network plans pay %(low)s to %(high)s"),
                   low=money(min(service.negotiated.values())),
                   high=money(max(service.negotiated.values())))
             if median is not None else "")
    cash = (_said(N_("%(low)s to %(high)s"), low=money(service.cash_price),
                  high=money(service.cash_price_max))
            if service.cash_price_max else money(service.cash_price))
    return _said(N_('<a href="%(link)s">%(what)s</a> (%(code)s) at <a href="%(clinic_link)s">'
                    '%(clinic)s</a>: gross charge %(gross)s, cash price %(cash)s%(plans)s'),
                 link=link, what=own_words(service, "description").html(current_language()),
                 code=f"{service.code_type} {service.display_code}",
                 clinic_link=relative_url(page_url, clinic_url(source.slug)),
                 clinic=source.clinic.name, gross=money(service.gross_charge), plans=plans,
                 cash=cash)
