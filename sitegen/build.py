"""The pipeline: config -> sources -> load -> validate -> plan -> render -> check -> write.

Everything is read and validated before anything is rendered, and nothing is written
unless the whole site rendered and passed its checks: a failed build reports every
problem at once and leaves the last good site untouched.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from sitegen.check import check_site
from sitegen.content import Page, read_page, render_page
from sitegen.diagnostics import Diagnostics, did_you_mean
from sitegen.estimates import validate_scenarios
from sitegen.flow import check_page_counts
from sitegen.freshness import is_stale
from sitegen.history import assemble, clinic_folder
from sitegen.load import load_model
from sitegen.model import ClinicSource, FeeSchedule, Site, SiteConfig, web_address_problem
from sitegen.mrf import render_mrf, validate_price_transparency
from sitegen.outputs import robots, sitemap
from sitegen.pricefiles import render_price_files
from sitegen.render import make_environment, render_route
from sitegen.routes import base_path, content_url, page_output, plan_routes
from sitegen.selfpay import validate_sliding_scales
from sitegen.shortcodes import expand
from sitegen.sources import find_sources
from sitegen.validate import validate_clinic, validate_clinics
from sitegen.write import build_lock, check_output_folder, write_site
from sitegen.yamlsrc import MAX_BYTES, Positions


@dataclass
class BuildOptions:
    root: Path
    out: Path | None = None
    base_url: str | None = None
    strict: bool = False
    force: bool = False  # replace an output folder that sitegen did not make
    # Called with (pages rendered, pages in all) while rendering: the CLI's progress bar.
    progress: Callable[[int, int], None] | None = None

    @property
    def output(self) -> Path:
        return self.out or self.root / "public"


@dataclass
class BuildResult:
    diagnostics: Diagnostics
    files: dict[str, bytes] = field(default_factory=dict)
    clinics: int = 0  # clinics built, for the summary line

    @property
    def ok(self) -> bool:
        return not self.diagnostics.errors


def build_date() -> dt.date:
    """Today, or the date of SOURCE_DATE_EPOCH (reproducible builds). Only warnings use it:
    pages show the data's own dates, never the clock."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.date.today()


def load_site(options: BuildOptions, diags: Diagnostics) -> Site | None:
    """Read and validate every input; None when anything is wrong (see `diags`)."""
    root = options.root
    config_file = root / "site.yaml"
    if not config_file.is_file():
        other = "site.yml" if (root / "site.yml").is_file() else ""
        diags.error(other or "site.yaml", 0, 0, f"no site.yaml in {root}",
                    "rename site.yml to site.yaml" if other else
                    "run sitegen in the site folder, or pass the folder: sitegen build SITE_DIR")
        return None
    site_loaded = load_model(config_file, "site.yaml", SiteConfig, diags, MAX_BYTES)
    # A broken site.yaml does not hide the other files' problems: they are read with a
    # stand-in configuration (rules that need the real one are skipped), and nothing is
    # priced or built (site.yaml has errors).
    config, config_positions = (site_loaded[0], site_loaded[1].positions) if site_loaded else \
        (SiteConfig(title="-", base_url="https://example.org/"), Positions())
    if options.base_url is not None:
        problem = web_address_problem(options.base_url, path_ok=True)
        if problem:
            diags.error("--base-url", 0, 0, problem, "give the address the site is served from")
            return None
        config = config.model_copy(update={"base_url": options.base_url})
    max_bytes = config.limits.max_file_bytes
    sources = find_sources(root, diags)

    loaded: list[tuple[str, FeeSchedule, object]] = []
    broken: set[str] = set()  # clinics whose file has errors: no follow-on errors about them
    for rel in sources.rates:
        result = load_model(root / rel, rel, FeeSchedule, diags, max_bytes)
        if result is not None:
            loaded.append((rel, result[0], result[1].positions))
        else:
            broken.add(clinic_folder(rel) or Path(rel).stem)
    today = build_date()
    clinics = assemble(loaded, today, diags)
    validate_clinics(clinics, diags, today, config.stale_after_months)
    current = {c.path for c in clinics}
    for rel, schedule, positions in loaded:  # earlier and later schedules must be sound too
        if rel not in current and clinic_folder(rel) is not None:
            validate_clinic(ClinicSource(slug=clinic_folder(rel), path=rel, schedule=schedule,
                                         positions=positions), diags)
    if site_loaded:  # rules that need site.yaml's settings wait until it is sound
        validate_scenarios(config, clinics, diags, config_positions)
        validate_price_transparency(config, clinics, diags, config_positions)
        validate_sliding_scales(config, clinics, diags)
        check_page_counts(config, clinics, diags)
    broken |= _flagged(clinics, diags)
    if not clinics and not diags.errors:
        diags.error("rates", 0, 0, "no fee schedules found",
                    "add a rates/<clinic>.yaml file (see docs/fee-schedule.md)")

    pages: list[Page] = []
    unreadable: dict[str, str] = {}  # pages with errors of their own: links to them are fine
    for rel in sources.content:
        source = rel.removeprefix("content/")
        page = read_page(root / rel, source, rel, diags, max_bytes)
        if page is not None:
            pages.append(page)
        else:
            unreadable[source] = content_url(source)
    by_source = {**unreadable, **{p.source: p.url for p in pages if not p.meta.draft}}
    by_slug = {c.slug: c for c in clinics}
    pages = [render_page(p, by_source, diags, expand(
        p.body, p.body_line, p.url, p.display, by_slug, config, diags, broken),
        config.markdown.allow_html) for p in pages]
    _check_fragments(pages, diags)
    if diags.errors:
        return None
    clinics.sort(key=lambda c: c.slug)
    return Site(config=config, clinics=tuple(clinics), pages=tuple(pages))


def _flagged(clinics: list[ClinicSource], diags: Diagnostics) -> set[str]:
    """Names (slug and file or folder name) of the clinics with an error of their own (in
    any of their files), or of every clinic when site.yaml has one (its scenarios price
    every clinic): shortcodes never price them, so pricing only ever sees sound data."""
    with_errors = {d.path for d in diags.errors}
    folders = {clinic_folder(path) for path in with_errors} - {None}
    site_broken = "site.yaml" in with_errors
    return {name for c in clinics
            if site_broken or c.path in with_errors or clinic_folder(c.path) in folders
            for name in (c.slug, clinic_folder(c.path) or Path(c.path).stem)}


def _check_fragments(pages: list[Page], diags: Diagnostics) -> None:
    """A link like glossary.md#deductable must name a heading that exists."""
    ids = {p.source: {i for i, _ in p.toc} for p in pages}
    for page in pages:
        for target, fragment, line, col in page.fragment_links:
            if target in ids and fragment not in ids[target]:  # not in ids: its own errors
                choices = sorted(ids.get(target, set()))
                diags.error(page.display, line, col,
                            f"the link points to '#{fragment}', which is not a heading of "
                            f"{target}", did_you_mean(fragment, choices) or
                            "link to a heading's id: its words in lower case, joined by '-'")


def _unique_outputs(routes: list, diags: Diagnostics) -> bool:
    """Two pages must never share an output file, even on a case-insensitive disk
    (a guide named like a built-in page, say)."""
    first: dict[str, object] = {}
    for route in routes:
        key = route.output.lower()
        if key in first:
            page = route.context.get("page") or first[key].context.get("page")
            where = page.display if page is not None else "content"
            diags.error(where, 0, 0, f"two pages would be written to {route.output}",
                        "rename this file; its address is taken by another page")
        else:
            first[key] = route
    return not diags.errors


def render_site(site: Site, root: Path, diags: Diagnostics,
                progress: Callable[[int, int], None] | None = None) -> dict[str, bytes]:
    templates = root / "templates"
    env = make_environment(templates)
    routes = plan_routes(site)
    if not _unique_outputs(routes, diags):
        return {}
    today, months = build_date(), site.config.stale_after_months
    shared = {"site": site, "config": site.config, "stale_after_months": months,
              "stale": {c.slug for c in site.clinics
                        if is_stale(c.clinic.last_updated, today, months)}}
    files: dict[str, bytes] = {}
    for done, route in enumerate(routes, start=1):
        if progress is not None:
            progress(done, len(routes))
        try:
            files[route.output] = render_route(env, route, shared, site.config.base_url)
        except jinja2.TemplateSyntaxError as exc:
            diags.error(f"templates/{exc.name or route.template}", exc.lineno, 1,
                        f"template syntax error: {exc.message}")
            return {}
        except jinja2.TemplateError as exc:
            diags.error(f"templates/{route.template}", 0, 0,
                        f"template error while rendering {route.url or 'the home page'}: {exc}")
            return {}
    static = templates / "assets"
    for asset in sorted(static.rglob("*")) if static.is_dir() else []:
        if asset.is_file():
            files["assets/" + asset.relative_to(static).as_posix()] = asset.read_bytes()
    lastmod = {}
    for source in site.clinics:
        for route in routes:
            if route.url.startswith(f"clinics/{source.slug}/"):
                lastmod[route.url] = source.clinic.last_updated.isoformat()
    files["sitemap.xml"] = sitemap(routes, site.config.base_url, lastmod)
    files["robots.txt"] = robots(site.config.base_url)
    files[".nojekyll"] = b""
    files.update(render_price_files(site.clinics))                 # prices.json/csv
    files.update(render_mrf(site.clinics, site.config.base_url))   # CMS files, cms-hpt.txt
    assert all(page_output(r.url) == r.output or r.url == "404.html" for r in routes)
    return files


def build(options: BuildOptions, *, write: bool = True) -> BuildResult:
    """Build the site; write it to the output folder only when there are no errors.

    Raises UnsafeOutput (before reading anything) for an output folder sitegen must not
    replace."""
    if write:
        check_output_folder(options.output, options.root, options.force)
    diags = Diagnostics()
    site = load_site(options, diags)
    if site is None:
        return BuildResult(diags)
    if options.strict and diags.warnings:
        return BuildResult(diags)
    files = render_site(site, options.root, diags, options.progress)
    if not diags.errors:
        check_site(files, diags, prefix="public/", base=base_path(site.config.base_url))
    if diags.errors or not write:
        return BuildResult(diags, files, len(site.clinics))
    with build_lock(options.output):
        check_output_folder(options.output, options.root, options.force)  # it may have changed
        write_site(options.output, files)
    return BuildResult(diags, files, len(site.clinics))
