"""The pipeline: config -> sources -> load -> validate -> derive -> plan -> render -> check
-> write.

Everything is read and validated before anything is rendered, and nothing is written
unless the whole site rendered and passed its checks: a failed build reports every
problem at once and leaves the last good site untouched.
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing as mp
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import jinja2

from sitegen import cache, i18n
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
from sitegen.routes import Route, plan_routes
from sitegen.selfpay import validate_sliding_scales
from sitegen.shard import MANIFEST, Shard, manifest
from sitegen.shortcodes import expand
from sitegen.sources import TRANSLATION_FOLDERS, find_sources
from sitegen.urls import base_path, content_url, page_output
from sitegen.validate import validate_clinic, validate_clinics, validate_site_settings
from sitegen.views import ClinicView, clinic_view
from sitegen.write import Staging, build_lock, check_output_folder
from sitegen.yamlsrc import MAX_BYTES, Positions, YamlDoc


@dataclass
class BuildResult:
    diagnostics: Diagnostics
    files: Mapping[str, bytes] = field(default_factory=dict)
    clinics: int = 0  # clinics built, for the summary line
    cached: bool = False     # nothing had changed: the output folder was left as it was
    output: Output | None = None  # what was rendered (hashes, per-clinic keys) for the cache

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

    others = config.site_languages[1:]
    pages: list[Page] = []
    translated: dict[str, list[Page]] = {lang: [] for lang in others}
    unreadable: dict[str, str] = {}  # pages with errors of their own: links to them are fine
    for rel in sources.content:
        source = rel.removeprefix("content/")
        lang, _, rest = source.partition("/")
        if rel.startswith(TRANSLATION_FOLDERS) and lang not in others:
            continue  # a translation into a language the site is not built in
        page = read_page(root / rel, rest if lang in others else source, rel, diags, max_bytes,
                         build_date())
        if lang in others:
            if page is not None:
                translated[lang].append(page)
        elif page is not None:
            pages.append(page)
        else:
            unreadable[source] = content_url(source)
    by_source = {**unreadable, **{p.source: p.url for p in pages if not p.meta.draft}}
    by_slug = {c.slug: c for c in clinics}

    def rendered(page: Page) -> Page:
        return render_page(page, by_source, diags, expand(
            page.body, page.body_line, page.url, page.display, by_slug, config, diags, broken,
            figures),
            config.markdown.allow_html)

    pages = [rendered(p) for p in pages]
    _check_fragments(pages, diags)
    localized = {}
    for lang, found in translated.items():
        with i18n.page_language(lang):  # the shortcodes' tables in the page's language
            localized[lang] = _localized_pages(pages, [rendered(p) for p in found], diags)
    if diags.errors:
        return None
    clinics.sort(key=lambda c: c.slug)
    return Site(config=config, clinics=tuple(clinics), pages=tuple(pages), localized=localized,
                figures=figures)


def _localized_pages(pages: list[Page], translations: list[Page], diags: Diagnostics
                     ) -> tuple[Page, ...]:
    """Every page in one other language: its translation, else the English page marked as
    a fallback (the page frame says so in that language). A translation needs its English
    page, so that both languages have the same page map."""
    english = {p.source: p for p in pages}
    own = {}
    for page in translations:
        if page.source not in english:
            diags.error(page.display, 0, 0, f"this translation has no English page "
                        f"content/{page.source}", did_you_mean(
                            page.source, sorted(english)) or
                        f"add content/{page.source}, or name this file like the English one")
        else:
            own[page.source] = page
    result = [own.get(p.source) or replace(p, fallback=True) for p in pages]
    _check_fragments(result, diags)
    return tuple(result)


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


# (output path, sha256, bytes (None once streamed), scan of a page, its clinic's position)
Rendered = list[tuple[str, str, "bytes | None", "PageScan | None", "int | None"]]
Failed = tuple[str, str, int, str]                       # (kind, template, line, message)


def _emit(name: str, data: bytes, scan: PageScan | None, owner: int | None,
          done: Rendered, staging: Staging | None) -> None:
    """Stream one output into the staging folder (bytes kept only when there is none)."""
    digest = hashlib.sha256(data).hexdigest()
    if staging is not None:
        staging.put(name, data, digest)
    done.append((name, digest, None if staging is not None else data, scan, owner))


def _render_units(units: list[tuple[str, int]]) -> Rendered | Failed:
    """Render pages ('route', i) and clinics' price files ('files', i) into the staging
    folder; each page is scanned for the check as soon as it is rendered. A template
    error comes back as (kind, template, line, message), so the parent reports it in file
    order."""
    envs, routes, views = _WORK["envs"], _WORK["routes"], _WORK["views"]
    shared, base_url, sites = _WORK["shared"], _WORK["base_url"], _WORK["sites"]
    staging, owner = _WORK["staging"], _WORK["owner"]
    done: Rendered = []
    for kind, i in units:
        if kind == "files":
            for name, data in clinic_files(views[i]).items():
                _emit(name, data, None, i, done, staging)
            continue
        route = routes[i]
        try:
            data = render_route(envs[route.lang], route, {**shared, "site": sites[route.lang]},
                                base_url, _WORK["languages"])
        except jinja2.TemplateSyntaxError as exc:
            return ("syntax", f"templates/{exc.name or route.template}", exc.lineno or 0,
                    f"template syntax error: {exc.message}")
        except jinja2.TemplateError as exc:
            return ("error", f"templates/{route.template}", 0,
                    f"template error while rendering {route.url or 'the home page'}: {exc}")
        _emit(route.output, data, scan_page(data.decode("utf-8")), owner[i], done, staging)
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
    for env in _WORK["envs"].values():
        _compile_templates(env)
    with mp.get_context("fork").Pool(jobs) as workers:
        yield from zip(pages, workers.imap(_render_units, chunks))


@dataclass
class Output:
    """What rendering produced: the sha256 of every output, the check's scan of every page,
    per clinic its key and outputs (so the next build can carry it over) and the scans of
    the clinics rendered this time; the bytes only when nothing is streamed to a staging
    folder (`sitegen check`)."""

    hashes: dict[str, str] = field(default_factory=dict)
    scans: dict[str, PageScan] = field(default_factory=dict)
    clinics: dict[str, tuple[str, list[str], list[list]]] = field(default_factory=dict)
    new_scans: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # JSON
    files: dict[str, bytes] = field(default_factory=dict)


def _carry_over(root: Path, view: ClinicView, key: str, previous: cache.Previous | None,
                staging: Staging | None, output: Output) -> list[Route] | None:
    """Keep a clinic's outputs from the last build when its key is unchanged: its routes
    in every language (for the sitemap and its alternates), or None when it must be
    rendered (changed, new, or anything of the last build missing or damaged)."""
    found = previous.reusable(view.slug, key) if previous and staging else None
    raw = cache.load_scans(root, key) if found is not None else None
    if found is None or raw is None or staging is None or previous is None:
        return None
    names, pages = found
    try:
        scans = {str(name): PageScan(frozenset(map(str, ids)), tuple(
            (str(href), int(line), int(col)) for href, line, col in links), (), True)
            for name, (ids, links) in raw.items()}
        routes = [Route(str(url), str(out), "", {"source": view.source}, bool(listed),
                        lastmod if isinstance(lastmod, str) else None, str(lang), str(prefix))
                  for url, out, lastmod, listed, lang, prefix in pages]
    except (TypeError, ValueError):
        return None
    if set(scans) - set(names) or {r.output for r in routes} - set(names):
        return None
    for done, name in enumerate(names):
        if not staging.keep(name):  # rendered again: never write through a link into `out`
            staging.forget(names[:done])
            return None
    output.hashes.update((name, previous.hashes[name]) for name in names)
    output.scans.update(scans)
    output.clinics[view.slug] = (key, names, pages)
    output.new_scans[view.slug] = (key, None)
    return routes


def render_site(site: Site, root: Path, diags: Diagnostics, jobs: int = 1,
                progress: Callable[[int, int], None] | None = None, shard: Shard | None = None,
                staging: Staging | None = None, previous: cache.Previous | None = None
                ) -> Output:
    """Every output file (into `staging`, or kept in memory without one) and the check's
    scan of every page: every page in every language of the site, the default language at
    the root, each other one under /<lang>/ with the same page map (of `shard`'s clinics
    and, in its first shard, the site-level ones). Clinics whose key matches the
    `previous` build are carried over, in every language, not rendered."""
    templates = root / "templates"
    languages = site.config.site_languages
    envs = {lang: make_environment(templates, lang, site.figures) for lang in languages}
    sites = {lang: site.in_language(lang) for lang in languages}
    views = [clinic_view(site.config, source) for source in site.clinics]
    shard = shard or Shard(1, 1)
    every_page = site.pages + tuple(p for lang in languages[1:] for p in sites[lang].pages)
    common = cache.shared_key(root, site.config, every_page)
    keys = [cache.clinic_key(common, view.source) for view in views]
    output = Output()
    known = {view.slug: found for i, view in enumerate(views) if shard.owns(i) and
             (found := _carry_over(root, view, keys[i], previous, staging, output)) is not None}
    routes = []
    for n, lang in enumerate(languages):
        prefix = f"{lang}/" if n else ""
        carried = {slug: [r for r in found if r.lang == lang] for slug, found in known.items()}
        routes += [route if (route.lang, route.prefix) == (lang, prefix)
                   else route.in_language(lang, prefix)
                   for route in plan_routes(sites[lang], views, carried)]
    if not _unique_outputs(routes, diags):
        return output
    assert all(page_output(r.url) == r.output or r.url == "404.html" for r in routes)
    today, months = build_date(), site.config.stale_after_months
    shared = {"config": site.config, "stale_after_months": months,
              "stale": {c.slug for c in site.clinics
                        if is_stale(c.clinic.last_updated, today, months)}}
    kept = {i for i, view in enumerate(views) if view.slug in known}
    position = {view.slug: i for i, view in enumerate(views)}
    owner = [position.get(getattr(r.context.get("source"), "slug", None)) for r in routes]
    _WORK.update(envs=envs, routes=routes, views=views, base_url=site.config.base_url,
                 shared=shared, staging=staging, owner=owner, sites=sites, languages=languages)
    units = [("route", i) for i in range(len(routes))
             if shard.owns(owner[i]) and owner[i] not in kept] + \
        [("files", i) for i in range(len(views)) if shard.owns(i) and i not in kept]
    outputs_of: dict[int, list[str]] = {}
    total = sum(1 for kind, _ in units if kind == "route")
    done = 0
    try:
        for pages, result in _run(units, jobs):
            if isinstance(result, tuple):
                diags.error(result[1], result[2], 1 if result[0] == "syntax" else 0, result[3])
                return Output()
            for name, digest, data, scan, clinic in result:
                output.hashes[name] = digest
                if data is not None:
                    output.files[name] = data
                if scan is not None:
                    output.scans[name] = scan
                if clinic is not None:
                    outputs_of.setdefault(clinic, []).append(name)
            for _ in range(pages):
                done += 1
                if progress is not None:
                    progress(done, total)
    finally:
        _WORK.clear()
    pages_of: dict[int, list[list]] = {}
    for route, i in zip(routes, owner):
        if i is not None and i not in kept:
            pages_of.setdefault(i, []).append([route.url, route.output, route.lastmod,
                                               route.in_sitemap, route.lang, route.prefix])
    for i, names in outputs_of.items():
        slug = views[i].slug
        output.clinics[slug] = (keys[i], sorted(names), pages_of.get(i, []))
        output.new_scans[slug] = (keys[i], cache.scans_json({
            name: [sorted(output.scans[name].ids), output.scans[name].links]
            for name in names if name in output.scans}))
    if not shard.owns(None):
        return output
    static = templates / "assets"
    extra = {"assets/" + asset.relative_to(static).as_posix(): asset.read_bytes()
             for asset in sorted(static.rglob("*")) if asset.is_file()} \
        if static.is_dir() else {}
    extra.update(site_files(views, routes, site.config.base_url, languages))
    done_extra: Rendered = []
    for name, data in extra.items():
        _emit(name, data, None, None, done_extra, staging)
    for name, digest, data, _, _ in done_extra:
        output.hashes[name] = digest
        if data is not None:
            output.files[name] = data
    return output


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
                       result.clinics, result.output.hashes, result.output.clinics)
        cache.save_scans(options.root, result.output.new_scans)
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
    if not write:
        output = _render_and_check(options, site, diags, None, None)
        return BuildResult(diags, output.files, len(site.clinics), output=output)
    with build_lock(out):
        check_output_folder(out, options.root, options.force)  # it may have changed
        staging = Staging(out, (previous := cache.previous(options)) and previous.hashes)
        staging.open()
        try:
            output = _render_and_check(options, site, diags, staging, previous)
            if diags.errors:
                staging.discard()  # the last good site stays
                return BuildResult(diags, {}, len(site.clinics), output=output)
            staging.commit()
        except BaseException:
            staging.discard()
            raise
    if docs is not None:
        docs.save()
    return BuildResult(diags, cache.OutputFiles(out, sorted(output.hashes)), len(site.clinics),
                       output=output)


def _render_and_check(options: BuildOptions, site: Site, diags: Diagnostics,
                      staging: Staging | None, previous: cache.Previous | None) -> Output:
    """Render into `staging` (or memory) and run the site-wide check; a shard's part
    gets its manifest instead (links cross shards: `merge` checks them)."""
    shard = Shard(*options.shard) if options.shard else None
    output = render_site(site, options.root, diags, options.jobs or default_jobs(),
                         options.progress, shard, staging, previous)
    if diags.errors:
        return output
    if shard is not None:
        inputs = cache.fingerprint(replace(options, shard=None)) or ""
        data = manifest(shard, inputs, site.config.base_url, output.hashes)
        output.hashes[MANIFEST] = hashlib.sha256(data).hexdigest()
        if staging is not None:
            staging.put(MANIFEST, data)
        else:
            output.files[MANIFEST] = data
    else:
        check_site(output.hashes, diags, prefix="public/",
                   base=base_path(site.config.base_url), scans=output.scans)
    return output
