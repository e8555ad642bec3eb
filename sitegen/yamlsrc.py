"""Stage `load` (YAML part): read YAML into plain values and remember where each came from.

The file is composed into nodes by libyaml when available (PyYAML's C parser), then
converted to Python values here rather than by PyYAML's constructor, because we need to:

* keep the line and column of every key and value for diagnostics;
* refuse what YAML 1.1 silently misreads (`NO` as false, `01234` as octal, `10:30` as 630);
* read numbers as `Decimal`, never float, so money stays exact;
* reject duplicate keys (PyYAML keeps the last one) and bound aliases ("billion laughs");
* keep every text value on one line, free of control characters, whether they were typed
  raw or as escapes ("\\n", "\\e"): values end up in line-based files (cms-hpt.txt), CSV
  cells and HTML, where a line break or a NUL would inject or break something.

A problem with one value does not stop the file: the value is marked (`YamlDoc.flagged`),
so `load` reports the file's other problems in the same run and nothing downstream uses it.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from sitegen.diagnostics import Diagnostics, describe_char

try:  # libyaml is about 5x faster; fall back to pure Python where it is missing.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_BYTES = 2_000_000
MAX_NODES = 200_000
MAX_DEPTH = 64
MAX_DIGITS = 30

Loc = tuple[str | int, ...]

_TAG = "tag:yaml.org,2002:"
_PLAIN_INT = re.compile(r"[-+]?(0|[1-9][0-9_]*)")
_BOOL_WORDS = {"true", "false"}
_CONSTRUCT = yaml.constructor.SafeConstructor()
_LEADING_ZERO = re.compile(r"[-+]?0[0-9]")


class YamlError(Exception):
    """A problem at a node; converted to a diagnostic by `read_yaml`."""

    def __init__(self, mark: Any, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.line = mark.line + 1
        self.col = mark.column + 1
        self.message = message
        self.hint = hint


@dataclass
class Positions:
    """Where each value (and each mapping key) of a document starts, 1-based."""

    values: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Loc, tuple[int, int]] = field(default_factory=dict)

    def of(self, loc: Loc, *, key: bool = False) -> tuple[int, int]:
        """Position of `loc`, or of its nearest ancestor that exists (missing keys)."""
        loc = tuple(loc)
        if key and loc in self.keys:
            return self.keys[loc]
        while loc:
            if loc in self.values:
                return self.values[loc]
            loc = loc[:-1]
        return self.values.get((), (1, 1))


@dataclass
class YamlDoc:
    path: str
    data: Any
    positions: Positions
    # Where a value (or key) had a YAML-level problem, already reported: schema errors at
    # or under these places are follow-ons, and a document with any is not to be used.
    flagged: frozenset[Loc] = frozenset()


# Characters no one-line text may hold: C0/C1 controls (tab, line feed, NUL, ESC, BEL...),
# the Unicode line and paragraph separators, surrogates and the noncharacters (which a
# strict HTML5 parser refuses).
_NOT_IN_TEXT = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufdd0-\ufdef"
                          + "".join(chr(plane * 0x10000 + 0xfffe) + chr(plane * 0x10000 + 0xffff)
                                    for plane in range(17)) + "]")


def text_problems(text: str, allowed: str = "") -> Iterator[tuple[int, str]]:
    """Index and description of each character one-line text must not hold (a line
    break, a control character). `allowed` exempts some (Markdown keeps its tabs and line
    feeds)."""
    for found in _NOT_IN_TEXT.finditer(text):
        if found.group() not in allowed:
            yield found.start(), describe_char(found.group())


def replace_characters(text: str, by: str, allowed: str = "") -> str:
    """`text` with every character of `text_problems` replaced by `by`."""
    return _NOT_IN_TEXT.sub(lambda m: m.group() if m.group() in allowed else by, text)


def text_problem(text: str, allowed: str = "") -> tuple[int, str] | None:
    """The first of `text_problems`, or None."""
    return next(text_problems(text, allowed), None)


def visible(text: str, limit: int = 60) -> str:
    """`text` with control characters written as escapes, so a message never carries a raw
    line break or terminal escape of its own."""
    out = []
    for char in text[:limit]:
        if char == "\n":
            out.append("\\n")
        elif _NOT_IN_TEXT.match(char) or char == "\t":
            out.append(f"\\u{ord(char):04x}" if ord(char) > 0xff else f"\\x{ord(char):02x}")
        else:
            out.append(char)
    return "".join(out) + ("..." if len(text) > limit else "")


def read_text(file: Path, display: str, diags: Diagnostics, max_bytes: int = MAX_BYTES,
              too_big: str = "split it, or raise limits.max_file_bytes in site.yaml"
              ) -> str | None:
    """A UTF-8 input file's text, or None (with a diagnostic) when it cannot be read, is
    above the size limit, or is not UTF-8. `too_big` is the hint for an oversized file."""
    try:
        raw = file.read_bytes()
    except OSError as exc:
        diags.error(display, 0, 0, f"cannot read the file ({exc.strerror})")
        return None
    if len(raw) > max_bytes:
        diags.error(display, 0, 0, f"the file is {len(raw):,} bytes, above the limit of "
                    f"{max_bytes:,}", too_big)
        return None
    return decode_text(raw, display, diags)


def read_yaml(file: Path, display: str, diags: Diagnostics, max_bytes: int = MAX_BYTES
              ) -> YamlDoc | None:
    """Read one YAML file; on any problem add diagnostics and return None."""
    text = read_text(file, display, diags, max_bytes)
    return None if text is None else parse_yaml(text, display, diags)


def decode_text(raw: bytes, display: str, diags: Diagnostics) -> str | None:
    """UTF-8 (a byte-order mark is accepted); invalid bytes are reported where they are."""
    body = raw.removeprefix(codecs.BOM_UTF8)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = body[: exc.start]
        line = before.count(b"\n") + 1
        start = before.rfind(b"\n") + 1
        # Columns count characters, as editors do: decode the good part of the line.
        col = len(body[start: exc.start].decode("utf-8")) + 1
        diags.error(display, line, col, "the file is not valid UTF-8 "
                    f"(byte 0x{body[exc.start]:02x})", "save it as UTF-8 in your editor")
        return None


def parse_yaml(text: str, display: str, diags: Diagnostics) -> YamlDoc | None:
    loader = None
    try:
        loader = _Loader(text)  # the pure-Python reader checks characters right here
        try:
            too_deep = _too_deep(loader)
        except yaml.MarkedYAMLError as exc:
            if "nesting depth" not in str(exc.problem):
                raise
            # libyaml >= 0.2.5 (PyYAML 6.0.4) stops at its own depth limit first; the
            # pure-Python parser streams events lazily and finds our limit where it is.
            too_deep = _too_deep(yaml.SafeLoader(text))
        loader.dispose()
        loader = None
        if too_deep is not None:
            diags.error(display, too_deep.line + 1, too_deep.column + 1, _DEEP, _DEEP_HINT)
            return None
        loader = _Loader(text)
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        line, col, problem, hint = _syntax_problem(exc, text)
        diags.error(display, line, col, f"YAML syntax error: {problem}", hint)
        return None
    except yaml.reader.ReaderError as exc:
        line, col, char = _bad_character(text, exc)
        diags.error(display, line, col, f"the file contains a control character ({char}) "
                    "that YAML does not allow", "delete it; it usually comes from text "
                    "pasted out of another program")
        return None
    except yaml.YAMLError as exc:
        diags.error(display, 0, 0, f"YAML syntax error: {exc}")
        return None
    finally:
        if loader is not None:
            loader.dispose()
    positions = Positions()
    if node is None:
        return YamlDoc(display, None, positions)
    builder = _Builder(positions)
    try:
        data = builder.build(node, ())
    except YamlError as exc:
        diags.error(display, exc.line, exc.col, exc.message, exc.hint)
        return None
    diags.extend(_with_path(builder.problems, display))
    return YamlDoc(display, data, positions, frozenset(builder.flagged))


_DEEP = f"the file is nested more than {MAX_DEPTH} levels deep"
_DEEP_HINT = "a fee schedule needs only a few levels; check the indentation and brackets"


def _too_deep(loader: Any) -> Any:
    """The mark of the first value nested deeper than MAX_DEPTH, or None.

    Checked on the event stream, before composing: libyaml composes recursively and a
    file of 100,000 '[' would crash the process (the pure-Python composer would raise
    RecursionError)."""
    depth = 0
    while True:
        event = loader.get_event()
        if event is None or isinstance(event, yaml.StreamEndEvent):
            return None
        if isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
            continue
        if isinstance(event, yaml.NodeEvent):
            if depth > MAX_DEPTH:
                return event.start_mark
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1


def _syntax_problem(exc: yaml.MarkedYAMLError, text: str) -> tuple[int, int, str, str]:
    """Line, column, message and hint for a YAML syntax error, in an editor's words.

    libyaml and the pure-Python parser word their errors differently; the cases people
    meet most (tabs, unclosed brackets and quotes, a second document) get one wording."""
    mark = exc.problem_mark or exc.context_mark
    opened = exc.context_mark
    problem = (exc.problem or exc.context or "invalid YAML").strip()
    context = (exc.context or "").strip()
    lines = text.splitlines()
    if mark is None:
        return 0, 0, problem, "check the indentation and quoting"
    line, col = mark.line + 1, mark.column + 1
    here = lines[mark.line] if mark.line < len(lines) else ""
    indent = here[: len(here) - len(here.lstrip(" \t"))]
    if "\t" in indent:
        return line, indent.index("\t") + 1, "a tab is used for indentation", \
            "indent with spaces, not tabs"
    if "'\\t'" in problem or "tab character" in problem:
        return line, col, "a tab is used where YAML needs spaces", "use spaces, not tabs"
    if "expected a single document" in context:
        return line, col, "the file holds more than one YAML document", \
            "keep one document per file: remove the '---' line"
    # Unclosed brackets and quotes are reported where they open: the parser only notices
    # at the end of the file. (No line numbers in the text: front matter shifts them.)
    for kind, start, close in (("flow sequence", "[", "]"), ("flow mapping", "{", "}")):
        if kind in context and opened is not None:
            return opened.line + 1, opened.column + 1, \
                f"this '{start}' is not closed with '{close}'", \
                f"add the missing '{close}', or a ',' between the items"
    if "quoted scalar" in context and opened is not None:
        return opened.line + 1, opened.column + 1, "this quote is not closed", \
            "add the closing quote"
    if "undefined alias" in problem:
        name = re.match(r"\*?([^\s,\[\]{}]*)", here[mark.column:])
        alias = name.group(1) if name else ""
        return line, col, f"the alias '*{alias}' has no matching '&{alias}' anchor before it", \
            f"add '&{alias}' to the value it should repeat, or write the value out"
    if "mapping values are not allowed" in problem:
        return line, col, "a ':' followed by a space is not allowed here", \
            "put the text in quotes if it contains ': ', or check the indentation"
    if context.startswith("while parsing a block"):
        # libyaml: "did not find expected key"; PyYAML: "expected <block end>, but found ..."
        return line, col, "this line does not line up with the lines above it", \
            "check the indentation, and that every quote opened above is closed"
    return line, col, problem, "check the indentation and quoting on this line"


def _bad_character(text: str, exc: yaml.reader.ReaderError) -> tuple[int, int, str]:
    """Where the first character YAML refuses is (libyaml counts bytes, not characters)."""
    char = exc.character if isinstance(exc.character, str) else chr(exc.character)
    found = yaml.reader.Reader.NON_PRINTABLE.search(text)
    at = found.start() if found else text.find(char)
    if found:
        char = found.group()
    if at < 0:
        return 0, 0, f"U+{ord(char):04X}"
    line = text.count("\n", 0, at) + 1
    col = at - (text.rfind("\n", 0, at) + 1) + 1
    return line, col, f"U+{ord(char):04X}"


def _with_path(problems: list[YamlError], display: str) -> list:
    from sitegen.diagnostics import Diagnostic

    return [Diagnostic(display, p.line, p.col, "error", p.message, p.hint) for p in problems]


class _Builder:
    """Nodes to plain values: dict, list, str, int, Decimal, bool, date, None."""

    def __init__(self, positions: Positions) -> None:
        self.positions = positions
        self.count = 0
        self.problems: list[YamlError] = []
        self.flagged: set[Loc] = set()
        self.texts: dict[yaml.Node, str] = {}  # checked text, per node (aliases repeat them)

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            # Shown at the top-level entry being read: where the limit is passed is deep
            # inside some anchor, which tells the editor nothing.
            line, col = self.positions.of(loc[:1], key=True)
            raise YamlError(yaml.error.Mark("", 0, line - 1, col - 1, None, None),
                            f"the file expands to more than {MAX_NODES:,} values (too many "
                            "aliases?)", "write the values out, or use fewer '*alias' references")
        if len(loc) > MAX_DEPTH:
            raise YamlError(node.start_mark, _DEEP, _DEEP_HINT)
        mark = node.start_mark
        self.positions.values.setdefault(loc, (mark.line + 1, mark.column + 1))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, loc)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _TAG + "seq":
                raise YamlError(node.start_mark, f"unsupported tag {node.tag}", "remove the tag")
            return [self.build(item, loc + (i,)) for i, item in enumerate(node.value)]
        if node in self.texts:
            return self.texts[node]
        try:
            return self._scalar(node, loc)
        except YamlError as exc:
            self.problems.append(exc)
            self.flagged.add(loc)
            return None

    def _mapping(self, node: yaml.MappingNode, loc: Loc) -> dict[str, Any]:
        if node.tag != _TAG + "map":
            raise YamlError(node.start_mark, f"unsupported tag {node.tag}", "remove the tag")
        result: dict[str, Any] = {}
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _TAG + "merge":
                self._merge(result, value_node, loc)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlError(key_node.start_mark, "a key must be a plain name",
                                "write the key as text followed by a colon")
            key = key_node.value
            if _NOT_IN_TEXT.search(key):  # the mapping lacks the key meant: flag all of it
                self.problems.append(_one_line(key_node, "the key"))  # type: ignore[arg-type]
                self.flagged.add(loc)
            if key in first_seen:
                self.problems.append(YamlError(
                    key_node.start_mark, f"duplicate key '{key}' (first given on line "
                    f"{first_seen[key]})", "remove one of them; YAML would silently keep the last"))
                self.flagged.add(loc + (key,))
                continue
            first_seen[key] = key_node.start_mark.line + 1
            self.positions.keys[loc + (key,)] = (key_node.start_mark.line + 1,
                                                 key_node.start_mark.column + 1)
            result[key] = self.build(value_node, loc + (key,))
        return result

    def _merge(self, result: dict[str, Any], value_node: yaml.Node, loc: Loc) -> None:
        sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
        for source in sources:
            if not isinstance(source, yaml.MappingNode):
                raise YamlError(source.start_mark, "'<<' must merge a mapping",
                                "point '<<' at an '&anchor' of a mapping")
            for key, value in self._mapping(source, loc).items():
                result.setdefault(key, value)

    def _scalar(self, node: yaml.ScalarNode, loc: Loc = ()) -> Any:
        tag, text, mark = node.tag, node.value, node.start_mark
        if tag == _TAG + "str":
            if node.style in ("|", ">"):  # a block scalar's final line break is no content
                text = text.rstrip("\n")
            if _NOT_IN_TEXT.search(text):
                name = next((part for part in reversed(loc) if isinstance(part, str)), "text")
                raise _one_line(node, name, text)  # type: ignore[misc]
            self.texts[node] = text
            return text
        if tag == _TAG + "null":
            return None
        if tag == _TAG + "bool":
            if text.lower() in _BOOL_WORDS:
                return text.lower() == "true"
            meant = "true" if text.lower() in ("yes", "on", "y") else "false"
            raise YamlError(mark, f"'{text}' would be read as the yes/no value {meant}, "
                            "not as written", "write true or false, or put it in quotes if you "
                            f"mean text: \"{text}\"")
        if tag == _TAG + "int":
            return self._int(text, mark)
        if tag == _TAG + "float":
            return self._float(text, mark)
        if tag == _TAG + "timestamp":
            try:
                value = _CONSTRUCT.construct_yaml_timestamp(node)
            except ValueError:
                raise YamlError(mark, f"'{text}' is not a real date",
                                "check the month and the day; dates are written YYYY-MM-DD, "
                                "like 2026-10-01") from None
            return value.date() if isinstance(value, dt.datetime) else value
        raise YamlError(mark, f"unsupported tag {tag}", "remove the tag")

    @staticmethod
    def _int(text: str, mark: Any) -> int:
        digits = text.replace("_", "").lstrip("+-")
        if ":" in text or not _PLAIN_INT.fullmatch(text):
            # base 60 (10:30 is 630), octal (01234 is 668), hex or binary: never what is meant
            if len(digits) <= MAX_DIGITS:
                value = _CONSTRUCT.construct_yaml_int(yaml.ScalarNode(_TAG + "int", text))
                raise YamlError(mark, f"'{text}' would be read as the number {value}, not as "
                                "written", f"put it in quotes: \"{text}\"")
            raise YamlError(mark, f"'{text}' would not be read as written",
                            f"put it in quotes: \"{text}\"")
        if len(digits) > MAX_DIGITS:
            raise YamlError(mark, f"the number has {len(digits)} digits, too many to be real",
                            "check the value")
        return int(text.replace("_", ""))

    @staticmethod
    def _float(text: str, mark: Any) -> Decimal:
        cleaned = text.replace("_", "")
        if cleaned.lower().lstrip("+-") in {".inf", ".nan"}:
            meaning = "infinity" if "inf" in cleaned.lower() else "'not a number'"
            raise YamlError(mark, f"'{text}' is not an amount (YAML reads it as {meaning})",
                            "write an amount like 120.00")
        if ":" in cleaned or _LEADING_ZERO.match(cleaned):
            # base 60 (1:30.5 is 90.5), or a leading zero that would be lost (01.50 is 1.50)
            value = _sexagesimal(cleaned) if ":" in cleaned else Decimal(cleaned)
            raise YamlError(mark, f"'{text}' would be read as the number {value}, not as "
                            "written", f"put it in quotes: \"{text}\"")
        try:
            value = Decimal(cleaned)
        except InvalidOperation:
            raise YamlError(mark, f"'{text}' is not a number YAML can read",
                            "write an amount like 120.00") from None
        if not value.is_finite() or value.adjusted() > MAX_DIGITS:
            raise YamlError(mark, f"'{text}' is too large to be real", "check the value")
        return value


def _one_line(node: yaml.ScalarNode, what: str, text: str | None = None) -> YamlError | None:
    """The one rule for every text value and key: one line, no control characters."""
    text = node.value if text is None else text
    found = text_problem(text)
    if found is None:
        return None
    at, char = found
    mark = node.start_mark
    if not node.style and mark.line == node.end_mark.line:  # plain: at the character
        mark = yaml.error.Mark("", 0, mark.line, mark.column + at, None, None)
    hint = ("use '>-' instead of '|' to fold the lines into one" if node.style == "|" else
            "keep the text on one line and delete the character (it often comes with text "
            "pasted from another program)")
    return YamlError(mark, f"{what} must be one line without control characters, but it "
                     f"contains {char} (got \"{visible(text)}\")", hint)


def _sexagesimal(text: str) -> Decimal:
    sign = -1 if text.startswith("-") else 1
    value = Decimal(0)
    for part in text.lstrip("+-").split(":"):
        value = value * 60 + Decimal(part)
    return sign * value
