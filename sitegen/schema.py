"""`sitegen schema`: the JSON Schema (draft 2020-12) of a fee schedule or of site.yaml,
generated from the pydantic models in `model`, so it follows every field they gain. Editors
with the YAML language server use it to complete keys and flag mistakes while typing.

Each key's description is the "Meaning" column of its row in docs/fee-schedule.md: the docs
stay the one place that explains a key, and a test keeps the docs' tables and the models in
step. A side door beside the pipeline: it imports only `model` and `load`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from sitegen.load import _inner_model
from sitegen.model import FeeSchedule, SiteConfig

DOCS = Path(__file__).resolve().parent.parent / "docs" / "fee-schedule.md"
DRAFT = "https://json-schema.org/draft/2020-12/schema"
KEYS = r"`[a-z0-9_.\[\]]+`(\s*,\s*`[a-z0-9_.\[\]]+`)*"  # a Key cell: one key or several
FILES = {False: "schema/fee-schedule.schema.json", True: "schema/site.schema.json"}


def doc_tables(text: str) -> dict[tuple[str, str], str]:
    """The key tables of docs/fee-schedule.md: (root, dotted path without []) -> meaning.
    A table belongs to the backticked heading above it; headings under '## `site.yaml`'
    describe site.yaml, the others a fee schedule. Tables after the content section end it."""
    found: dict[tuple[str, str], str] = {}
    root, prefix, meaning_col = "fee", "", -1
    for line in text.splitlines():
        heading = re.match(r"(#+) (.*)", line)
        if heading:
            level, title = len(heading.group(1)), heading.group(2).strip()
            name = re.match(r"`([^`]+)`", title)  # "`a.b`, `c` and `d`": the first names it
            if level == 2:
                root = "site" if title == "`site.yaml`" else "fee" if name else "none"
            prefix = "" if (name is None or name.group(1) == "site.yaml") else \
                name.group(1).replace("[]", "")
            meaning_col = -1
            continue
        if not line.startswith("|") or root == "none":
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells and cells[0] == "Key":
            meaning_col = cells.index("Meaning") if "Meaning" in cells else -1
            continue
        keys = cells[0] if cells and re.fullmatch(KEYS, cells[0]) else ""
        if not keys or meaning_col < 0 or meaning_col >= len(cells):
            continue
        for key in re.findall(r"`([^`]+)`", keys.replace("[]", "")):  # maybe several keys
            path = f"{prefix}.{key}" if prefix else key
            found[(root, path)] = _plain(cells[meaning_col])
            if prefix:
                found.setdefault((root, prefix), "")
            parts = path.split(".")
            for i in range(1, len(parts)):  # `limits.max_file_bytes` documents `limits` too
                found.setdefault((root, ".".join(parts[:i])), "")
    return found


def _plain(cell: str) -> str:
    """Markdown of a table cell as plain text for an editor's tooltip."""
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", cell)
    return text.replace("**", "").replace("`", "").replace("\\|", "|").strip()


def model_keys(model: type[BaseModel], skip: frozenset[type] = frozenset(),
               prefix: str = "") -> dict[str, type[BaseModel]]:
    """Every key a model accepts, as a dotted path (lists left out) -> the model that owns
    it. Models in `skip` are documented elsewhere (site.yaml's scenarios are a fee
    schedule's) and left out."""
    keys: dict[str, type[BaseModel]] = {}
    for name, info in model.model_fields.items():
        path = f"{prefix}.{name}" if prefix else name
        keys[path] = model
        inner = _inner_model(info.annotation)
        if inner is not None and inner not in skip and inner is not model:
            keys.update(model_keys(inner, skip, path))
    return keys


def all_model_keys() -> dict[tuple[str, str], type[BaseModel]]:
    fee = model_keys(FeeSchedule)
    site = model_keys(SiteConfig, frozenset(fee.values()))
    return {**{("fee", k): m for k, m in fee.items()}, **{("site", k): m for k, m in site.items()}}


def _docs() -> dict[tuple[str, str], str]:
    return doc_tables(DOCS.read_text(encoding="utf-8")) if DOCS.is_file() else {}


def json_schema(site: bool = False) -> dict[str, Any]:
    """The schema of site.yaml (`site`) or of a fee schedule, with the docs' descriptions."""
    model = SiteConfig if site else FeeSchedule
    schema = _numbers(model.model_json_schema())
    docs = _docs()
    described: dict[tuple[str, str], str] = {}
    for (where, path), owner in all_model_keys().items():
        meaning = docs.get((where, path))
        if meaning:
            described[(owner.__name__, path.rsplit(".", 1)[-1])] = meaning
    definitions = schema.get("$defs", {})
    for name, node in [(model.__name__, schema), *definitions.items()]:
        for key, prop in node.get("properties", {}).items():
            prop.pop("title", None)
            text = described.get((name, key))
            if text:
                prop["description"] = text
    top = "site settings (site.yaml)" if site else "a clinic's fee schedule (rates/<clinic>.yaml)"
    header = {"$schema": DRAFT, "$id": FILES[site].rsplit("/", 1)[-1],
              "title": f"sitegen: {top}",
              "description": "Every key is explained in docs/fee-schedule.md of sitegen."}
    schema.pop("title", None)
    return {**header, **schema}


_BOUNDS = {"gt": "exclusiveMinimum", "ge": "minimum", "lt": "exclusiveMaximum", "le": "maximum"}


def _numbers(node: Any) -> Any:
    """Amounts are YAML numbers (a quoted "120.00" is refused by the loader): pydantic's
    Decimal schema 'number or string' with its own bound names becomes a plain number."""
    if isinstance(node, list):
        return [_numbers(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: _numbers(v) for k, v in node.items()}
    kinds = node.get("anyOf")
    if isinstance(kinds, list) and {"type": "number"} in kinds and \
            any(k.get("type") == "string" for k in kinds if isinstance(k, dict)):
        number: dict[str, Any] = {"type": "number"}
        for ours, theirs in _BOUNDS.items():
            if ours in node:
                number[theirs] = node.pop(ours)
        node.pop("decimal_places", None)
        node.pop("anyOf")
        node.update(number)
    return node


def schema_text(site: bool = False) -> str:
    """The schema as the committed file holds it (two-space indent, model order)."""
    return json.dumps(json_schema(site), indent=2, ensure_ascii=False) + "\n"
