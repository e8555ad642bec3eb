"""What a build keeps in memory: nothing per clinic beyond its validated schedule and price
tables once its pages are written, and no line/column maps of sound files."""

from __future__ import annotations

import gc
import shutil
import tempfile
import weakref
from pathlib import Path

import pytest

import sitegen.load
import sitegen.views
from sitegen.build import BuildOptions, build
from tests.helpers import RATES, changed, make_site

ROOT = Path(__file__).resolve().parent.parent


def _example(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    for name in ("rates", "content", "templates", "figures"):
        shutil.copytree(ROOT / name, site / name)
    shutil.copy(ROOT / "site.yaml", site / "site.yaml")
    return site


def _count_rereads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files whose positions were read again (for a message)."""
    reread: list[str] = []
    real = sitegen.load.FilePositions._positions

    def counted(self: sitegen.load.FilePositions):
        if self._found is None:
            reread.append(self._where[1])
        return real(self)

    monkeypatch.setattr(sitegen.load.FilePositions, "_positions", counted)
    return reread


def test_a_sound_site_never_reads_a_fee_schedule_twice(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    reread = _count_rereads(monkeypatch)
    result = build(BuildOptions(root=_example(tmp_path), out=tmp_path / "public", jobs=1))
    assert result.ok and not result.diagnostics.warnings
    assert reread == []


def test_a_warning_reads_its_file_again_and_points_into_it(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    """The positions found again are those of the file as written (line 10 holds
    last_updated in the test clinic, after its value's key)."""
    reread = _count_rereads(monkeypatch)
    root = make_site(tmp_path, {"rates/old.yaml": changed(RATES, "Test Clinic", "Old Clinic")
                                .replace("last_updated: 2026-09-01", "last_updated: 2020-01-15")})
    result = build(BuildOptions(root=root, out=tmp_path / "public", jobs=1))
    stale = [d for d in result.diagnostics.warnings if "2020" in d.message]
    assert result.ok and len(stale) == 1
    text = (root / "rates/old.yaml").read_text().splitlines()
    assert text[stale[0].line - 1][stale[0].col - 1:].startswith("2020-01-15")
    assert reread.count("rates/old.yaml") == 1  # read once for its two warnings


def test_each_clinics_derived_data_is_computed_once_and_dropped(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both languages of the example site share one flow per clinic, and no flow outlives
    its clinic's job: when the next clinic's is made, the last one is gone (in one
    process, where the test can see them)."""
    flows: list[weakref.ref] = []
    real = sitegen.views.clinic_flow

    alive: list[int] = []  # when a clinic's flow is made, how many earlier ones live on

    def remembered(config, source):
        gc.collect()
        alive.append(sum(1 for ref in flows if ref() is not None))
        flow = real(config, source)
        flows.append(weakref.ref(flow))
        return flow

    monkeypatch.setattr(sitegen.views, "clinic_flow", remembered)
    site = _example(tmp_path)
    result = build(BuildOptions(root=site, out=tmp_path / "public", jobs=1))
    assert result.ok and result.clinics >= 5
    assert len(flows) == result.clinics
    assert alive == [0] * result.clinics


def test_parsed_files_wait_on_disk_and_only_a_good_build_keeps_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """New cache entries wait in a temporary folder, not in memory: a good build moves them
    into .sitegen-cache/docs/, a failed one leaves neither them nor the folder behind."""
    waiting = tmp_path / "tmp"
    waiting.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(waiting))
    root = make_site(tmp_path, {"rates/b.yaml": changed(RATES, "Test Clinic", "Clinic B")})
    assert build(BuildOptions(root=root, out=tmp_path / "public", jobs=1)).ok
    assert list(waiting.iterdir()) == []
    assert len(list((root / ".sitegen-cache" / "docs").glob("*.json"))) == 2
    shutil.rmtree(root / ".sitegen-cache")
    (root / "rates/c.yaml").write_text(changed(RATES, "Test Clinic", "Clinic C")
                                       .replace("cash_price: 120.00", "cash_price: lots"))
    result = build(BuildOptions(root=root, out=tmp_path / "public", jobs=1))
    assert not result.ok and list(waiting.iterdir()) == []
    assert not (root / ".sitegen-cache" / "docs").exists()
