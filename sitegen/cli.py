"""The command line: parse arguments, run a stage, print diagnostics, pick the exit code.

Exit codes: 0 built, 1 content errors, 2 usage errors (click's own convention).
"""

from __future__ import annotations

import os
import sys
import time
from decimal import Decimal, InvalidOperation
from pathlib import Path

import click

from sitegen import __version__
from sitegen.build import BuildOptions, build
from sitegen.diagnostics import Diagnostics
from sitegen.write import BuildLocked, UnsafeOutput


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
def main() -> None:
    """Build honest, readable price pages from clinic fee schedules."""


def _site_options(command):
    """The options `build` and `check` share."""
    command = click.option("--strict", is_flag=True, help="Treat warnings as errors.")(command)
    command = click.option("--base-url", help="Public URL of the site, e.g. "
                           "https://example.org/repo/ (default: base_url of site.yaml).")(command)
    return click.argument("site_dir", default=".",
                          type=click.Path(file_okay=False, path_type=Path))(command)


def _options(site_dir: Path, out: Path | None, base_url: str | None, strict: bool,
             force: bool = False) -> BuildOptions:
    if not site_dir.is_dir():
        raise click.UsageError(f"SITE_DIR '{site_dir}' is not a folder")
    if base_url is not None and not base_url.startswith(("http://", "https://", "/")):
        raise click.BadParameter("must start with http://, https:// or /", param_hint="--base-url")
    return BuildOptions(root=site_dir, out=out, base_url=base_url, strict=strict, force=force)


@main.command("build")
@_site_options
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (default: SITE_DIR/public). It is replaced as a whole, so it "
              "must be new, empty or made by sitegen.")
@click.option("--force", is_flag=True, help="Replace an output folder that sitegen did not "
              "make (never the site's own folders, the home folder or /).")
def build_command(site_dir: Path, out: Path | None, base_url: str | None, strict: bool,
                  force: bool) -> None:
    """Build the site in SITE_DIR (default: the current folder) into public/."""
    options = _options(site_dir, out, base_url, strict, force)
    started = time.perf_counter()
    try:
        result = build(options)
    except UnsafeOutput as exc:
        raise click.BadParameter(str(exc), param_hint="--out") from None
    except BuildLocked as exc:
        click.echo(f"{exc}: error: another build of this site is running; wait for it to "
                   "finish (or delete the lock file if no build is running)", err=True)
        sys.exit(1)
    code = report(result.diagnostics, strict)
    if code == 0:
        pages = sum(1 for name in result.files if name.endswith(".html"))
        target = out or site_dir / "public"
        click.echo(f"built {pages} pages ({len(result.files)} files) into {target} "
                   f"in {time.perf_counter() - started:.2f}s", err=True)
    else:
        click.echo("build failed; the previous site was left as it was", err=True)
    sys.exit(code)


@main.command("check")
@_site_options
def check_command(site_dir: Path, base_url: str | None, strict: bool) -> None:
    """Validate everything and check every link of the rendered site, writing nothing."""
    result = build(_options(site_dir, None, base_url, strict), write=False)
    code = report(result.diagnostics, strict)
    if code == 0:
        pages = sum(1 for name in result.files if name.endswith(".html"))
        click.echo(f"checked {pages} pages: no errors", err=True)
    sys.exit(code)


def _amount(text: str) -> Decimal:
    """A dollar amount like 1500 or 1500.00 (no $, no commas), for click options."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise click.BadParameter(f"must be an amount like 1500.00 (got {text!r})") from None
    if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")):
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
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def estimate_command(file: Path | None, site_dir: Path, clinic: str | None, course: str | None,
                     visits: int | None, plan: str | None, self_pay: bool,
                     out_of_network: bool, deductible_left: Decimal,
                     coinsurance: Decimal | None, copay: Decimal | None,
                     copay_after_deductible: bool, oop_left: Decimal | None,
                     visits_used: int | None, as_json: bool) -> None:
    """Print what a patient and their plan pay for each visit.

    Either FILE (YAML or JSON with 'plan:' and 'visits:', printed as JSON; see
    docs/estimate.md and examples/estimate-a.yaml), or a course of the site's own data:
    --clinic SLUG --course ID [--visits N] (--plan "Name Plan" | --self-pay |
    --out-of-network) [--deductible-left X] [--coinsurance F | --copay X] [--oop-left X]
    [--visits-used N] [--json].
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
                      coinsurance or Decimal(0), copay, copay_after_deductible, oop_left,
                      visits_used)
    try:
        result = clinic_estimate(site, request)
    except ChoiceError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(to_json(result.estimate) if as_json else as_table(result), nl=False)


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
def gfe_command(file: Path, out: Path | None, site_dir: Path, today) -> None:
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
    diags = Diagnostics()
    result = run(file, str(file), site_dir, prepared, diags)
    if result is None:
        sys.exit(report(diags) or 1)
    if out.is_dir():
        out = write_new(out, prepared, result.html)
    else:
        write_private(out, result.html)
    click.echo(describe_result(result, out), err=True)
