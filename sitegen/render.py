"""Stage `render`: Jinja2 templates to HTML bytes, with the filters pages share.

Autoescape is on and undefined names fail loudly (StrictUndefined), so a template bug
is a build error rather than a blank cell on a price page.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from sitegen.model import MODIFIERS
from sitegen.routes import Route, absolute_url, relative_url

SETTING_NAMES = {
    "evaluation": "Evaluations",
    "outpatient": "Outpatient therapy",
    "telehealth": "Telehealth",
    "inpatient": "Inpatient therapy",
}
DISCIPLINE_NAMES = {"OT": "Occupational therapy", "PT": "Physical therapy",
                    "SLP": "Speech-language therapy"}


def money(amount: Decimal | None) -> str:
    """$1,234.50 (half-up to cents); an em dash when there is no amount."""
    if amount is None:
        return "—"
    return f"${amount.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"


def long_date(value: dt.date) -> str:
    return f"{value:%B} {value.day}, {value.year}"


def percent(fraction: Decimal) -> str:
    return f"{(fraction * 100).normalize():f}%"


@jinja2.pass_context
def guide_link(context: Any, slug: str, text: str) -> Markup:
    """A link to guides/<slug>.md when the site has that guide, else the plain words, so
    the default templates work for sites with fewer guides."""
    page = context["site"].page(f"guides/{slug}.md")
    if page is None or page.meta.draft:
        return escape(text)
    return Markup('<a href="{}">{}</a>').format(context["url"](page.url), text)


@jinja2.pass_context
def term_link(context: Any, term_id: str, text: str) -> Markup:
    """A link to the glossary entry `term_id` when the glossary has it, else plain words."""
    page = context["site"].page("glossary.md")
    if page is None or page.meta.draft or term_id not in {i for i, _ in page.toc}:
        return escape(text)
    return Markup('<a href="{}">{}</a>').format(context["url"](f"{page.url}#{term_id}"), text)


def make_environment(templates: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(money=money, date=long_date, percent=percent)
    env.globals.update(SETTING_NAMES=SETTING_NAMES, DISCIPLINE_NAMES=DISCIPLINE_NAMES,
                       MODIFIERS=MODIFIERS,
                       guide=guide_link, term=term_link)
    return env


def link_function(route: Route, base_url: str):
    """`url(...)` in templates: relative links, or base-path links on the 404 page,
    which is served at whatever depth the missing URL had."""
    if route.url == "404.html":
        return partial(absolute_url, base_url)
    return partial(relative_url, route.url)


def render_route(env: jinja2.Environment, route: Route, shared: dict[str, Any],
                 base_url: str) -> bytes:
    template = env.get_template(route.template)
    context = {**shared, **route.context, "page_url": route.url,
               "url": link_function(route, base_url),
               "canonical": absolute_url(base_url, route.url, full=True)}
    return template.render(context).encode("utf-8")
