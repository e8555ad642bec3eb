"""Stage `check`: the built pages obey the no-JavaScript rule and their internal links
and #fragments resolve.

Each page is scanned once, right after it is rendered, into a small `PageScan` (its ids,
links and problems), so the bytes need not be kept for the site-wide link check. The scan
is a compiled-regex tokenizer, 3-4x faster than `html.parser` on our pages; it follows the
same tokenizing rules (comments, `<script>`/`<style>` raw text, quoted attribute values that
contain '>', character references in values), and tests/test_check.py keeps it in agreement
with `html.parser` on every page of the example site and on hostile pages.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from sitegen.diagnostics import Diagnostics

CSP = ("default-src 'none'; script-src 'none'; style-src 'self'; img-src 'self' data:; "
       "base-uri 'none'; form-action 'none'")

# The tokenizing rules of html.parser (its start-tag and attribute patterns), compiled into
# one pattern. First the common start tag, a plain name and name="value" pairs only (group 1
# the name, 2 the attributes, 3 the end), which the general rules would read alike: the
# name ends where theirs does, at whitespace, '/' or '>', and a '/' is only read as the
# end after an attribute (theirs take '<br/>' as 'br' and '/'). Then the general rules: a comment,
# a declaration or processing instruction, an end tag that could hide a tag (plain end tags
# are skipped inside the pattern), or any start tag (groups 4, 5, 6): quoted values may
# hold '>', bare values quotes.
_TOKEN = re.compile(r"""<([a-zA-Z][-a-zA-Z0-9]*)(?=[\t\n\r\f\ />])
  ((?:\s+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:="[^"]*")?)+\s*|\s*(?=>))(/?>)
  |<!--(?:.*?--\s*>|.*\Z)|<[!?][^>]*(?:>|\Z)|</(?![a-zA-Z][^<>]*>)[^>]*(?:>|\Z)
  |<([a-zA-Z][^\t\n\r\f\ />\x00]*)
  ((?:[\s/]*(?:(?<=['"\s/])[^\s/>][^\s/=>]*(?:\s*=+\s*(?:'[^']*'|"[^"]*"|(?!['"])[^>\s]*)\s*)?
  (?:\s|/(?!>))*)*)?\s*)(/?>)""", re.X | re.S)
# The common case, name="value" pairs only, read by one findall.
_SIMPLE = re.compile(r'(?:\s+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:="[^"]*")?)*\s*')
_SIMPLE_ATTR = re.compile(r'\s+([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:="([^"]*)")?')
_ATTR = re.compile(r"""((?<=['"\s/])[^\s/>][^\s/=>]*)(\s*=+\s*
    ('[^']*'|"[^"]*"|(?!['"])[^>\s]*))?(?:\s|/(?!>))*""", re.X)
_SEPARATOR = re.compile(r"(?:\s|/(?!>))*")
_RAW_TEXT = ("script", "style")
_URL_ATTRS = ("href", "src", "action", "formaction")
# Where a name="value" tag may have an attribute the check reads (each name follows a space).
_READ = re.compile(r"\s(?:id|on|href|src|action|formaction)", re.I)
_CONTROLS = re.compile(r"[\x00-\x20]")  # browsers ignore them in a URL's scheme


@dataclass(frozen=True)
class PageScan:
    """What the site-wide check needs of one page: its element ids, its links with their
    line and column, the no-JavaScript problems found, and whether it has the CSP tag."""

    ids: frozenset[str]
    links: tuple[tuple[str, int, int], ...]
    problems: tuple[tuple[int, int, str], ...]
    has_csp: bool


def attributes(raw: str) -> dict[str, str]:
    """Attribute names (lower case) to values (quotes removed, character references
    decoded); the first of repeated names wins, as in browsers."""
    if raw.isspace() or not raw:
        return {}
    if _SIMPLE.fullmatch(raw):
        return _simple_attributes(raw)
    values: dict[str, str] = {}
    pos = _SEPARATOR.match(raw).end()  # type: ignore[union-attr]
    while pos < len(raw) and (match := _ATTR.match(raw, pos)) is not None:
        name, has_value, value = match.groups()
        pos = match.end()
        if has_value and value[:1] in ("'", '"') and value[:1] == value[-1:]:
            value = value[1:-1]
        values.setdefault(name.lower(), html.unescape(value) if has_value and value else "")
    return values


def _simple_attributes(raw: str) -> dict[str, str]:
    """`attributes` of name="value" pairs only (the common case), read by one findall."""
    values: dict[str, str] = {}
    for name, value in _SIMPLE_ATTR.findall(raw):
        values.setdefault(name.lower(), html.unescape(value) if "&" in value else value)
    return values


def _start_tags(text: str) -> Iterator[tuple[int, str, str, bool]]:
    """(offset, lower-case tag name, raw attributes, whether they are name="value" pairs
    only) of every start tag, skipping comments, declarations, end tags and the raw text
    of <script> and <style>."""
    pos = 0
    search = _TOKEN.search
    while (match := search(text, pos)) is not None:
        pos = match.end()
        name, raw, end, general, general_raw, general_end = match.groups()
        simple = name is not None
        if not simple:
            if general is None:
                continue
            name, raw, end = general, general_raw or "", general_end
        tag = name.lower()
        yield match.start(), tag, raw, simple
        if tag in _RAW_TEXT and end == ">":
            close = re.compile(rf"</\s*{tag}\s*>", re.I).search(text, pos)
            pos = close.start() if close else len(text)


def _values(raw: str, simple: bool) -> dict[str, str]:
    if not simple:
        return attributes(raw)
    return _simple_attributes(raw) if raw and not raw.isspace() else {}


def start_tags(text: str) -> Iterator[tuple[int, str, dict[str, str]]]:
    """(offset, lower-case tag name, attributes) of every start tag, skipping comments,
    declarations, end tags and the raw text of <script> and <style>."""
    for offset, tag, raw, simple in _start_tags(text):
        yield offset, tag, _values(raw, simple)


def scan_page(text: str) -> PageScan:
    """Scan one HTML page (see `PageScan`). Most tags (a table cell with a class and a
    label) have no attribute the check reads; their attributes are not taken apart."""
    line, line_start, counted = 1, 0, 0  # the line of offset `counted`, where it starts

    def where(offset: int) -> tuple[int, int]:
        nonlocal line, line_start, counted  # offsets only grow: count the newlines between
        found = text.count("\n", counted, offset)
        if found:
            line += found
            line_start = text.rindex("\n", counted, offset) + 1
        counted = offset
        return line, offset - line_start + 1

    ids: set[str] = set()
    links: list[tuple[str, int, int]] = []
    problems: list[tuple[int, int, str]] = []
    has_csp = False
    for offset, tag, raw, simple in _start_tags(text):
        if simple and tag not in _RAW_TEXT and tag != "meta" and not _READ.search(raw):
            continue  # no id, link, event handler or URL attribute: nothing to read
        values = _values(raw, simple)
        if not values:
            if tag == "script":
                problems.append((*where(offset), "a <script> element that is not JSON-LD data"))
            continue
        if "id" in values:
            ids.add(values["id"])
        if tag == "meta" and values.get("http-equiv", "").lower() == "content-security-policy" \
                and "script-src 'none'" in values.get("content", ""):
            has_csp = True
        found = []
        if tag == "script" and values.get("type") != "application/ld+json":
            found.append("a <script> element that is not JSON-LD data")
        for name, value in values.items():
            if name.startswith("on"):
                found.append(f"an event handler attribute '{name}'")
            if name in _URL_ATTRS and ":" in value and _CONTROLS.sub("", value).lower(
                    ).startswith("javascript:"):
                found.append("a javascript: URL")
        href = values.get("href") if tag in ("a", "link") else \
            values.get("src") if tag in ("img", "source") else None
        if found or href is not None:
            line_col = where(offset)
            problems.extend((*line_col, problem) for problem in found)
            if href is not None:
                links.append((href, *line_col))
    return PageScan(frozenset(ids), tuple(links), tuple(problems), has_csp)


def scan_files(files: Mapping[str, bytes]) -> dict[str, PageScan]:
    """Scans of the HTML files among `files` (output path -> bytes)."""
    return {path: scan_page(data.decode("utf-8")) for path, data in sorted(files.items())
            if path.endswith(".html")}


def check_site(files: Mapping[str, bytes] | Iterable[str], diags: Diagnostics,
               prefix: str = "", base: str = "/",
               scans: Mapping[str, PageScan] | None = None) -> None:
    """`files` are the output paths ('guides/x/index.html'; a mapping to bytes is scanned
    here unless `scans` are given). Links may be relative or start with the base path `base`
    ('/repo/'), as the 404 page's do."""
    if scans is None:
        scans = scan_files(files)  # type: ignore[arg-type]
    names = set(files)
    for path in sorted(scans):
        scan, shown = scans[path], prefix + path
        if not scan.has_csp:
            diags.error(shown, 1, 1, "the page has no Content-Security-Policy meta tag with "
                        "script-src 'none'", "keep the <meta> from templates/base.html")
        for line, col, problem in scan.problems:
            diags.error(shown, line, col, f"the page contains {problem}",
                        "the site must run no JavaScript; remove it from the template")
        for href, line, col in scan.links:
            problem = _broken(path, href, names, scans, base)
            if problem:
                diags.error(shown, line, col, f"broken link '{href}': {problem}",
                            "fix the template or the page that makes this link")


def _broken(page: str, href: str, files: set[str], scans: Mapping[str, PageScan],
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
