"""Fuzzing: random and mutated YAML and Markdown end in a result or in diagnostics, never
in an exception. Bounded so the suite stays fast; CI runs the same bounded number."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from helpers import RATES_INSURED, SITE, make_site
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.build import BuildOptions, build
from sitegen.diagnostics import Diagnostics
from sitegen.load import validate_data
from sitegen.model import FeeSchedule
from sitegen.yamlsrc import parse_yaml

FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
YAML_BITS = list(":-[]{},#&*!|>'\"%@`\t\n ?<=~") + ["0x", "1e9", ".nan", "NO", "010", "<<",
                                                      "10:30", "2026-13-01", "\ufeff", "\x85"]

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20),
                    st.floats(allow_nan=True, allow_infinity=True), st.dates())
documents = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=20)


def mutate(text: str, edits: list[tuple[int, int, str]]) -> str:
    for position, kind, bit in edits:
        i = position % (len(text) + 1)
        if kind == 0:
            text = text[:i] + bit + text[i:]
        elif kind == 1:
            text = text[:i] + text[i + 1:]
        else:
            lines = text.split("\n")
            j = position % len(lines)
            lines.insert(j, lines[j])  # a duplicated line: duplicate keys, list items
            text = "\n".join(lines)
    return text


edits = st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 2), st.sampled_from(YAML_BITS)),
                 min_size=1, max_size=6)


def load_rates(text: str) -> Diagnostics:
    diags = Diagnostics()
    doc = parse_yaml(text, "rates/a.yaml", diags)
    if doc is not None and isinstance(doc.data, dict):
        validate_data(doc, FeeSchedule, diags)
    return diags


@FUZZ
@given(documents)
def test_any_yaml_document_loads_or_explains(data) -> None:
    text = yaml.safe_dump(data, allow_unicode=True)
    diags = load_rates(text)
    for item in diags.items:
        assert item.message and "Traceback" not in item.message
        assert "<class" not in item.format()  # never a Python type repr


@FUZZ
@given(edits)
def test_mutated_fee_schedule_loads_or_explains(changes) -> None:
    diags = load_rates(mutate(RATES_INSURED, changes))
    for item in diags.items:
        assert item.line >= 0 and item.col >= 0 and item.message


MARKDOWN_BITS = ["[a](b.md)", "[x](../glossary.md#y)", "<script>", "](javascript:x)", "# ",
                 "| a | b |\n|---|---|\n", "{{< price clinic=\"a\" service=\"exercise\" >}}",
                 "{{< estimate clinic=\"zz\" >}}", "```\n", "*", "_", "<!--", "&amp;", "\n\n",
                 "![i](data:x)", "[[", "\\", "---\n", "\x00", "\u202e"]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.sampled_from(MARKDOWN_BITS), st.text(max_size=15)), max_size=12),
       st.text(max_size=20))
def test_any_markdown_builds_or_explains(pieces, title) -> None:
    body = "".join(pieces)
    page = f"---\ntitle: {yaml.safe_dump(title or 'x').strip()}\nsummary: s\n---\n{body}"
    with tempfile.TemporaryDirectory() as tmp:
        root = make_site(Path(tmp), {"site.yaml": SITE, "rates/a.yaml": RATES_INSURED,
                                     "content/guides/fuzz.md": page})
        result = build(BuildOptions(root=root), write=False)
    if result.ok:
        html = result.files["guides/fuzz/index.html"].decode()
        assert "<script>" not in html
    else:
        assert all(d.path.startswith(("content/", "public/")) for d in result.diagnostics.errors)
