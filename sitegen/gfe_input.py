"""Input of `sitegen gfe PATIENT.yaml`: one patient's good faith estimate, for the front desk.

The file is read like `sitegen estimate`'s (`yamlsrc.read_yaml`, then `load.validate_data`
for `path:line:col` diagnostics); names of the clinic, its course, services, sessions and
locations are then checked against the site (`build.load_site`), with "did you mean". The
result is one standalone HTML file (stylesheet inlined, allowed by its CSP hash, no script)
that is never written into the site's `public/` folder. docs/gfe.md documents every key.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import jinja2
from markupsafe import Markup
from pydantic import AfterValidator, Field

from sitegen import i18n
from sitegen.build import BuildOptions, load_site
from sitegen.check import check_site
from sitegen.diagnostics import Diagnostics, did_you_mean
from sitegen.freshness import is_stale, stale_message
from sitegen.gfe import (
    GoodFaithEstimate,
    Patient,
    Timing,
    icd10_display,
    package_charges,
    provider_items,
    timing,
    weekday_date,
)
from sitegen.load import read_mapping, validate_data
from sitegen.model import ClinicSource, CourseVisit, Day, Site, Slug, Strict, Text
from sitegen.render import make_environment, money
from sitegen.yamlsrc import YamlDoc

DOCS = "docs/gfe.md"
TEMPLATE = "gfe-standalone.html"
STYLESHEET = "assets/style.css"

_ICD10 = re.compile(r"[A-Z][0-9A-Z]{2}(?:\.?[0-9A-Z]{1,4})?")


def _icd10(value: str) -> str:
    if not _ICD10.fullmatch(value):
        raise ValueError(f"'{value}' is not an ICD-10 diagnosis code: write a capital letter, "
                         "two more letters or digits, then optionally a dot and up to 4 more, "
                         "like F82 or R62.50")
    return value


Icd10 = Annotated[str, AfterValidator(_icd10)]


def _born(value: dt.date) -> dt.date:
    if value < dt.date(1900, 1, 1):
        raise ValueError(f"date_of_birth {value} is before 1900; check the year")
    return value


class PatientInput(Strict):
    name: Text
    # any living patient's (the 1950-2099 range of other dates would refuse some)
    date_of_birth: Annotated[dt.date, Field(strict=False), AfterValidator(_born)]


class GfeInput(Strict):
    clinic: Slug
    course: Slug | None = None
    services: list[CourseVisit] | None = Field(default=None, min_length=1)
    primary_service: Text | None = None
    frequency: Text | None = None
    months: int | None = Field(default=None, gt=0, lt=13)
    scheduled_separately: list[Text] | None = None
    location: Text | None = None
    patient: PatientInput
    diagnosis_codes: list[Icd10] = Field(default_factory=list)
    scheduled: Day | None = None
    booked: Day | None = None
    requested: Day | None = None
    # The patient's language: the estimate is written in it (`sitegen gfe --lang` wins).
    language: Literal["en", "es"] | None = None


@dataclass(frozen=True)
class GfeResult:
    estimate: GoodFaithEstimate
    timing: Timing
    staff_line: str
    html: str


PUBLISHED = (("public",), ("templates", "assets"))


def published_folder(out: Path, site_dir: Path) -> str | None:
    """The published folder of the site that `out` is in (or is): public/, or
    templates/assets/, which the build copies into public/. Checked as written and with
    links followed (a link inside public/ to elsewhere, or a link to public/)."""
    outs = (Path(os.path.abspath(out)), out.resolve())
    for parts in PUBLISHED:
        folder = site_dir.joinpath(*parts)
        if any(o.is_relative_to(f) for o in outs
               for f in (Path(os.path.abspath(folder)), folder.resolve())):
            return "/".join(parts) + "/"
    return None


def load_input(file: Path, display: str, diags: Diagnostics
               ) -> tuple[GfeInput | None, YamlDoc] | None:
    """The validated input (None when the keys or values are wrong) and the document, so
    that names and dates can still be checked; None when the file cannot be read at all."""
    doc = read_mapping(file, display, diags, "a mapping with the keys 'clinic', 'course' (or "
                       "'services') and 'patient'", f"see examples/patient.yaml and {DOCS}")
    if doc is None:
        return None
    return validate_data(doc, GfeInput, diags), doc


def _value(data: Any, *loc: str | int) -> Any:
    """The plain value at `loc` of the document, or None when it is not there."""
    for part in loc:
        if isinstance(part, int):
            if not (isinstance(data, list) and part < len(data)):
                return None
        elif not (isinstance(data, dict) and part in data):
            return None
        data = data[part]
    return data


def check_input(doc: YamlDoc, site: Site, diags: Diagnostics) -> ClinicSource | None:
    """Names and dates that need the site, or each other; the clinic when all is well.

    Works on the document's plain values, so that these problems are reported in the same
    run as the ones `validate_data` found; values of the wrong type are skipped here."""
    raw, path = doc.data, doc.path
    found = len(diags.errors)

    def text(*loc: str | int) -> str | None:
        value = _value(raw, *loc)
        return value if isinstance(value, str) else None

    def date(*loc: str | int) -> dt.date | None:
        value = _value(raw, *loc)
        return value if isinstance(value, dt.date) else None

    def given(key: str) -> bool:
        return _value(raw, key) is not None  # `key:` with nothing after it is not given

    def error(loc: tuple, message: str, hint: str = "", key: bool = False) -> None:
        diags.error(path, *doc.positions.of(loc, key=key), message, hint)

    def unknown(loc: tuple, what: str, name: str, choices: list[str]) -> None:
        error(loc, f"unknown {what} '{name}'", did_you_mean(name, choices) or (
            f"use one of: {', '.join(choices)}" if choices else f"the clinic has no {what}s"))

    by_slug = {c.slug: c for c in site.clinics}
    slug = text("clinic")
    source = by_slug.get(slug) if slug is not None else None
    if slug is not None and source is None:
        unknown(("clinic",), "clinic", slug, list(by_slug))
    if not given("course") and not given("services"):
        error((), "missing 'course' or 'services'", "add course: <course id> (or services:, "
              "a list of services and sessions with their counts)")
    elif given("course") and given("services"):
        error(("services",), "give course or services, not both",
              "remove services: to use the course, or course: to list the visits", key=True)
    if source is not None:
        schedule = source.schedule
        course = text("course")
        courses = [c.id for c in schedule.courses]
        if course is not None and course not in courses:
            unknown(("course",), "course", course, courses)
        service_ids = [s.id for s in schedule.services]
        session_ids = [s.id for s in schedule.sessions]
        visits = _value(raw, "services")
        for i, visit in enumerate(visits if isinstance(visits, list) else []):
            if not isinstance(visit, dict):
                continue
            if ("service" in visit) == ("session" in visit):
                error(("services", i), "each entry of services needs a service or a session, "
                      "not both", "write service: <service id> or session: <session id>")
                continue
            for key, ids in (("service", service_ids), ("session", session_ids)):
                name = text("services", i, key)
                if name is not None and name not in ids:
                    unknown(("services", i, key), key, name, ids)
        location = text("location")
        names = [loc.name for loc in source.clinic.locations]
        if location is not None and location not in names:
            unknown(("location",), "location", location, names)

    booked, requested, scheduled = date("booked"), date("requested"), date("scheduled")
    if given("booked") and given("requested"):
        error(("requested",), "give booked or requested, not both",
              "booked: the day the visit was booked; requested: the day the patient asked "
              "for an estimate without booking", key=True)
    elif not given("booked") and not given("requested"):
        error((), "missing 'booked' or 'requested'", "add booked: YYYY-MM-DD (the day the "
              "visit was booked) or requested: YYYY-MM-DD (the day the patient asked)")
    elif given("booked") and not given("scheduled"):
        error(("booked",), "booked needs scheduled, the date of the first visit",
              "add scheduled: YYYY-MM-DD, or write requested: instead of booked: if "
              "nothing is booked yet", key=True)
    elif given("requested") and given("scheduled"):
        error(("scheduled",), "a scheduled visit needs booked, the day it was booked",
              "write booked: instead of requested:", key=True)
    elif booked is not None and scheduled is not None and booked > scheduled:
        error(("booked",), f"booked ({booked}) is after scheduled ({scheduled})",
              "check both dates")
    start = booked or requested
    born = date("patient", "date_of_birth")
    if start is not None and born is not None and born > start:
        error(("patient", "date_of_birth"), f"date_of_birth ({born}) is after the day the "
              f"visit was {'booked' if booked else 'requested'} ({start})", "check the year")
    return source if len(diags.errors) == found else None


def assemble(data: GfeInput, source: ClinicSource) -> GoodFaithEstimate:
    course = next((c for c in source.schedule.courses if c.id == data.course), None)
    visits = list(course.visits) if course is not None else list(data.services or [])
    locations = tuple(loc for loc in source.clinic.locations if loc.name == data.location)
    provider = provider_items(source, visits, locations or None)
    primary = data.primary_service or (course.name if course else provider.visits[0].plan.name)
    separately = data.scheduled_separately
    if separately is None:
        separately = list(course.scheduled_separately) if course else []
    return GoodFaithEstimate(
        id=course.id if course else "estimate",
        primary_service=primary,
        description=course.description if course and not data.primary_service else None,
        providers=(provider,),
        frequency=data.frequency or (course.frequency if course else None),
        months=data.months or (course.months if course else None),
        scheduled_separately=tuple(separately),
        diagnosis_codes=tuple(dict.fromkeys(icd10_display(c) for c in data.diagnosis_codes)),
        patient=Patient(data.patient.name, data.patient.date_of_birth),
        scheduled=data.scheduled, package_charges=package_charges(source, visits))


def style_hash(css: str) -> str:
    """The CSP source that allows exactly this inline <style> element."""
    digest = hashlib.sha256(css.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def css_string(text: str) -> str:
    """`text` as a CSS string; anything but letters, digits and plain punctuation is
    escaped, so patient data can never end the string or the <style> element."""
    return '"' + "".join(c if c.isalnum() or c in " ,.-'" else f"\\{ord(c):x} "
                         for c in text) + '"'


def page_style(estimate: GoodFaithEstimate, today: dt.date, lang: str = "en") -> str:
    """The running header of every printed page: whose estimate it is, and of when."""
    _ = i18n.gettext_for(lang)
    context = _("Good Faith Estimate")
    if estimate.patient is not None:
        context = _("%(name)s, born %(born)s · estimate of %(date)s") % {
            "name": estimate.patient.name,
            "born": i18n.long_date(estimate.patient.date_of_birth, lang),
            "date": i18n.long_date(today, lang)}
    return ("@page gfe { @top-left { content: " + css_string(context) +
            "; font: 8pt sans-serif; } }")


def render(site: Site, root: Path, estimate: GoodFaithEstimate, when: Timing,
           today: dt.date, diags: Diagnostics, lang: str = "en") -> str | None:
    templates = root / "templates"
    try:
        css = (templates / STYLESHEET).read_text(encoding="utf-8")
    except OSError as exc:
        diags.error(f"templates/{STYLESHEET}", 0, 0, f"cannot read the stylesheet "
                    f"({exc.strerror})", "the estimate inlines it so that it prints alone")
        return None
    if "</style" in css.lower():
        diags.error(f"templates/{STYLESHEET}", 0, 0, "the stylesheet contains '</style', "
                    "which would end the inline <style> element", "remove it")
        return None
    env = make_environment(templates, lang, site.figures)
    env.filters["weekday_date"] = weekday_date
    staff = when.staff_line(today)
    page_css = page_style(estimate, today, lang)
    try:
        with i18n.page_language(lang):
            html = env.get_template(TEMPLATE).render(
                config=site.config, estimate=estimate, timing=when,
                staff_line=staff, prepared=today, css=Markup(css), style_hash=style_hash(css),
                page_css=Markup(page_css), page_style_hash=style_hash(page_css))
    except jinja2.TemplateNotFound as exc:
        diags.error(f"templates/{exc.name}", 0, 0, "the template is missing",
                    "copy it from sitegen's templates/ folder")
        return None
    except jinja2.TemplateSyntaxError as exc:
        diags.error(f"templates/{exc.name or TEMPLATE}", exc.lineno, 1,
                    f"template syntax error: {exc.message}")
        return None
    except jinja2.TemplateError as exc:
        diags.error(f"templates/{TEMPLATE}", 0, 0, f"template error: {exc}")
        return None
    check_site({f"templates/{TEMPLATE}": html.encode("utf-8")}, diags)
    return None if diags.errors else html


def run(file: Path, display: str, site_dir: Path, today: dt.date,
        diags: Diagnostics, lang: str | None = None) -> GfeResult | None:
    """The filled-in estimate for the patient in FILE, or None with diagnostics; in `lang`,
    else in the patient's `language:`, else in the site's default language."""
    site_diags = Diagnostics()
    site = load_site(BuildOptions(root=site_dir), site_diags)
    if site is None:
        diags.extend(site_diags.errors)  # the site's warnings are not the front desk's job
    loaded = load_input(file, display, diags)
    if loaded is None or site is None:
        return None
    data, doc = loaded
    source = check_input(doc, site, diags)
    if data is None or source is None:
        return None
    if is_stale(source.clinic.last_updated, today, site.config.stale_after_months):
        diags.warning(source.path, *source.positions.of(("clinic", "last_updated")),
                      stale_message(source.clinic.last_updated, site.config.stale_after_months),
                      "this estimate uses them: confirm the prices before giving it to the patient")
    estimate = assemble(data, source)
    when = timing(booked=data.booked, scheduled=data.scheduled, requested=data.requested)
    lang = lang or data.language or site.config.site_languages[0]
    html = render(site, site_dir, estimate, when, today, diags, lang)
    if html is None:
        return None
    return GfeResult(estimate, when, when.staff_line(today), html)


def write_private(out: Path, text: str) -> None:
    """Write atomically, readable by the owner only: the file holds patient data."""
    fd, temp = tempfile.mkstemp(prefix=".gfe-", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(temp, out)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def default_name(prepared: dt.date, number: int) -> str:
    """`gfe-2026-11-23-1.html`: the day it was prepared and a number, never the patient's
    name or birth date, because browsers print the file name in the page footer."""
    return f"gfe-{prepared.isoformat()}-{number}.html"


def write_new(folder: Path, prepared: dt.date, text: str) -> Path:
    """Write to the first free default name in `folder`, claimed with O_EXCL so that two
    front desks writing at once never overwrite each other's estimate."""
    number = 1
    while True:
        out = folder / default_name(prepared, number)
        try:
            os.close(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            number += 1
            continue
        try:
            write_private(out, text)
        except BaseException:
            out.unlink(missing_ok=True)
            raise
        return out


def describe_result(result: GfeResult, out: Any) -> str:
    """What the command prints (no patient data): the file, the total and when it is due."""
    estimate = result.estimate
    return (f"wrote {out}: good faith estimate of {money(estimate.total)} for "
            f"{estimate.visit_count} visit{'s' if estimate.visit_count != 1 else ''}\n"
            f"{result.staff_line}")
