"""The check stage's regex scanner agrees with a real HTML parser (`html.parser`) on every
page of the example site and on hostile pages: same ids, links, positions and findings."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.check import PageScan, attributes, check_site, scan_page
from sitegen.diagnostics import Diagnostics


class ReferenceScan(HTMLParser):
    """The scanner the check used before: html.parser, with the same rules."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, int, int]] = []
        self.problems: list[tuple[int, int, str]] = []
        self.has_csp = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line, col = self.getpos()
        values: dict[str, str] = {}
        for name, value in attrs:
            values.setdefault(name, value or "")
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "meta" and values.get("http-equiv", "").lower() == "content-security-policy" \
                and "script-src 'none'" in values.get("content", ""):
            self.has_csp = True
        if tag == "script" and values.get("type") != "application/ld+json":
            self.problems.append((line, col + 1, "a <script> element that is not JSON-LD data"))
        for name, value in values.items():
            if name.startswith("on"):
                self.problems.append((line, col + 1, f"an event handler attribute '{name}'"))
            if name in ("href", "src", "action", "formaction") and re.sub(
                    r"[\x00-\x20]", "", value).lower().startswith("javascript:"):
                self.problems.append((line, col + 1, "a javascript: URL"))
        href = values.get("href") if tag in ("a", "link") else \
            values.get("src") if tag in ("img", "source") else None
        if href is not None:
            self.links.append((href, line, col + 1))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def reference(text: str) -> PageScan:
    parser = ReferenceScan()
    parser.feed(text)
    parser.close()
    return PageScan(frozenset(parser.ids), tuple(parser.links), tuple(parser.problems),
                    parser.has_csp)


GOLDEN = Path(__file__).parent / "golden" / "site"


def test_agrees_with_html_parser_on_every_example_page() -> None:
    """The golden copy is the example site, byte for byte (tests/test_site.py)."""
    pages = {p.relative_to(GOLDEN).as_posix(): p.read_text("utf-8")
             for p in sorted(GOLDEN.rglob("*.html"))}
    assert len(pages) > 40
    links = 0
    for rel, text in pages.items():
        scan = scan_page(text)
        assert scan == reference(text), rel
        links += len(scan.links)
    assert links > 1000


HOSTILE = [
    '<a href="x>y" id=one>text</a><p id=\'two\'>',
    "<A HREF='Page.html' ID=Up>x</A>",
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href=" java\tscript:alert(1)">x</a>',
    '<a href="JAVASCRIPT:x">x</a><form action="javascript:x"><button formaction="javascript:y">',
    "<img src=x.png onerror=alert(1)><div OnClick='x'>",
    "<script>alert(1)</script><script type=\"application/ld+json\">{}</script>",
    '<script type="application/ld+json">{"a": "<a href=\\"no.html\\">"}</script><a href=yes.html>',
    "<style>a::before { content: '<a href=\"no.html\">' }</style><a href=after.html>",
    "<!-- <a href=commented.html> <script>x</script> --><a href=real.html>",
    "<!DOCTYPE html><?xml x?></p><a\nhref\n=\n'multi.html'\nid=\"m\"\n>",
    '<a title=it\'s href=bare.html>x</a>',
    '<a href="first.html" href="second.html">x</a>',
    "<a href=/>root</a><br/><img src=i.png/><hr id=h/>",
    '<p id="a&amp;b">x</p><a href="#a&amp;b">y</a>',
    "<svg><script>x</script></svg><SCRIPT SRC=x></SCRIPT >",
    "<meta http-equiv=Content-Security-Policy content=\"script-src 'none'\">",
    "text < not a tag <3 and a <a href=after-lt.html>link</a>",
    "<a href='x.html' onmouseover=\"a()\"/><link rel=stylesheet href=style.css>",
    '<source src="v.mp4"><img src="">\r\n<a href="crlf.html">',
    "</p <a href=hidden-in-end-tag.html></ <a href=bogus.html><a href=seen.html>",
    "<!-- unterminated <a href=x.html>",
    "<script>unterminated <a href=x.html>",
    '<a data-x.y:z="1" @click="x()" :href="y" href=ok.html>',
    '<a class="c" href="a.html?x=1&amp;y=2&lt;" title="&quot;q&quot;">',
    '<a\thref="tab.html"\n  id="n"  >',
    # the scanner's fast branch (name="value" pairs) and the tags whose attributes it skips
    '<td class="num" data-label="id on href">x</td><TD ID="Up" OnClick="f()">',
    '<a\xa0href="nbsp.html" id="n">x</a><p\x0bid="vt"><br id="b"/><hr />',
    '<a hidden href="a.html"/><a href="b.html" / ><img\nsrc="c.png"\n>',
    '<p title="a&amp;b" id="q&lt;">\n\n<td class="x">\n<a href="late.html">',
    '<div  data-x="1"   data-y=""  id="sp"\t>',
]

# Fragments of tags, attributes and text, glued at random into tag soup. (`<script/>` is
# left out on purpose: html.parser reads it as closed, browsers and the scanner as open.)
SOUP = ['<a', '<A', '<br', '<img', '<td', '<p', '<script', '</script>', '<style>', '</style>',
        ' ', '\t', '\n', '\xa0', '>', ' hidden/>', ' href="x.html"', ' HREF="y.html"', ' id="a"',
        ' ID="b"', ' onclick="f()"', ' OnLoad="g()"', ' class="num"', ' data-label="id on href"',
        ' src="i.png"', ' hidden', '="v"', "='w'", '=bare', 'text', '</a>', '</p>', '<!-- c -->',
        ' href="javascript:x"', ' action="java\tscript:y"', '<meta', '&amp;',
        ' http-equiv="Content-Security-Policy" content="script-src \'none\'"', ' title="a&amp;b"']


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(SOUP), max_size=16))
def test_agrees_with_html_parser_on_tag_soup(parts: list[str]) -> None:
    page = "".join(parts)
    assert scan_page(page) == reference(page)


@pytest.mark.parametrize("page", HOSTILE)
def test_agrees_with_html_parser_on_hostile_pages(page: str) -> None:
    assert scan_page(page) == reference(page)


def test_finds_what_a_browser_would_run() -> None:
    scan = scan_page(HOSTILE[2] + "\n" + HOSTILE[5] + "\n" + HOSTILE[6])
    assert scan.problems == (
        (1, 1, "a javascript: URL"),
        (2, 1, "an event handler attribute 'onerror'"),
        (2, 33, "an event handler attribute 'onclick'"),
        (3, 1, "a <script> element that is not JSON-LD data"))


def test_attributes_decode_and_keep_the_first() -> None:
    assert attributes(' href="a&amp;b" HREF=c id=\'x y\' hidden') == {
        "href": "a&b", "id": "x y", "hidden": ""}


def test_check_site_reports_at_the_line_and_column() -> None:
    page = ('<meta http-equiv="Content-Security-Policy" content="script-src \'none\'">\n'
            '<p id="here"></p>\n  <a href="other.html#nowhere">x</a> <a href="#here">ok</a>\n'
            '<a href="missing/">m</a>')
    other = page.replace('id="here"', 'id="there"')
    diags = Diagnostics()
    check_site({"a.html": page.encode(), "other.html": other.encode()}, diags, prefix="public/")
    assert [d.format() for d in diags.errors if d.path == "public/a.html"] == [
        "public/a.html:3:3: error: broken link 'other.html#nowhere': no element with id "
        "'nowhere'; fix the template or the page that makes this link",
        "public/a.html:4:1: error: broken link 'missing/': no such page; fix the template or "
        "the page that makes this link"]
