"""Stage `render` (non-HTML files): sitemap.xml, robots.txt, .nojekyll."""

from __future__ import annotations

from xml.sax.saxutils import escape

from sitegen.routes import Route, absolute_url

_XHTML = ' xmlns:xhtml="http://www.w3.org/1999/xhtml"'


def sitemap(routes: list[Route], base_url: str, lastmod: dict[str, str],
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
        if route.url in lastmod:
            entry += f"<lastmod>{lastmod[route.url]}</lastmod>"
        for other in versions[route.page] if several else ():
            entry += (f'<xhtml:link rel="alternate" hreflang="{other.lang}" href="'
                      f'{escape(absolute_url(base_url, other.url, full=True))}"/>')
        lines.append(entry + "</url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def robots(base_url: str) -> bytes:
    return (f"User-agent: *\nAllow: /\n\n"
            f"Sitemap: {absolute_url(base_url, 'sitemap.xml', full=True)}\n").encode()
