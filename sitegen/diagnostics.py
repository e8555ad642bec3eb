"""Diagnostics shared by every stage: what went wrong, where, and how to fix it.

Stages collect `Diagnostic`s instead of raising, so one run reports every problem.
Formatting happens at the edge (the CLI), in the `path:line:col: error: ...` shape
that editors and CI understand.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]
# A message is one line on a terminal: control characters that reach one (from a file name,
# say) are shown as escapes, never sent to the terminal or the CI log.
_SHOWN = {c: f"\\x{c:02x}" for c in [*range(0x20), *range(0x7f, 0xa0)]} | \
    {0x2028: "\\u2028", 0x2029: "\\u2029"}


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
        return (f"{text}; {self.hint}" if self.hint else text).translate(_SHOWN)

    def github_annotation(self) -> str:
        """The same diagnostic as a GitHub Actions workflow command."""
        path = self.path.replace("%", "%25").translate(_SHOWN)
        props = "file=" + path.replace(",", "%2C").replace(":", "%3A")
        if self.line > 0:
            props += f",line={self.line},col={self.col}"
        text = f"{self.message}; {self.hint}" if self.hint else self.message
        text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        text = text.translate(_SHOWN)
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
    """A 'did you mean ...?' suffix for a misspelt name, or ''. When the two look alike but
    differ by a character people cannot see (a non-breaking space, a zero-width space),
    it says which and where, since showing both names would show the same text twice."""
    options = list(choices)
    lookalikes = [c for c in options if _skeleton(c) == _skeleton(word) and c != word]
    matches = lookalikes[:1] or difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if not matches:
        return ""
    unseen = invisible_difference(word, matches[0])
    return f"did you mean '{matches[0]}'?" + (f" {unseen}" if unseen else "")


def invisible_difference(word: str, meant: str) -> str:
    """'they differ by a non-breaking space at column 6 ...' when `word` holds a character
    that is invisible or looks like another, where `meant` differs; else ''."""
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, word, meant,
                                                       autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        yours, theirs = word[i1:i2], meant[j1:j2]
        odd = next((c for c in yours if _unseen(c)), None)
        if odd is None:
            return ""
        name = describe_char(odd)
        code = "" if "U+" in name else f" (U+{ord(odd):04X})"
        where = f"at column {word.index(odd, i1) + 1} of the name{code}"
        instead = f", where '{meant}' has {describe_char(theirs[0])}" if theirs else ""
        return f"they differ by {name} {where}{instead}; retype it"
    return ""


def _unseen(char: str) -> bool:
    """Invisible, space-like, or non-ASCII: characters that look like others, or like nothing."""
    return not char.isascii() or not char.isprintable()


def _skeleton(text: str) -> str:
    """What a name looks like: compatibility forms folded, invisible characters dropped."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(" " if unicodedata.category(c) == "Zs" else c for c in folded
                   if unicodedata.category(c) not in ("Cf", "Cc"))


_NAMED = {"\n": "a line break", " ": "a space", "\t": "a tab",
          "\x00": "a NUL character (U+0000)", "\x07": "a bell character (U+0007)",
          "\x08": "a backspace (U+0008)", "\x1b": "an escape character (U+001B)",
          "\x7f": "a delete character (U+007F)",
          "\u00a0": "a non-breaking space", "\u200b": "a zero-width space",
          "\u200c": "a zero-width non-joiner", "\u200d": "a zero-width joiner",
          "\u2060": "a word joiner", "\ufeff": "a zero-width no-break space",
          "\u00ad": "a soft hyphen", "\u2009": "a thin space",
          "\u202f": "a narrow non-breaking space"}


def describe_char(char: str) -> str:
    """A character in words, for messages about characters people cannot see."""
    if char in _NAMED:
        return _NAMED[char]
    if char in "\r\x85\u2028\u2029":
        return f"a line break (U+{ord(char):04X})"
    if char.isascii() and char.isprintable():
        return f"'{char}'"
    name = unicodedata.name(char, "")
    kind = "a control character" if unicodedata.category(char) == "Cc" else "the character"
    return f"{kind} U+{ord(char):04X}" + (f" ({name.lower()})" if name else "")
