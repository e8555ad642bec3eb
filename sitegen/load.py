"""Stage `load`: YAML documents to typed models, with pydantic errors turned into
diagnostics that point at the key or value in the file and speak the editor's language."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from sitegen.cache import DocCache
from sitegen.diagnostics import Diagnostics, did_you_mean
from sitegen.yamlsrc import MAX_BYTES, Positions, YamlDoc, read_yaml

M = TypeVar("M", bound=BaseModel)


def read_mapping(file: Path, display: str, diags: Diagnostics, expected: str, hint: str,
                 max_bytes: int = MAX_BYTES) -> YamlDoc | None:
    """Read a YAML file whose top level must be a mapping; `expected` ends the message
    "the file is a list, but it must be ..." and `hint` says what to write instead."""
    doc = read_yaml(file, display, diags, max_bytes)
    if doc is None or isinstance(doc.data, dict):
        return doc
    if doc.data is None:
        line, col, kind = 0, 0, "empty"
    else:
        kind = "just text" if isinstance(doc.data, str) else f"a {describe(doc.data)}"
        line, col = doc.positions.of(())
    diags.error(display, line, col, f"the file is {kind}, but it must be {expected}", hint)
    return None


def load_model(file: Path, display: str, model: type[M], diags: Diagnostics,
               max_bytes: int, prepare: Callable[[YamlDoc], None] | None = None,
               docs: DocCache | None = None) -> tuple[M, YamlDoc] | None:
    """Read and validate one YAML file as `model`; None (with diagnostics) when it is wrong.
    `prepare` may rewrite the plain values first (yearly figures named in the file). With
    `docs`, a file parsed before (same bytes) is not parsed again; it is still validated."""
    hint = ("start with the top-level keys, like 'clinic:'" if model.__name__ == "FeeSchedule"
            else "start with a key, like 'title:'")
    raw = _raw(file, max_bytes) if docs is not None else None
    doc = docs.get(raw, display) if docs is not None and raw is not None else None
    if doc is None:
        before = len(diags.items)
        doc = read_mapping(file, display, diags, "a mapping of keys", hint, max_bytes)
        if doc is not None and raw is not None and docs is not None \
                and len(diags.items) == before:
            docs.put(raw, doc)
    if doc is None:
        return None
    if prepare is not None:
        prepare(doc)
    result = validate_data(doc, model, diags)
    return (result, doc) if result is not None else None


class FilePositions:
    """Where the values of a loaded file are, found again by reading the file only when a
    message needs one. Kept for every fee schedule until the cross-file checks are done,
    the maps themselves were the largest part of a build's memory (about 0.6 MiB per
    clinic); a build without problems never reads a file twice."""

    def __init__(self, file: Path, display: str, max_bytes: int,
                 docs: DocCache | None = None) -> None:
        self._where = (file, display, max_bytes, docs)
        self._found: Positions | None = None

    def _positions(self) -> Positions:
        if self._found is None:
            file, display, max_bytes, docs = self._where
            raw = _raw(file, max_bytes)
            doc = docs.get(raw, display) if docs is not None and raw is not None else None
            doc = doc or read_yaml(file, display, Diagnostics(), max_bytes)
            self._found = doc.positions if doc is not None else Positions()
        return self._found

    @property
    def values(self) -> dict:
        return self._positions().values

    @property
    def keys(self) -> dict:
        return self._positions().keys

    def of(self, loc: tuple, *, key: bool = False) -> tuple[int, int]:
        return self._positions().of(loc, key=key)


def _raw(file: Path, max_bytes: int) -> bytes | None:
    """The file's bytes for the cache key; None (no cache) when the reader must speak."""
    try:
        raw = file.read_bytes()
    except OSError:
        return None
    return raw if len(raw) <= max_bytes else None


def validate_data(doc: YamlDoc, model: type[M], diags: Diagnostics) -> M | None:
    """The document as `model`, or None with every problem reported. Values the YAML layer
    already flagged count as problems, but their follow-on schema errors are not repeated."""
    try:
        result = model.model_validate(doc.data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            if not _follows_flagged(tuple(error["loc"]), error["type"], doc.flagged):
                report_error(doc, model, error, diags)
        return None
    return None if doc.flagged else result


def _follows_flagged(loc: tuple, kind: str, flagged: frozenset) -> bool:
    """True when the schema error at `loc` is about a value already reported: at or under
    a flagged place, or a rule of a whole mapping (a model validator) that holds one."""
    return any(loc[:len(place)] == place or
               (kind == "value_error" and place[:len(loc)] == loc) for place in flagged)


def report_error(doc: YamlDoc, model: type[BaseModel], error: Any, diags: Diagnostics) -> None:
    loc = tuple(error["loc"])
    kind = error["type"]
    name = _field_name(loc)
    value = error.get("input")
    ctx = error.get("ctx") or {}
    hint = ""
    if kind == "missing":
        line, col = doc.positions.of(loc[:-1])
        message, hint = f"missing required key '{name}'", f"add '{name}: ...'"
        if loc[:-1]:
            message += f" in '{_field_name(loc[:-1])}'"
    elif kind == "extra_forbidden":
        line, col = doc.positions.of(loc, key=True)
        message = f"unknown key '{name}'"
        allowed = _allowed_keys(model, loc[:-1])
        hint = did_you_mean(str(loc[-1]), allowed) or (
            "remove it (allowed keys here: " + ", ".join(allowed) + ")" if allowed
            else "remove it")
    else:
        # a mapping's key itself is wrong (a language under translations:): point at the key
        line, col = doc.positions.of(loc[:-1], key=True) if loc[-1:] == ("[key]",) else \
            doc.positions.of(loc)
        message, hint = _value_message(kind, name, value, ctx, error.get("msg", ""))
    diags.error(doc.path, line, col, message, hint)


def _value_message(kind: str, name: str, value: Any, ctx: dict, msg: str) -> tuple[str, str]:
    shown = show(value)
    got = "(got nothing)" if value is None else \
        f"(got {describe(value)} {shown})" if shown else f"(got a {describe(value)})"
    if kind == "string_type":
        hint = f"put it in quotes: \"{value}\"" if isinstance(value, (int, Decimal, bool)) \
            else "write it as text"
        return f"{name} must be text {got}", hint
    if kind in ("decimal_type", "decimal_parsing"):
        return f"{name} must be an amount like 120.00 {got}", \
            "write the number only, without '$' or thousands separators, with '.' for cents"
    if kind == "decimal_max_places":
        return f"{name} has more than 2 decimals {got}", "round it to cents, like 118.40"
    if kind in ("greater_than", "greater_than_equal"):
        return f"{name} must be more than {ctx.get('gt', ctx.get('ge'))} {got}", \
            "prices and counts are positive; remove the entry if it does not apply"
    if kind == "less_than":
        return f"{name} is too large {got}", f"it must be below {ctx.get('lt')}"
    if kind == "less_than_equal":
        return f"{name} is too large {got}", f"it must be at most {ctx.get('le')}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"{name} must be a whole number {got}", "write it like 12"
    if kind in ("bool_type", "bool_parsing"):
        return f"{name} must be true or false {got}", "write true or false"
    if kind in ("date_type", "date_parsing", "date_from_datetime_parsing"):
        return f"{name} must be a date {got}", "write it as YYYY-MM-DD, like 2026-10-01"
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace("'", "").split(" or ")
        choices = [c.strip() for part in expected for c in part.split(",") if c.strip()]
        suggestion = did_you_mean(str(value), choices)
        allowed = ", ".join(choices)
        return f"unknown {name} value {show(value)}", \
            f"{suggestion} (allowed: {allowed})" if suggestion else f"use one of {allowed}"
    if kind in ("list_type", "dict_type", "model_type", "model_attributes_type"):
        want = "a list" if kind == "list_type" else "a mapping of keys"
        return f"{name} must be {want} {got}", "check the indentation and the '-' markers"
    if kind in ("too_short", "string_too_short"):
        return f"{name} must not be empty", "add at least one entry"
    if kind in ("too_long", "string_too_long"):
        return f"{name} is too long", "shorten it"
    if kind == "value_error":
        return msg.removeprefix("Value error, "), ""
    return f"{name}: {msg} {got}", ""


def describe(value: Any) -> str:
    """Name a YAML value's kind the way an editor would, never a Python repr."""
    if isinstance(value, bool):
        return "yes/no value"
    if isinstance(value, (int, Decimal)):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "mapping"
    return "value"


def show(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value[:60]}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return ""
    return str(value)


def _field_name(loc: tuple) -> str:
    if len(loc) >= 2 and loc[-2] == "negotiated":  # a payer plan name, not a field
        return f"the negotiated rate for '{loc[-1]}'"
    for part in reversed(loc):
        if isinstance(part, str) and not part[:1].isupper() and part not in ("str", "int"):
            return part
    return str(loc[-1]) if loc else "document"


def _allowed_keys(model: type[BaseModel], loc: tuple) -> list[str]:
    """Field names of the nested model at `loc`, for 'did you mean'."""
    current: Any = model
    in_dict = False  # the next part is a key of a mapping (a language), not a field
    for part in loc:
        if isinstance(part, int) or in_dict or not (isinstance(current, type) and
                                                    issubclass(current, BaseModel)):
            in_dict = False
            continue
        field = current.model_fields.get(part)
        if field is None:
            return []
        in_dict = getattr(field.annotation, "__origin__", None) is dict
        current = _inner_model(field.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _inner_model(annotation: Any) -> Any:
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None
