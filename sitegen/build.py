"""The pipeline: config -> sources -> load -> validate -> derive -> plan -> render -> check
-> write.

Everything is read and validated before anything is rendered, and nothing is written
unless the whole site rendered and passed its checks: a failed build reports every
problem at once and leaves the last good site untouched.
"""

from __future__ import annotations

import gc
import hashlib
import json
import multiprocessing as mp
import os
import sys
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
from sitegen.gfe import notice
from sitegen.history import assemble, clinic_folder
from sitegen.load import FilePositions, load_model
from sitegen.model import ClinicSource, FeeSchedule, Site, SiteConfig, web_address_problem
from sitegen.mrf import validate_price_transparency
from sitegen.options import BuildOptions, build_date
from sitegen.outputs import clinic_files, site_files
from sitegen.render import make_environment, render_route
from sitegen.routes import Route, clinic_routes, site_routes
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
            loaded.append((rel, result[0], FilePositions(root / rel, rel, max_bytes, docs)))
        else:
            broken.add(clinic_folder(rel) or Path(rel).stem)
        gc.collect(0)  # this file's cyclic garbage (the collector is off: quiet_collector)
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
        result = render_page(page, by_source, diags, expand(
            page.body, page.body_line, page.url, page.display, by_slug, config, diags, broken,
            figures),
            config.markdown.allow_html)
        gc.collect(0)  # the Markdown converter's cycles (the collector is off)
        return result

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
CLINIC_PAGES = 40      # about how many pages a clinic has in each language


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# (output path, sha256, bytes (None once streamed), scan of a page, its clinic's position)
Rendered = list[tuple[str, str, "bytes | None", "PageScan | None", "int | None"]]
Failed = tuple[str, str, int, str]                       # (kind, template, line, message)
# A clinic's page in the route table, as the cache keeps it and workers send it back:
# [url, output, lastmod, in_sitemap, lang, prefix]
PageEntry = list


@dataclass
class Chunk:
    """What a worker sends back for a slice of the work: every output, and the pages of
    each clinic it planned and rendered (its position -> PageEntry list)."""

    done: Rendered
    pages: dict[int, list[PageEntry]]

    @property
    def count(self) -> int:
        return sum(1 for _, _, _, scan, _ in self.done if scan is not None)


def _emit(name: str, data: bytes, scan: PageScan | None, owner: int | None,
          done: Rendered, staging: Staging | None) -> None:
    """Stream one output into the staging folder (bytes kept only when there is none)."""
    digest = hashlib.sha256(data).hexdigest()
    if staging is not None:
        staging.put(name, data, digest)
    done.append((name, digest, None if staging is not None else data, scan, owner))


def _entry(route: Route) -> PageEntry:
    return [route.url, route.output, route.lastmod, route.in_sitemap, route.lang, route.prefix]


def _clinic_pages(view: ClinicView, notices: Mapping[str, object]) -> list[Route]:
    """A clinic's pages in every language of the site (`notices`: the good faith estimate
    notice of each, in the site's order), in route-table order."""
    routes = []
    for n, (lang, gfe_notice) in enumerate(notices.items()):
        prefix = f"{lang}/" if n else ""
        routes += [route if (route.lang, route.prefix) == (lang, prefix)
                   else route.in_language(lang, prefix)
                   for route in clinic_routes(view, gfe_notice)]
    return routes


def _render_units(units: list[tuple[str, int]]) -> Chunk | Failed:
    """Render site-level pages ('page', i) and whole clinics ('clinic', i: plan its pages
    in every language, render them and its price files) into the staging folder; each
    page is scanned for the check as soon as it is rendered. A clinic's derived data (its
    flow, estimates, plan pages) lives only while its job runs, so memory does not grow
    with the number of clinics. A template error comes back as (kind, template, line,
    message), so the parent reports it in file order."""
    views, staging = _WORK["views"], _WORK["staging"]
    chunk = Chunk([], {})
    for kind, i in units:
        if kind == "page":
            failed = _render_page(_WORK["routes"][i], None, chunk.done, staging)
            if failed:
                return failed
            continue
        shared = views[i]
        view = clinic_view(shared.config, shared.source)  # this job's own, dropped after it
        if "tables" in shared.__dict__:  # computed for the service pages: not again
            view.__dict__["tables"] = shared.tables
        routes = _clinic_pages(view, _WORK["notices"])
        for route in routes:
            failed = _render_page(route, i, chunk.done, staging)
            if failed:
                return failed
        for name, data in clinic_files(view).items():
            _emit(name, data, None, i, chunk.done, staging)
        chunk.pages[i] = [_entry(route) for route in routes]
    return chunk


def _render_page(route: Route, owner: int | None, done: Rendered, staging: Staging | None
                 ) -> Failed | None:
    try:
        data = render_route(_WORK["envs"][route.lang], route,
                            {**_WORK["shared"], "site": _WORK["sites"][route.lang]},
                            _WORK["base_url"], _WORK["languages"])
    except jinja2.TemplateSyntaxError as exc:
        return ("syntax", f"templates/{exc.name or route.template}", exc.lineno or 0,
                f"template syntax error: {exc.message}")
    except jinja2.TemplateError as exc:
        return ("error", f"templates/{route.template}", 0,
                f"template error while rendering {route.url or 'the home page'}: {exc}")
    _emit(route.output, data, scan_page(data.decode("utf-8")), owner, done, staging)
    return None


def _weight(unit: tuple[str, int]) -> int:
    """About how many pages a unit renders: a clinic's job, all of its pages."""
    return CLINIC_PAGES * len(_WORK["languages"]) if unit[0] == "clinic" else 1


def _chunks(units: list[tuple[str, int]], jobs: int) -> list[list[tuple[str, int]]]:
    """Contiguous slices of about equal work, several per worker so a slow one does not
    hold up the rest."""
    size = max(1, -(-sum(map(_weight, units)) // (jobs * 4)))
    chunks: list[list[tuple[str, int]]] = [[]]
    work = 0
    for unit in units:
        if work >= size:
            chunks.append([])
            work = 0
        chunks[-1].append(unit)
        work += _weight(unit)
    return [chunk for chunk in chunks if chunk]


def _compile_templates(env: jinja2.Environment) -> None:
    """Compile every template once, before the workers fork, so they share the result
    instead of each compiling them again (a broken one is left for its page to report)."""
    for name in env.list_templates(extensions=["html"]):
        try:
            env.get_template(name)
        except jinja2.TemplateError:
            pass


def _run(units: list[tuple[str, int]], jobs: int) -> Iterator[Chunk | Failed]:
    """The results chunk by chunk, in the order of `units`, whatever the number of
    workers."""
    pool = jobs > 1 and sum(map(_weight, units)) >= POOL_MIN_PAGES and \
        "fork" in mp.get_all_start_methods()
    chunks = _chunks(units, jobs if pool else 4)
    if not pool:
        yield from (_render_units(chunk) for chunk in chunks)
        return
    for env in _WORK["envs"].values():
        _compile_templates(env)
    with mp.get_context("fork").Pool(jobs) as workers:
        yield from workers.imap(_render_units, chunks)


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


def _carry_over(root: Path, record: str, key: str, previous: cache.Previous | None,
                staging: Staging | None, output: Output, view: ClinicView | None = None
                ) -> list[Route] | None:
    """Keep the outputs the last build recorded under `record` (a clinic's slug, or a
    guide page's GUIDE_RECORD name) when its key is unchanged: the clinic's routes in every
    language (for the sitemap and its alternates; none for a guide), or None when they
    must be rendered (changed, new, or anything of the last build missing or damaged)."""
    found = previous.reusable(record, key) if previous and staging else None
    raw = cache.load_scans(root, key) if found is not None else None
    if found is None or raw is None or staging is None or previous is None:
        return None
    names, pages = found
    try:
        scans = _scans(raw)
        routes = [_route(view, entry) for entry in pages] if view is not None else []
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
    output.clinics[record] = (key, names, pages)
    output.new_scans[record] = (key, None)
    return routes


def _shared_strings(scan: PageScan) -> PageScan:
    """The scan with its ids and link targets interned: the same few thousand addresses
    recur across the site's hundreds of thousands of links, and the scans are kept until
    the site-wide check, so one copy of each halves their memory."""
    return replace(scan, ids=frozenset(map(sys.intern, scan.ids)), links=tuple(
        (sys.intern(href), line, col) for href, line, col in scan.links))


def _scans(raw: Mapping[str, list]) -> dict[str, PageScan]:
    """Scans as `cache.load_scans` reads them back (TypeError or ValueError if damaged)."""
    return {str(name): PageScan(frozenset(sys.intern(str(i)) for i in ids), tuple(
        (sys.intern(str(href)), int(line), int(col)) for href, line, col in links), (), True)
        for name, (ids, links) in raw.items()}


GUIDE_RECORD = "guide:"  # a guide page's record among the clinics' (cache.Previous)


def guide_key(common: str, route: Route, clinics: list[list[str]]) -> str:
    """What a guide page shows besides what every page depends on (`common`): its own
    text (Markdown and shortcodes already rendered, so a price it quotes counts), in its
    language, and the clinics the site footer names."""
    page = route.context["page"]
    return hashlib.sha256(json.dumps(
        [common, route.output, route.lang, page.html, page.fallback, page.source,
         [list(entry) for entry in page.toc], page.meta.model_dump_json(), clinics],
        default=str).encode()).hexdigest()


def render_site(site: Site, root: Path, diags: Diagnostics, jobs: int = 1,
                progress: Callable[[int, int], None] | None = None, shard: Shard | None = None,
                staging: Staging | None = None, previous: cache.Previous | None = None
                ) -> Output:
    """Every output file (into `staging`, or kept in memory without one) and the check's
    scan of every page: every page in every language of the site, the default language at
    the root, each other one under /<lang>/ with the same page map (of `shard`'s clinics
    and, in its first shard, the site-level ones). Clinics whose key matches the
    `previous` build are carried over, in every language, not rendered.

    Each clinic is one job: a worker plans its pages, renders them and its price files,
    and sends back only their hashes, scans and route-table entries. The site-level pages
    need only the clinics' price tables, which are computed here, once."""
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
             (found := _carry_over(root, view.slug, keys[i], previous, staging, output,
                                   view)) is not None}
    heads, tails = [], []
    for n, lang in enumerate(languages):
        prefix = f"{lang}/" if n else ""
        head, tail = site_routes(sites[lang], views)
        heads.append([r if n == 0 else r.in_language(lang, prefix) for r in head])
        tails.append([r if n == 0 else r.in_language(lang, prefix) for r in tail])
    site_level = [r for part in (*heads, *tails) for r in part]
    today, months = build_date(), site.config.stale_after_months
    shared = {"config": site.config, "stale_after_months": months,
              "stale": {c.slug for c in site.clinics
                        if is_stale(c.clinic.last_updated, today, months)}}
    notices = {lang: notice(site.config, lang) for lang in languages}
    _WORK.update(envs=envs, routes=site_level, views=views, base_url=site.config.base_url,
                 shared=shared, staging=staging, sites=sites, languages=languages,
                 notices=notices)
    rendered = [i for i, view in enumerate(views) if shard.owns(i) and view.slug not in known]
    footer = [[view.slug, view.source.clinic.name] for view in views]
    guides = {j: guide_key(common, route, footer) for j, route in enumerate(site_level)
              if route.template == "guide.html"} if shard.owns(None) else {}
    kept_guides = {j for j, key in guides.items() if _carry_over(
        root, GUIDE_RECORD + site_level[j].output, key, previous, staging, output) is not None}
    first_pages = len(heads[0]) * len(languages) if shard.owns(None) else 0
    units = [("page", j) for j in range(first_pages)] + \
        [("clinic", i) for i in rendered] + \
        [("page", j) for j in range(first_pages, len(site_level) if shard.owns(None) else 0)
         if j not in kept_guides]
    outputs_of: dict[int, list[str]] = {}
    pages_of: dict[int, list[PageEntry]] = {}
    site_pages = sum(1 for kind, _ in units if kind == "page")
    done = 0
    try:
        for result in _run(units, jobs):
            if isinstance(result, tuple):
                diags.error(result[1], result[2], 1 if result[0] == "syntax" else 0, result[3])
                return Output()
            for name, digest, data, scan, clinic in result.done:
                output.hashes[name] = digest
                if data is not None:
                    output.files[name] = data
                if scan is not None:
                    output.scans[name] = _shared_strings(scan)
                if clinic is not None:
                    outputs_of.setdefault(clinic, []).append(name)
            pages_of.update(result.pages)
            if progress is not None:
                clinic_pages = sum(map(len, pages_of.values()))
                left = len(rendered) - len(pages_of)
                total = site_pages + clinic_pages + \
                    (left * clinic_pages // len(pages_of) if pages_of else 0)
                for _ in range(result.count):
                    done += 1
                    progress(done, max(total, done))
    finally:
        _WORK.clear()
    for i, names in outputs_of.items():
        slug = views[i].slug
        output.clinics[slug] = (keys[i], sorted(names), pages_of.get(i, []))
        output.new_scans[slug] = (keys[i], cache.scans_json({
            name: [sorted(output.scans[name].ids), output.scans[name].links]
            for name in names if name in output.scans}))
    for j, key in guides.items():
        name = site_level[j].output
        if j not in kept_guides and name in output.scans:
            scan = output.scans[name]
            output.clinics[GUIDE_RECORD + name] = (key, [name], [])
            output.new_scans[GUIDE_RECORD + name] = (key, cache.scans_json(
                {name: [sorted(scan.ids), scan.links]}))
    if not shard.owns(None):
        return output
    # The route table, in its order: each language's site-level head, every clinic's pages
    # (rendered now, carried over, or, in a shard's first part, another shard's: planned
    # here for the sitemap), then the rest of the site-level pages.
    clinic_pages = [known[view.slug] if view.slug in known else
                    [_route(view, entry) for entry in pages_of[i]] if i in pages_of else
                    _clinic_pages(view, notices) for i, view in enumerate(views)]
    routes = []
    for n, lang in enumerate(languages):
        routes += heads[n]
        routes += [route for pages in clinic_pages for route in pages if route.lang == lang]
        routes += tails[n]
    if not _unique_outputs(routes, diags):
        return output
    assert all(page_output(r.url) == r.output or r.url == "404.html" for r in routes)
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


def _route(view: ClinicView, entry: PageEntry) -> Route:
    """A clinic's page back from its route-table entry (enough for the sitemap, its
    alternates and the output check)."""
    url, out, lastmod, listed, lang, prefix = entry
    return Route(str(url), str(out), "", {"source": view.source}, bool(listed),
                 lastmod if isinstance(lastmod, str) else None, str(lang), str(prefix))


@contextmanager
def quiet_collector() -> Iterator[None]:
    """Keep Python's cyclic garbage collector from walking the growing heap of validated
    models again and again while they are read (it made reading grow faster than the
    number of clinics); then freeze them, so collections during rendering skip them too.
    While it is off, each file's cyclic garbage is collected from the youngest generation
    only (`gc.collect(0)`: what was made since the last file), so nothing is walked twice
    and garbage is never frozen for the rest of the build."""
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
    docs = cache.DocCache(options.root) if write else None
    try:
        return _build_with(options, write, out, docs)
    finally:
        if docs is not None:
            docs.discard()  # entries not saved by a build that succeeded


def _build_with(options: BuildOptions, write: bool, out: Path, docs: cache.DocCache | None
                ) -> BuildResult:
    diags = Diagnostics()
    site = load_site(options, diags, docs)
    gc.collect(0)
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
