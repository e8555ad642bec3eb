"""Stage `render` (non-HTML files): sitemap.xml, robots.txt, .nojekyll."""

from __future__ import annotations

from xml.sax.saxutils import escape

from sitegen.routes import Route, absolute_url


def sitemap(routes: list[Route], base_url: str, lastmod: dict[str, str]) -> bytes:
    """Sitemap of every public page; lastmod from the data's dates, never the clock."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for route in sorted(routes, key=lambda r: r.url):
        if not route.in_sitemap:
            continue
        entry = f"  <url><loc>{escape(absolute_url(base_url, route.url, full=True))}</loc>"
        if route.url in lastmod:
            entry += f"<lastmod>{lastmod[route.url]}</lastmod>"
        lines.append(entry + "</url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def robots(base_url: str) -> bytes:
    return (f"User-agent: *\nAllow: /\n\n"
            f"Sitemap: {absolute_url(base_url, 'sitemap.xml', full=True)}\n").encode()
