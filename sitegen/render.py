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

from sitegen import i18n
from sitegen.formats import DISCIPLINE_NAMES, N_, SETTING_NAMES, long_date, money, percent
from sitegen.model import MODIFIERS
from sitegen.routes import Route
from sitegen.urls import absolute_url, anchor, language_url, relative_url

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


@jinja2.pass_context
def local_text(context: Any, item: Any, field: str) -> Markup | str:
    """A fee schedule's own words (`field` of a service, session or course) in the page's
    language: its `translations:` entry, else the English text marked as English."""
    lang = context["lang"]
    english = getattr(item, field)
    if lang == context["config"].site_languages[0] or isinstance(english, i18n.Say):
        return english  # a Say (sitegen's own words) is worded in the page's language
    entry = (getattr(item, "translations", None) or {}).get(lang)
    text = entry.get(field) if isinstance(entry, dict) else getattr(entry, field, None)
    if text:
        return text
    if english == i18n.default_of(item, field):  # sitegen's own default wording
        return i18n.translations(lang).gettext(english)
    return Markup('<span lang="en">{}</span> {}').format(
        english, i18n.translations(lang).gettext(N_("(in English)")))


def _newstyle_gettext(func: Any) -> Any:
    """Jinja's new-style `gettext` (and `_`, its alias), as `jinja2.ext` words it, called
    directly: its alias and wrapper call through the context twice per message, a tenth
    of a cold build's time, for the same Markup."""
    @jinja2.pass_context
    def gettext(context: Any, string: str, /, **variables: Any) -> str:
        said = func(string)
        if context.eval_ctx.autoescape:
            said = Markup(said)
        return said % variables  # a format string even without variables, as jinja2.ext does
    return gettext


def make_environment(templates: Path, lang: str = i18n.DEFAULT, figures: Any = None
                     ) -> jinja2.Environment:
    """The templates in `lang`: its catalog behind `_()`/`{% trans %}`, its formats;
    `figures` (figures.Figures) gives `figure('NAME')`, a yearly figure as text, checked
    to exist before anything renders."""
    env = jinja2.Environment(
        extensions=["jinja2.ext.i18n"],
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    gettext = i18n.translations(lang)
    fmt = lang if lang in i18n.BABEL_LOCALES else i18n.DEFAULT  # formats: English for others
    env.install_gettext_translations(gettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals["_"] = env.globals["gettext"] = _newstyle_gettext(gettext.gettext)
    env.filters.update(money=partial(i18n.money, lang=fmt),
                       date=partial(i18n.long_date, lang=fmt),
                       percent=partial(i18n.percent, lang=fmt),
                       number=partial(i18n.number, lang=fmt),
                       tr=gettext.gettext,  # data words in the catalog (units), escaped
                       continued=i18n.lowered)  # a question inside a sentence: "do you ..."
    env.globals.update(SETTING_NAMES={k: gettext.gettext(v) for k, v in SETTING_NAMES.items()},
                       DISCIPLINE_NAMES={k: gettext.gettext(v)
                                         for k, v in DISCIPLINE_NAMES.items()},
                       lang=lang, LANGUAGE_NAMES=i18n.NAMES,
                       MODIFIERS=MODIFIERS, anchor=anchor,
                       guide=guide_link, local=local_text, term=term_link)
    if figures is not None:
        env.globals["figure"] = figures.text
    return env


def link_function(route: Route, base_url: str):
    """`url(...)` in templates: relative links, or base-path links on the 404 pages,
    which are served at whatever depth the missing URL had. Templates name pages by
    their default-language URL; a page in another language links to its own language's
    pages (and to the one copy of the stylesheet and the price files)."""
    def url(target: str) -> str:
        target = language_url(target, route.lang, route.prefix)
        if route.url.endswith("404.html"):
            return absolute_url(base_url, target)
        return relative_url(route.url, target)
    return url


def render_route(env: jinja2.Environment, route: Route, shared: dict[str, Any],
                 base_url: str, languages: tuple[str, ...] = (i18n.DEFAULT,)) -> bytes:
    template = env.get_template(route.template)
    versions = [(lang, language_url(route.page, lang, "" if lang == languages[0] else lang + "/"))
                for lang in languages] if len(languages) > 1 else []
    alternates = [(lang, absolute_url(base_url, url, full=True)) for lang, url in versions]
    here = route.url.endswith("404.html")
    switch = [(lang, i18n.NAMES.get(lang, lang), absolute_url(base_url, url) if here
               else relative_url(route.url, url)) for lang, url in versions if lang != route.lang]
    context = {**shared, **route.context, "page_url": route.url,
               "url": link_function(route, base_url), "alternates": alternates,
               "other_languages": switch,
               "canonical": absolute_url(base_url, route.url, full=True)}
    with i18n.page_language(route.lang):  # Python's sentences (i18n.Say) in this language
        return template.render(context).encode("utf-8")
