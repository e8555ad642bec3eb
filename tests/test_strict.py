"""Each warning class is reported as a warning (exit 0) and fails the run with --strict."""

from __future__ import annotations

import pytest
from helpers import RATES_INSURED, changed, cli, make_site

R = "rates/a.yaml"
G = "content/guides/costs.md"
SOURCE = "  - {title: CMS, url: 'https://www.cms.gov/', checked: %s}\n"
GUIDE = ("---\ntitle: Costs\nsummary: What things cost.\nsources:\n" + SOURCE % "2026-11-01"
         + "---\nText.\n")

CASES = {
    "cash above gross": (
        {R: changed(RATES_INSURED, "cash_price: 120.00", "cash_price: 170.00")},
        f"{R}:18:17: warning: cash price 170.00 is above the gross charge 150.00; a self-pay "
        "price is normally a discount on the gross charge; check both amounts"),
    "stale prices": (  # the suite's date is 2026-11-27 (SOURCE_DATE_EPOCH, conftest.py)
        {R: changed(RATES_INSURED, "last_updated: 2026-09-01", "last_updated: 2025-11-26")},
        f"{R}:10:17: warning: prices were last updated on 2025-11-26, more than 12 months "
        "ago; review the prices, then set last_updated to today"),
    "future date": (
        {R: changed(RATES_INSURED, "last_updated: 2026-09-01", "last_updated: 2026-12-01")},
        f"{R}:10:17: warning: last_updated 2026-12-01 is in the future; set it to the date "
        "the prices were last reviewed"),
    "no in-network plans": (
        {R: RATES_INSURED.split("payers:")[0]},
        f"{R}:1:1: warning: the clinic lists no in-network insurance plans; add them under "
        "payers:; if the clinic takes no insurance, set clinic.insurance: none (or superbill, "
        "if it gives patients superbills)"),
    "guide without summary": (
        {R: RATES_INSURED, G: GUIDE.replace("summary: What things cost.\n", "")},
        f"{G}:2:1: warning: the guide has no summary; add 'summary: <one sentence>'; the "
        "home page lists it"),
    "guide without sources": (
        {R: RATES_INSURED, G: GUIDE.replace("sources:\n" + SOURCE % "2026-11-01", "")},
        f"{G}:2:1: warning: the guide lists no sources; add 'sources:' with the title, url and "
        "date checked of each page its facts come from (see the README)"),
    "source checked over a year ago": (
        {R: RATES_INSURED, G: GUIDE.replace("2026-11-01", "2025-11-26")},
        f"{G}:5:56: warning: source 'CMS' was last checked on 2025-11-26, more than 12 months "
        "ago; check the guide against it again, then set checked to today"),
}


@pytest.mark.parametrize("files, warning", CASES.values(), ids=CASES.keys())
@pytest.mark.parametrize("command", ["build", "check"])
def test_warning_passes_without_strict_and_fails_with_it(tmp_path, files, warning, command):
    root = make_site(tmp_path, {G: GUIDE, **files})
    relaxed = cli(command, root)
    assert relaxed.exit_code == 0, relaxed.output
    assert relaxed.stderr.splitlines()[:2] == [warning, "0 errors, 1 warning"]

    strict = cli(command, "--strict", root)
    assert strict.exit_code == 1
    assert strict.stderr.splitlines()[:2] == [warning.replace(": warning: ", ": error: "),
                                              "1 error, 0 warnings"]


def test_a_year_old_to_the_day_is_not_stale(tmp_path):
    root = make_site(tmp_path, {G: GUIDE, R: changed(
        RATES_INSURED, "last_updated: 2026-09-01", "last_updated: 2025-11-27")})
    result = cli("check", "--strict", root)
    assert result.exit_code == 0, result.output


def test_a_source_checked_a_year_ago_to_the_day_is_not_stale(tmp_path):
    root = make_site(tmp_path, {G: GUIDE.replace("2026-11-01", "2025-11-27"),
                                R: RATES_INSURED})
    result = cli("check", "--strict", root)
    assert result.exit_code == 0, result.output
