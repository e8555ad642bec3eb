"""URL functions: `relative_url` (string arithmetic) gives exactly what the posixpath
version gave, for every kind of page and target."""

from __future__ import annotations

import posixpath

from hypothesis import given
from hypothesis import strategies as st

from sitegen.urls import page_output, relative_url


def relpath_url(from_url: str, to_url: str) -> str:
    """The former implementation, on posixpath.relpath."""
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


SEGMENT = st.sampled_from(["clinics", "a", "b", "guides", "x-1", "services", "97110",
                           "index.html", "prices.json", "estimates"])


@st.composite
def site_url(draw) -> str:
    """'' (home), 'a/b/' (a page), 'a/b.json' (a file) or '404.html'."""
    parts = draw(st.lists(SEGMENT, max_size=4))
    kind = draw(st.sampled_from(["page", "file", "404"]))
    if kind == "404":
        return "404.html"
    if not parts:
        return ""
    return "/".join(parts) + ("/" if kind == "page" else "")


@given(site_url(), site_url(), st.sampled_from(["", "#top", "#a-b"]))
def test_relative_url_matches_relpath(from_url: str, to_url: str, fragment: str) -> None:
    assert relative_url(from_url, to_url + fragment) == relpath_url(from_url, to_url + fragment)


def test_relative_url_examples() -> None:
    assert relative_url("clinics/a/evaluation/", "clinics/a/price-transparency/") == \
        "../price-transparency/"
    assert relative_url("clinics/a/", "") == "../../"
    assert relative_url("", "") == "./"
    assert relative_url("clinics/a/", "clinics/a/") == "./"
    assert relative_url("glossary/", "glossary/#copay") == "#copay"
    assert relative_url("guides/x/", "glossary/#copay") == "../../glossary/#copay"
    assert relative_url("404.html", "assets/style.css") == "assets/style.css"
    assert relative_url("clinics/a/", "clinics/a/prices.json") == "prices.json"
