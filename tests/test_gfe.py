"""Good faith estimates: the public notice and printable estimates of every example clinic,
the footer link, the print stylesheet, business days and due dates across weekends and
federal holidays, and `sitegen gfe` (its output, its located errors, and that no patient
data ever reaches public/)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
import posixpath
import re
import shutil
import stat
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import html5lib
import pytest
from click.testing import CliRunner, Result
from helpers import write_site
from hypothesis import given
from hypothesis import strategies as st

from sitegen.build import BuildOptions, build, load_site
from sitegen.cli import main
from sitegen.diagnostics import Diagnostics
from sitegen.estimates import visit_plan
from sitegen.gfe import (
    add_business_days,
    business_days_between,
    federal_holidays,
    is_business_day,
    timing,
)
from sitegen.model import ClinicSource

ROOT = Path(__file__).resolve().parent.parent
NS = "{http://www.w3.org/1999/xhtml}"
D = dt.date


# --- helpers ------------------------------------------------------------------------------


def text(element) -> str:
    return re.sub(r"\s+", " ", "".join(element.itertext())).strip()


def parse(html: str):
    return html5lib.parse(html)


def find_all(tree, tag: str, **attrs: str) -> list:
    return [e for e in tree.iter(f"{NS}{tag}")
            if all((e.get(k.replace("_", "-")) or "") == v if k != "class_" else
                   v in (e.get("class") or "").split() for k, v in attrs.items())]


def field(section, name: str):
    found = [e for e in section.iter() if e.get("data-field") == name]
    assert len(found) == 1, name
    return found[0]


def money(amount: Decimal) -> str:
    return f"${amount:,.2f}"


def _runner() -> CliRunner:
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        return CliRunner()


def gfe(*args: str) -> Result:
    return _runner().invoke(main, ["gfe", *args])


@pytest.fixture(autouse=True)
def _plain_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


def copy_site(tmp_path: Path) -> Path:
    """The example site, copied: site.yaml, rates/, content/, templates/ and figures/."""
    root = tmp_path / "site"
    root.mkdir()
    shutil.copy(ROOT / "site.yaml", root / "site.yaml")
    for folder in ("rates", "content", "templates", "figures"):
        shutil.copytree(ROOT / folder, root / folder)
    return root


make_site = write_site


@pytest.fixture(scope="module")
def example() -> tuple[dict[str, str], list[ClinicSource]]:
    """The example site's pages (built in memory) and its clinics, as loaded."""
    result = build(BuildOptions(root=ROOT), write=False)
    assert result.ok, [d.format() for d in result.diagnostics.items]
    site = load_site(BuildOptions(root=ROOT), Diagnostics())
    assert site is not None
    pages = {k: v.decode() for k, v in result.files.items() if k.endswith(".html")}
    return pages, list(site.clinics)


CLINICS = {
    "cedar-street-pt": ("Cedar Street Physical Therapy", "1582047365", "39-2718460", "WI"),
    "juniper-hill-pt": ("Juniper Hill Physical Therapy", "1720938467", "82-4417305", "ID"),
    "little-steps-pediatric": ("Little Steps Pediatric Therapy", "1296384757", "31-2657490",
                               "OH"),
    "mercy-valley-rehab": ("Mercy Valley Medical Center Rehabilitation Services",
                           "1739055287", "91-3072584", "WA"),
    "riverside-hand-ot": ("Riverside Hand & Occupational Therapy", "1847520933",
                          "93-4817265", "OR"),
}

TOTALS = {
    ("juniper-hill-pt", "eval-and-8"): "$1,629.00",
    ("little-steps-pediatric", "ot-eval-and-12"): "$2,061.00",
    ("little-steps-pediatric", "speech-eval-and-24"): "$2,950.00",
    ("little-steps-pediatric", "ot-and-speech"): "$4,450.00",
    ("mercy-valley-rehab", "pt-eval-and-12"): "$3,528.00",
    # Cash prices: evaluation 360 + 36 x (90 + 92 + 101 + 109 = 392) = 14,472.
    ("mercy-valley-rehab", "pt-after-stroke"): "$14,472.00",
    ("mercy-valley-rehab", "ot-eval-and-10"): "$3,450.00",
    ("mercy-valley-rehab", "speech-eval-and-10"): "$2,185.00",
    ("riverside-hand-ot", "eval-and-12"): "$2,753.00",
    # the splint (L3906, fitting included) plus 1 unit of 97760 training at $62.00
    ("riverside-hand-ot", "post-surgery-hand"): "$1,833.00",
    ("riverside-hand-ot", "home-program-video"): "$751.00",
}

DISCLAIMERS = [
    "The following is a list of items and services that",
    "expects to be scheduled separately, before or after the period of care this estimate "
    "covers. They are not included in this estimate. You will get a separate Good Faith "
    "Estimate for each of them when it is scheduled, or sooner if you ask",
    "may recommend more items or services as part of your course of care that must be "
    "scheduled or requested separately. They are not included in this estimate.",
    "This is only an estimate.",
    "The actual items, services or charges may differ from this estimate",
    "If a provider or facility listed on this estimate bills you at least $400 more than the "
    "total this estimate shows for that provider or facility, you can start the "
    "patient-provider dispute resolution process.",
    "within 120 calendar days (about 4 months) of the date on the first bill",
    "The fee is $25 and is not refunded.",
    "An independent reviewer then decides what you pay: the amount on this estimate, the "
    "amount of the bill, or an amount in between.",
    "go to www.cms.gov/nosurprises/consumers, email FederalPPDRQuestions@cms.hhs.gov or call "
    "1-800-985-3059",
    "Starting the dispute resolution process will not adversely affect the quality of the "
    "care you receive.",
    "This estimate is not a contract and does not require you to obtain the items or "
    "services listed from any of the providers or facilities on it.",
    "keeps this estimate as part of your medical record and gives you a copy of any good "
    "faith estimate it gave you in the last 6 years when you ask.",
]

# 45 CFR 149.610(c)(1), in its order, then the note on keeping the estimate.
PARTS = ["patient", "primary-service", "items", "providers", "scheduled-separately",
         "additional-items", "estimate-only", "dispute", "not-a-contract", "record"]


def expected_items(source: ClinicSource, course_id: str) -> list[tuple[str, str, str, str]]:
    """(code, units, price, charge) per billed line, from the fee schedule and the units of
    `estimates.visit_plan` (the same units as the cost pages)."""
    course = next(c for c in source.schedule.courses if c.id == course_id)
    rows = []
    for visit in course.visits:
        plan = visit_plan(source, visit)
        for line in plan.lines:
            units = line.units * plan.count
            rows.append((f"{line.service.code_type} {line.service.code}", str(units),
                         money(line.service.cash_price),
                         money(line.service.cash_price * units)))
    return rows


def item_rows(section) -> list[tuple[str, str, str, str]]:
    rows = []
    for tr in find_all(section, "tr", class_="gfe-item"):
        cells = [text(c) for c in tr]
        code, units, price, charge = cells[1], cells[3].split(" ")[0], cells[4], cells[5]
        assert tr.get("data-code") == code.split(" ")[1]
        rows.append((code, units, price, charge))
    return rows


# --- public pages -------------------------------------------------------------------------


# Cedar Street PT charges visit prices and ranges (not code by code): tests/test_fee_additions.py
@pytest.mark.parametrize("slug", sorted(set(CLINICS) - {"cedar-street-pt"}))
def test_each_clinic_publishes_the_notice_and_a_complete_estimate_per_course(
        example, slug: str) -> None:
    pages, clinics = example
    source = next(c for c in clinics if c.slug == slug)
    name, npi, tin, state = CLINICS[slug]
    tree = parse(pages[f"clinics/{slug}/good-faith-estimate/index.html"])
    assert text(find_all(tree, "h1")[0]) == f"Good faith estimates at {name}"

    notice = find_all(tree, "section", class_="gfe-notice")[0]
    assert text(find_all(notice, "h2")[0]) == \
        "Your right to receive a good faith estimate of expected charges"
    assert "at least $400 more than its Good Faith Estimate" in text(notice)
    assert "visit www.cms.gov/nosurprises/consumers, email FederalPPDRQuestions@cms.hhs.gov, " \
        "or call 1-800-985-3059." in text(notice)
    assert text(field(notice, "notice-version")) == "Notice version 2026-11"

    sections = find_all(tree, "section", class_="gfe-estimate")
    assert [s.get("id") for s in sections] == \
        [f"gfe-{c.id}" for c in source.schedule.courses]
    for section, course in zip(sections, source.schedule.courses):
        assert text(find_all(section, "h2")[0]) == f"Good Faith Estimate: {course.name}"
        for blank in ("patient-name", "date-of-birth", "diagnosis-codes", "service-date",
                      "estimate-date"):
            element = field(section, blank)
            assert text(element) == "" and "gfe-blank" in element.get("class"), blank
        assert text(field(section, "primary-service")).startswith(course.name)
        assert text(field(section, "provider-name")) == name
        assert text(field(section, "npi")) == npi
        assert text(field(section, "tin")) == tin
        assert text(field(section, "state")) == state
        locations = text(field(section, "locations"))
        for loc in source.clinic.locations:
            assert f"{loc.name}, {loc.address.street}, {loc.address.city}, " \
                   f"{loc.address.state} {loc.address.zip}" in locations
        count = sum(v.count for v in course.visits)
        assert text(field(section, "visit-count")).startswith(f"{count} visits: ")
        assert text(field(section, "frequency")) == course.frequency
        assert text(field(section, "period")) == f"About {course.months} months"

        rows = item_rows(section)
        assert rows == expected_items(source, course.id)
        # Every diagnosis-code cell is blank, to be filled in.
        for tr in find_all(section, "tr", class_="gfe-item"):
            assert text(list(tr)[2]) == "" and "gfe-blank" in list(tr)[2].get("class")
        total = sum((Decimal(r[3].strip("$").replace(",", "")) for r in rows), Decimal(0))
        assert money(total) == TOTALS[(slug, course.id)]
        assert text(field(section, "total")) == TOTALS[(slug, course.id)]
        subtotal = find_all(section, "tr", class_="gfe-subtotal")[0]
        assert [text(c) for c in subtotal] == [f"Total expected charges from {name}",
                                               TOTALS[(slug, course.id)]]

        separately = text(field(section, "scheduled-separately"))
        if course.scheduled_separately:
            assert separately == " ".join(course.scheduled_separately)
        else:
            assert separately == "None are expected for this course of care."
        body = text(section)
        for sentence in DISCLAIMERS:
            assert sentence in body, sentence


def test_estimate_totals_equal_the_self_pay_price_of_the_cost_pages(example) -> None:
    """The same units and cash prices as the "paying yourself" row of the estimates pages."""
    pages, _ = example
    for (slug, course), total in TOTALS.items():
        tree = parse(pages[f"clinics/{slug}/estimates/index.html"])
        row = next(tr for tr in tree.iter(f"{NS}tr") if tr.get("id") == f"{course}--self-pay")
        assert text(list(row)[1]) == total, (slug, course)


def test_worked_example_of_units_and_minutes(example) -> None:
    pages, _ = example
    tree = parse(pages["clinics/riverside-hand-ot/good-faith-estimate/index.html"])
    section = next(s for s in find_all(tree, "section") if s.get("id") == "gfe-eval-and-12")
    rows = [[text(c) for c in tr] for tr in find_all(section, "tr", class_="gfe-item")]
    assert rows == [
        ["First OT visit for a problem that needs a fuller look, such as recovery after hand "
         "surgery", "CPT 97166", "", "1", "$185.00", "$185.00"],
        ["Exercises to build strength, motion and endurance (20 minutes a visit)", "CPT 97110",
         "", "12 (1 a visit × 12)", "$52.00", "$624.00"],
        ["Hands-on treatment such as joint mobilization, soft-tissue work and scar massage "
         "(15 minutes a visit)", "CPT 97140", "", "12 (1 a visit × 12)", "$50.00", "$600.00"],
        ["Practice of real tasks like gripping, lifting and reaching to improve everyday "
         "function (25 minutes a visit)", "CPT 97530", "", "24 (2 a visit × 12)", "$56.00",
         "$1,344.00"],
    ]
    groups = [text(tr) for tr in find_all(section, "tr", class_="gfe-visit")]
    assert groups == ["1 × First OT visit for a problem that needs a fuller look, such as "
                      "recovery after hand surgery", "12 × Standard 60-minute visit "
                      "(60 minutes)"]


def resolve(page: str, href: str) -> str:
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page), href))
    return posixpath.join(target, "index.html") if href.endswith("/") else target


def test_every_page_links_to_the_notice_in_its_footer(example) -> None:
    pages, _ = example
    checked = 0
    words = {"": ("No insurance, or not using it? You have the right to a good faith estimate of "
                  "your costs (not for care Medicare or Medicaid covers when you have it): read ", "read the notice and printable estimates of {}"),
             "es/": ("¿No tiene seguro, o no lo usa? Tiene derecho a una estimación de buena fe "
                     "de sus costos (no para la atención que cubren Medicare o Medicaid cuando los "
                     "tiene): lea ", "lea el aviso y las estimaciones para imprimir de {}")}
    for rel, html in pages.items():
        lang = "es/" if rel.startswith("es/") else ""   # the Spanish pages link to theirs
        page = rel.removeprefix(lang)
        if page == "404.html":
            continue
        footer = find_all(parse(html), "footer", class_="site-footer")[0]
        line = find_all(footer, "p", class_="gfe-link")[0]
        assert text(line).startswith(words[lang][0]), rel
        href = find_all(line, "a")[0].get("href")
        target = resolve(rel, href)
        clinic = page.split("/")[1] if page.startswith("clinics/") else None
        if clinic in CLINICS:
            assert target == f"{lang}clinics/{clinic}/good-faith-estimate/index.html", rel
            assert text(find_all(line, "a")[0]) == words[lang][1].format(CLINICS[clinic][0])
        else:
            assert target == f"{lang}good-faith-estimate/index.html", rel
        assert 'id="notice"' in pages[target], rel
        checked += 1
    assert checked >= 50
    footer_404 = pages["404.html"]
    assert '<a href="/good-faith-estimate/">read the notice</a>' in footer_404


def test_site_notice_page_leads_to_every_clinic_and_clinic_pages_link_to_theirs(
        example) -> None:
    pages, _ = example
    tree = parse(pages["good-faith-estimate/index.html"])
    assert text(find_all(tree, "h1")[0]) == "Your right to a good faith estimate"
    links = {text(a): a.get("href") for a in find_all(tree, "main")[0].iter(f"{NS}a")}
    for slug, (name, *_) in CLINICS.items():
        assert links[name] == f"../clinics/{slug}/good-faith-estimate/"
        clinic = pages[f"clinics/{slug}/index.html"]
        assert '<a href="good-faith-estimate/">the notice of your right to a good faith ' \
               'estimate, and printable estimates for common courses of care</a>' in clinic


def test_print_stylesheet_fits_letter_and_a4_and_breaks_per_estimate() -> None:
    """The rules tests/test_browser.py checks on paper, here without a browser."""
    css = (ROOT / "templates/assets/style.css").read_text(encoding="utf-8")
    assert re.search(r"@page\s*\{\s*size:\s*portrait;\s*margin:\s*15mm;\s*\}", css)
    assert re.search(r"@page gfe \{\s*@top-right \{ content: \"Good Faith Estimate \\b7  page "
                     r"\" counter\(page\) \" of \" counter\(pages\);", css)
    prints = css[css.rindex("@media print"):]
    assert re.search(r"\.gfe-estimate \{ break-before: page;", prints)
    assert re.search(r"\.gfe-items tr, \.gfe-fields div \{ break-inside: avoid;", prints)
    assert re.search(r"\.gfe-subtotal-group, \.gfe-total \{ break-before: avoid;", prints)
    assert re.search(r"\.gfe-closing \{ break-before: avoid;", prints)
    # Long tables may break between rows: neither the table nor a group of rows is kept
    # in one piece.
    for rule in re.findall(r"([^{}]*)\{[^{}]*break-inside:\s*avoid", prints):
        selectors = {part.strip() for part in rule.split(",")}
        assert not selectors & {".gfe-items", ".gfe-items tbody", ".table-wrap"}, rule
    assert re.search(r"body:has\(\.gfe-estimate\) \.site-header, \.gfe-screen, \.gfe-staff "
                     r"\{ display: none; \}", prints)
    # No fixed widths: only percentages and rem/em minimums.
    assert not re.search(r"(?<![-\w])width:\s*[\d.]+(px|mm|cm|in|pt)", css)


def test_the_notice_can_be_replaced_in_site_yaml(tmp_path: Path) -> None:
    rates = (ROOT / "rates/riverside-hand-ot.yaml").read_text(encoding="utf-8")
    site = ("title: Test\nbase_url: https://example.org/\ngood_faith_estimate:\n"
            "  notice_version: 2026-02-ours\n  notice_title: Your right to an estimate\n"
            "  notice:\n    - First paragraph.\n    - Second paragraph.\n")
    root = make_site(tmp_path, {"site.yaml": site, "rates/riverside-hand-ot.yaml": rates})
    result = build(BuildOptions(root=root), write=False)
    assert result.ok, [d.format() for d in result.diagnostics.items]
    for rel in ("good-faith-estimate/index.html",
                "clinics/riverside-hand-ot/good-faith-estimate/index.html"):
        notice = find_all(parse(result.files[rel].decode()), "section", class_="gfe-notice")[0]
        assert [text(e) for e in notice] == ["Your right to an estimate", "First paragraph.",
                                             "Second paragraph.", "Notice version 2026-02-ours"]

    root2 = tmp_path / "two"
    shutil.copytree(root, root2)
    (root2 / "site.yaml").write_text(site.replace("  notice_version: 2026-02-ours\n", ""),
                                     encoding="utf-8")
    result = build(BuildOptions(root=root2), write=False)
    assert [d.format() for d in result.diagnostics.items] == [
        "site.yaml:4:3: error: a notice text of your own needs a notice_version of its own; "
        "add notice_version: (for example 2026-11-ours)"]


def test_a_clinic_without_courses_still_has_its_notice(tmp_path: Path) -> None:
    rates = (ROOT / "rates/riverside-hand-ot.yaml").read_text(encoding="utf-8")
    rates = rates[:rates.index("\ncourses:")] + "\n"
    root = make_site(tmp_path, {"site.yaml": "title: T\n", "rates/solo.yaml": rates})
    result = build(BuildOptions(root=root), write=False)
    assert result.ok, [d.format() for d in result.diagnostics.items]
    page = result.files["clinics/solo/good-faith-estimate/index.html"].decode()
    assert 'id="notice"' in page and "gfe-estimate" not in page
    assert "has not published standard courses of care" in page


# --- business days and due dates ----------------------------------------------------------


def test_federal_holidays_2026_and_2027_on_their_observed_dates() -> None:
    assert list(federal_holidays(2026)) == [
        D(2026, 1, 1), D(2026, 1, 19), D(2026, 2, 16), D(2026, 5, 25), D(2026, 6, 19),
        D(2026, 7, 3), D(2026, 9, 7), D(2026, 10, 12), D(2026, 11, 11), D(2026, 11, 26),
        D(2026, 12, 25)]
    assert federal_holidays(2026)[D(2026, 7, 3)] == "Independence Day (observed)"
    assert list(federal_holidays(2027)) == [
        D(2027, 1, 1), D(2027, 1, 18), D(2027, 2, 15), D(2027, 5, 31), D(2027, 6, 18),
        D(2027, 7, 5), D(2027, 9, 6), D(2027, 10, 11), D(2027, 11, 11), D(2027, 11, 25),
        D(2027, 12, 24), D(2027, 12, 31)]
    # New Year's Day 2028 is a Saturday: observed on Friday, December 31, 2027.
    assert federal_holidays(2027)[D(2027, 12, 31)] == "New Year's Day (observed)"
    assert D(2028, 1, 1) not in federal_holidays(2028)
    assert federal_holidays(2028)[D(2028, 11, 10)] == "Veterans Day (observed)"
    assert D(2020, 6, 19) not in federal_holidays(2020)  # Juneteenth: from 2021


@pytest.mark.parametrize(("day", "business"), [
    (D(2026, 7, 3), False),    # July 4, 2026 is a Saturday: observed Friday
    (D(2026, 7, 6), True),
    (D(2026, 11, 26), False),  # Thanksgiving
    (D(2026, 11, 27), True),   # the Friday after is a business day
    (D(2027, 12, 31), False),  # New Year's Day 2028, observed
    (D(2026, 6, 19), False),   # Juneteenth
    (D(2026, 11, 28), False),  # a Saturday
    (D(2026, 11, 30), True),
])
def test_business_days(day: dt.date, business: bool) -> None:
    assert is_business_day(day) is business


@pytest.mark.parametrize(("booked", "scheduled", "ahead", "due"), [
    # Monday before Thanksgiving 2026 for the Monday two weeks later: Thanksgiving makes it
    # 9 business days, not 10, so 1 business day to give the estimate.
    (D(2026, 11, 23), D(2026, 12, 7), 9, D(2026, 11, 24)),
    # One day later it is 10 ahead: 3 business days, skipping Thanksgiving.
    (D(2026, 11, 23), D(2026, 12, 8), 10, D(2026, 11, 27)),
    # Booked the Wednesday before Thanksgiving for the Monday after: 2 days ahead.
    (D(2026, 11, 25), D(2026, 11, 30), 2, None),
    (D(2026, 11, 25), D(2026, 12, 1), 3, D(2026, 11, 27)),
    # July 3, 2026 (Independence Day observed) is not a business day.
    (D(2026, 7, 2), D(2026, 7, 9), 4, D(2026, 7, 6)),
    (D(2026, 7, 2), D(2026, 7, 8), 3, D(2026, 7, 6)),
    (D(2026, 7, 1), D(2026, 7, 6), 2, None),
    # Booked on a Saturday: the next business day is Monday.
    (D(2026, 10, 3), D(2026, 10, 8), 4, D(2026, 10, 5)),
    # Booked December 28, 2027 for January 11, 2028: December 31 is New Year's Day observed.
    (D(2027, 12, 28), D(2028, 1, 11), 9, D(2027, 12, 29)),
    (D(2027, 12, 28), D(2028, 1, 12), 10, D(2028, 1, 3)),
])
def test_due_date_when_booked(booked: dt.date, scheduled: dt.date, ahead: int,
                              due: dt.date | None) -> None:
    result = timing(booked=booked, scheduled=scheduled)
    assert result.days_ahead == ahead
    assert result.due == due
    assert result.required is (due is not None)


@pytest.mark.parametrize(("requested", "due"), [
    (D(2026, 11, 24), D(2026, 11, 30)),  # Tuesday before Thanksgiving: Wed, Fri, Mon
    (D(2026, 7, 1), D(2026, 7, 7)),      # Thu, (Fri July 3 observed), Mon, Tue
    (D(2026, 7, 4), D(2026, 7, 8)),      # asked on Saturday, July 4
    (D(2027, 12, 29), D(2028, 1, 4)),    # Thu, (Fri Dec 31 observed), Mon, Tue
])
def test_due_date_when_requested(requested: dt.date, due: dt.date) -> None:
    assert timing(requested=requested).due == due


def test_staff_lines() -> None:
    booked = timing(booked=D(2026, 11, 23), scheduled=D(2026, 12, 7))
    rule = ("the service on Monday, December 7, 2026 was booked on Monday, November 23, 2026, "
            "9 business days ahead (at least 3, fewer than 10), so the estimate is due within "
            "1 business day of booking")
    assert booked.staff_line(D(2026, 11, 23)) == f"Due by Tuesday, November 24, 2026: {rule}."
    assert booked.staff_line(D(2026, 11, 24)) == \
        f"Due today, Tuesday, November 24, 2026: {rule}."
    assert booked.staff_line(D(2026, 11, 27)) == (
        "Late: this estimate was due by Tuesday, November 24, 2026; give it to the patient "
        f"today. It was due then because {rule}.")
    assert timing(booked=D(2026, 11, 25), scheduled=D(2026, 11, 30)).staff_line(
        D(2026, 11, 25)) == (
        "No good faith estimate is required: the service on Monday, November 30, 2026 was "
        "booked on Wednesday, November 25, 2026, only 2 business days ahead; an estimate is "
        "required only for services booked at least 3 business days ahead. Giving this "
        "estimate anyway is allowed and helps the patient.")
    assert timing(requested=D(2026, 11, 24)).staff_line(D(2026, 11, 24)) == (
        "Due by Monday, November 30, 2026: the patient asked for an estimate on Tuesday, "
        "November 24, 2026, so it is due within 3 business days of the request.")


@given(st.dates(min_value=D(2021, 1, 1), max_value=D(2040, 12, 31)), st.integers(0, 40))
def test_adding_and_counting_business_days_agree(start: dt.date, days: int) -> None:
    end = add_business_days(start, days)
    assert business_days_between(start, end) == days
    assert days == 0 or is_business_day(end)


# --- sitegen gfe --------------------------------------------------------------------------

PATIENT = """\
clinic: little-steps-pediatric
course: ot-eval-and-12
patient:
  name: Zebulon Quixote-Marchetti
  date_of_birth: 2019-04-12
diagnosis_codes: [F82, R6250]
location: Little Steps Clintonville
scheduled: 2026-12-07
booked: 2026-11-23
"""


def write(tmp_path: Path, body: str, name: str = "patient.yaml") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def test_the_example_patient(tmp_path: Path) -> None:
    out = tmp_path / "estimate.html"
    result = gfe(str(ROOT / "examples/patient.yaml"), "--site", str(ROOT), "--out", str(out),
                 "--today", "2026-11-23")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == (
        f"wrote {out}: good faith estimate of $2,061.00 for 13 visits\n"
        "Due by Tuesday, November 24, 2026: the service on Monday, December 7, 2026 was "
        "booked on Monday, November 23, 2026, 9 business days ahead (at least 3, fewer than "
        "10), so the estimate is due within 1 business day of booking.\n")
    html = out.read_text(encoding="utf-8")
    section = find_all(parse(html), "section", class_="gfe-estimate")[0]
    assert text(field(section, "patient-name")) == "Jordan Rivers"
    assert text(field(section, "total")) == "$2,061.00"


@pytest.mark.parametrize(("args", "language"), [(("--lang", "es"), "en"), ((), "es")])
def test_the_estimate_in_spanish(tmp_path: Path, args: tuple[str, ...], language: str
                                 ) -> None:
    """`--lang es`, or the patient file's `language: es`: the estimate in Spanish, with
    the same amounts; `--lang` wins over the file. The front desk's box stays English."""
    patient = (ROOT / "examples/patient.yaml").read_text(encoding="utf-8")
    patient = re.sub(r"(?m)^language: en\b", f"language: {language}", patient)
    assert f"language: {language}" in patient
    out = tmp_path / "estimate.html"
    result = gfe(str(write(tmp_path, patient)), "--site", str(ROOT), "--out", str(out),
                 "--today", "2026-11-23", *args)
    assert result.exit_code == 0, result.stderr
    html = out.read_text(encoding="utf-8")
    assert '<html lang="es">' in html
    assert '<aside class="gfe-staff" aria-labelledby="staff" lang="en">' in html
    tree = parse(html)
    assert text(find_all(tree, "h1")[0]) == ("Estimación de buena fe de Little Steps "
                                             "Pediatric Therapy")
    section = find_all(tree, "section", class_="gfe-estimate")[0]
    assert text(field(section, "date-of-birth")) == "12 de abril de 2019"
    assert text(field(section, "estimate-date")) == "23 de noviembre de 2026"
    assert text(field(section, "total")) == "$2,061.00"
    assert text(field(section, "period")) == "Unos 3 meses"
    assert "Esto es solo una estimación." in text(section)
    assert "This is only an estimate" not in html
    # the printed pages' running header (a CSS string: brackets escaped)
    assert "Jordan Rivers, nacido\\28 a\\29  el 12 de abril de 2019" in html


def test_a_filled_in_estimate_has_every_element(tmp_path: Path) -> None:
    out = tmp_path / "estimate.html"
    result = gfe(str(write(tmp_path, PATIENT)), "--site", str(ROOT), "--out", str(out),
                 "--today", "2026-11-27")
    assert result.exit_code == 0, result.stderr
    html = out.read_text(encoding="utf-8")
    tree = parse(html)
    section = find_all(tree, "section", class_="gfe-estimate")[0]
    assert text(field(section, "patient-name")) == "Zebulon Quixote-Marchetti"
    assert text(field(section, "date-of-birth")) == "April 12, 2019"
    assert text(field(section, "estimate-date")) == "November 27, 2026"
    assert text(field(section, "service-date")) == "December 7, 2026"
    assert text(field(section, "diagnosis-codes")) == "F82, R62.50"
    assert text(field(section, "primary-service")) == (
        "OT evaluation and 12 sessions. About three months of weekly occupational therapy.")
    assert text(field(section, "visit-count")) == (
        "13 visits: 1 × First OT visit looking at several areas, such as motor skills, play "
        "and self-care; 12 × 45-minute OT session")
    assert text(field(section, "frequency")) == "once a week for about 3 months"
    assert text(field(section, "period")) == "About 3 months"
    assert text(field(section, "provider-name")) == "Little Steps Pediatric Therapy"
    assert text(field(section, "npi")) == "1296384757"
    assert text(field(section, "tin")) == "31-2657490"
    assert text(field(section, "state")) == "OH"
    assert text(field(section, "locations")) == \
        "Little Steps Clintonville, 3385 Indianola Avenue, Columbus, OH 43214"
    rows = [[text(c) for c in tr] for tr in find_all(section, "tr", class_="gfe-item")]
    assert rows == [
        ["First OT visit looking at several areas, such as motor skills, play and self-care",
         "CPT 97166", "F82, R62.50", "1", "$165.00", "$165.00"],
        ["Guided play and tasks that build motor planning, coordination and daily skills "
         "(30 minutes a visit)", "CPT 97530", "F82, R62.50", "24 (2 a visit × 12)", "$54.00",
         "$1,296.00"],
        ["Practice of self-care like dressing, eating with utensils and toileting "
         "(15 minutes a visit)", "CPT 97535", "F82, R62.50", "12 (1 a visit × 12)", "$50.00",
         "$600.00"],
    ]
    assert text(field(section, "total")) == "$2,061.00"
    assert text(field(section, "scheduled-separately")) == \
        "An OT re-evaluation (CPT 97168), if therapy continues after these 12 sessions"
    for sentence in DISCLAIMERS:
        assert sentence in text(section), sentence
    assert text(field(tree, "due-date")) == \
        "Give this estimate to the patient by Tuesday, November 24, 2026."
    assert text(field(tree, "staff-line")).startswith(
        "Late: this estimate was due by Tuesday, November 24, 2026; give it to the patient "
        "today.")
    assert os.name != "posix" or stat.S_IMODE(out.stat().st_mode) == 0o600


def test_the_file_stands_alone_and_runs_no_script(tmp_path: Path) -> None:
    out = tmp_path / "estimate.html"
    assert gfe(str(write(tmp_path, PATIENT)), "--site", str(ROOT), "--out", str(out),
               "--today", "2026-11-23").exit_code == 0
    tree = parse(out.read_text(encoding="utf-8"))
    styles = find_all(tree, "style")
    assert len(styles) == 2 and not find_all(tree, "link") and not find_all(tree, "script")
    css, page_css = styles[0].text, styles[1].text
    assert css == (ROOT / "templates/assets/style.css").read_text(encoding="utf-8")
    # Every printed page's running header: whose estimate, and of when.
    assert page_css == ('@page gfe { @top-left { content: "Zebulon Quixote-Marchetti, born '
                        'April 12, 2019 \\b7  estimate of November 23, 2026"; '
                        'font: 8pt sans-serif; } }')
    digest, page_digest = (base64.b64encode(hashlib.sha256(c.encode()).digest()).decode()
                           for c in (css, page_css))
    csp = [m.get("content") for m in find_all(tree, "meta")
           if m.get("http-equiv") == "Content-Security-Policy"]
    assert csp == [f"default-src 'none'; script-src 'none'; style-src 'sha256-{digest}' "
                   f"'sha256-{page_digest}'; img-src data:; base-uri 'none'; "
                   "form-action 'none'"]
    for element in tree.iter():
        assert not any(name.startswith("on") for name in element.attrib)
        href = element.get("href")
        assert href is None or href.startswith(("https://", "tel:", "mailto:")), href


@pytest.mark.parametrize(("dates", "due_line", "staff"), [
    ("requested: 2026-07-01\n", "Give this estimate to the patient by Tuesday, July 7, 2026.",
     "Due by Tuesday, July 7, 2026: the patient asked for an estimate on Wednesday, July 1, "
     "2026, so it is due within 3 business days of the request."),
    ("scheduled: 2026-07-06\nbooked: 2026-07-01\n", "No estimate is required for this "
     "booking.", "No good faith estimate is required: the service on Monday, July 6, 2026 "
     "was booked on Wednesday, July 1, 2026, only 2 business days ahead; an estimate is "
     "required only for services booked at least 3 business days ahead. Giving this "
     "estimate anyway is allowed and helps the patient."),
])
def test_services_and_counts_instead_of_a_course(tmp_path: Path, dates: str, due_line: str,
                                                 staff: str) -> None:
    body = ("clinic: riverside-hand-ot\nservices:\n  - service: ot-eval-moderate\n"
            "  - session: hand-therapy-45\n    count: 4\nfrequency: once a week\n"
            "patient:\n  name: Test Patient\n  date_of_birth: 1980-02-29\n" + dates)
    out = tmp_path / "estimate.html"
    result = gfe(str(write(tmp_path, body)), "--site", str(ROOT), "--out", str(out),
                 "--today", "2026-07-01")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[1] == staff
    tree = parse(out.read_text(encoding="utf-8"))
    section = find_all(tree, "section", class_="gfe-estimate")[0]
    # 185.00 + 4 x (50.00 + 52.00 + 60.00): one unit each of 97140, 97110 and 97763.
    assert text(field(section, "total")) == "$833.00"
    assert text(field(section, "primary-service")) == \
        "First OT visit for a problem that needs a fuller look, such as recovery after hand " \
        "surgery"
    assert text(field(section, "frequency")) == "once a week"
    assert text(field(section, "diagnosis-codes")) == ""
    assert text(field(section, "service-date")) == \
        ("July 6, 2026" if "scheduled" in dates else "Not scheduled yet")
    assert text(field(section, "scheduled-separately")) == \
        "None are expected for this course of care."
    assert text(field(tree, "due-date")) == due_line


BAD = """\
clinic: little-steps-pediatrik
course: ot-eval-and-13
patient:
  name: Test Person
  date_of_birth: 2027-04-12
diagnosis_codes: [F82, r62.50, R62.5.0, "F8"]
booked: 2026-11-23
requested: 2026-11-20
kount: 3
"""


def test_bad_input_is_reported_where_it_is(tmp_path: Path) -> None:
    out = tmp_path / "estimate.html"
    result = gfe(str(write(tmp_path, BAD)), "--site", str(ROOT), "--out", str(out))
    assert result.exit_code == 1
    assert result.stdout == ""
    icd = ("is not an ICD-10 diagnosis code: write a capital letter, two more letters or "
           "digits, then optionally a dot and up to 4 more, like F82 or R62.50")
    shown = str(tmp_path / "patient.yaml")
    assert result.stderr.splitlines() == [
        f"{shown}:1:9: error: unknown clinic 'little-steps-pediatrik'; did you mean "
        "'little-steps-pediatric'?",
        f"{shown}:5:18: error: date_of_birth (2027-04-12) is after the day the visit was "
        "booked (2026-11-23); check the year",
        f"{shown}:6:24: error: 'r62.50' {icd}",
        f"{shown}:6:32: error: 'R62.5.0' {icd}",
        f"{shown}:6:41: error: 'F8' {icd}",
        f"{shown}:8:1: error: give booked or requested, not both; booked: the day the visit "
        "was booked; requested: the day the patient asked for an estimate without booking",
        f"{shown}:9:1: error: unknown key 'kount'; remove it (allowed keys here: clinic, "
        "course, services, primary_service, frequency, months, scheduled_separately, "
        "location, patient, diagnosis_codes, scheduled, booked, requested, language)",
        "7 errors, 0 warnings",
    ]
    assert not out.exists()


@pytest.mark.parametrize(("body", "expected"), [
    (PATIENT.replace("course: ot-eval-and-12", "course: ot-eval-and-13"),
     "2:9: error: unknown course 'ot-eval-and-13'; did you mean 'ot-eval-and-12'?"),
    (PATIENT.replace("course: ot-eval-and-12\n", ""),
     "1:1: error: missing 'course' or 'services'; add course: <course id> (or services:, a "
     "list of services and sessions with their counts)"),
    (PATIENT.replace("scheduled: 2026-12-07\n", ""),
     "8:1: error: booked needs scheduled, the date of the first visit; add scheduled: "
     "YYYY-MM-DD, or write requested: instead of booked: if nothing is booked yet"),
    (PATIENT.replace("booked: 2026-11-23", "requested: 2026-11-23"),
     "8:1: error: a scheduled visit needs booked, the day it was booked; write booked: "
     "instead of requested:"),
    (PATIENT.replace("booked: 2026-11-23", "booked: 2026-12-08"),
     "9:9: error: booked (2026-12-08) is after scheduled (2026-12-07); check both dates"),
    (PATIENT.replace("booked: 2026-11-23\n", ""),
     "1:1: error: missing 'booked' or 'requested'; add booked: YYYY-MM-DD (the day the visit "
     "was booked) or requested: YYYY-MM-DD (the day the patient asked)"),
    (PATIENT.replace("2019-04-12", "2029-04-12"),
     "5:18: error: date_of_birth (2029-04-12) is after the day the visit was booked "
     "(2026-11-23); check the year"),
    (PATIENT.replace("location: Little Steps Clintonville", "location: Clintonville"),
     "7:11: error: unknown location 'Clintonville'; did you mean 'Little Steps "
     "Clintonville'?"),
    (PATIENT.replace("course: ot-eval-and-12", "services:\n  - service: ot-eval-moderat\n"
                     "  - session: ot-45\n    service: ot-eval-high"),
     "3:14: error: unknown service 'ot-eval-moderat'; did you mean 'ot-eval-moderate'?\n"
     "{path}:4:5: error: each entry of services needs a service or a session, not both; "
     "write service: <service id> or session: <session id>"),
    (PATIENT + "months: 13\n",
     "10:9: error: months is too large (got number 13); it must be below 13"),
    ("- clinic\n",
     "1:1: error: the file is a list, but it must be a mapping with the keys 'clinic', "
     "'course' (or 'services') and 'patient'; see examples/patient.yaml and docs/gfe.md"),
])
def test_each_problem(tmp_path: Path, body: str, expected: str) -> None:
    path = write(tmp_path, body)
    result = gfe(str(path), "--site", str(ROOT), "--out", str(tmp_path / "out.html"),
                 "--today", "2026-11-23")
    assert result.exit_code == 1, result.stderr
    lines = result.stderr.splitlines()
    assert lines[:-1] == f"{path}:{expected}".replace("{path}", str(path)).splitlines()
    assert not (tmp_path / "out.html").exists()


def test_the_site_must_be_valid(tmp_path: Path) -> None:
    root = copy_site(tmp_path)
    schedule = root / "rates/riverside-hand-ot.yaml"
    schedule.write_text(schedule.read_text(encoding="utf-8").replace(
        'npi: "1847520933"', 'npi: "1847520934"'), encoding="utf-8")
    line = schedule.read_text(encoding="utf-8").split("\n").index('  npi: "1847520934"') + 1
    result = gfe(str(write(tmp_path, PATIENT)), "--site", str(root), "--out",
                 str(tmp_path / "out.html"))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].startswith(
        f"rates/riverside-hand-ot.yaml:{line}:8: error: NPI '1847520934' fails its check "
        "digit")
    assert not (tmp_path / "out.html").exists()


@pytest.mark.parametrize("args", [
    ("--out", "public/estimate.html"),
    ("--out", "public"),
    ("--out", "public/clinics/estimate.html"),
    ("--out", "templates/assets/estimate.html"),
    ("--out", "public/clinics"),
    ("--out", "templates/assets"),
    ("--today", "2026-13-01"),
    (),  # no --out, run from inside public/clinics/: the current folder is published
])
def test_usage_errors(tmp_path: Path, args: tuple[str, ...],
                      monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_site(tmp_path)
    (root / "public/clinics").mkdir(parents=True)
    arguments = [str(write(tmp_path, PATIENT)), "--site", str(root)]
    arguments += [str(root / a) if a.startswith(("public", "templates")) else a
                  for a in args]
    if args and "--out" not in args:
        arguments += ["--out", str(tmp_path / "x.html")]
    monkeypatch.chdir(root / "public/clinics")
    result = gfe(*arguments)
    assert result.exit_code == 2, result.stderr
    if "--today" not in args:
        folder = "templates/assets/" if "templates" in "".join(args) else "public/"
        assert f"is inside the site's {folder} folder, which is published" in result.stderr
    assert sorted(p.name for p in (root / "public").rglob("*")) == ["clinics"]
    assert not (root / "templates/assets/estimate.html").exists()


def test_patient_data_never_reaches_public(tmp_path: Path) -> None:
    """Build the site, write an estimate next to it and inside a folder linked into
    public/ (refused), rebuild, and look for the patient in every file of public/."""
    root = copy_site(tmp_path)
    assert build(BuildOptions(root=root)).ok
    private = root / "estimates"
    private.mkdir()
    patient = write(tmp_path, PATIENT)
    result = gfe(str(patient), "--site", str(root), "--out", str(private / "z.html"),
                 "--today", "2026-11-23")
    assert result.exit_code == 0, result.stderr
    assert "Zebulon" not in result.stderr
    (root / "public" / "link").symlink_to(private, target_is_directory=True)
    refused = gfe(str(patient), "--site", str(root), "--out", str(root / "public/link/y.html"))
    assert refused.exit_code == 2
    (root / "public" / "link").unlink()
    assert build(BuildOptions(root=root)).ok  # a second build after the estimate exists
    files = [p for p in (root / "public").rglob("*") if p.is_file()]
    assert len(files) > 50
    secrets = [b"Zebulon", b"Quixote", b"Marchetti", b"2019-04-12", b"April 12, 2019",
               b"R62.50", b"R6250"]
    for path in files:
        data = path.read_bytes()
        for secret in secrets:
            assert secret not in data, (path, secret)
    assert b"Zebulon Quixote-Marchetti" in (private / "z.html").read_bytes()


def test_as_a_subprocess(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    out = tmp_path / "estimate.html"
    done = subprocess.run(
        [sys.executable, "-m", "sitegen", "gfe", "examples/patient.yaml", "--out", str(out),
         "--today", "2026-11-20"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[1].startswith("Due by Tuesday, November 24, 2026: ")
    assert "Jordan Rivers" in out.read_text(encoding="utf-8")


def test_default_file_names_carry_no_patient_data(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Browsers print the file name in the page footer: without a file name in --out, the
    file is named after the day it was prepared and a number, never after the patient."""
    patient = write(tmp_path, PATIENT)
    folder = tmp_path / "estimates"
    folder.mkdir()
    monkeypatch.chdir(folder)
    written = []
    for out in ([], ["--out", str(folder)], ["--out", "."]):
        result = gfe(str(patient), "--site", str(ROOT), "--today", "2026-12-03", *out)
        assert result.exit_code == 0, result.stderr
        written.append(result.stderr.splitlines()[0].split(":")[0].removeprefix("wrote "))
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["gfe-2026-12-03-1.html", "gfe-2026-12-03-2.html",
                     "gfe-2026-12-03-3.html"]
    assert [Path(w).name for w in written] == names
    for name in names:
        path = folder / name
        assert "Zebulon Quixote-Marchetti" in path.read_text(encoding="utf-8")
        assert os.name != "posix" or stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not (folder / "gfe-2026-12-03-4.html").exists()


# --- the notice's versions, the rule's order, contact details ----------------------------


CURRENT_NOTICE = [
    "Your right to receive a good faith estimate of expected charges",
    "You have the right to receive a \u201cGood Faith Estimate\u201d of how much your health "
    "care will cost.",
    "Under federal law, health care providers and facilities must give an estimate of the "
    "bill for health care items and services, before you get them, to people who have no "
    "health coverage and to people who have coverage but are not using it (self-pay). People "
    "enrolled in Medicare, Medicaid or another federal health care program are not self-pay "
    "for the services their program covers.",
    "You can get a Good Faith Estimate of the total expected cost of health care items or "
    "services when you schedule them, or whenever you ask for one. It includes related costs "
    "like medical tests, prescription drugs, equipment and facility fees. "
    "If you schedule care 3 to 9 business days ahead, the provider or facility must give you "
    "the estimate in writing within 1 business day after you schedule. If you schedule at "
    "least 10 business days ahead, within 3 business days after you schedule. If you ask for "
    "an estimate without scheduling, within 3 business days after you ask. For care scheduled "
    "fewer than 3 business days ahead, no estimate is required, but you can still ask for "
    "one. "
    "If a provider or facility bills you at least $400 more than its Good Faith Estimate, you "
    "can dispute the bill. Start within 120 calendar days of the date on the first bill; the "
    "fee is $25 and is not refunded. An independent reviewer then decides what you pay: the "
    "amount of the estimate, the amount of the bill, or an amount in between. "
    "Save a copy or a picture of your Good Faith Estimate and of the bill.",
    "For questions or more information about your right to a Good Faith Estimate, visit "
    "www.cms.gov/nosurprises/consumers, email FederalPPDRQuestions@cms.hhs.gov, or call "
    "1-800-985-3059.",
    "Notice version 2026-11",
]


def notice_texts(html: str) -> list[str]:
    return [text(e) for e in find_all(parse(html), "section", class_="gfe-notice")[0]]


def test_the_example_site_prints_the_current_notice(example) -> None:
    pages, _ = example
    for rel in ("good-faith-estimate/index.html",
                "clinics/riverside-hand-ot/good-faith-estimate/index.html"):
        assert notice_texts(pages[rel]) == CURRENT_NOTICE, rel


@pytest.mark.parametrize(("settings", "first", "version"), [
    ("", CURRENT_NOTICE[1], "2026-11"),
    ("good_faith_estimate:\n  notice_version: 2026-11\n", CURRENT_NOTICE[1], "2026-11"),
    ("good_faith_estimate:\n  notice_version: 2026-01\n",
     "You have the right to receive a \u201cGood Faith Estimate\u201d explaining how much your "
     "medical care will cost.", "2026-01"),
])
def test_a_site_chooses_its_notice_version(tmp_path: Path, settings: str, first: str,
                                           version: str) -> None:
    rates = (ROOT / "rates/riverside-hand-ot.yaml").read_text(encoding="utf-8")
    root = make_site(tmp_path, {"site.yaml": "title: Test\n" + settings,
                                "rates/riverside-hand-ot.yaml": rates})
    result = build(BuildOptions(root=root), write=False)
    assert result.ok, [d.format() for d in result.diagnostics.items]
    texts = notice_texts(result.files["good-faith-estimate/index.html"].decode())
    assert texts[1] == first
    assert texts[-1] == f"Notice version {version}"
    old = "at least 1 business day before your medical service or item" in " ".join(texts)
    assert old is (version == "2026-01")


@pytest.mark.parametrize(("settings", "message"), [
    ("  notice_version: 2027-01\n",
     "site.yaml:3:3: error: unknown notice_version '2027-01'; use one of the built-in notices "
     "(2026-01, 2026-11), or add notice: with your own text"),
    ("  notice_version: 2026-11\n  notice:\n    - Ours.\n",
     "site.yaml:3:3: error: notice_version '2026-11' is the name of a built-in notice, but "
     "the text here is your own; give it a version of its own (for example 2026-11-ours)"),
    ("  notice_title: Ours\n",
     "site.yaml:3:3: error: a notice text of your own needs a notice_version of its own; add "
     "notice_version: (for example 2026-11-ours)"),
])
def test_notice_version_mistakes(tmp_path: Path, settings: str, message: str) -> None:
    rates = (ROOT / "rates/riverside-hand-ot.yaml").read_text(encoding="utf-8")
    root = make_site(tmp_path, {"site.yaml": "title: T\ngood_faith_estimate:\n" + settings,
                                "rates/riverside-hand-ot.yaml": rates})
    result = build(BuildOptions(root=root), write=False)
    assert [d.format() for d in result.diagnostics.items] == [message]


def parts(section) -> list[str]:
    return [e.get("data-part") for e in section.iter() if e.get("data-part")]


def check_order(section) -> None:
    """The parts in the order of 45 CFR 149.610(c)(1); the disclaimer on items scheduled
    separately directly above their list; the contact line before the first part."""
    assert parts(section) == PARTS
    separately = next(e for e in section.iter() if e.get("data-part") == "scheduled-separately")
    children = list(separately)
    kinds = [(c.get("data-disclaimer"), c.get("data-field")) for c in children]
    at = kinds.index(("separately", None))
    assert kinds[at + 1] == (None, "scheduled-separately")
    elements = list(section.iter())
    contact = elements.index(field(section, "contact"))
    first = next(i for i, e in enumerate(elements) if e.get("data-part") == "patient")
    assert contact < first


@pytest.mark.parametrize("slug", sorted(CLINICS))
def test_public_estimates_follow_the_rule_s_order(example, slug: str) -> None:
    pages, clinics = example
    source = next(c for c in clinics if c.slug == slug)
    tree = parse(pages[f"clinics/{slug}/good-faith-estimate/index.html"])
    sections = find_all(tree, "section", class_="gfe-estimate")
    assert len(sections) == len(source.schedule.courses)
    clinic = source.clinic
    for section in sections:
        check_order(section)
        contact = text(field(section, "contact"))
        for loc in clinic.locations:
            assert loc.phone in contact
            assert (loc.email or clinic.email) in contact
        separately = text(find_all(section, "p", data_disclaimer="separately")[0])
        first = clinic.locations[0]
        assert separately.endswith(f"(call {first.phone} or email "
                                   f"{first.email or clinic.email}).")


def test_the_patient_estimate_follows_the_rule_s_order(tmp_path: Path) -> None:
    out = tmp_path / "estimate.html"
    assert gfe(str(write(tmp_path, PATIENT)), "--site", str(ROOT), "--out", str(out),
               "--today", "2026-11-23").exit_code == 0
    section = find_all(parse(out.read_text(encoding="utf-8")), "section",
                       class_="gfe-estimate")[0]
    check_order(section)
    # Only the chosen location, with its own phone and email.
    assert text(field(section, "contact")) == (
        "Questions about this estimate? Ask Little Steps Pediatric Therapy: call "
        "614-555-0123 or email frontdesk@littlesteps-therapy.example.com.")
    separately = text(find_all(section, "p", data_disclaimer="separately")[0])
    assert separately == (
        "The following is a list of items and services that Little Steps Pediatric Therapy "
        "expects to be scheduled separately, before or after the period of care this "
        "estimate covers. They are not included in this estimate. You will get a separate "
        "Good Faith Estimate for each of them when it is scheduled, or sooner if you ask "
        "Little Steps Pediatric Therapy for one (call 614-555-0123 or email "
        "frontdesk@littlesteps-therapy.example.com).")


def test_running_header_escapes_patient_data(tmp_path: Path) -> None:
    """A name with quotes, backslashes or '<' can neither end the CSS string nor the
    <style> element of the running header."""
    body = PATIENT.replace("Zebulon Quixote-Marchetti", "'Zeb \\ \" </style><b>x'")
    out = tmp_path / "estimate.html"
    result = gfe(str(write(tmp_path, body)), "--site", str(ROOT), "--out", str(out),
                 "--today", "2026-11-23")
    assert result.exit_code == 0, result.stderr
    tree = parse(out.read_text(encoding="utf-8"))
    styles = find_all(tree, "style")
    assert len(styles) == 2 and not find_all(tree, "b")
    assert styles[1].text == ('@page gfe { @top-left { content: "Zeb \\5c  \\22  \\3c '
                              '\\2f style\\3e \\3c b\\3e x, born April 12, 2019 \\b7  '
                              'estimate of November 23, 2026"; font: 8pt sans-serif; } }')
    assert text(field(tree, "patient-name")) == 'Zeb \\ " </style><b>x'


# --- a bill above the estimate ------------------------------------------------------------


@pytest.mark.parametrize(("slug", "estimate", "threshold", "rows"), [
    # Evaluation and 12 sessions; a standard 60-minute visit is 52 + 50 + 2 x 56 = 214.00.
    ("riverside-hand-ot", "$2,753.00", "$3,153.00", [
        ("1", "$2,967.00", "$2,967.00 − $2,753.00 = $214.00", "No: $214.00 is less than "
         "$400.00. Ask Riverside Hand & Occupational Therapy about the bill."),
        ("2", "$3,181.00", "$3,181.00 − $2,753.00 = $428.00",
         "Yes: $428.00 is $400.00 or more.")]),
    # OT evaluation and 12 sessions; a 45-minute session is 2 x 54 + 50 = 158.00: two more
    # sessions are 316.00 (too little), three are 474.00.
    ("little-steps-pediatric", "$2,061.00", "$2,461.00", [
        ("2", "$2,377.00", "$2,377.00 − $2,061.00 = $316.00", "No: $316.00 is less than "
         "$400.00. Ask Little Steps Pediatric Therapy about the bill."),
        ("3", "$2,535.00", "$2,535.00 − $2,061.00 = $474.00",
         "Yes: $474.00 is $400.00 or more.")]),
])
def test_each_clinic_explains_a_bill_above_the_estimate(example, slug: str, estimate: str,
                                                        threshold: str, rows: list) -> None:
    pages, _ = example
    tree = parse(pages[f"clinics/{slug}/good-faith-estimate/bill-above-estimate/index.html"])
    main = find_all(tree, "main")[0]
    assert text(field(main, "estimate-total")) == estimate
    assert text(field(main, "threshold")) == threshold
    found = [(tr.get("data-extra"), *[text(c) for c in list(tr)[1:]])
             for tr in find_all(main, "tr") if tr.get("data-extra")]
    assert found == rows
    assert text(field(main, "deadline")) == "May 5, 2027"  # January 5 + 120 days
    body = text(main)
    for words in ("within 120 calendar days of the date on the first bill",
                  "There is a $25 fee, which is not refunded",
                  "the amount on the estimate, the amount of the bill, or an amount in between"):
        assert words in body, words
    gfe_page = pages[f"clinics/{slug}/good-faith-estimate/index.html"]
    assert 'href="bill-above-estimate/"' in gfe_page


def test_the_worked_example_needs_a_course(tmp_path: Path) -> None:
    rates = (ROOT / "rates/riverside-hand-ot.yaml").read_text(encoding="utf-8")
    rates = rates[:rates.index("\ncourses:")] + "\n"
    root = make_site(tmp_path, {"site.yaml": "title: T\n", "rates/solo.yaml": rates})
    result = build(BuildOptions(root=root), write=False)
    assert result.ok, [d.format() for d in result.diagnostics.items]
    page = text(find_all(parse(result.files[
        "clinics/solo/good-faith-estimate/bill-above-estimate/index.html"].decode()),
        "main")[0])
    assert "Say your estimate from Riverside Hand & Occupational Therapy totals $2,000.00. A " \
           "bill of $2,400.00 or more from Riverside Hand & Occupational Therapy can be " \
           "disputed; a bill of $2,399.99 cannot." in page


@pytest.mark.parametrize(("difference", "disputable"), [
    ("400.00", True), ("399.99", False), ("400.01", True), ("0.00", False)])
def test_a_bill_is_disputable_from_400_dollars_above(difference: str, disputable: bool) -> None:
    from sitegen.gfe import BillCheck

    assert BillCheck(1, Decimal("2000.00") + Decimal(difference),
                     Decimal(difference)).disputable is disputable
