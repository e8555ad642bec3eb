"""Diagnostics shared by every stage: what went wrong, where, and how to fix it.

Stages collect `Diagnostic`s instead of raising, so one run reports every problem.
Formatting happens at the edge (the CLI), in the `path:line:col: error: ...` shape
that editors and CI understand.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str
    line: int
    col: int
    severity: Severity
    message: str
    hint: str = ""

    def format(self) -> str:
        """`path:line:col: severity: message; hint` (line 0 means the whole file)."""
        where = self.path if self.line <= 0 else f"{self.path}:{self.line}:{self.col}"
        text = f"{where}: {self.severity}: {self.message}"
        return f"{text}; {self.hint}" if self.hint else text

    def github_annotation(self) -> str:
        """The same diagnostic as a GitHub Actions workflow command."""
        props = f"file={self.path}"
        if self.line > 0:
            props += f",line={self.line},col={self.col}"
        text = f"{self.message}; {self.hint}" if self.hint else self.message
        text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return f"::{self.severity} {props}::{text}"


@dataclass
class Diagnostics:
    """A collector; every stage appends to the same one."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, path: str, line: int, col: int, message: str, hint: str = "") -> None:
        self.items.append(Diagnostic(path, line, col, "error", message, hint))

    def warning(self, path: str, line: int, col: int, message: str, hint: str = "") -> None:
        self.items.append(Diagnostic(path, line, col, "warning", message, hint))

    def extend(self, other: Iterable[Diagnostic]) -> None:
        self.items.extend(other)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "warning"]

    def sorted(self) -> list[Diagnostic]:
        """Unique diagnostics in file order, so output is stable and repeats are shown once."""
        return sorted(set(self.items), key=lambda d: (d.path, d.line, d.col, d.message))


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A 'did you mean ...?' suffix for a misspelt name, or ''."""
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{matches[0]}'?" if matches else ""
