"""Shared helpers for the validation tests: write a tiny site and collect what sitegen says.

Fee schedules in the tests are `RATES` with one line changed, or `CLINIC` plus a few lines,
so every expected line and column can be counted by hand from the text below.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner, Result

from sitegen.build import BuildOptions, load_site
from sitegen.cli import main
from sitegen.diagnostics import Diagnostics
from sitegen.model import Site

REPO = Path(__file__).resolve().parent.parent

SITE = "title: Test Prices\nbase_url: https://example.org/\n"

# Lines 1-10 of the fee schedules; text appended to CLINIC starts on line 11.
#   line 3, column 8: the npi value          line 8, column 16: the address '{'
#   line 4, column 8: the tin value          line 8, column 59: the state value (OR)
#   line 5, column 16: the disciplines '['   line 8, column 68: the zip value
#   line 7, column 7: the first location    line 10, column 17: the last_updated value
CLINIC = """\
clinic:
  name: Test Clinic
  npi: "1234567893"
  tin: "12-3456789"
  disciplines: [PT]
  locations:
    - name: Main
      address: {street: 1 Main St, city: Portland, state: OR, zip: "97201"}
      phone: "503-555-0100"
  last_updated: 2026-09-01
"""

# Lines 11-18; text appended to RATES starts on line 19.
#   line 12, column 5: the service           line 15, column 16: 'outpatient'
#   line 12, column 9: its id value          line 16, column 12: the timed value
#   line 13, column 11: the code value       line 17, column 19: the gross_charge value
#   line 14, column 18: the description      line 18, column 17: the cash_price value
SERVICES = """\
services:
  - id: exercise
    code: "97110"
    description: Therapeutic exercise
    settings: [outpatient]
    timed: true
    gross_charge: 150.00
    cash_price: 120.00
"""

RATES = CLINIC + SERVICES

# For tests of the whole command output: the same clinic, in network with one plan.
RATES_INSURED = RATES + "payers:\n  - {name: Acme, plan: PPO}\n"


def changed(text: str, old: str, new: str) -> str:
    """`text` with the one occurrence of `old` replaced (fails loudly if it is not there)."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def write_site(tmp_path: Path, files: dict[str, str | bytes | None]) -> Path:
    """A site in tmp_path/site made of exactly `files` (relative path -> text or bytes; None
    is skipped) and a copy of the templates and yearly figures (which the templates use).
    Text is written as UTF-8 exactly as given."""
    root = tmp_path / "site"
    root.mkdir(parents=True)
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(REPO / "figures", root / "figures")
    for rel, content in files.items():
        if content is None:
            continue
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return root


def make_site(tmp_path: Path, files: dict[str, str | bytes | None] | None = None) -> Path:
    """A tiny site: site.yaml, rates/a.yaml and the templates; `files` adds files or
    replaces the defaults, and None leaves a default out."""
    return write_site(tmp_path, {"site.yaml": SITE, "rates/a.yaml": RATES, **(files or {})})


# The tiny clinic takes no insurance and the tiny guides have no summary or sources: warnings of their
# own (tested in test_strict.py); leaving them out here keeps other expectations to the point.
ADVICE = {"the clinic lists no in-network insurance plans", "the guide has no summary",
          "the guide lists no sources"}


def load(root: Path) -> tuple[Site | None, list[str]]:
    """Read and validate the site: the loaded site (or None) and every formatted diagnostic
    except the ADVICE warnings."""
    diags = Diagnostics()
    site = load_site(BuildOptions(root=root), diags)
    return site, [d.format() for d in diags.sorted() if d.message not in ADVICE]


def check(tmp_path: Path, files: dict[str, str | bytes | None]) -> list[str]:
    """The formatted diagnostics of a tiny site made of the defaults and `files`."""
    return load(make_site(tmp_path, files))[1]


def check_rates(tmp_path: Path, text: str | bytes) -> list[str]:
    """The formatted diagnostics when rates/a.yaml holds `text`."""
    return check(tmp_path, {"rates/a.yaml": text})


def cli(*args: str | Path) -> Result:
    """Run the command line in-process; an unexpected exception fails the test."""
    runner = CliRunner(env={"GITHUB_ACTIONS": None})  # no ::error annotations on stdout
    return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)


def cli_process(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run `python -m sitegen ...` as a separate process, as an editor or CI would."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "GITHUB_ACTIONS": ""}
    return subprocess.run([sys.executable, "-m", "sitegen", *map(str, args)], env=env,
                          capture_output=True, text=True, timeout=60, check=False)
