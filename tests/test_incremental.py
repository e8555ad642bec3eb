"""Rebuilds: the cache answers a rebuild with nothing changed and never a stale one; any
number of worker processes gives the same bytes."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import sitegen.build
import sitegen.load
import sitegen.write
from sitegen.build import BuildOptions, build
from sitegen.cache import CACHE_DIR
from sitegen.diagnostics import Diagnostics
from sitegen.urls import content_url, page_output
from tests.helpers import RATES, SITE, changed, cli, make_site

GUIDE = "---\ntitle: A guide\nsummary: What it says.\n---\n\nSome words.\n"
BILINGUAL = SITE + "languages: [en, es]\n"


def files_of(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes()
            for p in sorted(out.rglob("*")) if p.is_file()}


def clean_build(root: Path, out: Path, jobs: int = 1) -> dict[str, bytes]:
    """A build that cannot use the cache: a fresh copy of the site into a fresh folder."""
    copy = out.parent / (out.name + "-src")
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns(CACHE_DIR, "public"))
    result = build(BuildOptions(root=copy, out=out, jobs=jobs))
    assert result.ok and not result.cached, [d.format() for d in result.diagnostics.items]
    shutil.rmtree(copy)
    return files_of(out)


@pytest.fixture
def pool_for_every_site(monkeypatch: pytest.MonkeyPatch) -> None:
    """Use the worker pool even for a tiny site, so the tests exercise it."""
    monkeypatch.setattr(sitegen.build, "POOL_MIN_PAGES", 0)


def test_no_change_rebuild_answers_from_the_cache(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    out = tmp_path / "public"
    first = build(BuildOptions(root=root, out=out))
    assert first.ok and not first.cached
    built = files_of(out)
    stamp = (out / "index.html").stat().st_mtime_ns
    again = build(BuildOptions(root=root, out=out))
    assert again.cached and dict(again.files) == dict(first.files)
    assert files_of(out) == built
    assert again.diagnostics.items == first.diagnostics.items  # warnings are said again
    assert (out / "index.html").stat().st_mtime_ns == stamp   # nothing was written


def test_cli_says_the_same_for_a_cached_build(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    first, second = cli("build", root), cli("build", root)
    assert first.exit_code == second.exit_code == 0
    assert first.stderr.split(" in ")[0] == second.stderr.split(" in ")[0]
    assert "warning" in second.stderr


@pytest.mark.parametrize("damage", ["edit", "delete", "add", "corrupt", "foreign"])
def test_a_stale_or_damaged_cache_is_never_trusted(tmp_path: Path, damage: str) -> None:
    root = make_site(tmp_path)
    out = tmp_path / "public"
    build(BuildOptions(root=root, out=out))
    built = files_of(out)
    manifest = next((root / CACHE_DIR).glob("build-*.json"))
    if damage == "edit":
        (out / "index.html").write_bytes(b"edited by hand")
    elif damage == "delete":
        (out / "clinics/a/prices.json").unlink()
    elif damage == "add":
        (out / "stray.html").write_bytes(b"")
    elif damage == "corrupt":
        manifest.write_bytes(b"\x00{not json")
        (out / "index.html").write_bytes(b"edited by hand")
    else:
        manifest.write_text('{"fingerprint": 1, "files": [], "diagnostics": {}}')
        (out / "index.html").write_bytes(b"edited by hand")
    result = build(BuildOptions(root=root, out=out))
    assert result.ok and not result.cached
    assert files_of(out) == built


def test_any_worker_count_gives_the_same_bytes(tmp_path: Path,
                                               pool_for_every_site: None) -> None:
    root = make_site(tmp_path, {"rates/b.yaml": changed(RATES, "Test Clinic", "Clinic B"),
                                "content/guides/g.md": GUIDE})
    one = clean_build(root, tmp_path / "one", jobs=1)
    assert len(one) > 15
    for jobs in (2, 3):
        assert clean_build(root, tmp_path / f"jobs{jobs}", jobs=jobs) == one


def test_a_template_error_is_reported_the_same_by_the_pool(tmp_path: Path,
                                                           pool_for_every_site: None) -> None:
    root = make_site(tmp_path)
    base = root / "templates" / "base.html"
    base.write_text(base.read_text().replace("<main", "{{ no_such_thing }}<main"))
    said = []
    for jobs in (1, 3):
        result = build(BuildOptions(root=root, out=tmp_path / f"out{jobs}", jobs=jobs))
        said.append([d.format() for d in result.diagnostics.errors])
        assert not (tmp_path / f"out{jobs}").exists()
    assert said[0] == said[1] and len(said[0]) == 1
    assert said[0][0] == ("templates/index.html: error: template error while rendering the "
                          "home page: 'no_such_thing' is undefined")


# --- random edits: the incremental result is always the clean build's --------------------

def _price(root: Path, n: int) -> None:
    path = root / "rates" / "a.yaml"
    path.write_text(changed(RATES, "cash_price: 120.00", f"cash_price: {100 + n}.00"))


def _add_clinic(root: Path, n: int) -> None:
    text = changed(RATES, "name: Test Clinic", f"name: Clinic {n}")
    (root / "rates" / f"c{n % 3}.yaml").write_text(text)


def _rename_clinic(root: Path, n: int) -> None:
    found = sorted((root / "rates").glob("c*.yaml"))
    if found:
        found[0].rename(root / "rates" / f"r{n % 3}.yaml")


def _delete_clinic(root: Path, n: int) -> None:
    found = sorted(p for p in (root / "rates").glob("*.yaml") if p.name != "a.yaml")
    if found:
        found[n % len(found)].unlink()


def _guide(root: Path, n: int) -> None:
    path = root / "content" / "guides" / f"g{n % 2}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(GUIDE.replace("Some words.", f"Some words, take {n}."))


def _delete_guide(root: Path, n: int) -> None:
    for path in sorted((root / "content").rglob("*.md"))[:1]:
        path.unlink()


def _template(root: Path, n: int) -> None:
    path = root / "templates" / "index.html"
    path.write_text(path.read_text() + f"{{# edit {n} #}}x{n}\n")


def _site_yaml(root: Path, n: int) -> None:
    (root / "site.yaml").write_text(SITE.replace("Test Prices", f"Test Prices {n}"))


def _nothing(root: Path, n: int) -> None:
    pass


def _edit_output(root: Path, n: int) -> None:
    """A hand edit of the built site (or of the page cache) is never carried over."""
    out = root.parent / "public"
    pages = sorted(out.rglob("*.html"))
    if pages:
        pages[n % len(pages)].write_text(f"edited {n}")
    for entry in sorted((root / CACHE_DIR / "pages").glob("*.json"))[:1]:
        entry.write_text(entry.read_text().replace("index.html", "other.html"))


def _guide_heading(root: Path, n: int) -> None:
    """Clinic pages link the glossary's headings: a new heading changes every clinic."""
    path = root / "content" / "glossary.md"
    path.parent.mkdir(exist_ok=True)
    path.write_text(GUIDE.replace("Some words.", f"## Term {n % 3}\n\nWords.\n"))


EDITS = [_price, _add_clinic, _rename_clinic, _delete_clinic, _guide, _delete_guide,
         _template, _site_yaml, _nothing, _edit_output, _guide_heading]


def _languages(root: Path, n: int) -> None:
    """Spanish switched on or off: every page of the other language comes or goes."""
    (root / "site.yaml").write_text(BILINGUAL if n % 2 else SITE)


def _translation(root: Path, n: int) -> None:
    """A guide's Spanish text (with its English page, which a translation needs)."""
    english = root / "content" / "guides" / f"g{n % 2}.md"
    if not english.exists():
        english.parent.mkdir(parents=True, exist_ok=True)
        english.write_text(GUIDE)
    path = root / "content" / "es" / "guides" / f"g{n % 2}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(GUIDE.replace("A guide", f"Una guía {n}").replace("Some words.",
                                                                        f"Unas palabras, {n}."))


def _catalog_entry(root: Path, n: int) -> None:
    """A fee schedule's own Spanish words: only the Spanish pages of its clinic change."""
    (root / "rates" / "a.yaml").write_text(changed(
        RATES, "name: Test Clinic", "name: Test Clinic\n  translations: {es: {about: "
        f'"Fisioterapia {n}."}}}}\n  about: "Physical therapy."'))


@settings(max_examples=5, deadline=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(EDITS), st.integers(0, 9), st.sampled_from([1, 2])),
                min_size=1, max_size=4))
def test_incremental_builds_equal_clean_builds(tmp_path_factory: pytest.TempPathFactory,
                                               monkeypatch: pytest.MonkeyPatch,
                                               steps: list) -> None:
    monkeypatch.setattr(sitegen.build, "POOL_MIN_PAGES", 0)
    tmp = tmp_path_factory.mktemp("steps")
    root = make_site(tmp)
    out = tmp / "public"
    assert build(BuildOptions(root=root, out=out)).ok
    for i, (edit, n, jobs) in enumerate(steps):
        edit(root, n)
        result = build(BuildOptions(root=root, out=out, jobs=jobs))
        assert result.ok, [d.format() for d in result.diagnostics.items]
        if edit is _nothing:
            assert result.cached or steps[i - 1][0] is _edit_output
        assert files_of(out) == clean_build(root, tmp / f"clean{i}", jobs=1), edit.__name__


@settings(max_examples=5, deadline=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(EDITS + [_languages, _translation, _catalog_entry]),
                          st.integers(0, 9), st.sampled_from([1, 2])), min_size=1, max_size=4))
def test_incremental_builds_equal_clean_builds_in_two_languages(
        tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
        steps: list) -> None:
    """The same for a site in English and Spanish: a clinic carried over keeps its /es/
    pages and their sitemap alternates exactly as a clean build writes them."""
    monkeypatch.setattr(sitegen.build, "POOL_MIN_PAGES", 0)
    tmp = tmp_path_factory.mktemp("steps")
    root = make_site(tmp, {"site.yaml": BILINGUAL})
    out = tmp / "public"
    assert build(BuildOptions(root=root, out=out)).ok
    for i, (edit, n, jobs) in enumerate(steps):
        edit(root, n)
        result = build(BuildOptions(root=root, out=out, jobs=jobs))
        assert result.ok, [d.format() for d in result.diagnostics.items]
        assert files_of(out) == clean_build(root, tmp / f"clean{i}", jobs=1), edit.__name__


# --- clinics carried over: only what changed is rendered and written -----------------------

def _three_clinics(tmp_path: Path) -> Path:
    return make_site(tmp_path, {"rates/b.yaml": changed(RATES, "Test Clinic", "Clinic B"),
                                "rates/c.yaml": changed(RATES, "Test Clinic", "Clinic C"),
                                "content/guides/g.md": GUIDE})


def _rendered(root: Path, out: Path, jobs: int = 1) -> int:
    """Build; the number of pages rendered (the rest were carried over)."""
    seen = [0]
    result = build(BuildOptions(root=root, out=out, jobs=jobs,
                                progress=lambda done, total: seen.__setitem__(0, total)))
    assert result.ok and not result.cached, [d.format() for d in result.diagnostics.items]
    return seen[0]


def _inodes(out: Path) -> dict[str, int]:
    return {p.relative_to(out).as_posix(): p.stat().st_ino for p in out.rglob("*")
            if p.is_file()}


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_edited_price_renders_only_its_clinic(tmp_path: Path, jobs: int,
                                                 pool_for_every_site: None) -> None:
    root, out = _three_clinics(tmp_path), tmp_path / "public"
    pages = _rendered(root, out, jobs)
    built = files_of(out)
    own = {c: {n for n in built if n.startswith(f"clinics/{c}/") and n.endswith(".html")}
           for c in "abc"}
    site_level = pages - sum(len(names) for names in own.values())
    assert pages == len([n for n in built if n.endswith(".html")]) and site_level >= 5
    before = _inodes(out)
    (root / "rates/b.yaml").write_text(changed(RATES, "cash_price: 120.00", "cash_price: 131.50")
                                       .replace("Test Clinic", "Clinic B"))
    guides = [page_output(content_url(md.relative_to(root / "content").as_posix()))
              for md in (root / "content").rglob("*.md")]
    assert guides and all(name in built for name in guides)
    # the guides quote no price of clinic b: they are kept too; every other site-level
    # page (home, services, ...) is rendered again
    assert _rendered(root, out, jobs) == len(own["b"]) + site_level - len(guides)
    after = _inodes(out)
    assert "131.50" in (out / "clinics/b/prices.json").read_text()
    assert after["clinics/b/prices.json"] != before["clinics/b/prices.json"]
    for name in before:  # the other clinics' files are the very same files, not rewritten
        if name.startswith(("clinics/a/", "clinics/c/", "assets/")) or name in guides:
            assert after[name] == before[name], name
    assert files_of(out) == clean_build(root, tmp_path / "clean")


def test_a_guide_is_rendered_again_only_when_what_it_shows_changes(tmp_path: Path) -> None:
    """A guide quoting clinic b's price shows the new price after b's edit; a guide that
    quotes nothing is kept (the same file); an edited guide shows its new words."""
    root = make_site(tmp_path, {
        "rates/b.yaml": changed(RATES, "Test Clinic", "Clinic B"),
        "rates/c.yaml": changed(RATES, "Test Clinic", "Clinic C"),
        "content/guides/g.md": GUIDE,
        "content/guides/quote.md": GUIDE.replace(
            "Some words.", 'Exercise costs {{< price clinic="b" service="exercise" '
                           'show="cash" >}} at B.')})
    out = tmp_path / "public"
    _rendered(root, out)
    quote, plain = "guides/quote/index.html", "guides/g/index.html"
    assert "$120.00" in (out / quote).read_text()
    before = _inodes(out)
    (root / "rates/b.yaml").write_text(changed(RATES, "cash_price: 120.00", "cash_price: 131.50")
                                       .replace("Test Clinic", "Clinic B"))
    _rendered(root, out)
    after = _inodes(out)
    assert "$131.50" in (out / quote).read_text() and "$120.00" not in (out / quote).read_text()
    assert after[quote] != before[quote] and after[plain] == before[plain]
    (root / "content/guides/g.md").write_text(GUIDE.replace("Some words.", "Other words."))
    _rendered(root, out)
    assert "Other words." in (out / plain).read_text() and _inodes(out)[plain] != after[plain]
    assert files_of(out) == clean_build(root, tmp_path / "clean")


def test_a_deleted_clinic_or_guide_leaves_no_output(tmp_path: Path) -> None:
    root, out = _three_clinics(tmp_path), tmp_path / "public"
    _rendered(root, out)
    assert (out / "clinics/c/index.html").is_file() and (out / "guides/g/index.html").is_file()
    (root / "rates/c.yaml").unlink()
    (root / "content/guides/g.md").unlink()
    _rendered(root, out)
    assert not (out / "clinics/c").exists() and not (out / "guides/g").exists()
    assert files_of(out) == clean_build(root, tmp_path / "clean")


def test_an_edited_guide_text_keeps_the_clinic_pages(tmp_path: Path) -> None:
    root, out = _three_clinics(tmp_path), tmp_path / "public"
    pages = _rendered(root, out)
    clinic_pages = sum(1 for n in files_of(out) if n.startswith("clinics/") and
                       n.endswith(".html") and n != "clinics/index.html")
    stamp = (out / "clinics/a/index.html").stat().st_mtime_ns
    home = (out / "index.html").stat().st_ino
    (root / "content/guides/g.md").write_text(GUIDE.replace("Some words.", "Other words."))
    assert _rendered(root, out) == pages - clinic_pages
    assert "Other words." in (out / "guides/g/index.html").read_text()
    assert (out / "clinics/a/index.html").stat().st_mtime_ns == stamp
    assert (out / "index.html").stat().st_ino == home  # rendered, same bytes: not rewritten
    assert files_of(out) == clean_build(root, tmp_path / "clean")


@pytest.mark.parametrize("damage", ["garbage", "swapped", "deleted", "output-edited"])
def test_a_damaged_page_record_is_never_trusted(tmp_path: Path, damage: str) -> None:
    root, out = _three_clinics(tmp_path), tmp_path / "public"
    pages = _rendered(root, out)
    built = files_of(out)
    entries = sorted(entry for entry in (root / CACHE_DIR / "pages").glob("*.json")
                     if all(name.startswith("clinics/") for name in json.loads(
                         json.loads(entry.read_text())["body"])))  # the clinics' records
    assert len(entries) == 3
    if damage == "garbage":
        entries[0].write_bytes(b"\x00{not json")
    elif damage == "swapped":
        entries[0].write_text(entries[1].read_text())
    elif damage == "deleted":
        entries[0].unlink()
    else:
        (out / "clinics/a/index.html").write_text("edited by hand")
    (root / "site.yaml").write_text(SITE + "# a comment: not answered from the manifest\n")
    rendered = _rendered(root, out)
    assert pages > rendered > pages - sum(1 for n in built if n.startswith("clinics/") and
                                          n.endswith(".html") and n != "clinics/index.html")
    assert files_of(out) == built


# --- the cache of parsed fee schedules ---------------------------------------------------

@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files the YAML parser reads (the others came from the cache)."""
    seen: list[str] = []
    real = sitegen.load.read_mapping

    def spy(file: Path, display: str, *args: object, **kwargs: object) -> object:
        seen.append(display)
        return real(file, display, *args, **kwargs)

    monkeypatch.setattr(sitegen.load, "read_mapping", spy)
    return seen


def test_an_edited_price_parses_only_its_own_file(tmp_path: Path, parsed: list[str]) -> None:
    root = make_site(tmp_path, {"rates/b.yaml": changed(RATES, "Test Clinic", "Clinic B"),
                                "rates/c.yaml": changed(RATES, "Test Clinic", "Clinic C")})
    out = tmp_path / "public"
    assert build(BuildOptions(root=root, out=out)).ok
    assert [p for p in parsed if p.startswith("rates/")] == ["rates/a.yaml", "rates/b.yaml",
                                                             "rates/c.yaml"]
    parsed.clear()
    (root / "rates/b.yaml").write_text(changed(RATES, "cash_price: 120.00", "cash_price: 131.50")
                                       .replace("Test Clinic", "Clinic B"))
    result = build(BuildOptions(root=root, out=out))
    assert result.ok and not result.cached
    assert [p for p in parsed if p.startswith("rates/")] == ["rates/b.yaml"]
    assert "131.50" in (out / "clinics/b/prices.json").read_text()
    assert files_of(out) == clean_build(root, tmp_path / "clean")
    # one entry per file content: the old price's entry is gone
    assert len(list((root / CACHE_DIR / "docs").glob("*.json"))) == 3


def test_rules_across_files_still_run_on_cached_files(tmp_path: Path, parsed: list[str]) -> None:
    root = make_site(tmp_path, {"rates/b.yaml": changed(RATES, "Test Clinic", "Clinic B")})
    assert build(BuildOptions(root=root, out=tmp_path / "public")).ok
    # b.yaml takes a.yaml's slug without being edited: only a's file changes
    (root / "rates/a.yaml").write_text(changed(RATES, "name: Test Clinic",
                                               "name: Test Clinic\n  slug: b"))
    said = []
    for _attempt in range(2):  # b.yaml comes from the cache (a failed build saves nothing)
        parsed.clear()
        result = build(BuildOptions(root=root, out=tmp_path / "public"))
        said.append([d.format() for d in result.diagnostics.errors])
        assert parsed.count("rates/b.yaml") == 0 and parsed.count("rates/a.yaml") == 1
    assert said[0] == said[1] and len(said[0]) == 1
    assert said[0][0].startswith("rates/b.yaml:") and "clinic slug 'b' is already used" \
        in said[0][0]


@pytest.mark.parametrize("damage", ["garbage", "swapped", "edited", "wrong-kind", "deleted"])
def test_a_damaged_parse_entry_is_never_trusted(tmp_path: Path, parsed: list[str],
                                                damage: str) -> None:
    root = make_site(tmp_path, {"rates/b.yaml": changed(RATES, "Test Clinic", "Clinic B")})
    out = tmp_path / "public"
    assert build(BuildOptions(root=root, out=out)).ok
    built = files_of(out)
    entries = sorted((root / CACHE_DIR / "docs").glob("*.json"))
    assert len(entries) == 2
    first, second = (entry.read_text() for entry in entries)
    if damage == "garbage":
        entries[0].write_bytes(b"\x00{not json")
        entries[1].write_text("[]")
    elif damage == "swapped":  # each file gets the other's (well-formed) entry
        entries[0].write_text(second)
        entries[1].write_text(first)
    elif damage == "edited":  # a changed price, with the entry otherwise intact
        for entry, text in zip(entries, (first, second)):
            entry.write_text(text.replace('120.00', '999.00'))
    elif damage == "wrong-kind":
        for entry in entries:
            entry.write_text('{"key": 1, "sum": [], "body": {}}')
    else:
        for entry in entries:
            entry.unlink()
    (out / "index.html").write_bytes(b"so the build is not answered from the manifest")
    parsed.clear()
    result = build(BuildOptions(root=root, out=out))
    assert result.ok and not result.cached
    assert sorted(p for p in parsed if p.startswith("rates/")) == ["rates/a.yaml",
                                                                   "rates/b.yaml"]
    assert files_of(out) == built
    assert sorted(entry.read_text() for entry in entries) == sorted([first, second])


def test_a_clinic_half_carried_over_never_touches_the_live_site(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When linking a clinic's files fails midway, the clinic is rendered again into new
    files (the live site's files linked so far are never written through); a build that then
    fails its checks leaves the site as it was, one that passes gives the same site."""
    root, out = _three_clinics(tmp_path), tmp_path / "public"
    _rendered(root, out)
    built = files_of(out)
    calls = {"n": 0, "failed": 0}
    real_keep = sitegen.write.Staging.keep

    def flaky_keep(self: sitegen.write.Staging, rel: str) -> bool:
        calls["n"] += 1
        if rel.startswith("clinics/b/") and calls["n"] % 3 == 0:
            calls["failed"] += 1
            return False
        return real_keep(self, rel)

    def failing_check(files: object, diags: Diagnostics, **kwargs: object) -> None:
        diags.error("public/index.html", 1, 1, "a check that fails", "none")

    monkeypatch.setattr(sitegen.write.Staging, "keep", flaky_keep)
    monkeypatch.setattr(sitegen.build, "check_site", failing_check)
    (root / "site.yaml").write_text(SITE + "# not answered from the manifest\n")
    result = build(BuildOptions(root=root, out=out))
    assert not result.ok and calls["failed"] > 0
    assert files_of(out) == built
    assert not (tmp_path / ".public.staging").exists()
    monkeypatch.undo()
    monkeypatch.setattr(sitegen.write.Staging, "keep", flaky_keep)
    calls["failed"] = 0
    assert _rendered(root, out) > 0 and calls["failed"] > 0
    assert files_of(out) == built


def test_a_two_language_site_carries_clinics_over_in_both_languages(tmp_path: Path) -> None:
    """An edited price renders its clinic's pages in both languages and the site's own
    pages; the other clinics' English and Spanish files stay the very same files, and the
    sitemap still pairs their pages with hreflang alternates."""
    root = make_site(tmp_path, {"site.yaml": BILINGUAL,
                                "rates/b.yaml": changed(RATES, "Test Clinic", "Clinic B"),
                                "rates/c.yaml": changed(RATES, "Test Clinic", "Clinic C")})
    out = tmp_path / "public"
    pages = _rendered(root, out)
    built = files_of(out)
    assert pages == len([n for n in built if n.endswith(".html")])
    own_b = [n for n in built if n.startswith(("clinics/b/", "es/clinics/b/"))
             and n.endswith(".html")]
    assert own_b and any(n.startswith("es/") for n in own_b)
    clinics = tuple(f"{lang}clinics/{c}/" for lang in ("", "es/") for c in "abc")
    site_level = pages - sum(1 for n in built if n.endswith(".html") and n.startswith(clinics))
    before = _inodes(out)
    (root / "rates/b.yaml").write_text(changed(RATES, "cash_price: 120.00", "cash_price: 131.50")
                                       .replace("Test Clinic", "Clinic B"))
    assert _rendered(root, out) == len(own_b) + site_level
    after = _inodes(out)
    for name in before:
        if name.startswith(("clinics/a/", "clinics/c/", "es/clinics/a/", "es/clinics/c/")):
            assert after[name] == before[name], name
    assert "131.50" in (out / "es/clinics/b/index.html").read_text()
    sitemap = (out / "sitemap.xml").read_text()
    assert re.search(r'<url><loc>https://example\.org/es/clinics/a/</loc><lastmod>[0-9-]+'
                     r'</lastmod><xhtml:link rel="alternate" hreflang="en" '
                     r'href="https://example\.org/clinics/a/"/>', sitemap)
    assert files_of(out) == clean_build(root, tmp_path / "clean")


def test_staging_writes_never_reach_the_live_site_through_a_kept_file(tmp_path: Path) -> None:
    """A kept file is a hard link into the live output; writing the same path afterwards
    (new bytes after all) must replace the link, not write through it."""
    out = tmp_path / "public"
    sitegen.write.write_site(out, {"a/index.html": b"old page", "b.txt": b"old file"})
    staging = sitegen.write.Staging(out, {"a/index.html": "d1", "b.txt": "d2"}).open()
    staging.put("a/index.html", b"old page", "d1")  # kept: a link to the live file
    staging.put("b.txt", b"old file", "d2")
    assert staging.linked == 2
    staging.put("a/index.html", b"new page")  # then written after all
    staging.put("c/d/e.html", b"deep")
    assert (out / "a" / "index.html").read_bytes() == b"old page"
    staging.commit()
    assert (out / "a" / "index.html").read_bytes() == b"new page"
    assert (out / "b.txt").read_bytes() == b"old file"
    assert (out / "c" / "d" / "e.html").read_bytes() == b"deep"


def test_the_output_walk_lists_every_file_with_its_size_and_time(tmp_path: Path) -> None:
    """The no-change check's walk (plain strings, os.scandir) sees what a Path walk sees:
    nested files, a link to a file (its target's size), never a folder link's files."""
    from sitegen.cache import _stats

    out = tmp_path / "out"
    (out / "a" / "b").mkdir(parents=True)
    (out / "a" / "b" / "index.html").write_text("deep")
    (out / "top.txt").write_text("top!!")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "secret.html").write_text("s")
    (out / "folder-link").symlink_to(tmp_path / "elsewhere")
    (out / "file-link").symlink_to(out / "top.txt")
    expected = {p.relative_to(out).as_posix(): [p.stat().st_size, p.stat().st_mtime_ns]
                for p in out.rglob("*") if p.is_file() and "folder-link" not in p.parts}
    assert _stats(out) == expected
    assert sorted(expected) == ["a/b/index.html", "file-link", "top.txt"]
    assert expected["file-link"][0] == 5
