"""Sharded builds: the merge of N shards is the single build, byte for byte; the merge
refuses a set of parts that is not every shard of one undamaged build."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from sitegen.build import BuildOptions, build
from sitegen.shard import MANIFEST, Shard, merge
from sitegen.write import UnsafeOutput
from tests.helpers import REPO, cli

EXAMPLE = ("site.yaml", "rates", "content", "templates", "figures")


def files_of(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes()
            for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the example site, and its single build in `single/`."""
    root = tmp_path_factory.mktemp("example") / "site"
    for name in EXAMPLE:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, root / name)
        elif (REPO / name).is_file():
            root.mkdir(exist_ok=True)
            shutil.copy(REPO / name, root / name)
    assert build(BuildOptions(root=root, out=root.parent / "single", jobs=1)).ok
    return root


def shards(root: Path, count: int, where: Path) -> list[Path]:
    parts = []
    for index in range(1, count + 1):
        part = where / f"part{index}"
        result = build(BuildOptions(root=root, out=part, jobs=1, shard=(index, count)))
        assert result.ok, [d.format() for d in result.diagnostics.items]
        parts.append(part)
    return parts


@pytest.mark.parametrize("count", [1, 2, 3])
def test_merge_of_shards_is_the_single_build(example: Path, tmp_path: Path, count: int,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    parts = shards(example, count, tmp_path)
    pages = [sum(1 for n in files_of(p) if n.endswith(".html")) for p in parts]
    assert all(pages) and sum(pages) == sum(1 for n in files_of(example.parent / "single")
                                            if n.endswith(".html"))
    for part in parts[1:]:  # each page in exactly one shard
        assert set(files_of(part)) & set(files_of(parts[0])) == {MANIFEST, ".sitegen-output"}
    diags, _ = merge(list(reversed(parts)), tmp_path / "merged")
    assert not diags.items
    assert files_of(tmp_path / "merged") == files_of(example.parent / "single")


def test_shards_split_by_clinic(example: Path, tmp_path: Path) -> None:
    first, second = shards(example, 2, tmp_path)
    one, two = set(files_of(first)), set(files_of(second))
    clinics = sorted(p.name for p in (example.parent / "single" / "clinics").iterdir()
                     if p.is_dir())
    assert len(clinics) >= 2
    for i, slug in enumerate(clinics):
        owner, other = (one, two) if i % 2 == 0 else (two, one)
        assert f"clinics/{slug}/index.html" in owner
        assert not any(name.startswith(f"clinics/{slug}/") for name in other)
    assert "index.html" in one and "sitemap.xml" in one and "index.html" not in two
    info = json.loads((second / MANIFEST).read_text())
    assert (info["shard"], info["of"]) == (2, 2)
    assert sorted(info["files"]) == sorted(two - {MANIFEST, ".sitegen-output"})


@pytest.mark.parametrize("damage", ["missing", "twice", "edited", "foreign", "not-a-shard"])
def test_merge_refuses_parts_that_are_not_one_whole_build(
        example: Path, tmp_path: Path, damage: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    parts = shards(example, 2, tmp_path)
    out = tmp_path / "merged"
    if damage == "missing":
        parts = parts[:1]
    elif damage == "twice":
        parts = [parts[0], parts[1], parts[1]]
    elif damage == "edited":
        page = next(p for p in sorted(parts[1].rglob("index.html")))
        page.write_bytes(page.read_bytes() + b"<!-- edited -->")
    elif damage == "foreign":  # shard 2 of another build (another base URL)
        shutil.rmtree(parts[1])
        assert build(BuildOptions(root=example, out=parts[1], jobs=1, shard=(2, 2),
                                  base_url="https://other.example/")).ok
    else:
        (parts[1] / MANIFEST).write_text("{not json")
    diags, files = merge(parts, out)
    assert diags.errors and not files and not out.exists()
    said = " ".join(d.format() for d in diags.errors)
    expected = {"missing": "missing shards: 2/2", "twice": "given twice",
                "edited": "missing or changed since the shard was built",
                "foreign": "comes from another build", "not-a-shard": "not a shard"}[damage]
    assert expected in said


def test_merge_checks_links_across_shards(example: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    first, second = shards(example, 2, tmp_path)
    # a clinic page of shard 2 vanishes from the part and from its manifest
    info = json.loads((second / MANIFEST).read_text())
    gone = next(name for name in sorted(info["files"]) if name.endswith("/index.html")
                and name.count("/") == 2)
    del info["files"][gone]
    (second / gone).unlink()
    (second / MANIFEST).write_text(json.dumps(info))
    diags, files = merge([first, second], tmp_path / "merged")
    assert not files and any("merged/" in d.path for d in diags.errors)


def test_merge_keeps_the_output_folder_safety(example: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    parts = shards(example, 1, tmp_path)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    with pytest.raises(UnsafeOutput):
        merge(parts, mine)
    with pytest.raises(UnsafeOutput):
        merge(parts, tmp_path)  # the current folder
    assert (mine / "notes.txt").read_text() == "keep me"


def test_shard_on_the_command_line(example: Path, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for k in (1, 2):
        assert cli("build", example, "--shard", f"{k}/2", "--out", f"p{k}").exit_code == 0
    result = cli("merge", "p1", "p2", "--out", "site")
    assert result.exit_code == 0, result.stderr
    assert files_of(tmp_path / "site") == files_of(example.parent / "single")
    bad = cli("build", example, "--shard", "3/2", "--out", "p3")
    assert bad.exit_code == 2 and "K must be between 1 and N" in bad.stderr
    assert cli("merge", "p1", "--out", "site2").exit_code == 1


@pytest.mark.parametrize("text", ["1/0", "0/2", "2", "a/b", "1/2/3", "-1/2", ""])
def test_bad_shard_text(text: str) -> None:
    with pytest.raises(ValueError, match="shard as K/N|between 1 and N"):
        Shard.parse(text)
