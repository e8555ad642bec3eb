"""Stage `plan`: the route table, the one place that decides which pages exist, where
they are written and which template and view each one renders.

It reads the clinics' views (`views`) and never computes prices itself; the URL
functions live in `urls` (re-exported here for modules written before the split).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sitegen.gfe import notice
from sitegen.model import Site
from sitegen.plans import limit_words
from sitegen.tables import service_index, service_title
from sitegen.urls import (  # noqa: F401 - re-exported
    absolute_url,
    asset_url,
    base_path,
    bill_check_url,
    clinic_file_url,
    clinic_url,
    clinics_url,
    content_url,
    estimates_url,
    flow_url,
    gfe_url,
    glossary_url,
    home_url,
    page_output,
    plan_url,
    price_history_url,
    price_transparency_url,
    relative_url,
    service_url,
    services_url,
    setting_url,
    sliding_scale_url,
)
from sitegen.views import ClinicView


@dataclass(frozen=True)
class Route:
    url: str
    output: str
    template: str
    context: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    in_sitemap: bool = True
    lastmod: str | None = None   # the data's date, for the sitemap
    lang: str = "en"
    prefix: str = ""  # 'es/' for a page of a language other than the site's default

    @property
    def page(self) -> str:
        """The URL of the same page in the default language (its alternates' common key)."""
        return self.url.removeprefix(self.prefix)

    def in_language(self, lang: str, prefix: str) -> Route:
        """This page in `lang`, under `prefix` ('es/'), with the same page map."""
        url = prefix + self.url
        return Route(url, page_output(url) if self.url != "404.html" else url, self.template,
                     self.context, self.in_sitemap, self.lastmod, lang, prefix)


def _page(url: str, template: str, context: dict[str, Any] | None = None,
          lastmod: str | None = None) -> Route:
    return Route(url, page_output(url), template, context or {}, lastmod=lastmod)


def clinic_routes(view: ClinicView, gfe_notice: object) -> list[Route]:
    """The pages of one clinic, in the order of the route table."""
    source, slug = view.source, view.slug
    date = source.clinic.last_updated.isoformat()
    routes = [_page(clinic_url(slug), "clinic.html",
                    {"source": source, "jsonld": view.jsonld, "limit_words": limit_words}, date),
              _page(price_transparency_url(slug), "price-transparency.html",
                    {"source": source, "downloads": view.downloads}, date)]
    for setting, rows in view.tables:
        routes.append(_page(setting_url(slug, setting), "setting.html",
                            {"source": source, "setting": setting, "rows": rows,
                             "upcoming": view.upcoming}, date))
    if view.history is not None:
        routes.append(_page(price_history_url(slug), "price-history.html",
                            {"source": source, "diffs": view.history[0],
                             "periods": view.history[1]}, date))
    if view.sliding is not None:
        routes.append(_page(sliding_scale_url(slug), "sliding-scale.html",
                            {"source": source, **view.sliding}, date))
    if view.courses:
        routes.append(_page(estimates_url(slug), "estimates.html",
                            {"source": source, "courses": view.courses}, date))
    routes.append(_page(gfe_url(slug), "good-faith-estimate.html",
                        {"source": source, "notice": gfe_notice, "estimates": view.estimates},
                        date))
    routes.append(_page(bill_check_url(slug), "bill-above-estimate.html",
                        {"source": source, "example": view.bill_example}, date))
    for plan in view.plans:
        routes.append(_page(plan_url(slug, plan.payer.slug), "plan.html",
                            {"source": source, "plan": plan}, date))
    flow = view.flow
    for question in flow.questions:
        routes.append(_page(question.url, "flow-question.html",
                            {"source": source, "flow": flow, "question": question}, date))
    for answer in flow.answers:
        routes.append(_page(answer.url, "flow-answer.html",
                            {"source": source, "flow": flow, "answer": answer,
                             "notice": gfe_notice}, date))
    return routes


def plan_routes(site: Site, views: Sequence[ClinicView],
                known: Mapping[str, list[Route]] | None = None) -> list[Route]:
    """Every HTML page of the site, with the context its template needs; `known` gives the
    routes of clinics carried over from the last build (not rendered, so not planned)."""
    gfe_notice = notice(site.config, site.lang)
    routes = [_page(home_url(), "index.html")]
    codes: dict[str, list] = {}
    for view in views:
        carried = (known or {}).get(view.slug)
        routes += carried if carried is not None else clinic_routes(view, gfe_notice)
        for _, rows in view.tables:
            for row in rows:
                codes.setdefault(row.service.code, []).append((view.source, row))
    if len(views) > 1:
        routes.append(_page(clinics_url(), "clinics.html", {"clinics": [
            {"source": view.source, "downloads": view.downloads} for view in views]}))
    routes.append(_page(gfe_url(), "good-faith-estimate.html", {"notice": gfe_notice}))
    for code, entries in sorted(codes.items()):
        routes.append(_page(service_url(code), "service.html",
                            {"code": code, "entries": entries, "title": service_title(entries)}))
    routes.append(_page(services_url(), "services.html", {"services": service_index(codes)}))
    for page in site.pages:
        if page.meta.draft:
            continue
        routes.append(_page(page.url, "guide.html", {"page": page}))
    routes.append(Route("404.html", "404.html", "404.html", in_sitemap=False))
    return routes
