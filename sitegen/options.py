"""What a build is asked to do: the site folder, the output folder and the command-line
overrides. Kept apart from the pipeline so the command line and the cache can read it
without importing the pipeline's libraries (Jinja, pydantic, Markdown)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass
class BuildOptions:
    root: Path
    out: Path | None = None
    base_url: str | None = None
    strict: bool = False
    jobs: int | None = None   # worker processes for rendering (None: all cores)
    force: bool = False       # replace an output folder that sitegen did not make
    # Called with (pages rendered, pages in all) while rendering: the CLI's progress bar.
    progress: Callable[[int, int], None] | None = None

    @property
    def output(self) -> Path:
        return self.out or self.root / "public"


def build_date() -> dt.date:
    """Today, or the date of SOURCE_DATE_EPOCH (reproducible builds). Only warnings use it:
    pages show the data's own dates, never the clock."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.date.today()
