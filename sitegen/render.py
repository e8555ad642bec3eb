"""Stage `render`: Jinja2 templates to HTML bytes, with the filters pages share.

Autoescape is on and undefined names fail loudly (StrictUndefined), so a template bug
is a build error rather than a blank cell on a price page.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from sitegen.formats import DISCIPLINE_NAMES, SETTING_NAMES, long_date, money, percent
from sitegen.model import MODIFIERS
from sitegen.routes import Route
from sitegen.urls import absolute_url, anchor, relative_url

__all__ = ["DISCIPLINE_NAMES", "SETTING_NAMES", "long_date", "money", "percent",
           "make_environment", "render_route"]  # the formats stay importable from here


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


def make_environment(templates: Path, figures: Any = None) -> jinja2.Environment:
    """The templates' environment; `figures` (figures.Figures) gives `figure('NAME')`, a
    yearly figure as text, checked to exist before anything renders."""
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
                       MODIFIERS=MODIFIERS, anchor=anchor,
                       guide=guide_link, term=term_link)
    if figures is not None:
        env.globals["figure"] = figures.text
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
