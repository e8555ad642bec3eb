"""Stage `sources`: find the input files, sorted, as POSIX paths relative to the site.

Files (or folders) that are symbolic links leading outside the site folder are refused:
a pull request must not be able to publish /etc/passwd as a guide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from sitegen.diagnostics import Diagnostics

_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
TRANSLATION_FOLDERS = ("content/es/",)


@dataclass(frozen=True)
class Sources:
    rates: list[str]
    content: list[str]


def find_sources(root: Path, diags: Diagnostics) -> Sources:
    """Fee schedules: rates/<clinic>.yaml, or rates/<clinic>/<YYYY-MM-DD>.yaml, one per
    date the prices take effect (see `history`); `.yml` is read like `.yaml`."""
    rates = _inside(root, "rates", ("*.yaml", "*.yml", "*/*.yaml", "*/*.yml"), diags)
    _unread_rates(root, set(rates), diags)
    # content/es/ holds translations of the English pages: `build.load_site` reads them
    # for the site's languages, never as pages of their own.
    return Sources(rates=sorted(rates),
                   content=_inside(root, "content", ("**/*.md",), diags))


def _inside(root: Path, folder: str, patterns: tuple[str, ...], diags: Diagnostics
            ) -> list[str]:
    base = root / folder
    if not base.is_dir():
        return []
    real_root = root.resolve()
    found = []
    for path in sorted(p for pattern in patterns for p in base.glob(pattern)):
        rel = path.relative_to(root).as_posix()
        if not path.is_file():
            continue
        if not path.resolve().is_relative_to(real_root):
            diags.error(rel, 0, 0, "the file is a link to a place outside the site folder",
                        "copy the file into the site instead of linking to it")
            continue
        parts = PurePosixPath(rel).relative_to(folder).with_suffix("").parts
        if folder == "content" and not all(_NAME.fullmatch(part) for part in parts):
            better = "/".join(re.sub(r"[^a-z0-9]+", "-", p.lower()).strip("-") or "page"
                              for p in parts)
            diags.error(rel, 0, 0, "the file name cannot be used in a web address",
                        f"use lower-case letters, digits and dashes: content/{better}.md")
            continue
        found.append(rel)
    return sorted(found)


def _unread_rates(root: Path, read: set[str], diags: Diagnostics) -> None:
    """A YAML file anywhere else under rates/ (a deeper folder, `.YAML`) would be left out
    without a word: its prices would silently not be published."""
    base = root / "rates"
    if not base.is_dir():
        return
    for path in sorted(base.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.suffix.lower() in (".yaml", ".yml") and rel not in read and path.is_file() \
                and not path.is_symlink():
            diags.error(rel, 0, 0, "this file is not read: fee schedules are "
                        "rates/<clinic>.yaml or rates/<clinic>/<YYYY-MM-DD>.yaml",
                        "move it to one of those places (with a lower-case .yaml), "
                        "or out of rates/")
