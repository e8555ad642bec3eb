"""Stage `check`: the built pages obey the no-JavaScript rule and their internal links
and #fragments resolve. Works on the rendered files in memory, before anything is written."""

from __future__ import annotations

import posixpath
import re
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

from sitegen.diagnostics import Diagnostics

CSP = ("default-src 'none'; script-src 'none'; style-src 'self'; img-src 'self' data:; "
       "base-uri 'none'; form-action 'none'")


class _PageScan(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, int, int]] = []
        self.problems: list[tuple[int, int, str]] = []
        self.has_csp = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line, col = self.getpos()
        values = {name: value or "" for name, value in attrs}
        if tag == "script" and values.get("type") != "application/ld+json":
            self.problems.append((line, col + 1, "a <script> element that is not JSON-LD data"))
        if tag == "meta" and values.get("http-equiv", "").lower() == "content-security-policy" \
                and "script-src 'none'" in values.get("content", ""):
            self.has_csp = True
        for name, value in values.items():
            if name.startswith("on"):
                self.problems.append((line, col + 1, f"an event handler attribute '{name}'"))
            if name in ("href", "src", "action", "formaction") and re.sub(
                    r"[\x00-\x20]", "", value).lower().startswith("javascript:"):
                self.problems.append((line, col + 1, "a javascript: URL"))
        if "id" in values:
            self.ids.add(values["id"])
        if tag in ("a", "link") and "href" in values:
            self.links.append((values["href"], line, col + 1))
        if tag in ("img", "source") and "src" in values:
            self.links.append((values["src"], line, col + 1))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def check_site(files: dict[str, bytes], diags: Diagnostics, prefix: str = "",
               base: str = "/") -> None:
    """`files` maps output paths ('guides/x/index.html') to bytes. Links may be relative or
    start with the base path `base` ('/repo/'), as the 404 page's do."""
    scans: dict[str, _PageScan] = {}
    for path, data in sorted(files.items()):
        if path.endswith(".html"):
            scan = _PageScan()
            scan.feed(data.decode("utf-8"))
            scan.close()
            scans[path] = scan
    for path, scan in scans.items():
        shown = prefix + path
        if not scan.has_csp:
            diags.error(shown, 1, 1, "the page has no Content-Security-Policy meta tag with "
                        "script-src 'none'", "keep the <meta> from templates/base.html")
        for line, col, problem in scan.problems:
            diags.error(shown, line, col, f"the page contains {problem}",
                        "the site must run no JavaScript; remove it from the template")
        for href, line, col in scan.links:
            problem = _broken(path, href, files, scans, base)
            if problem:
                diags.error(shown, line, col, f"broken link '{href}': {problem}",
                            "fix the template or the page that makes this link")


def _broken(page: str, href: str, files: dict[str, bytes], scans: dict[str, _PageScan],
            base: str) -> str:
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or href.startswith("mailto:") or href.startswith("tel:"):
        return ""
    if parts.path.startswith("/"):
        if not parts.path.startswith(base):
            return f"it is outside the site's base path {base}"
        parts = parts._replace(path="./" + parts.path[len(base):])
        page = "index.html"
    target = posixpath.dirname(page)
    if parts.path:
        target = posixpath.normpath(posixpath.join(target, unquote(parts.path)))
        if target.startswith(".."):
            return "it leaves the site"
        if parts.path.endswith("/") or target == ".":
            target = posixpath.join(target, "index.html") if target != "." else "index.html"
    else:
        target = page
    if target not in files:
        return "no such page"
    if parts.fragment and target in scans and unquote(parts.fragment) not in scans[target].ids:
        return f"no element with id '{parts.fragment}'"
    return ""
