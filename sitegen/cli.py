"""The command line: parse arguments, run a stage, print diagnostics, pick the exit code.

Exit codes: 0 built, 1 content errors, 2 usage errors (click's own convention).
"""

from __future__ import annotations

import os
import re
import sys
import time
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from pathlib import Path

import click

from sitegen import __version__, cache
from sitegen.diagnostics import Diagnostics
from sitegen.options import BuildOptions
from sitegen.write import BuildLocked, UnsafeOutput, check_output_folder


def __getattr__(name: str):
    """`build`, imported on first use: a rebuild answered from the cache never loads the
    pipeline's libraries (Jinja, pydantic, Markdown), which take longer than the answer."""
    if name == "build":
        from sitegen.build import build

        return build
    raise AttributeError(name)


def _build(options: BuildOptions, *, write: bool = True):
    return sys.modules[__name__].build(options, write=write)


def report(diags: Diagnostics, strict: bool = False) -> int:
    """Print every diagnostic once, in file order, and a summary; return the exit code."""
    annotate = os.environ.get("GITHUB_ACTIONS") == "true"
    items = diags.sorted()
    for item in items:
        if strict and item.severity == "warning":
            item = type(item)(item.path, item.line, item.col, "error", item.message, item.hint)
        click.echo(item.format(), err=True)
        if annotate:
            click.echo(item.github_annotation())
    errors = sum(1 for d in items if d.severity == "error" or strict)
    warnings = len(items) - errors
    if items:
        click.echo(f"{_count(errors, 'error')}, {_count(warnings, 'warning')}", err=True)
    return 1 if errors else 0


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


class _Group(click.Group):
    """Turns a bug in sitegen into a short message instead of a traceback (set
    SITEGEN_DEBUG=1 to see it): clinic staff cannot act on a Python stack."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit,
                KeyboardInterrupt):
            raise
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            if os.environ.get("SITEGEN_DEBUG"):
                raise
            click.echo(f"sitegen: internal error: {type(exc).__name__}: {exc}; this is a bug "
                       "in sitegen, not in your files: please report it with the command you "
                       "ran (SITEGEN_DEBUG=1 shows the details)", err=True)
            sys.exit(70)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sitegen")
@click.option("-q", "--quiet", is_flag=True, help="Print only problems, no summary.")
@click.option("-v", "--verbose", is_flag=True, help="Also print each file written and timings.")
@click.pass_context
def main(ctx: click.Context, quiet: bool, verbose: bool) -> None:
    """Build honest, readable price pages from clinic fee schedules."""
    ctx.obj = {"verbosity": 0 if quiet else 2 if verbose else 1}


def _verbosity() -> int:
    """0 with -q, 2 with -v, else 1."""
    ctx = click.get_current_context(silent=True)
    root = ctx.find_root() if ctx else None
    return (root.obj or {}).get("verbosity", 1) if root else 1


def _site_options(command):
    """The options `build` and `check` share."""
    command = click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes "
                           "for rendering (default: all cores; small sites use one).")(command)
    command = click.option("--strict", is_flag=True, help="Treat warnings as errors.")(command)
    command = click.option("--base-url", help="Public URL of the site, e.g. "
                           "https://example.org/repo/ (default: base_url of site.yaml).")(command)
    return click.argument("site_dir", default=".",
                          type=click.Path(file_okay=False, path_type=Path))(command)


def _options(site_dir: Path, out: Path | None, base_url: str | None, strict: bool,
             force: bool = False, jobs: int | None = None) -> BuildOptions:
    if not site_dir.is_dir():
        raise click.UsageError(f"SITE_DIR '{site_dir}' is not a folder")
    if base_url is not None:
        from sitegen.model import web_address_problem  # only then: a cached build needs no pydantic

        problem = web_address_problem(base_url, path_ok=True)
        if problem:
            raise click.BadParameter(problem, param_hint="--base-url")
    return BuildOptions(root=site_dir, out=out, base_url=base_url, strict=strict, force=force,
                        jobs=jobs)


@main.command("build")
@_site_options
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (default: SITE_DIR/public). It is replaced as a whole, so it "
              "must be new, empty or made by sitegen.")
@click.option("--force", is_flag=True, help="Replace an output folder that sitegen did not "
              "make (never the site's own folders, the home folder or /).")
@click.option("--shard", metavar="K/N", help="Build only shard K of N (every N-th clinic; "
              "site-level pages in shard 1) with a manifest; join the shards with "
              "sitegen merge.")
def build_command(site_dir: Path, out: Path | None, base_url: str | None, strict: bool,
                  jobs: int | None, force: bool, shard: str | None) -> None:
    """Build the site in SITE_DIR (default: the current folder) into public/."""
    options = _options(site_dir, out, base_url, strict, force, jobs)
    if shard is not None:
        from sitegen.shard import Shard

        try:
            part = Shard.parse(shard)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--shard") from None
        options.shard = (part.index, part.count)
    started = time.perf_counter()
    try:
        check_output_folder(options.output, options.root, options.force)
        result = cache.answer(options, cache.fingerprint(options))
        if result is None:
            with _progress_bar() as progress:
                options.progress = progress
                result = _build(options)
    except UnsafeOutput as exc:
        raise click.BadParameter(str(exc), param_hint="--out") from None
    except BuildLocked as exc:
        click.echo(f"{exc}: error: another build of this site is running; wait for it to "
                   "finish (or delete the lock file if no build is running)", err=True)
        sys.exit(1)
    code = report(result.diagnostics, strict)
    if code == 0:
        target = out or site_dir / "public"
        if _verbosity() > 1:
            for name in sorted(result.files):
                click.echo(f"wrote {(target / name).as_posix()}", err=True)
            for slug, count in clinic_pages(result.files).items():
                click.echo(f"{slug}: {_count(count, 'page')}", err=True)
        if _verbosity():
            click.echo(summary("Built", result, time.perf_counter() - started), err=True)
    else:
        click.echo("build failed; the previous site was left as it was", err=True)
    sys.exit(code)


@main.command("merge")
@click.argument("parts", nargs=-1, required=True,
                type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Output folder for the whole site, replaced as by sitegen build.")
@click.option("--force", is_flag=True, help="Replace an output folder that sitegen did not "
              "make (never the site's own folders, the home folder or /).")
def merge_command(parts: tuple[Path, ...], out: Path, force: bool) -> None:
    """Join the folders of sitegen build --shard K/N into one site and check it."""
    from sitegen.shard import merge

    try:
        diags, files = merge(list(parts), out, force)
    except UnsafeOutput as exc:
        raise click.BadParameter(str(exc), param_hint="--out") from None
    except BuildLocked as exc:
        click.echo(f"{exc}: error: another build of this site is running; wait for it to "
                   "finish (or delete the lock file if no build is running)", err=True)
        sys.exit(1)
    code = report(diags)
    if code == 0 and _verbosity():
        pages = sum(1 for name in files if name.endswith(".html"))
        click.echo(f"Merged {len(parts)} shards: {pages} pages into {out.as_posix()}", err=True)
    elif code:
        click.echo("merge failed; the previous site was left as it was", err=True)
    sys.exit(code)


def summary(verb: str, result, seconds: float) -> str:
    """The one line every build ends with: 'Built 412 pages for 3 clinics in 0.84 s,
    0 warnings'; with several clinics, the range of pages per clinic and the largest, since
    a clinic's plans and "What will I pay?" pages make its count grow."""
    pages = sum(1 for name in result.files if name.endswith(".html"))
    per_clinic = clinic_pages(result.files)
    spread = ""
    if len(per_clinic) > 1:
        most = max(per_clinic, key=lambda slug: (per_clinic[slug], slug))
        spread = (f" ({min(per_clinic.values())} to {per_clinic[most]} pages each; "
                  f"most: {most})")
    return (f"{verb} {_count(pages, 'page')} for {_count(result.clinics, 'clinic')}{spread} "
            f"in {seconds:.2f} s, {_count(len(result.diagnostics.warnings), 'warning')}")


def clinic_pages(files) -> dict[str, int]:
    """HTML pages below each clinic's folder, clinics/<slug>/..., by slug in slug order."""
    counts: dict[str, int] = {}
    for name in files:
        parts = name.split("/")
        if len(parts) > 2 and parts[0] == "clinics" and name.endswith(".html"):
            counts[parts[1]] = counts.get(parts[1], 0) + 1
    return dict(sorted(counts.items()))


@contextmanager
def _progress_bar():
    """A progress bar on a terminal only: never in CI logs, in a pipe or with -q. tqdm
    draws it (and only after half a second, so short builds stay quiet)."""
    if _verbosity() == 0 or os.environ.get("CI") or not sys.stderr.isatty():
        yield None
        return
    from tqdm import tqdm

    bar = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, unit="page", delay=0.5, leave=False, file=sys.stderr)
        bar.update(1)

    try:
        yield update
    finally:
        if bar is not None:
            bar.close()


@main.command("check")
@_site_options
def check_command(site_dir: Path, base_url: str | None, strict: bool, jobs: int | None
                  ) -> None:
    """Validate everything and check every link of the rendered site, writing nothing."""
    started = time.perf_counter()
    result = _build(_options(site_dir, None, base_url, strict, jobs=jobs), write=False)
    code = report(result.diagnostics, strict)
    if code == 0 and _verbosity():
        click.echo(summary("Checked", result, time.perf_counter() - started) + ": no errors",
                   err=True)
    sys.exit(code)


def _amount(text: str) -> Decimal:
    """A dollar amount like 1500 or 1500.00 (no $, no commas), for click options."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise click.BadParameter(f"must be an amount like 1500.00 (got {text!r})") from None
    # the size first: quantizing 1e400 to cents would raise
    if not value.is_finite() or value < 0 or value >= 10_000_000 or \
            value != value.quantize(Decimal("0.01")):
        raise click.BadParameter(f"must be an amount like 1500.00 (got {text!r})")
    return value


def _fraction(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal(-1)
    if not value.is_finite() or not 0 <= value <= 1:
        raise click.BadParameter(f"must be a fraction between 0 and 1, like 0.20 for 20% "
                                 f"(got {text!r})")
    return value


class _Amount(click.ParamType):
    name = "AMOUNT"

    def convert(self, value, param, ctx):  # type: ignore[no-untyped-def]
        return value if isinstance(value, Decimal) else _amount(value)


class _Fraction(click.ParamType):
    name = "FRACTION"

    def convert(self, value, param, ctx):  # type: ignore[no-untyped-def]
        return value if isinstance(value, Decimal) else _fraction(value)


class _Start(click.ParamType):
    name = "DATE"

    def convert(self, value, param, ctx):  # type: ignore[no-untyped-def]
        import datetime as dt

        if isinstance(value, dt.date):
            return value
        from sitegen.model import course_start

        for pattern in ("%Y-%m-%d", "%Y-%m"):
            try:
                day = dt.datetime.strptime(value, pattern).date()
            except ValueError:
                continue
            try:
                return course_start(day)
            except ValueError as exc:
                self.fail(str(exc), param, ctx)
        self.fail(f"must be a date like 2026-12-01, or a month like 2026-12 (got {value!r})",
                  param, ctx)


@main.command("estimate")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--site", "site_dir", default=".", show_default=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="The site folder (with --clinic).")
@click.option("--clinic", help="Price a course of this clinic (its slug) from the site's data.")
@click.option("--course", help="The course of care's id (with --clinic).")
@click.option("--visits", type=click.IntRange(1, 366),
              help="How many times the course's last visit (its sessions) happens.")
@click.option("--plan", help='The in-network plan, as "Name Plan", e.g. "Aetna PPO".')
@click.option("--self-pay", is_flag=True, help="Paying yourself, at the cash price.")
@click.option("--out-of-network", is_flag=True, help="A plan the clinic is not in network with.")
@click.option("--deductible-left", type=_Amount(), default="0",
              help="Deductible still to pay this year (default 0).")
@click.option("--coinsurance", type=_Fraction(), default=None,
              help="Your share after the deductible, as a fraction: 0.20 for 20%.")
@click.option("--copay", type=_Amount(), default=None, help="Copay per visit.")
@click.option("--copay-after-deductible", is_flag=True,
              help="The copay starts after the deductible (default: it replaces it).")
@click.option("--oop-left", type=_Amount(), default=None,
              help="What is left before your out-of-pocket maximum (default: none).")
@click.option("--visits-used", type=click.IntRange(0, 366),
              help="Visits your plan already covered this year toward its limit.")
@click.option("--second-coverage", "second",
              help="Coverage paying after the first: medigap-g (any Medigap letter), medicaid "
                   "or other-plan.")
@click.option("--second-deductible-left", type=_Amount(), default=None,
              help="other-plan: its deductible still to pay (default 0).")
@click.option("--second-coinsurance", type=_Fraction(), default=None,
              help="other-plan: your share under it alone (default: site.yaml's "
                   "what_will_i_pay.second_plan_coinsurance).")
@click.option("--second-copay", type=_Amount(), default=None,
              help="other-plan or medicaid: its copay per visit.")
@click.option("--second-oop-left", type=_Amount(), default=None,
              help="other-plan: what is left before its out-of-pocket maximum.")
@click.option("--start", type=_Start(), default=None,
              help="When the course starts, YYYY-MM-DD or YYYY-MM (the 1st): visits after the "
                   "plan year starts again begin a new deductible and counts.")
@click.option("--plan-year-starts", type=click.IntRange(1, 12), default=None,
              help="The month (1-12) the plan year starts (default 1, January; Medicare: 1).")
@click.option("--therapy-spent", type=_Amount(), default=None,
              help="Medicare: therapy of the course's kind Medicare already counted this year "
                   "toward its therapy threshold.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def estimate_command(file: Path | None, site_dir: Path, clinic: str | None, course: str | None,
                     visits: int | None, plan: str | None, self_pay: bool,
                     out_of_network: bool, deductible_left: Decimal,
                     coinsurance: Decimal | None, copay: Decimal | None,
                     copay_after_deductible: bool, oop_left: Decimal | None,
                     visits_used: int | None, second: str | None,
                     second_deductible_left: Decimal | None,
                     second_coinsurance: Decimal | None, second_copay: Decimal | None,
                     second_oop_left: Decimal | None, start, plan_year_starts: int | None,
                     therapy_spent: Decimal | None, as_json: bool) -> None:
    """Print what a patient and their plan pay for each visit.

    Either FILE (YAML or JSON with 'plan:' and 'visits:', printed as JSON; see
    docs/estimate.md and examples/estimate-a.yaml), or a course of the site's own data:
    --clinic SLUG --course ID [--visits N] (--plan "Name Plan" | --self-pay |
    --out-of-network) [--deductible-left X] [--coinsurance F | --copay X] [--oop-left X]
    [--visits-used N] [--second-coverage KIND] [--start DATE] [--plan-year-starts M]
    [--therapy-spent X] [--json].
    """
    if clinic is None:
        if file is None:
            raise click.UsageError("Missing argument 'FILE' (or give --clinic SLUG --course ID "
                                   "to price a course of the site's own data)")
        from sitegen.estimate_input import run

        diags = Diagnostics()
        output = run(file, str(file), diags)
        if output is None:
            sys.exit(report(diags) or 1)
        click.echo(output, nl=False)
        return
    if file is not None:
        raise click.UsageError("give either FILE or --clinic, not both")
    if course is None:
        raise click.UsageError("--clinic needs --course ID")
    if coinsurance is not None and copay is not None:
        raise click.UsageError("give --coinsurance or --copay, not both")
    from sitegen.build import load_site
    from sitegen.estimate_clinic import ChoiceError, Request, as_table, clinic_estimate
    from sitegen.estimate_input import to_json

    if not site_dir.is_dir():
        raise click.BadParameter(f"'{site_dir}' is not a folder", param_hint="--site")
    diags = Diagnostics()
    site = load_site(BuildOptions(root=site_dir), diags)
    if site is None:
        sys.exit(report(diags) or 1)
    request = Request(clinic, course, visits, plan, self_pay, out_of_network, deductible_left,
                      coinsurance, copay, copay_after_deductible, oop_left, visits_used,
                      second, second_deductible_left, second_coinsurance, second_copay,
                      second_oop_left, start, plan_year_starts, therapy_spent)
    try:
        result = clinic_estimate(site, request)
    except ChoiceError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(to_json(result.estimate, result.scenario.second_coverage is not None)
               if as_json else as_table(result), nl=False)


@main.command("serve")
@click.argument("site_dir", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535),
              help="Port on 127.0.0.1.")
def serve_command(site_dir: Path, port: int) -> None:
    """Preview the site at http://127.0.0.1:PORT/, rebuilding when a file changes."""
    from sitegen.serve import serve

    if not site_dir.is_dir():
        raise click.UsageError(f"SITE_DIR '{site_dir}' is not a folder")
    serve(site_dir, port, lambda text: click.echo(text, err=True))


@main.command("gfe")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(path_type=Path),
              help="The HTML file to write, or a folder for a file named like "
                   "gfe-2026-11-23-1.html (default: the current folder). Never inside the "
                   "site's public/ folder.")
@click.option("--site", "site_dir", default=".", show_default=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="The site folder, with site.yaml, rates/ and templates/.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The date the estimate is prepared, YYYY-MM-DD (default: today).")
@click.option("--lang", type=click.Choice(["en", "es"]),
              help="The patient's language (default: the file's `language:`, else the "
                   "site's first language).")
def gfe_command(file: Path, out: Path | None, site_dir: Path, today, lang: str | None) -> None:
    """Write one patient's good faith estimate (FILE, YAML) as a printable HTML file.

    FILE names the clinic, the course of care, the patient and the dates; see docs/gfe.md
    and examples/patient.yaml. The file holds patient data: keep it out of the website.
    """
    import datetime as dt

    from sitegen.gfe_input import (
        describe_result,
        published_folder,
        run,
        write_new,
        write_private,
    )

    if not site_dir.is_dir():
        raise click.BadParameter(f"'{site_dir}' is not a folder", param_hint="--site")
    out = out if out is not None else Path(".")
    folder = published_folder(out, site_dir)
    if folder is not None:
        raise click.BadParameter(f"'{out}' is inside the site's {folder} folder, which is "
                                 "published: write the estimate somewhere else",
                                 param_hint="--out")
    if not out.is_dir() and not out.parent.is_dir():
        raise click.BadParameter(f"the folder '{out.parent}' does not exist", param_hint="--out")
    prepared = today.date() if today else dt.date.today()
    from sitegen.model import FIRST_DAY, LAST_DAY
    if not FIRST_DAY <= prepared <= LAST_DAY:  # a typing mistake, like the dates in files
        raise click.BadParameter(f"{prepared} is out of range: give a date between "
                                 f"{FIRST_DAY.year} and {LAST_DAY.year}", param_hint="--today")
    diags = Diagnostics()
    result = run(file, str(file), site_dir, prepared, diags, lang)
    if result is None:
        sys.exit(report(diags) or 1)
    report(diags)  # warnings, such as stale prices
    if out.is_dir():
        out = write_new(out, prepared, result.html)
    else:
        write_private(out, result.html)
    click.echo(describe_result(result, out), err=True)


def _write(path: Path, data: bytes, display: str | None = None) -> None:
    """Write a whole file or nothing; a full disk or a read-only folder is the user's to fix,
    not a bug."""
    from sitegen.starter import atomic_write

    try:
        atomic_write(path, data)
    except OSError as exc:
        click.echo(f"{display or path}: error: cannot write the file ({exc.strerror or exc}); "
                   "it was left as it was", err=True)
        sys.exit(1)


def _refuse_overwrite(path: Path, what: str) -> None:
    click.echo(f"{path}: error: {what} already exists; add --force to replace it", err=True)
    sys.exit(1)


@main.command("export")
@click.argument("rates", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The spreadsheet to write: a .csv or .xlsx file.")
@click.option("--force", is_flag=True, help="Replace --out if it exists.")
def export_command(rates: Path, out: Path, force: bool) -> None:
    """Write the services of a fee schedule (RATES, rates/<clinic>.yaml) as a spreadsheet:
    one row per service, one column per payer plan. See docs/spreadsheets.md."""
    from sitegen.sheet import SUFFIXES, export_schedule

    if out.suffix.lower() not in SUFFIXES:
        raise click.BadParameter("must end in .csv or .xlsx", param_hint="--out")
    if not out.parent.is_dir():
        raise click.BadParameter(f"the folder '{out.parent}' does not exist", param_hint="--out")
    if out.exists() and not force:
        _refuse_overwrite(out, "the file")
    diags = Diagnostics()
    data = export_schedule(rates, rates.as_posix(), out, diags)
    if data is None:
        sys.exit(report(diags) or 1)
    _write(out, data)
    if _verbosity():
        click.echo(f"wrote {out}", err=True)


@main.command("import")
@click.argument("sheet", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--clinic", required=True, help="The clinic's id: the file rates/CLINIC.yaml "
              "(for dated fee schedules CLINIC/YYYY-MM-DD: rates/CLINIC/YYYY-MM-DD.yaml).")
@click.option("--site", "site_dir", default=".", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="The site folder.")
@click.option("--map", "mapping", default="", metavar='"HEADER=COLUMN,..."',
              help='Name columns import does not know: "Self-pay=cash,Ins Allowed=Aetna PPO,'
                   'Notes=ignore".')
@click.option("--force", is_flag=True, help="Update rates/CLINIC.yaml if it exists.")
def import_command(sheet: Path, clinic: str, site_dir: Path, mapping: str, force: bool) -> None:
    """Create or update the services: of rates/CLINIC.yaml from SHEET (.csv or .xlsx).

    Other keys and comments of the file are kept; see docs/spreadsheets.md.
    """
    from sitegen.sheet import SUFFIXES, import_sheet, parse_map
    from sitegen.starter import slugify

    if sheet.suffix.lower() not in SUFFIXES:
        raise click.BadParameter("must end in .csv or .xlsx", param_hint="SHEET")
    slug, _, dated = clinic.partition("/")
    if slugify(slug) != slug or (dated and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", dated)):
        raise click.BadParameter(f"'{clinic}' is not a clinic id; use lower-case words joined "
                                 f"by dashes, like {slugify(slug) or 'my-clinic'} (or "
                                 f"{slugify(slug) or 'my-clinic'}/2026-07-01 for a dated fee "
                                 "schedule)", param_hint="--clinic")
    folder = site_dir / "rates" / slug
    if not dated and folder.is_dir():
        latest = max((p.stem for p in folder.glob("*.yaml")), default="YYYY-MM-DD")
        raise click.BadParameter(f"{slug} keeps its fee schedules by date in rates/{slug}/; "
                                 f"name one: --clinic {slug}/{latest}", param_hint="--clinic")
    try:
        columns = parse_map(mapping)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--map") from None
    if not (site_dir / "rates" / (slug if dated else "")).is_dir():
        raise click.BadParameter(f"'{site_dir}' has no rates/{slug + '/' if dated else ''} "
                                 "folder", param_hint="--site")
    target = site_dir / "rates" / f"{clinic}.yaml"
    if not target.exists() and target.with_suffix(".yml").exists():
        target = target.with_suffix(".yml")
    display = f"rates/{clinic}{target.suffix}"
    if target.exists() and not force:
        click.echo(f"{display}: error: the fee schedule already exists; add --force to replace "
                   "its services (its other keys and comments are kept)", err=True)
        sys.exit(1)
    diags = Diagnostics()
    text = import_sheet(sheet, sheet.as_posix(), target, display, columns, diags)
    code = report(diags)
    if text is None:
        click.echo(f"nothing was written; {display} is as it was", err=True)
        sys.exit(code or 1)
    _write(target, text.encode("utf-8"), display)
    if _verbosity():
        click.echo(f"wrote {display}; run sitegen build to see the pages", err=True)


@main.command("schema")
@click.option("--site", "site", is_flag=True, help="The schema of site.yaml instead.")
def schema_command(site: bool) -> None:
    """Print the JSON Schema (draft 2020-12) of a fee schedule, for editors' autocompletion.

    The repository keeps a copy in schema/; see docs/fee-schedule.md.
    """
    from sitegen.schema import schema_text

    click.echo(schema_text(site), nl=False)


@main.group("new")
def new_group() -> None:
    """Write a starting point: a clinic's fee schedule, a guide, or a whole site."""


@new_group.command("clinic")
@click.argument("name")
@click.option("--discipline", "disciplines", multiple=True, default=["PT"], show_default=True,
              type=click.Choice(["OT", "PT", "SLP"], case_sensitive=False),
              help="A therapy the clinic offers; repeat for more.")
@click.option("--site", "site_dir", default=".", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="The site folder.")
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
def new_clinic(name: str, disciplines: tuple[str, ...], site_dir: Path, force: bool) -> None:
    """Write rates/<id>.yaml for the clinic NAME: a commented fee schedule that builds."""
    from sitegen.starter import clinic_starter, slugify

    slug = slugify(name)
    if not slug:
        raise click.BadParameter("give the clinic's name in letters", param_hint="NAME")
    target = site_dir / "rates" / f"{slug}.yaml"
    if target.exists() and not force:
        _refuse_overwrite(target, "the fee schedule")
    target.parent.mkdir(parents=True, exist_ok=True)
    chosen = [d for d in ("OT", "PT", "SLP") if d in {x.upper() for x in disciplines}]
    _write(target, clinic_starter(name, chosen).encode("utf-8"))
    if _verbosity():
        click.echo(f"wrote {target}: replace the example values, then run sitegen build",
                   err=True)


@new_group.command("guide")
@click.argument("title")
@click.option("--site", "site_dir", default=".", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="The site folder.")
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
def new_guide(title: str, site_dir: Path, force: bool) -> None:
    """Write content/guides/<name>.md, a starter explainer titled TITLE."""
    from sitegen.starter import guide_starter, slugify

    slug = slugify(title)
    if not slug:
        raise click.BadParameter("give the guide's title in letters", param_hint="TITLE")
    target = site_dir / "content" / "guides" / f"{slug}.md"
    if target.exists() and not force:
        _refuse_overwrite(target, "the guide")
    target.parent.mkdir(parents=True, exist_ok=True)
    _write(target, guide_starter(title).encode("utf-8"))
    if _verbosity():
        click.echo(f"wrote {target}", err=True)


@new_group.command("site")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", default="Our Therapy Prices", show_default=True,
              help="The clinic's (and the site's) name.")
@click.option("--discipline", "disciplines", multiple=True, default=["PT"], show_default=True,
              type=click.Choice(["OT", "PT", "SLP"], case_sensitive=False),
              help="A therapy the clinic offers; repeat for more.")
def new_site(folder: Path, title: str, disciplines: tuple[str, ...]) -> None:
    """Write a complete small site into FOLDER (new or empty): site.yaml, one clinic, two
    guides, the templates and the GitHub workflows; it builds as it is."""
    from sitegen.starter import REPO, write_site_skeleton

    for part in ("templates", "figures"):
        if not (REPO / part).is_dir():
            raise click.UsageError(f"the {part} to copy are missing ({REPO / part}): "
                                   "run new site from a sitegen checkout (pip install -e PATH)")
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise click.BadParameter(f"'{folder}' is not an empty folder", param_hint="FOLDER")
    if not folder.parent.is_dir():
        raise click.BadParameter(f"the folder '{folder.parent}' does not exist",
                                 param_hint="FOLDER")
    chosen = [d for d in ("OT", "PT", "SLP") if d in {x.upper() for x in disciplines}]
    written = write_site_skeleton(folder, title, chosen)
    if _verbosity():
        click.echo(f"wrote {len(written)} files into {folder}; next: cd {folder} && "
                   "sitegen build", err=True)
