"""Rebuilds: the cache answers a rebuild with nothing changed and never a stale one; any
number of worker processes gives the same bytes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import sitegen.build
from sitegen.build import BuildOptions, build
from sitegen.cache import CACHE_DIR
from tests.helpers import RATES, SITE, changed, cli, make_site

GUIDE = "---\ntitle: A guide\nsummary: What it says.\n---\n\nSome words.\n"


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


EDITS = [_price, _add_clinic, _rename_clinic, _delete_clinic, _guide, _delete_guide,
         _template, _site_yaml, _nothing]


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
            assert result.cached
        assert files_of(out) == clean_build(root, tmp / f"clean{i}", jobs=1), edit.__name__
