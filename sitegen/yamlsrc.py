"""Stage `load` (YAML part): read YAML into plain values and remember where each came from.

The file is composed into nodes by libyaml when available (PyYAML's C parser), then
converted to Python values here rather than by PyYAML's constructor, because we need to:

* keep the line and column of every key and value for diagnostics;
* refuse what YAML 1.1 silently misreads (`NO` as false, `01234` as octal, `10:30` as 630);
* read numbers as `Decimal`, never float, so money stays exact;
* reject duplicate keys (PyYAML keeps the last one) and bound aliases ("billion laughs").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from sitegen.diagnostics import Diagnostics

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
_TIMESTAMP = yaml.constructor.SafeConstructor()


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


def read_yaml(file: Path, display: str, diags: Diagnostics, max_bytes: int = MAX_BYTES
              ) -> YamlDoc | None:
    """Read one YAML file; on any problem add diagnostics and return None."""
    try:
        raw = file.read_bytes()
    except OSError as exc:
        diags.error(display, 0, 0, f"cannot read the file ({exc.strerror})")
        return None
    if len(raw) > max_bytes:
        diags.error(display, 0, 0, f"the file is {len(raw):,} bytes, above the limit of "
                    f"{max_bytes:,}", "split it, or raise limits.max_file_bytes in site.yaml")
        return None
    text = decode_text(raw, display, diags)
    if text is None:
        return None
    return parse_yaml(text, display, diags)


def decode_text(raw: bytes, display: str, diags: Diagnostics) -> str | None:
    """UTF-8 (a byte-order mark is accepted); invalid bytes are reported where they are."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        diags.error(display, line, col, f"the file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
                    "save it as UTF-8 in your editor")
        return None


def parse_yaml(text: str, display: str, diags: Diagnostics) -> YamlDoc | None:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        hint = "check the indentation and quoting on this line"
        if "'\\t'" in problem or "\t" in text.splitlines()[mark.line if mark else 0][:1]:
            problem, hint = "a tab is used for indentation", "indent with spaces, not tabs"
        elif "expected a single document" in problem:
            problem, hint = "the file holds more than one YAML document", "remove the '---' line"
        diags.error(display, mark.line + 1 if mark else 0, mark.column + 1 if mark else 0,
                    f"YAML syntax error: {problem}", hint)
        return None
    except yaml.YAMLError as exc:
        diags.error(display, 0, 0, f"YAML syntax error: {exc}")
        return None
    finally:
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
    if builder.problems:
        return None
    return YamlDoc(display, data, positions)


def _with_path(problems: list[YamlError], display: str) -> list:
    from sitegen.diagnostics import Diagnostic

    return [Diagnostic(display, p.line, p.col, "error", p.message, p.hint) for p in problems]


class _Builder:
    """Nodes to plain values: dict, list, str, int, Decimal, bool, date, None."""

    def __init__(self, positions: Positions) -> None:
        self.positions = positions
        self.count = 0
        self.problems: list[YamlError] = []

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise YamlError(node.start_mark, f"the document expands to more than {MAX_NODES:,} "
                            "values (too many aliases?)", "write the values out, or use fewer "
                            "'*alias' references")
        if len(loc) > MAX_DEPTH:
            raise YamlError(node.start_mark, f"the document is nested more than {MAX_DEPTH} "
                            "levels deep", "flatten the structure")
        self.positions.values.setdefault(loc, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, loc)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _TAG + "seq":
                raise YamlError(node.start_mark, f"unsupported tag {node.tag}", "remove the tag")
            return [self.build(item, loc + (i,)) for i, item in enumerate(node.value)]
        try:
            return self._scalar(node)
        except YamlError as exc:
            self.problems.append(exc)
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
            if key in first_seen:
                self.problems.append(YamlError(
                    key_node.start_mark, f"duplicate key '{key}' (first given on line "
                    f"{first_seen[key]})", "remove one of them; YAML would silently keep the last"))
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

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        tag, text, mark = node.tag, node.value, node.start_mark
        if tag == _TAG + "str":
            return text
        if tag == _TAG + "null":
            return None
        if tag == _TAG + "bool":
            if text.lower() in _BOOL_WORDS:
                return text.lower() == "true"
            raise YamlError(mark, f"'{text}' would be read as a yes/no value",
                            f"write true or false, or put it in quotes (\"{text}\") if you mean text")
        if tag == _TAG + "int":
            return self._int(text, mark)
        if tag == _TAG + "float":
            return self._float(text, mark)
        if tag == _TAG + "timestamp":
            try:
                value = _TIMESTAMP.construct_yaml_timestamp(node)
            except ValueError:
                raise YamlError(mark, f"'{text}' is not a real date",
                                "write dates as YYYY-MM-DD, like 2026-10-01") from None
            return value.date() if isinstance(value, dt.datetime) else value
        raise YamlError(mark, f"unsupported tag {tag}", "remove the tag")

    @staticmethod
    def _int(text: str, mark: Any) -> int:
        if ":" in text:
            raise YamlError(mark, f"'{text}' would be read as a base-60 number",
                            f"put it in quotes (\"{text}\")")
        if not _PLAIN_INT.fullmatch(text):
            raise YamlError(mark, f"'{text}' would be read as an octal, hex or binary number",
                            f"put it in quotes (\"{text}\") if it is a code, ZIP or identifier")
        digits = text.replace("_", "").lstrip("+-")
        if len(digits) > MAX_DIGITS:
            raise YamlError(mark, f"the number has {len(digits)} digits, too many to be real",
                            "check the value")
        return int(text.replace("_", ""))

    @staticmethod
    def _float(text: str, mark: Any) -> Decimal:
        cleaned = text.replace("_", "")
        if cleaned.lower().lstrip("+-") in {".inf", ".nan"}:
            raise YamlError(mark, f"'{text}' is not a finite number", "write an amount like 120.00")
        try:
            value = Decimal(cleaned)
        except InvalidOperation:
            raise YamlError(mark, f"'{text}' is not a number YAML can read",
                            "write an amount like 120.00") from None
        if not value.is_finite() or value.adjusted() > MAX_DIGITS:
            raise YamlError(mark, f"'{text}' is too large to be real", "check the value")
        return value
