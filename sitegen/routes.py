"""Stage `plan`: the one place that decides URLs and output paths.

URLs here are site-relative ('' is the home page, 'clinics/x/' a clinic). Pages link to
each other with relative URLs (`relative_url`), so the site works under any base path;
the 404 page, served at any depth, uses `absolute_url` with the base path instead.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Route:
    url: str
    output: str
    template: str
    context: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    in_sitemap: bool = True


def page_output(url: str) -> str:
    """Pretty URLs: 'guides/x/' is written to 'guides/x/index.html'."""
    return url + "index.html" if url.endswith("/") or url == "" else url


def home_url() -> str:
    return ""


def clinic_url(slug: str) -> str:
    return f"clinics/{slug}/"


def setting_url(slug: str, setting: str) -> str:
    return f"clinics/{slug}/{setting}/"


def estimates_url(slug: str) -> str:
    return f"clinics/{slug}/estimates/"


def price_history_url(slug: str) -> str:
    return f"clinics/{slug}/price-history/"


def sliding_scale_url(slug: str) -> str:
    return f"clinics/{slug}/sliding-scale/"


def gfe_url(slug: str | None = None) -> str:
    """The good faith estimate notice: a clinic's (with its printable estimates), or the
    site's page that leads to every clinic's."""
    return f"clinics/{slug}/good-faith-estimate/" if slug else "good-faith-estimate/"


def bill_check_url(slug: str) -> str:
    """How to check a bill from the clinic against its good faith estimate."""
    return f"clinics/{slug}/good-faith-estimate/bill-above-estimate/"


def price_transparency_url(slug: str) -> str:
    """The page that offers a clinic's price files (the footer's "Price Transparency")."""
    return f"clinics/{slug}/price-transparency/"


def clinic_file_url(slug: str, name: str) -> str:
    """A clinic's downloadable file: prices.json, prices.csv, the CMS files."""
    return f"clinics/{slug}/{name}"


def plan_url(slug: str, plan_slug: str) -> str:
    """One payer plan's rates and course costs at one clinic."""
    return f"clinics/{slug}/plans/{plan_slug}/"


def services_url() -> str:
    """The A-Z index of every service on the site."""
    return "services/"


def service_url(code: str) -> str:
    return f"services/{code.lower()}/"


def content_url(source: str) -> str:
    """'guides/deductibles.md' -> 'guides/deductibles/'; 'glossary.md' -> 'glossary/'."""
    stem = source.removesuffix(".md")
    if stem == "index":
        return ""
    return stem.removesuffix("/index") + "/"


def glossary_url(term_id: str) -> str:
    return f"glossary/#{term_id}"


def asset_url(name: str) -> str:
    return f"assets/{name}"


def relative_url(from_url: str, to_url: str) -> str:
    """A link from page `from_url` to `to_url` (both site-relative, '#frag' allowed)."""
    target, _, fragment = to_url.partition("#")
    base = posixpath.dirname(page_output(from_url)) or "."
    if target == "":
        rel = posixpath.relpath(".", base) + "/"
    else:
        rel = posixpath.relpath(target, base) + ("/" if target.endswith("/") else "")
    if rel.startswith("./") and len(rel) > 2:
        rel = rel[2:]
    if target == from_url and fragment:
        return "#" + fragment
    return rel + ("#" + fragment if fragment else "")


def base_path(base_url: str) -> str:
    """'https://example.org/repo' -> '/repo/' (always with slashes on both ends)."""
    path = urlsplit(base_url).path or "/"
    return path if path.endswith("/") else path + "/"


def absolute_url(base_url: str, url: str, *, full: bool = False) -> str:
    """Link with the base path (for the 404 page), or with scheme and host (for sitemaps)."""
    if full:
        return base_url.rstrip("/") + "/" + url
    return base_path(base_url) + url


def plan_routes(site) -> list[Route]:
    """Every HTML page of the site, with the context its template needs."""
    from sitegen.estimates import estimate_courses
    from sitegen.flow import clinic_flow
    from sitegen.gfe import bill_example, clinic_estimates, notice
    from sitegen.history import history, periods, upcoming_changes
    from sitegen.jsonld import clinic_jsonld
    from sitegen.plans import limit_words, plan_views
    from sitegen.pricefiles import downloads
    from sitegen.selfpay import clinic_state, income_table
    from sitegen.tables import price_rows, service_index, service_title

    routes = [Route(home_url(), page_output(home_url()), "index.html")]
    codes: dict[str, list] = {}
    for source in site.clinics:
        slug = source.slug
        routes.append(Route(clinic_url(slug), page_output(clinic_url(slug)), "clinic.html",
                            {"source": source, "limit_words": limit_words,
                             "jsonld": clinic_jsonld(source, site.config.base_url)}))
        routes.append(Route(price_transparency_url(slug),
                            page_output(price_transparency_url(slug)), "price-transparency.html",
                            {"source": source, "downloads": downloads(source)}))
        upcoming = upcoming_changes(source)
        for setting in source.settings():
            rows = price_rows(source, setting)
            for row in rows:
                codes.setdefault(row.service.code, []).append((source, row))
            routes.append(Route(setting_url(slug, setting),
                                page_output(setting_url(slug, setting)), "setting.html",
                                {"source": source, "setting": setting, "rows": rows,
                                 "upcoming": upcoming}))
        if source.editions:
            routes.append(Route(price_history_url(slug), page_output(price_history_url(slug)),
                                "price-history.html",
                                {"source": source, "diffs": history(source),
                                 "periods": periods(source)}))
        scale = source.schedule.sliding_scale
        guidelines = site.config.poverty_guidelines
        if scale is not None and guidelines is not None:
            state = clinic_state(source)
            routes.append(Route(sliding_scale_url(slug), page_output(sliding_scale_url(slug)),
                                "sliding-scale.html",
                                {"source": source, "scale": scale, "guidelines": guidelines,
                                 "state": state,
                                 "incomes": income_table(guidelines, state, scale.tiers)}))
        courses = estimate_courses(site.config, source)
        if courses:
            routes.append(Route(estimates_url(slug), page_output(estimates_url(slug)),
                                "estimates.html", {"source": source, "courses": courses}))
        routes.append(Route(gfe_url(slug), page_output(gfe_url(slug)), "good-faith-estimate.html",
                            {"source": source, "notice": notice(site.config),
                             "estimates": clinic_estimates(source)}))
        routes.append(Route(bill_check_url(slug), page_output(bill_check_url(slug)),
                            "bill-above-estimate.html",
                            {"source": source, "example": bill_example(source)}))
        for view in plan_views(site.config, source):
            url = plan_url(slug, view.payer.slug)
            routes.append(Route(url, page_output(url), "plan.html",
                                {"source": source, "plan": view}))
        flow = clinic_flow(site.config, source)
        for question in flow.questions:
            routes.append(Route(question.url, page_output(question.url), "flow-question.html",
                                {"source": source, "flow": flow, "question": question}))
        for answer in flow.answers:
            routes.append(Route(answer.url, page_output(answer.url), "flow-answer.html",
                                {"source": source, "flow": flow, "answer": answer,
                                 "notice": notice(site.config)}))
    routes.append(Route(gfe_url(), page_output(gfe_url()), "good-faith-estimate.html",
                        {"notice": notice(site.config)}))
    for code, entries in sorted(codes.items()):
        routes.append(Route(service_url(code), page_output(service_url(code)), "service.html",
                            {"code": code, "entries": entries,
                             "title": service_title(entries)}))
    routes.append(Route(services_url(), page_output(services_url()), "services.html",
                        {"services": service_index(codes)}))
    for page in site.pages:
        if page.meta.draft:
            continue
        routes.append(Route(page.url, page_output(page.url), "guide.html", {"page": page}))
    routes.append(Route("404.html", "404.html", "404.html", in_sitemap=False))
    return routes
