"""Yearly figures (figures/<YEAR>.yaml): shown by name in guides, templates and fee schedules,
never typed by hand, with a --strict warning when the build's year has no figures."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from helpers import RATES_INSURED, REPO, changed, check, cli, make_site

from sitegen.build import BuildOptions, build
from sitegen.diagnostics import Diagnostics
from sitegen.figures import load_figures

FIGURES = """\
medicare.part_b_deductible:
  value: 283.00
  what: Part B deductible
  source: {title: CMS fact sheet, url: "https://www.cms.gov/x", checked: 2026-11-01}
aca.oop_max_self:
  value: 10600.50
  what: Out-of-pocket cap
  source: {title: HealthCare.gov, url: "https://www.healthcare.gov/x", checked: 2026-11-01}
nsa.dispute_threshold:
  value: 400.00
  what: Dispute threshold
  source: {title: eCFR, url: "https://www.ecfr.gov/x", checked: 2026-11-01}
nsa.dispute_fee:
  value: 25.00
  what: Dispute fee
  source: {title: eCFR, url: "https://www.ecfr.gov/x", checked: 2026-11-01}
nsa.dispute_days:
  value: 120
  unit: days
  what: Days to dispute
  source: {title: eCFR, url: "https://www.ecfr.gov/x", checked: 2026-11-01}
"""
SOURCES = ("sources:\n  - {title: CMS, url: \"https://www.cms.gov/\", checked: 2026-11-01}\n")
G = "content/guides/money.md"


def guide(body: str) -> str:
    return f"---\ntitle: Money\nsummary: Sums.\n{SOURCES}---\n{body}\n"


def built(root: Path) -> dict[str, bytes]:
    result = build(BuildOptions(root=root), write=False)
    assert result.ok, [d.format() for d in result.diagnostics.items]
    return result.files


def text_of(html: bytes) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html.decode()))


def test_shortcode_shows_each_figure_as_a_patient_reads_it(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"figures/2026.yaml": FIGURES, G: guide(
        "In {{< figure year >}} the deductible is {{< figure medicare.part_b_deductible >}}, "
        "the cap **{{< figure aca.oop_max_self >}}**, and you have "
        "{{< figure nsa.dispute_days >}} days.\n\n| A | B |\n| --- | --- |\n"
        "| cap | {{< figure aca.oop_max_self >}} |")})
    page = text_of(built(root)["guides/money/index.html"])
    assert ("In 2026 the deductible is $283, the cap $10,600.50, and you have 120 days."
            in page)
    assert "cap $10,600.50" in page


def test_unknown_or_malformed_figure_names_are_located_errors(tmp_path: Path) -> None:
    found = check(tmp_path, {"figures/2026.yaml": FIGURES, G: guide(
        "A {{< figure medicare.part_b_deductable >}}.\n"
        "B {{< figure >}}.\n"
        "C {{< figure a.b c.d >}}.\n"
        "D {{< price clinic=\"a\" loose >}}.")})
    assert found == [
        f"{G}:7:3: error: unknown figure 'medicare.part_b_deductable' (not in "
        "figures/2026.yaml); did you mean 'medicare.part_b_deductible'?",
        f"{G}:8:3: error: the figure shortcode takes one figure name; write it like "
        "{{< figure medicare.part_b_deductible >}}",
        f"{G}:9:3: error: the figure shortcode takes one figure name; write it like "
        "{{< figure medicare.part_b_deductible >}}",
        f"{G}:10:3: error: 'loose' needs a name in shortcode 'price'; write every argument "
        "as name=\"value\", like clinic=\"...\"",
    ]


def test_a_site_without_figures_names_what_is_missing(tmp_path: Path) -> None:
    root = make_site(tmp_path, {G: guide("{{< figure medicare.part_b_deductible >}}")})
    for file in (root / "figures").iterdir():
        file.unlink()
    for template in (root / "templates").rglob("*.html"):
        bare = re.sub(r"\{\{ figure\([^)]*\) \}\}", "X", template.read_text())
        template.write_text(re.sub(r"figure\([^)]*\)", "'X'", bare))  # also in trans args
    result = build(BuildOptions(root=root), write=False)
    assert [d.format() for d in result.diagnostics.errors] == [
        f"{G}:7:1: error: unknown figure 'medicare.part_b_deductible': the site has no "
        "yearly figures; add figures/<YEAR>.yaml with it (see docs/figures.md)"]


def test_fee_schedules_name_figures_instead_of_amounts(tmp_path: Path) -> None:
    scenario = ("scenarios:\n  - id: medicare\n    name: Medicare\n    network: in-network\n"
                "    coinsurance: 0.20\n    deductible_remaining: {figure: %s}\n")
    root = make_site(tmp_path, {"figures/2026.yaml": FIGURES,
                                "rates/a.yaml": RATES_INSURED + scenario
                                % "medicare.part_b_deductible"})
    assert build(BuildOptions(root=root), write=False).ok
    found = check(tmp_path / "bad", {"figures/2026.yaml": FIGURES, "rates/a.yaml":
                                     RATES_INSURED + scenario % "medicare.part_b"})
    assert found == ["rates/a.yaml:26:36: error: unknown figure 'medicare.part_b' (not in "
                     "figures/2026.yaml); did you mean 'medicare.part_b_deductible'?"]


def test_scenario_amount_from_a_figure_drives_the_estimate(tmp_path: Path) -> None:
    from helpers import load

    scenario = ("scenarios:\n  - id: medicare\n    name: Medicare\n    network: in-network\n"
                "    coinsurance: 0.20\n    deductible_remaining: {figure: "
                "medicare.part_b_deductible}\n")
    site, found = load(make_site(tmp_path, {"figures/2026.yaml": FIGURES,
                                            "rates/a.yaml": RATES_INSURED + scenario}))
    assert found == [] and site is not None
    assert str(site.clinics[0].schedule.scenarios[0].deductible_remaining) == "283.00"


def test_templates_may_only_name_figures_that_exist(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"figures/2026.yaml": FIGURES})
    index = root / "templates/index.html"
    index.write_text(index.read_text() + "{{ figure('aca.oop_max_famly') }}\n")
    line = index.read_text().count("\n")
    result = build(BuildOptions(root=root), write=False)
    assert [d.format() for d in result.diagnostics.errors] == [
        f"templates/index.html:{line}:4: error: unknown figure 'aca.oop_max_famly' (not in "
        "figures/2026.yaml); did you mean 'aca.oop_max_self'?"]


def test_the_build_year_picks_its_figures_and_warns_when_they_are_missing(
        tmp_path: Path) -> None:
    root = make_site(tmp_path, {"figures/2025.yaml": FIGURES.replace("283.00", "257.00"),
                                "figures/2026.yaml": FIGURES})
    for today, year, warned in ((dt.date(2025, 6, 1), 2025, False),
                                (dt.date(2026, 1, 1), 2026, False),
                                (dt.date(2027, 3, 1), 2026, True),
                                (dt.date(2024, 3, 1), 2025, True)):
        diags = Diagnostics()
        figures = load_figures(root, today, diags, 100_000)
        assert figures.year == year
        assert figures.text("medicare.part_b_deductible") == ("$257" if year == 2025 else "$283")
        assert bool(diags.warnings) == warned
    diags = Diagnostics()
    load_figures(root, dt.date(2027, 3, 1), diags, 100_000)
    assert [d.format() for d in diags.items] == [
        "figures/2026.yaml:1:1: warning: there are no yearly figures for 2027, the year of the "
        "build; pages show the 2026 figures; copy this file to figures/2027.yaml and update "
        "aca.oop_max_self, medicare.part_b_deductible, nsa.dispute_days, nsa.dispute_fee, "
        "nsa.dispute_threshold from their sources"]


@pytest.mark.parametrize("command", ["build", "check"])
def test_a_build_year_without_figures_fails_only_with_strict(tmp_path: Path,
                                                            command: str) -> None:
    """The suite's date is 2026-11-27 (conftest.py): a site with only 2025 figures is late."""
    root = make_site(tmp_path, {"rates/a.yaml": RATES_INSURED})
    (root / "figures/2026.yaml").rename(root / "figures/2025.yaml")
    warning = ("figures/2025.yaml:1:1: warning: there are no yearly figures for 2026, the year "
               "of the build; pages show the 2025 figures; copy this file to figures/2026.yaml "
               "and update ")
    relaxed = cli(command, root)
    assert relaxed.exit_code == 0, relaxed.output
    assert relaxed.stderr.startswith(warning)
    strict = cli(command, "--strict", root)
    assert strict.exit_code == 1
    assert strict.stderr.startswith(warning.replace(": warning: ", ": error: "))


def test_a_figures_file_is_checked_like_every_input(tmp_path: Path) -> None:
    bad = changed(FIGURES, "  unit: days\n", "  unit: weeks\n").replace(
        "aca.oop_max_self:", "OOP max:")
    found = check(tmp_path, {"figures/2026.yaml": bad, "figures/latest.yaml": FIGURES})
    assert "figures/latest.yaml: error: a figures file must be named after its year; rename " \
           "it like figures/2026.yaml" in found
    assert "figures/2026.yaml:5:1: error: 'OOP max' is not a figure name: use lower-case " \
           "words joined by dots, like medicare.part_b_deductible" in found, found
    assert [f for f in found if "weeks" in f] == [
        "figures/2026.yaml:19:9: error: unknown unit value \"weeks\"; use one of dollars, days, "
        "number"]


# --- Nothing year-specific is typed by hand in the example site ----------------------------

def typed_figures(files: list[Path]) -> list[str]:
    diags = Diagnostics()
    figures = load_figures(REPO, dt.date(2026, 11, 27), diags, 2_000_000)
    assert figures.every_year, "the example site has yearly figures"
    found = []
    for file in files:
        text = file.read_text(encoding="utf-8")
        for offset, typed, name in figures.typed(text):
            line = text.count("\n", 0, offset) + 1
            found.append(f"{file.name}:{line}: {typed} is {name}")
    return found


def test_no_guide_or_template_types_a_yearly_figure_by_hand() -> None:
    files = sorted([*REPO.glob("content/**/*.md"), *REPO.glob("templates/**/*.html"),
                    *REPO.glob("rates/**/*.yaml"), REPO / "site.yaml"])
    assert len(files) > 20
    assert typed_figures(files) == [], "use {{< figure NAME >}} or figure('NAME') instead"


@pytest.mark.parametrize("typed, found", [
    ("$283", "$283 is medicare.part_b_deductible"),
    ("$283.00", "$283.00 is medicare.part_b_deductible"),
    ("$2,480", "$2,480 is medicare.kx_threshold_pt_slp"),
    ("$ 2,480.00", "$ 2,480.00 is medicare.kx_threshold_pt_slp"),
    ("$10,600", "$10,600 is aca.oop_max_self"), ("($400)", "$400 is nsa.dispute_threshold"),
    ("$25.", "$25 is nsa.dispute_fee")])
def test_the_hand_typed_check_finds_each_way_of_typing_a_figure(tmp_path: Path, typed: str,
                                                                found: str) -> None:
    file = tmp_path / "probe.md"
    file.write_text(f"Costs\n{typed} a year.\n", encoding="utf-8")
    assert typed_figures([file]) == [f"probe.md:2: {found}"]


@pytest.mark.parametrize("typed", ["$2830", "$28", "$1,283", "$283.50", "283 visits"])
def test_other_amounts_are_not_taken_for_figures(typed: str) -> None:
    diags = Diagnostics()
    figures = load_figures(REPO, dt.date(2026, 11, 27), diags, 2_000_000)
    assert list(figures.typed(f"Costs {typed} a year.")) == []


@pytest.mark.parametrize("reference, message", [
    ("{figure: }", "a figure needs its name; write it like {figure: medicare.part_b_deductible}"),
    ("{figure: year}", "figure 'year' is a year, not an amount; name an amount")])
def test_a_figure_reference_needs_an_amount_s_name(tmp_path: Path, reference: str,
                                                   message: str) -> None:
    scenario = ("scenarios:\n  - id: medicare\n    name: Medicare\n    network: in-network\n"
                f"    deductible_remaining: {reference}\n")
    found = check(tmp_path, {"figures/2026.yaml": FIGURES,
                             "rates/a.yaml": RATES_INSURED + scenario})
    assert found == [f"rates/a.yaml:25:36: error: {message}"]
