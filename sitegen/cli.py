"""The command line: parse arguments, run a stage, print diagnostics, pick the exit code.

Exit codes: 0 built, 1 content errors, 2 usage errors (click's own convention).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click

from sitegen import __version__
from sitegen.build import BuildOptions, build
from sitegen.diagnostics import Diagnostics
from sitegen.model import web_address_problem
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
    problem = web_address_problem(base_url, path_ok=True) if base_url is not None else ""
    if problem:
        raise click.BadParameter(problem, param_hint="--base-url")
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


@main.command("estimate")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def estimate_command(file: Path) -> None:
    """Print what a patient and their plan pay for each visit in FILE (YAML or JSON), as JSON.

    FILE holds 'plan:' and 'visits:'; see docs/estimate.md and examples/estimate-a.yaml.
    """
    from sitegen.estimate_input import run

    diags = Diagnostics()
    output = run(file, str(file), diags)
    if output is None:
        sys.exit(report(diags) or 1)
    click.echo(output, nl=False)


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
