"""Whole-site tests on the example site: golden copy, determinism, no JavaScript, base path."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import html5lib
import pytest

from sitegen.build import BuildOptions, build

GOLDEN = Path(__file__).parent / "golden" / "site"
NS = {"h": "http://www.w3.org/1999/xhtml"}


def build_files(root: Path, out: Path, base_url: str | None = None) -> dict[str, bytes]:
    result = build(BuildOptions(root=root, out=out, base_url=base_url))
    assert result.ok, [d.format() for d in result.diagnostics.items]
    return {p.relative_to(out).as_posix(): p.read_bytes()
            for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def site(example_root: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    return build_files(example_root, tmp_path_factory.mktemp("site") / "public")


def test_golden_site(site: dict[str, bytes], update_golden: bool) -> None:
    """The example site, byte for byte. Regenerate: python -m pytest --update-golden."""
    if update_golden:
        import shutil

        shutil.rmtree(GOLDEN, ignore_errors=True)
        for rel, data in site.items():
            (GOLDEN / rel).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / rel).write_bytes(data)
    golden = {p.relative_to(GOLDEN).as_posix(): p.read_bytes()
              for p in sorted(GOLDEN.rglob("*")) if p.is_file()}
    assert sorted(site) == sorted(golden)
    changed = [rel for rel in site if site[rel] != golden[rel]]
    assert changed == [], "pages differ from tests/golden; review, then --update-golden"


def test_two_builds_are_byte_identical(example_root: Path, tmp_path: Path,
                                       site: dict[str, bytes]) -> None:
    assert build_files(example_root, tmp_path / "again") == site


def html_pages(files: dict[str, bytes]) -> dict[str, object]:
    parser = html5lib.HTMLParser(strict=False, namespaceHTMLElements=True)
    return {rel: parser.parse(data) for rel, data in files.items() if rel.endswith(".html")}


def test_no_javascript_on_any_page(site: dict[str, bytes]) -> None:
    pages = html_pages(site)
    assert len(pages) >= 40
    for rel, tree in pages.items():
        csp = [m.get("content") for m in tree.iterfind(".//h:meta", NS)
               if (m.get("http-equiv") or "").lower() == "content-security-policy"]
        assert len(csp) == 1 and "script-src 'none'" in csp[0], rel
        for element in tree.iter():
            if element.tag == f"{{{NS['h']}}}script":
                assert element.get("type") == "application/ld+json", rel
            for name, value in element.attrib.items():
                assert not name.lower().startswith("on"), (rel, name)
                assert not value.strip().lower().startswith("javascript:"), (rel, value)


def test_required_pages_exist(site: dict[str, bytes]) -> None:
    for rel in ["index.html", "404.html", "sitemap.xml", "robots.txt", ".nojekyll",
                "glossary/index.html", "assets/style.css"]:
        assert rel in site, rel
    guides = {rel for rel in site if rel.startswith("guides/")}
    assert len(guides) >= 6
    sitemap = site["sitemap.xml"].decode()
    assert "<loc>https://example.org/clinics/" in sitemap and "404" not in sitemap
    assert site["robots.txt"].decode().endswith("Sitemap: https://example.org/sitemap.xml\n")


def links_of(tree) -> list[str]:
    found = []
    for element in tree.iter():
        for attr in ("href", "src"):
            if element.get(attr) is not None:
                found.append(element.get(attr))
    return found


def ids_of(tree) -> set[str]:
    return {e.get("id") for e in tree.iter() if e.get("id")}


def test_every_link_works_under_a_base_path(example_root: Path, tmp_path: Path) -> None:
    """Served at https://example.org/repo/, every internal link, stylesheet and fragment of
    every page resolves, and the 404 page's links work from a deep missing URL."""
    files = build_files(example_root, tmp_path / "public", "https://example.org/repo/")
    pages = html_pages(files)
    served = {"/repo/" + rel for rel in files}

    def resolve(page_url: str, href: str) -> tuple[str, str] | None:
        absolute = urljoin("https://example.org" + page_url, href)
        parts = urlsplit(absolute)
        if parts.netloc != "example.org" or parts.scheme not in ("http", "https"):
            return None
        path = parts.path + ("index.html" if parts.path.endswith("/") else "")
        return path, parts.fragment

    checked = 0
    for rel, tree in pages.items():
        page_url = "/repo/" + (rel.removesuffix("index.html") if rel != "404.html"
                               else "some/deep/missing/page/")
        for href in links_of(tree):
            if href.startswith(("mailto:", "tel:")) or urlsplit(href).netloc not in (
                    "", "example.org"):
                continue
            if href.startswith("#"):
                assert href[1:] in ids_of(tree), (rel, href)
                continue
            target = resolve(page_url, href)
            assert target is not None, (rel, href)
            path, fragment = target
            assert path.startswith("/repo/"), (rel, href, path)
            assert path in served, (rel, href, path)
            if fragment:
                assert fragment in ids_of(pages[path.removeprefix("/repo/")]), (rel, href)
            checked += 1
    assert checked > 500


def test_404_links_use_the_base_path(example_root: Path, tmp_path: Path) -> None:
    files = build_files(example_root, tmp_path / "public", "https://example.org/repo/")
    page = files["404.html"].decode()
    hrefs = re.findall(r'(?:href|src)="([^"]+)"', page)
    internal = [h for h in hrefs if not h.startswith(("https://", "mailto:", "tel:", "#"))]
    assert internal and all(h.startswith("/repo/") for h in internal), internal
    assert '<link rel="stylesheet" href="/repo/assets/style.css">' in page


def test_relative_links_make_sense(site: dict[str, bytes]) -> None:
    page = site["clinics/riverside-hand-ot/outpatient/index.html"].decode()
    assert 'href="../../../assets/style.css"' in page
    assert posixpath.normpath("clinics/riverside-hand-ot/outpatient/../../..") == "."


def test_every_page_is_valid_html5(site: dict[str, bytes]) -> None:
    """html5lib in strict mode raises on any parse error (unclosed or misnested tags,
    bad attributes): every page must parse cleanly."""
    for rel, data in site.items():
        if rel.endswith(".html"):
            html5lib.HTMLParser(strict=True).parse(data.decode("utf-8"))
