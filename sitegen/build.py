"""The pipeline: config -> sources -> load -> validate -> derive -> plan -> render -> check
-> write.

Everything is read and validated before anything is rendered, and nothing is written
unless the whole site rendered and passed its checks: a failed build reports every
problem at once and leaves the last good site untouched.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import jinja2

from sitegen import cache
from sitegen.check import PageScan, check_site, scan_page
from sitegen.content import Page, read_page, render_page
from sitegen.diagnostics import Diagnostics, did_you_mean
from sitegen.estimates import validate_scenarios
from sitegen.figures import (
    check_templates,
    load_figures,
    medicare_years,
    repeated_medicare,
    resolve_references,
)
from sitegen.flow import check_page_counts
from sitegen.freshness import is_stale
from sitegen.history import assemble, clinic_folder
from sitegen.load import load_model
from sitegen.model import ClinicSource, FeeSchedule, Site, SiteConfig, web_address_problem
from sitegen.mrf import validate_price_transparency
from sitegen.options import BuildOptions, build_date
from sitegen.outputs import clinic_files, site_files
from sitegen.render import make_environment, render_route
from sitegen.routes import plan_routes
from sitegen.selfpay import validate_sliding_scales
from sitegen.shard import MANIFEST, Shard, manifest
from sitegen.shortcodes import expand
from sitegen.sources import find_sources
from sitegen.urls import base_path, content_url, page_output
from sitegen.validate import validate_clinic, validate_clinics, validate_site_settings
from sitegen.views import clinic_view
from sitegen.write import build_lock, check_output_folder, write_site
from sitegen.yamlsrc import MAX_BYTES, Positions, YamlDoc


@dataclass
class BuildResult:
    diagnostics: Diagnostics
    files: Mapping[str, bytes] = field(default_factory=dict)
    clinics: int = 0  # clinics built, for the summary line
    cached: bool = False     # nothing had changed: the output folder was left as it was

    @property
    def ok(self) -> bool:
        return not self.diagnostics.errors


def load_site(options: BuildOptions, diags: Diagnostics,
              docs: cache.DocCache | None = None) -> Site | None:
    """Read and validate every input; None when anything is wrong (see `diags`). With
    `docs`, fee schedules parsed by an earlier build are read back instead of parsed."""
    root = options.root
    config_file = root / "site.yaml"
    if not config_file.is_file():
        other = "site.yml" if (root / "site.yml").is_file() else ""
        diags.error(other or "site.yaml", 0, 0, f"no site.yaml in {root}",
                    "rename site.yml to site.yaml" if other else
                    "run sitegen in the site folder, or pass the folder: sitegen build SITE_DIR")
        return None
    figures = load_figures(root, build_date(), diags, MAX_BYTES)
    check_templates(root / "templates", figures, diags)

    def named_figures(doc: YamlDoc) -> None:
        resolve_references(doc, figures, diags)

    site_loaded = load_model(config_file, "site.yaml", SiteConfig, diags, MAX_BYTES,
                             named_figures)
    # A broken site.yaml does not hide the other files' problems: they are read with a
    # stand-in configuration (rules that need the real one are skipped), and nothing is
    # priced or built (site.yaml has errors).
    config, config_positions = (site_loaded[0], site_loaded[1].positions) if site_loaded else \
        (SiteConfig(title="-", base_url="https://example.org/"), Positions())
    if site_loaded:
        for i, key, name in repeated_medicare(figures, config.medicare):
            entry = config.medicare[i]
            diags.warning("site.yaml", *config_positions.of(("medicare", i, key)),
                          f"medicare: {key} repeats figure {name} of figures/"
                          f"{entry.year}.yaml (got {getattr(entry, key)})",
                          "remove it: the figures file is the one place for Medicare's amounts")
    config = config.model_copy(update={"medicare": medicare_years(figures, config.medicare)})
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
        result = load_model(root / rel, rel, FeeSchedule, diags, max_bytes, named_figures,
                            docs)
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
        validate_site_settings(config, config_positions, diags)
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
        page = read_page(root / rel, source, rel, diags, max_bytes, build_date())
        if page is not None:
            pages.append(page)
        else:
            unreadable[source] = content_url(source)
    by_source = {**unreadable, **{p.source: p.url for p in pages if not p.meta.draft}}
    by_slug = {c.slug: c for c in clinics}
    pages = [render_page(p, by_source, diags, expand(
        p.body, p.body_line, p.url, p.display, by_slug, config, diags, broken, figures),
        config.markdown.allow_html) for p in pages]
    _check_fragments(pages, diags)
    if diags.errors:
        return None
    clinics.sort(key=lambda c: c.slug)
    return Site(config=config, clinics=tuple(clinics), pages=tuple(pages), figures=figures)


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


# Work shared with the worker processes: set before the pool forks, so each worker
# inherits the site, the views and the compiled templates instead of receiving copies.
_WORK: dict[str, Any] = {}
POOL_MIN_PAGES = 400   # below this a pool costs more (start-up, results) than it saves


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


Rendered = list[tuple[str, bytes, "PageScan | None"]]   # (output path, bytes, scan)
Failed = tuple[str, str, int, str]                       # (kind, template, line, message)


def _render_units(units: list[tuple[str, int]]) -> Rendered | Failed:
    """Render pages ('route', i) and clinics' price files ('files', i); each page is
    scanned for the check as soon as it is rendered. A template error comes back as
    (kind, template, line, message), so the parent reports it in file order."""
    env, routes, views = _WORK["env"], _WORK["routes"], _WORK["views"]
    shared, base_url = _WORK["shared"], _WORK["base_url"]
    done: Rendered = []
    for kind, i in units:
        if kind == "files":
            done += [(name, data, None) for name, data in clinic_files(views[i]).items()]
            continue
        route = routes[i]
        try:
            data = render_route(env, route, shared, base_url)
        except jinja2.TemplateSyntaxError as exc:
            return ("syntax", f"templates/{exc.name or route.template}", exc.lineno or 0,
                    f"template syntax error: {exc.message}")
        except jinja2.TemplateError as exc:
            return ("error", f"templates/{route.template}", 0,
                    f"template error while rendering {route.url or 'the home page'}: {exc}")
        done.append((route.output, data, scan_page(data.decode("utf-8"))))
    return done


def _chunks(units: list[tuple[str, int]], jobs: int) -> list[list[tuple[str, int]]]:
    """Contiguous slices, several per worker so a slow one does not hold up the rest."""
    size = max(1, -(-len(units) // (jobs * 4)))
    return [units[i:i + size] for i in range(0, len(units), size)]


def _compile_templates(env: jinja2.Environment) -> None:
    """Compile every template once, before the workers fork, so they share the result
    instead of each compiling them again (a broken one is left for its page to report)."""
    for name in env.list_templates(extensions=["html"]):
        try:
            env.get_template(name)
        except jinja2.TemplateError:
            pass


def _run(units: list[tuple[str, int]], jobs: int) -> Iterator[tuple[int, Rendered | Failed]]:
    """(pages in the chunk, its results), chunk by chunk in the order of `units`, whatever
    the number of workers."""
    pool = jobs > 1 and len(units) >= POOL_MIN_PAGES and "fork" in mp.get_all_start_methods()
    chunks = _chunks(units, jobs if pool else 4)
    pages = [sum(1 for kind, _ in chunk if kind == "route") for chunk in chunks]
    if not pool:
        yield from ((n, _render_units(chunk)) for n, chunk in zip(pages, chunks))
        return
    _compile_templates(_WORK["env"])
    with mp.get_context("fork").Pool(jobs) as workers:
        yield from zip(pages, workers.imap(_render_units, chunks))


def render_site(site: Site, root: Path, diags: Diagnostics, jobs: int = 1,
                progress: Callable[[int, int], None] | None = None, shard: Shard | None = None
                ) -> tuple[dict[str, bytes], dict[str, PageScan]]:
    """Every output file (path -> bytes) and the check's scan of every page (of `shard`'s
    clinics and, in its first shard, the site-level ones)."""
    templates = root / "templates"
    env = make_environment(templates, site.figures)
    views = [clinic_view(site.config, source) for source in site.clinics]
    routes = plan_routes(site, views)
    if not _unique_outputs(routes, diags):
        return {}, {}
    assert all(page_output(r.url) == r.output or r.url == "404.html" for r in routes)
    today, months = build_date(), site.config.stale_after_months
    shared = {"site": site, "config": site.config, "stale_after_months": months,
              "stale": {c.slug for c in site.clinics
                        if is_stale(c.clinic.last_updated, today, months)}}
    _WORK.update(env=env, routes=routes, views=views, base_url=site.config.base_url,
                 shared=shared)
    shard = shard or Shard(1, 1)
    position = {view.slug: i for i, view in enumerate(views)}
    owner = [position.get(getattr(r.context.get("source"), "slug", None)) for r in routes]
    units = [("route", i) for i in range(len(routes)) if shard.owns(owner[i])] + \
        [("files", i) for i in range(len(views)) if shard.owns(i)]
    total = sum(1 for kind, _ in units if kind == "route")
    files: dict[str, bytes] = {}
    scans: dict[str, PageScan] = {}
    done = 0
    try:
        for pages, result in _run(units, jobs):
            if isinstance(result, tuple):
                diags.error(result[1], result[2], 1 if result[0] == "syntax" else 0, result[3])
                return {}, {}
            for name, data, scan in result:
                files[name] = data
                if scan is not None:
                    scans[name] = scan
            for _ in range(pages):
                done += 1
                if progress is not None:
                    progress(done, total)
    finally:
        _WORK.clear()
    if not shard.owns(None):
        return files, scans
    static = templates / "assets"
    for asset in sorted(static.rglob("*")) if static.is_dir() else []:
        if asset.is_file():
            files["assets/" + asset.relative_to(static).as_posix()] = asset.read_bytes()
    files.update(site_files(views, routes, site.config.base_url))
    return files, scans


@contextmanager
def quiet_collector() -> Iterator[None]:
    """Keep Python's cyclic garbage collector from walking the growing heap of validated
    models again and again while they are read (it made reading grow faster than the
    number of clinics); then freeze them, so collections during rendering skip them too."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()


def build(options: BuildOptions, *, write: bool = True) -> BuildResult:
    """Build the site; write it to the output folder only when there are no errors. When
    no input changed since the last build of the same output folder, answer from the
    cache (sitegen/cache.py) and leave the folder as it is."""
    out = options.output
    if write:  # raises UnsafeOutput (before reading anything) for a folder not to replace
        check_output_folder(out, options.root, options.force)
    fingerprint = cache.fingerprint(options) if write else None
    if write:
        hit = cache.answer(options, fingerprint)
        if hit is not None:
            return BuildResult(hit.diagnostics, hit.files, hit.clinics, cached=True)
    with quiet_collector():
        result = _build(options, write, out)
    if write and result.ok and not (options.strict and result.diagnostics.warnings) \
            and cache.fingerprint(options) == fingerprint:  # no input edited meanwhile
        cache.remember(options, fingerprint, result.diagnostics.items, sorted(result.files),
                       result.clinics)
    return result


def _build(options: BuildOptions, write: bool, out: Path) -> BuildResult:
    diags = Diagnostics()
    docs = cache.DocCache(options.root) if write else None
    site = load_site(options, diags, docs)
    gc.freeze()
    gc.enable()
    if site is None:
        return BuildResult(diags)
    if options.strict and diags.warnings:
        return BuildResult(diags)
    # Every check that points into a fee schedule has run: drop the line/column maps, the
    # largest part of a loaded file, before rendering fills memory with pages.
    site = site.model_copy(update={"clinics": tuple(
        c.model_copy(update={"positions": None}) for c in site.clinics)})
    shard = Shard(*options.shard) if options.shard else None
    files, scans = render_site(site, options.root, diags, options.jobs or default_jobs(),
                               options.progress, shard)
    if shard is not None and not diags.errors:  # links cross shards: `merge` checks them
        inputs = cache.fingerprint(replace(options, shard=None)) or ""
        files[MANIFEST] = manifest(shard, inputs, site.config.base_url, files)
    elif not diags.errors:
        check_site(files, diags, prefix="public/", base=base_path(site.config.base_url),
                   scans=scans)
    if diags.errors or not write:
        return BuildResult(diags, files, len(site.clinics))
    with build_lock(out):
        check_output_folder(out, options.root, options.force)  # it may have changed
        write_site(out, files)
    if docs is not None:
        docs.save()
    return BuildResult(diags, files, len(site.clinics))
