"""Fuzzing: random and mutated YAML and Markdown end in a result or in diagnostics, never
in an exception. Bounded so the suite stays fast; CI runs the same bounded number."""

from __future__ import annotations

import copy
import re
import tempfile
from pathlib import Path

import yaml
from helpers import RATES_INSURED, SITE, cli, make_site
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
                 "![i](data:x)", "[[", "\\", "---\n", "\x00", "\u202e",
                 # links and shortcodes that only a generated page used to reveal
                 "[x](network-status)", "[y](/guides/x/)", "[z](&#106;avascript:x)", "[w](#no)",
                 "[v](../../clinics/a/)", "[u](../glossary/)", "{{< price clinic='a' >}}", "{{<",
                 ">}}", "\x1b[31m", "\x07", "\ufdd0", "[r]: nowhere\n", "<java&#115;cript:x>"]


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
        # every error is at the Markdown the editor wrote, never at a generated page
        assert all(d.path == "content/guides/fuzz.md" and d.line >= 1
                   for d in result.diagnostics.errors), result.diagnostics.errors


# --- structural mutations of a fee schedule: drop, rename and retarget references ---------

STRUCTURED = {
    "clinic": {"name": "Test Clinic", "npi": "1234567893", "tin": "12-3456789",
               "disciplines": ["PT", "OT"],
               "locations": [{"name": "Main", "phone": "503-555-0100",
                              "address": {"street": "1 Main St", "city": "Portland",
                                          "state": "OR", "zip": "97201"}}],
               "last_updated": "2026-09-01"},
    "payers": [{"name": "Acme", "plan": "PPO", "visit_limit": {"visits": 20,
                                                               "shared_by": ["PT", "OT"]}},
               {"name": "Bolt", "plan": "HMO"}],
    "services": [
        {"id": "eval", "code": "97161", "description": "Evaluation", "settings": ["evaluation"],
         "discipline": "PT", "gross_charge": "200.00", "cash_price": "150.00",
         "negotiated": {"Acme PPO": "110.00", "Bolt HMO": "95.00"}},
        {"id": "exercise", "code": "97110", "description": "Exercise", "timed": True,
         "settings": ["outpatient"], "discipline": "PT", "gross_charge": "150.00",
         "cash_price": "120.00", "negotiated": {"Acme PPO": "60.00"}},
        {"id": "manual", "code": "97140", "description": "Manual therapy", "timed": True,
         "settings": ["outpatient"], "gross_charge": "140.00", "cash_price": "110.00"}],
    "sessions": [{"id": "visit", "name": "Visit", "setting": "outpatient",
                  "lines": [{"service": "exercise", "minutes": 30},
                            {"service": "manual", "minutes": 15}]}],
    "courses": [{"id": "course", "name": "Course",
                 "visits": [{"service": "eval"}, {"session": "visit", "count": 8}]}],
    "scenarios": [{"id": "acme", "name": "Acme", "network": "in-network",
                   "payer": "Acme PPO", "coinsurance": "0.2"}],
}
# Where references live, as (list key, field): the value names an id or a payer plan.
REFERENCE_FIELDS = [("sessions", "lines", "service"), ("courses", "visits", "service"),
                    ("courses", "visits", "session"), ("scenarios", None, "payer")]
IDS = ["eval", "exercise", "manual", "visit", "course", "acme", "Acme PPO", "Bolt HMO"]
SITE_SCENARIOS = SITE + ("scenarios:\n  - {id: site, name: S, network: in-network, "
                         "coinsurance: 0.2}\n")
GUIDE = ("---\ntitle: G\nsummary: s\n---\n"
         '{{< estimate clinic="a" course="course" scenario="acme" >}}\n\n'
         '{{< estimate clinic="a" course="course" scenario="site" >}}\n\n'
         '{{< price clinic="a" service="exercise" >}}\n\n'
         '{{< price clinic="a" service="eval" show="median" >}}\n')


def retarget(data: dict, where: int, pick: int, name: str) -> None:
    """Point one reference (chosen by `where`/`pick`) at `name`."""
    section, inner, key = REFERENCE_FIELDS[where % len(REFERENCE_FIELDS)]
    holders = [h for item in data.get(section) or [] if isinstance(item, dict)
               for h in ((item.get(inner) or []) if inner else [item]) if isinstance(h, dict)]
    if holders:
        holders[pick % len(holders)][key] = name
    for service in data.get("services") or []:  # a negotiated rate for a plan, too
        if isinstance(service, dict) and pick % 3 == 0 and name[:1].isupper():
            service.setdefault("negotiated", {})[name] = "80.00"


def drop(data: dict, section: int, pick: int) -> None:
    """Remove one entity (a payer, service, session, course, scenario) or one of its keys."""
    names = ["payers", "services", "sessions", "courses", "scenarios"]
    items = data.get(names[section % len(names)]) or []
    if not items:
        return
    item = items[pick % len(items)]
    if pick % 2 and isinstance(item, dict) and item:
        del item[sorted(item)[pick % len(item)]]
    else:
        items.remove(item)


def rename(data: dict, section: int, pick: int, name: str) -> None:
    """Give an entity a new id (or a payer a new plan), leaving its references behind."""
    names = ["services", "sessions", "courses", "scenarios", "payers"]
    items = data.get(names[section % len(names)]) or []
    if items and isinstance(items[pick % len(items)], dict):
        items[pick % len(items)]["plan" if section % 5 == 4 else "id"] = name


names = st.one_of(st.sampled_from(IDS), st.from_regex(r"[a-z]{1,6}(-[a-z]{1,4})?", fullmatch=True),
                  st.sampled_from(["Acme HMO", "Zed PPO", "acme ppo", "Acme\u00a0PPO"]))
operations = st.lists(st.one_of(
    st.tuples(st.just("retarget"), st.integers(0, 50), st.integers(0, 50), names),
    st.tuples(st.just("drop"), st.integers(0, 50), st.integers(0, 50), st.just("")),
    st.tuples(st.just("rename"), st.integers(0, 50), st.integers(0, 50), names)),
    min_size=1, max_size=5)


def mutated(ops: list[tuple[str, int, int, str]]) -> str:
    data = copy.deepcopy(STRUCTURED)
    for op, a, b, name in ops:
        if op == "retarget":
            retarget(data, a, b, name)
        elif op == "drop":
            drop(data, a, b)
        else:
            rename(data, a, b, name)
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    # amounts as YAML numbers, as people write them (safe_dump quotes the strings above)
    return re.sub(r"'(\d+\.\d+)'", r"\1", text)


LOCATED = re.compile(r"(rates/a\.yaml|site\.yaml|content/guides/g\.md)(:\d+:\d+)?: "
                     r"(error|warning): ")


def build_mutated(rates: str, site: str = SITE_SCENARIOS) -> tuple[int, list[str]]:
    """Exit code and the lines of errors and warnings of `sitegen build` on the site."""
    with tempfile.TemporaryDirectory() as tmp:
        root = make_site(Path(tmp), {"site.yaml": site, "rates/a.yaml": rates,
                                     "content/guides/g.md": GUIDE})
        result = cli("build", root)
    said = [line for line in result.output.splitlines() if ": error: " in line
            or ": warning: " in line]
    return result.exit_code, said


def test_the_structured_fee_schedule_builds() -> None:
    code, said = build_mutated(mutated([]))
    assert (code, said) == (0, [])


STRUCTURAL = settings(max_examples=40, deadline=None,
                      suppress_health_check=[HealthCheck.too_slow])


@STRUCTURAL
@given(operations)
def test_structural_mutations_end_in_a_site_or_located_errors(ops) -> None:
    """Drop, rename and retarget at random: the build either succeeds or reports problems
    in the files people wrote (never at public/, never exit 70)."""
    code, said = build_mutated(mutated(ops))
    assert code in (0, 1), said
    assert all(LOCATED.match(line) for line in said), said


@STRUCTURAL
@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50),
                          st.sampled_from(["gone", "zz-missing", "Gone PPO", "Acme\u00a0PPO"])),
                min_size=1, max_size=4),
       st.booleans())
def test_broken_references_exit_1_with_every_error_located(refs, site_payer) -> None:
    """A reference to something that does not exist (in the fee schedule, or a payer in a
    site.yaml scenario) is exit 1, each error at a line of the file that holds it."""
    rates = mutated([("retarget", a, b, name) for a, b, name in refs])
    site = SITE_SCENARIOS.replace("network: in-network,", "network: in-network, payer: Acme "
                                  "PPO,") if site_payer else SITE_SCENARIOS
    code, said = build_mutated(rates, site)
    errors = [line for line in said if ": error: " in line]
    assert code == 1 and errors, (code, said)
    assert all(re.match(r"(rates/a\.yaml|site\.yaml):\d+:\d+: error: ", e) for e in errors), errors
