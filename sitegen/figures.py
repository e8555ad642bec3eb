"""Stage `load` (yearly figures): `figures/<YEAR>.yaml`, the one place for numbers that
change every year (Part B deductible, therapy thresholds, out-of-pocket caps, dispute rules).

Guides write `{{< figure medicare.part_b_deductible >}}`, templates `figure('...')`, and
fee schedules `{figure: medicare.part_b_deductible}` instead of typing the number, so a new
year means editing one file, with each figure's source next to it. The build uses the
file of its own year (or the latest earlier one, with a warning naming what to update).
Imports: diagnostics, model, load, yamlsrc only.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, RootModel

from sitegen.diagnostics import Diagnostics, did_you_mean
from sitegen.load import read_mapping, validate_data
from sitegen.model import Day, MedicareYear, Strict, Text, WebAddress, number
from sitegen.yamlsrc import YamlDoc

FOLDER = "figures"
YEAR = "year"  # `{{< figure year >}}`: the year of the figures in use
_NAME = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+")
_FILE = re.compile(r"(\d{4})\.ya?ml")
# A dollar amount as people type it: $283, $2,480, $10,600.00
DOLLARS = re.compile(r"\$\s?(\d{1,3}(?:,\d{3})+|\d+)(\.\d{2})?(?![\d,]*\d)")
# `figure('name')` in a template
TEMPLATE_CALL = re.compile(r"""\bfigure\(\s*['"]([^'"]*)['"]\s*[,)]""")


def _name(value: str) -> str:
    if not _NAME.fullmatch(value):
        raise ValueError(f"'{value}' is not a figure name: use lower-case words joined by "
                         "dots, like medicare.part_b_deductible")
    return value


class FigureSource(Strict):
    """Where the figure comes from, and when someone last checked it there."""

    title: Text
    url: WebAddress
    checked: Day


class Figure(Strict):
    value: number(ge=0, lt=10_000_000, decimal_places=2)  # type: ignore[valid-type]
    unit: Literal["dollars", "days", "number"] = "dollars"
    what: Text
    source: FigureSource


class FigureFile(RootModel[dict[Annotated[str, AfterValidator(_name)], Figure]]):
    pass


@dataclass(frozen=True)
class Figures:
    """The figures of one year (`values`), and every year's, for the hand-typed check."""

    year: int | None = None
    path: str | None = None
    values: dict[str, Figure] = field(default_factory=dict)
    every_year: dict[int, dict[str, Figure]] = field(default_factory=dict)
    unreadable: tuple[str, ...] = ()  # figures files with errors of their own

    def text(self, name: str, cents: bool = False) -> str:
        """The figure as a page shows it: '$283', '$10,600', '120'; with `cents`, dollars
        always with cents ('$400.00'), as in a table of amounts."""
        if name == YEAR:
            return str(self.year)
        figure = self.values[name]
        whole = figure.value == figure.value.to_integral() and not cents
        amount = f"{figure.value:,.0f}" if whole else f"{figure.value:,.2f}"
        return "$" + amount if figure.unit == "dollars" else amount

    def known(self, name: str) -> bool:
        return name == YEAR and self.year is not None or name in self.values

    def problem(self, name: str) -> tuple[str, str] | None:
        """Message and hint when `name` cannot be shown, else None."""
        if self.known(name):
            return None
        if self.unreadable and self.year is None:  # not "no figures": they have errors
            return (f"unknown figure '{name}': {', '.join(self.unreadable)} could not be read",
                    "fix the errors reported in that file first")
        if self.year is None:
            return (f"unknown figure '{name}': the site has no yearly figures",
                    f"add {FOLDER}/<YEAR>.yaml with it (see docs/figures.md)")
        return (f"unknown figure '{name}' (not in {self.path})",
                did_you_mean(name, self.values) or f"add it to {self.path}, with its source")

    def typed(self, text: str) -> Iterator[tuple[int, str, str]]:
        """(offset, amount as typed, figure name) of each dollar amount in `text` that is a
        yearly dollar figure of any year, typed by hand instead of by name."""
        dollars: dict[Decimal, str] = {}
        for year in sorted(self.every_year, reverse=True):
            for name, figure in self.every_year[year].items():
                if figure.unit == "dollars":
                    dollars.setdefault(figure.value, name)
        for match in DOLLARS.finditer(text):
            amount = Decimal(match.group(1).replace(",", "") + (match.group(2) or ""))
            if amount in dollars:
                yield match.start(), match.group(0), dollars[amount]


def load_figures(root: Path, today: dt.date, diags: Diagnostics, max_bytes: int) -> Figures:
    """Every `figures/<YEAR>.yaml`; the figures in use are the build year's, or the latest
    earlier year's (warning: the new year's figures are missing)."""
    folder = root / FOLDER
    files = sorted(p for p in folder.iterdir() if p.is_file() and
                   p.suffix.lower() in (".yaml", ".yml")) if folder.is_dir() else []
    every_year: dict[int, dict[str, Figure]] = {}
    seen: dict[int, str] = {}
    unreadable: list[str] = []
    for file in files:
        display = f"{FOLDER}/{file.name}"
        match = _FILE.fullmatch(file.name)
        if not match:
            diags.error(display, 0, 0, "a figures file must be named after its year",
                        f"rename it like {FOLDER}/{today.year}.yaml")
            continue
        if seen.setdefault(int(match.group(1)), display) != display:
            diags.error(display, 0, 0, f"the figures of {match.group(1)} are given twice, here "
                        f"and in {seen[int(match.group(1))]}", "keep one of the two files")
            continue
        doc = read_mapping(file, display, diags, "a mapping of figure names",
                           "start with a figure, like 'medicare.part_b_deductible:'", max_bytes)
        loaded = validate_data(doc, FigureFile, diags) if doc is not None else None
        if loaded is not None:
            every_year[int(match.group(1))] = loaded.root
        else:
            unreadable.append(display)
    if not every_year:
        return Figures(unreadable=tuple(unreadable))
    earlier = [y for y in every_year if y <= today.year]
    year = max(earlier) if earlier else min(every_year)
    path = seen[year]
    if year != today.year:
        diags.warning(path, 1, 1, f"there are no yearly figures for {today.year}, the year of "
                      f"the build; pages show the {year} figures",
                      f"copy this file to {FOLDER}/{today.year}.yaml and update "
                      + ", ".join(sorted(every_year[year])) + " from their sources")
    return Figures(year, path, every_year[year], every_year, tuple(unreadable))


# The figures that make one year of Original Medicare's figures (`SiteConfig.medicare`).
MEDICARE_FIGURES = {"part_b_deductible": "medicare.part_b_deductible",
                    "therapy_threshold_pt_slp": "medicare.kx_threshold_pt_slp",
                    "therapy_threshold_ot": "medicare.kx_threshold_ot",
                    "targeted_review_threshold": "medicare.review_threshold"}


def medicare_years(figures: Figures, typed: list[MedicareYear]) -> list[MedicareYear]:
    """Each year's Medicare figures from figures/<YEAR>.yaml, so an amount is typed once;
    a year site.yaml's `medicare:` lists overrides the file's (docs/figures.md says when)."""
    own = {m.year for m in typed}
    found = list(typed)
    for year, values in figures.every_year.items():
        if year not in own and all(name in values for name in MEDICARE_FIGURES.values()):
            found.append(MedicareYear(year=year, **{key: values[name].value for key, name
                                                    in MEDICARE_FIGURES.items()}))
    return sorted(found, key=lambda m: m.year)


def repeated_medicare(figures: Figures, typed: list[MedicareYear]
                      ) -> Iterator[tuple[int, str, str]]:
    """(index, key, figure name) of each amount of site.yaml's `medicare:` that only
    repeats its year's figure: typed twice, it would fall behind when the file changes."""
    for i, entry in enumerate(typed):
        values = figures.every_year.get(entry.year, {})
        for key, name in MEDICARE_FIGURES.items():
            if name in values and values[name].value == getattr(entry, key):
                yield i, key, name


def resolve_references(doc: YamlDoc, figures: Figures, diags: Diagnostics) -> None:
    """Replace each `{figure: NAME}` in a YAML document (a scenario's deductible, say) with
    the figure's value, before the document is validated; unknown names are errors."""
    def walk(value: object, loc: tuple) -> object:
        if isinstance(value, dict):
            if set(value) == {"figure"}:
                name = value["figure"]
                where = doc.positions.of((*loc, "figure"))
                if not isinstance(name, str):
                    problem: tuple[str, str] | None = (
                        "a figure needs its name", "write it like {figure: "
                        "medicare.part_b_deductible}")
                    if any(d.path == doc.path and d.line == where[0] for d in diags.errors):
                        problem = None  # its text was refused when the file was read
                else:
                    problem = figures.problem(name) or (
                        (f"figure '{name}' is a year, not an amount", "name an amount")
                        if name == YEAR else None) or _not_dollars(figures, name)
                    if problem is None:
                        return figures.values[name].value
                if problem is not None:
                    diags.error(doc.path, *where, *problem)
                return Decimal(0)  # reported; validation need not report it again
            return {k: walk(v, (*loc, k)) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, (*loc, i)) for i, v in enumerate(value)]
        return value

    doc.data = walk(doc.data, ())


def _not_dollars(figures: Figures, name: str) -> tuple[str, str] | None:
    """A fee schedule's `{figure: NAME}` stands for an amount of money: a figure counted in
    days or as a plain number would become dollars."""
    unit = figures.values[name].unit
    if unit == "dollars":
        return None
    return (f"figure '{name}' is counted in {unit}, not dollars, so it cannot be an amount",
            "name a figure with unit: dollars, or write the amount")


def check_templates(templates: Path, figures: Figures, diags: Diagnostics) -> None:
    """Every `figure('NAME')` in the templates must name a figure, so rendering never
    looks one up in vain."""
    if not templates.is_dir():
        return
    for file in sorted(templates.rglob("*.html")):
        display = "templates/" + file.relative_to(templates).as_posix()
        text = file.read_text(encoding="utf-8", errors="replace")
        for match in TEMPLATE_CALL.finditer(text):
            problem = figures.problem(match.group(1))
            if problem is not None:
                line = text.count("\n", 0, match.start()) + 1
                col = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
                diags.error(display, line, col, *problem)



def references_near(file: Path, diags: Diagnostics):
    """For reading one fee schedule alone (`sitegen export`/`import`): resolve its figure
    references with the figures of the site it sits in (the nearest figures/ folder up)."""
    root = next((p for p in file.resolve().parents if (p / FOLDER).is_dir()), None)
    figures = (load_figures(root, dt.date.today(), Diagnostics(), 2_000_000)
               if root is not None else Figures())

    def prepare(doc: YamlDoc) -> None:
        resolve_references(doc, figures, diags)
    return prepare
