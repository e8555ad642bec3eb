"""Stage `load` (Markdown part): explainers with YAML front matter to `Page`s.

Raw HTML in Markdown is escaped (editors paste from everywhere; the site runs no script),
`javascript:`/`data:` links are refused, and relative links to other `.md` files are
rewritten to the pages they become.
"""

from __future__ import annotations

import datetime as dt
import html as htmllib
import posixpath
import re
import xml.etree.ElementTree as etree
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import islice
from pathlib import Path
from typing import Annotated

import markdown
from markdown.treeprocessors import Treeprocessor
from pydantic import AfterValidator, Field

from sitegen.diagnostics import Diagnostics, did_you_mean
from sitegen.load import validate_data
from sitegen.model import Day, Strict, Text
from sitegen.shortcodes import Expansion
from sitegen.urls import content_url, relative_url
from sitegen.yamlsrc import parse_yaml, read_text, replace_characters, text_problems

_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*\r?$\n?", re.DOTALL | re.MULTILINE)
_OPENING = re.compile(r"\A---[ \t]*\r?\n")
_UNSAFE_SCHEMES = ("javascript:", "data:", "vbscript:", "file:")
_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*:", re.IGNORECASE)
# Pages made from the fee schedules, which a guide may link to relatively ('../../clinics/x/').
_GENERATED = ("../clinics/", "../services/")
_KEPT = "\t\n\r"  # the control characters Markdown text may hold
MAX_CHARACTER_ERRORS = 20  # per file: a binary file pasted as Markdown needs one screen


def _web_address(value: str) -> str:
    if not re.fullmatch(r"https?://[^\s\"<>]+", value):
        raise ValueError(f"'{value[:60]}' is not a web address: write the whole address, "
                         "starting with https://")
    return value


class Source(Strict):
    """A page a guide's facts come from, and when someone last checked the guide against it."""

    title: Text
    url: Annotated[Text, AfterValidator(_web_address)]
    checked: Day


class FrontMatter(Strict):
    title: Text
    summary: Annotated[str, Field(max_length=2000)] = ""
    order: int = Field(default=100, ge=0, le=100_000)
    draft: bool = False
    sources: list[Source] = Field(default_factory=list, max_length=100)

    @property
    def sources_checked(self) -> dt.date | None:
        """The oldest date a source was checked: the whole page is true as of then."""
        return min((s.checked for s in self.sources), default=None)


@dataclass(frozen=True)
class Page:
    source: str          # POSIX path relative to content/, like 'guides/deductibles.md'
    display: str         # path shown in diagnostics, like 'content/guides/deductibles.md'
    url: str
    meta: FrontMatter
    body: str
    body_line: int       # line of the file where the Markdown body starts
    html: str = ""
    toc: tuple[tuple[str, str], ...] = ()
    fragment_links: tuple[tuple[str, str, int, int], ...] = ()  # (target source, id, line, col)
    fallback: bool = False  # the English text shown on a page of another language


def read_page(file: Path, source: str, display: str, diags: Diagnostics,
              max_bytes: int, today: dt.date | None = None) -> Page | None:
    """Split front matter from body and validate the front matter; with `today`, warn
    about a guide whose sources are missing or were checked more than 12 months ago."""
    text = read_text(file, display, diags, max_bytes, "split it into several guides")
    if text is None:
        return None
    text = text.replace("\r\n", "\n")
    match = _FRONT.match(text)
    if not match:
        if _OPENING.match(text):
            diags.error(display, 1, 1, "the front matter that starts on line 1 has no closing "
                        "'---' line", "add a line with only '---' after the last front matter "
                        "key (title:, summary: ...), before the text of the page")
        else:
            diags.error(display, 1, 1, "the file has no front matter",
                        "start it with a '---' line, 'title: ...', and another '---' line")
        return None
    # A leading newline stands for the '---' line, so every position is the file's own.
    doc = parse_yaml("\n" + match.group(1), display, diags)
    if doc is None:
        return None
    if not isinstance(doc.data, dict):
        diags.error(display, 2, 1, "the front matter must be keys like 'title: ...'",
                    "add 'title: Your title' between the '---' lines")
        return None
    meta = validate_data(doc, FrontMatter, diags)
    if meta is None:
        return None
    if source.startswith("guides/") and not meta.summary:
        diags.warning(display, *doc.positions.of(("title",), key=True), "the guide has no "
                      "summary", "add 'summary: <one sentence>'; the home page lists it")
    if source.startswith("guides/") and today is not None:
        _source_warnings(meta, doc.positions, display, today, diags)
    body_line = text[: match.end()].count("\n") + 1
    body = _printable_body(text[match.end():], body_line, display, diags)
    return Page(source, display, content_url(source), meta, body, body_line)


def _printable_body(body: str, body_line: int, display: str, diags: Diagnostics) -> str:
    """Control characters (NUL, ESC, BEL, ...) would reach the HTML and break its strict
    parse: each is an error where it is. The returned body has them replaced, so the rest
    of the page is still checked in the same run."""
    found = list(islice(text_problems(body, allowed=_KEPT), MAX_CHARACTER_ERRORS))
    for index, char in found:
        line = body_line + body.count("\n", 0, index)
        col = index - (body.rfind("\n", 0, index) + 1) + 1
        diags.error(display, line, col, f"the text contains {char}, which a web page "
                    "cannot show", "delete it; it usually comes with text pasted from "
                    "another program")
    return replace_characters(body, "\ufffd", allowed=_KEPT) if found else body


def _source_warnings(meta: FrontMatter, positions, display: str, today: dt.date,
                     diags: Diagnostics) -> None:
    """Every guide says where its facts come from, checked within the last 12 months."""
    if not meta.sources:
        diags.warning(display, *positions.of(("title",), key=True), "the guide lists no "
                      "sources", "add 'sources:' with the title, url and date checked of each "
                      "page its facts come from (see the README)")
    for i, item in enumerate(meta.sources):
        if (today - item.checked).days > 365:
            diags.warning(display, *positions.of(("sources", i, "checked")),
                          f"source '{item.title}' was last checked on {item.checked}, more "
                          "than 12 months ago", "check the guide against it again, then set "
                          "checked to today")


def allow_tags(html: str, tags: Sequence[str]) -> str:
    """Un-escape the attribute-less tags of the site's allow-list (`markdown.allow_html`),
    which Markdown escaped like all raw HTML. Without attributes they cannot run code."""
    if not tags:
        return html
    names = "|".join(re.escape(t) for t in sorted(tags))
    tag = re.compile(rf"&lt;(/?)({names})(\s*/)?&gt;")
    parts = re.split(r"(<code>.*?</code>)", html, flags=re.DOTALL)  # code shows tags as text
    return "".join(part if i % 2 else tag.sub(lambda m: f"<{m[1]}{m[2]}>", part)
                   for i, part in enumerate(parts))


def render_page(page: Page, url_of_source: Mapping[str, str],
                diags: Diagnostics, expansion: Expansion | None = None,
                allowed_tags: Sequence[str] = ()) -> Page:
    """Markdown to HTML, with links checked and rewritten relative to the page's URL;
    `url_of_source` maps each published page's source ('guides/x.md') to its URL;
    `expansion` holds the page's shortcodes, already computed."""
    md = markdown.Markdown(extensions=["tables", "toc", "sane_lists"],
                           extension_configs={"toc": {"toc_depth": "2-3"}})
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    links = _LinkRewriter(md, page, url_of_source, diags)
    md.treeprocessors.register(links, "sitegen_links", 1)
    md.treeprocessors.register(_HeadingIds(md), "sitegen_heading_ids", 6)  # before "toc" (5)
    html = md.convert(expansion.body if expansion else page.body)
    html = allow_tags(html, allowed_tags)
    if expansion:
        html = expansion.restore(html)
    toc = tuple((t["id"], t["name"]) for t in _flatten(md.toc_tokens))  # type: ignore[attr-defined]
    return replace(page, html=html, toc=toc, fragment_links=tuple(links.fragments))


def _flatten(tokens: list[dict]) -> list[dict]:
    out: list[dict] = []
    for token in tokens:
        out.append(token)
        out.extend(_flatten(token.get("children", [])))
    return out


_HEADING_ID = re.compile(r"\s*\{#([a-z0-9]+(?:-[a-z0-9]+)*)\}\s*$")


class _HeadingIds(Treeprocessor):
    """`## Monto permitido {#allowed-amount}`: a heading may keep a fixed id, so that a
    translated page answers the same `#fragment` links as the English one (the glossary's
    terms). Only the id, never other attributes: an attribute could carry script."""

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            heading = element.tag in ("h1", "h2", "h3", "h4", "h5", "h6") and not len(element)
            found = _HEADING_ID.search(element.text or "") if heading else None
            if found:
                element.text = (element.text or "")[:found.start()]
                element.set("id", found[1])


class _LinkRewriter(Treeprocessor):
    """Checks every link where the editor wrote it, and rewrites links to other pages'
    .md files into relative URLs: a link that would only break in the built page is
    reported at the Markdown line, never at the generated HTML."""

    def __init__(self, md: markdown.Markdown, page: Page,
                 url_of_source: Mapping[str, str], diags: Diagnostics) -> None:
        super().__init__(md)
        self.page, self.url_of_source, self.diags = page, url_of_source, diags
        self.fragments: list[tuple[str, str, int, int]] = []

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            attr = {"a": "href", "img": "src"}.get(element.tag)
            if attr and element.get(attr) is not None:
                element.set(attr, self._rewrite(element.get(attr, ""), element.tag == "img"))

    def _rewrite(self, href: str, image: bool = False) -> str:
        meant = htmllib.unescape(href)  # '&#106;avascript:' is 'javascript:' to a browser
        stripped = re.sub(r"[\x00-\x20]", "", meant).lower()
        if stripped.startswith(_UNSAFE_SCHEMES):
            self._report(href, f"the link '{href[:60]}' uses a scheme that can run code",
                         "link to an https:// page or to another guide's .md file")
            return "#"
        if _SCHEME.match(meant) or meant.startswith("//"):
            return href
        target, _, fragment = meant.partition("#")
        target = target.partition("?")[0]
        if not target:  # '#heading' of this page
            if fragment:
                self.fragments.append((self.page.source, fragment, *self._locate(href)))
            return href
        if target.startswith("/"):
            self._report(href, f"the link '{href[:60]}' starts with '/', so it breaks when the "
                         "site is served from a sub-folder (like a GitHub project site)",
                         self._suggest(target, fragment, "link to the page's .md file, "
                                       "relative to this file"))
            return "#"
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(self.page.source),
                                                     target))
        if resolved.startswith(_GENERATED) and not target.endswith(".md"):
            return href  # a page made from the fee schedules; `check` follows it
        if image:
            self._report(href, f"the image '{href[:60]}' is not a file the site publishes",
                         "content/ holds only Markdown pages, so guides cannot show pictures "
                         "of their own; link to the picture instead: [a chart](https://...)")
            return "#"
        if not target.endswith(".md"):
            self._report(href, f"the link '{href[:60]}' does not name a page's .md file",
                         self._suggest(target, fragment, "link to another page by its file, "
                                       "like deductibles.md"))
            return "#"
        source = resolved
        url = self.url_of_source.get(source)
        if url is None:
            self._report(href, f"the link '{href[:60]}' points to a guide that does not exist",
                         self._suggest(target, fragment, "check the file name; links are "
                                       "relative to this file"))
            return "#"
        if fragment:
            self.fragments.append((source, fragment, *self._locate(href)))
        return relative_url(self.page.url, url + (f"#{fragment}" if fragment else ""))

    def _suggest(self, target: str, fragment: str, fallback: str) -> str:
        """'did you mean' with the .md file, relative to this page, the link most likely
        meant: by its file name, or by the address the page is published at (with the
        link's #fragment, if any)."""
        anchor = f"#{fragment}" if fragment else ""
        here = posixpath.dirname(self.page.source) or "."
        files = {posixpath.relpath(source, here): url
                 for source, url in sorted(self.url_of_source.items())
                 if source != self.page.source}
        path = target.strip("/")
        for name, url in files.items():  # '/guides/x/' or 'guides/x/' -> its file
            if path and (path + "/" == url or path == url.rstrip("/")):
                return f"did you mean '{name}{anchor}'?"
        guess = posixpath.normpath(target.rstrip("/"))
        guess = guess if guess.endswith(".md") else guess + ".md"
        if guess in files:
            return f"did you mean '{guess}{anchor}'?"
        return did_you_mean(guess, files) or fallback

    def _locate(self, href: str) -> tuple[int, int]:
        """Line and column of `href` in the file (Markdown's tree has no positions)."""
        for number, line in enumerate(self.page.body.split("\n")):
            col = line.find(href)
            if col >= 0:
                return self.page.body_line + number, col + 1
        return self.page.body_line, 1

    def _report(self, href: str, message: str, hint: str) -> None:
        self.diags.error(self.page.display, *self._locate(href), message, hint)
