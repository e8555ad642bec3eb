"""Stage `render` (non-HTML files): each clinic's price files from its view, and the
site's sitemap.xml, robots.txt and cms-hpt.txt."""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from sitegen import mrf
from sitegen.pricefiles import prices_csv, prices_json
from sitegen.routes import Route
from sitegen.urls import absolute_url, clinic_file_url
from sitegen.views import ClinicView

_XHTML = ' xmlns:xhtml="http://www.w3.org/1999/xhtml"'

def clinic_files(view: ClinicView) -> dict[str, bytes]:
    """Output path -> bytes: prices.json and prices.csv, and the two CMS files of a clinic
    that opted in; all from the rows of its view."""
    source, rows = view.source, view.rows
    files = {clinic_file_url(view.slug, "prices.json"): prices_json(source, rows),
             clinic_file_url(view.slug, "prices.csv"): prices_csv(source, rows)}
    if mrf.opted_in(source):
        files[clinic_file_url(view.slug, mrf.json_name(source))] = mrf.cms_json(source, rows)
        files[clinic_file_url(view.slug, mrf.csv_name(source))] = mrf.cms_csv(source, rows)
    return files


def site_files(views: Sequence[ClinicView], routes: Sequence[Route], base_url: str,
               languages: tuple[str, ...] = ("en",)) -> dict[str, bytes]:
    """The files about the whole site (cms-hpt.txt only when some clinic opted in)."""
    files = {"sitemap.xml": sitemap(routes, base_url, languages),
             "robots.txt": robots(base_url),
             ".nojekyll": b""}
    sources = [view.source for view in views]
    if any(mrf.opted_in(source) for source in sources):
        files["cms-hpt.txt"] = mrf.hpt_txt(sources, base_url)
    return files


def sitemap(routes: Sequence[Route], base_url: str,
            languages: tuple[str, ...] = ("en",)) -> bytes:
    """Sitemap of every public page; lastmod from the data's dates, never the clock. On a
    site in several languages each page lists every language's version of itself
    (hreflang alternates, the same set on each of them)."""
    several = len(languages) > 1
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
             f'{_XHTML if several else ""}>']
    versions: dict[str, list[Route]] = {}
    for route in routes:
        versions.setdefault(route.page, []).append(route)
    for route in sorted(routes, key=lambda r: r.url):
        if not route.in_sitemap:
            continue
        entry = f"  <url><loc>{escape(absolute_url(base_url, route.url, full=True))}</loc>"
        if route.lastmod:
            entry += f"<lastmod>{route.lastmod}</lastmod>"
        for other in versions[route.page] if several else ():
            entry += (f'<xhtml:link rel="alternate" hreflang="{other.lang}" href="'
                      f'{escape(absolute_url(base_url, other.url, full=True))}"/>')
        lines.append(entry + "</url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def robots(base_url: str) -> bytes:
    return (f"User-agent: *\nAllow: /\n\n"
            f"Sitemap: {absolute_url(base_url, 'sitemap.xml', full=True)}\n").encode()
