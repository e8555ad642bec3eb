"""Estimate pages and shortcodes, on a tiny site whose numbers are worked examples A and B
(domain rules: evaluation 250 / session 150 charged, 110 / 95 allowed in network)."""

from __future__ import annotations

from pathlib import Path

import html5lib
import pytest
from helpers import write_site

from sitegen.build import BuildOptions, build

ROOT = Path(__file__).resolve().parent.parent
NS = "{http://www.w3.org/1999/xhtml}"

SITE = """\
title: Test prices
base_url: https://example.org/
scenarios:
  - id: self-pay
    name: Paying yourself
    network: self-pay
"""

RATES = """\
clinic:
  name: Example Therapy
  npi: "1234567893"
  tin: "12-3456789"
  disciplines: [OT, PT]
  locations:
    - name: Main
      address: {street: 1 Main St, city: Portland, state: OR, zip: "97201"}
      phone: 503-555-0100
  last_updated: 2026-10-01
payers:
  - name: Acme
    plan: PPO
    visit_limit: {visits: 10, shared_by: [OT, PT]}
services:
  - id: eval
    code: "97166"
    description: Evaluation
    settings: [evaluation]
    gross_charge: 250.00
    cash_price: 190.00
    negotiated: {Acme PPO: 110.00}
  - id: activities
    code: "97530"
    description: Therapeutic activities
    settings: [outpatient]
    timed: true
    gross_charge: 50.00
    cash_price: 40.00
    negotiated: {Acme PPO: 31.67}
sessions:
  - id: visit-45
    name: 45-minute visit
    setting: outpatient
    lines: [{service: activities, minutes: 45}]
courses:
  - id: course
    name: Evaluation and 12 sessions
    visits: [{service: eval}, {session: visit-45, count: 12}]
scenarios:
  - id: example-a
    name: Example A
    network: in-network
    payer: Acme PPO
    deductible_remaining: 600.00
    coinsurance: 0.20
    oop_remaining: 2000.00
    over_limit: gross
  - id: example-b
    name: Example B
    network: in-network
    payer: Acme PPO
    copay: 30.00
    copay_waives_deductible: true
    visits_remaining: 20
"""


make_site = write_site


def build_ok(root: Path) -> dict[str, str]:
    result = build(BuildOptions(root=root, out=root / "public"))
    assert result.ok, [d.format() for d in result.diagnostics.items]
    return {k: v.decode() for k, v in result.files.items()}


def rows(html: str, course: str) -> dict[str, list[str]]:
    tree = html5lib.parse(html)
    found = {}
    for tr in tree.iter(f"{NS}tr"):
        if (tr.get("id") or "").startswith(course + "--"):
            cells = ["".join(c.itertext()).strip() for c in tr]
            found[tr.get("id").removeprefix(course + "--")] = cells
    return found


def test_examples_a_and_b_on_the_estimate_page(tmp_path: Path) -> None:
    """A session of 45 timed minutes bills 3 units of 50.00 (150.00 charged, 95.01 allowed:
    3 x 31.67); so the allowed amounts differ from the worked example by a cent per visit,
    which the expected totals below account for exactly."""
    files = build_ok(make_site(tmp_path, {"site.yaml": SITE, "rates/example.yaml": RATES}))
    page = files["clinics/example/estimates/index.html"]
    table = rows(page, "course")
    # Self-pay: cash 190.00 + 12 x 3 units x 40.00.
    assert table["self-pay"] == ["Paying yourself", "$1,630.00", "$0.00", "$1,630.00"]
    # Example A with 95.01 allowed: eval 110; sessions 1-5 95.01 (deductible 585.05 total);
    # session 6: 14.95 deductible + 20% of 80.06 = 16.01 -> 30.96 (plan 64.05);
    # sessions 7-9: 19.00 each (plan 76.01); sessions 10-12 over the limit: 150.00 each.
    # You: 110 + 475.05 + 30.96 + 57.00 + 450.00; plan: 64.05 + 3 x 76.01.
    assert table["example-a"] == ["Example A", "$1,123.01", "$292.08", "$1,415.09"]
    # Example B: 13 x 30.00 copay; the plan pays the rest of 110 + 12 x 95.01.
    assert table["example-b"] == ["Example B", "$390.00", "$860.12", "$1,250.12"]
    assert "45-minute visit (45 timed minutes, billed as 3 units): CPT 97530 × 3 (45 min)." \
        in page
    assert "This is an estimate, not a quote." in page


def test_exact_worked_example_a_with_whole_session_rates(tmp_path: Path) -> None:
    rates = RATES.replace("    timed: true\n", "").replace("31.67", "95.00").replace(
        "gross_charge: 50.00", "gross_charge: 150.00").replace(
        "lines: [{service: activities, minutes: 45}]", "lines: [{service: activities, units: 1}]")
    files = build_ok(make_site(tmp_path, {"site.yaml": SITE, "rates/example.yaml": rates}))
    table = rows(files["clinics/example/estimates/index.html"], "course")
    assert table["example-a"] == ["Example A", "$1,123.00", "$292.00", "$1,415.00"]
    assert table["example-b"] == ["Example B", "$390.00", "$860.00", "$1,250.00"]
    page = files["clinics/example/estimates/index.html"]
    tree = html5lib.parse(page)
    details = [d for d in tree.iter(f"{NS}details")]
    assert len(details) == 3  # one per scenario
    breakdown = ["".join(td.itertext()) for td in details[1].iter(f"{NS}td")][0::3]
    assert breakdown == ["$110.00"] + ["$95.00"] * 5 + ["$31.00"] + ["$19.00"] * 3 + \
        ["$150.00"] * 3


def test_shortcodes_render_numbers_and_report_unknown_names(tmp_path: Path) -> None:
    guide = """---
title: Example
summary: Shortcodes.
---

{{< estimate clinic="example" course="course" scenario="example-b" >}}

The evaluation: {{< price clinic="example" service="eval" >}}. Cash: {{< price clinic="example" service="eval" show="cash" >}}.
"""
    root = make_site(tmp_path, {"site.yaml": SITE, "rates/example.yaml": RATES,
                                "content/guides/example.md": guide})
    files = build_ok(root)
    page = files["guides/example/index.html"]
    assert '<td class="num you" data-label="You pay">$390.00</td>' in page
    assert "Cash: $190.00." in page
    assert "gross charge $250.00, cash price $190.00; in-network plans pay $110.00 to $110.00" in page
    assert 'href="../../clinics/example/estimates/#course--example-b"' in page

    bad = guide.replace('course="course"', 'course="cours"').replace(
        'service="eval" show', 'service="evaluation" show').replace(
        'clinic="example" service="eval" >', 'clinic="exampel" service="eval" >')
    (root / "content/guides/example.md").write_text(bad, encoding="utf-8")
    result = build(BuildOptions(root=root, out=root / "public"))
    assert [d.format() for d in result.diagnostics.errors] == [
        "content/guides/example.md:6:1: error: unknown course 'cours'; did you mean 'course'?",
        "content/guides/example.md:8:17: error: unknown clinic 'exampel'; "
        "did you mean 'example'?",
        "content/guides/example.md:8:70: error: unknown service 'evaluation'; "
        "use one of: activities, eval",
    ]


@pytest.mark.parametrize("scenario, message", [
    ("  - id: x\n    name: X\n    network: out-of-network\n",
     "rates/example.yaml:{line}:5: error: out-of-network scenario 'x' needs allowed_share; "
     "add allowed_share: 0.60 (the share of the gross charge the plan allows)"),
    ("  - id: x\n    name: X\n    network: in-network\n    payer: Acme HMO\n",
     "rates/example.yaml:{line4}:12: error: scenario 'x' names unknown payer plan 'Acme HMO';"
     " did you mean 'Acme PPO'?"),
])
def test_scenario_rules(tmp_path: Path, scenario: str, message: str) -> None:
    rates = RATES + scenario
    line = rates.count("\n", 0, rates.index("  - id: x")) + 1
    root = make_site(tmp_path, {"site.yaml": SITE, "rates/example.yaml": rates})
    result = build(BuildOptions(root=root, out=root / "public"))
    assert [d.format() for d in result.diagnostics.items] == [
        message.format(line=line, line4=line + 3)]


def test_a_limit_shared_by_other_disciplines_does_not_count_these_visits(tmp_path: Path) -> None:
    """Example A, but the plan's 10-visit limit is shared by PT and speech only: the OT
    visits never reach it, so sessions 10-12 cost 20% coinsurance, not the full charge."""
    rates = RATES.replace("    timed: true\n", "").replace("31.67", "95.00").replace(
        "gross_charge: 50.00", "gross_charge: 150.00").replace(
        "lines: [{service: activities, minutes: 45}]", "lines: [{service: activities, units: 1}]")
    rates = rates.replace("shared_by: [OT, PT]", "shared_by: [PT, SLP]").replace(
        "    settings: [", "    discipline: OT\n    settings: [")
    files = build_ok(make_site(tmp_path, {"site.yaml": SITE, "rates/example.yaml": rates}))
    table = rows(files["clinics/example/estimates/index.html"], "course")
    # you: 110 + 5 x 95 + 31 + 6 x 19 = 730.00; plan: 64 + 6 x 76 = 520.00
    assert table["example-a"] == ["Example A", "$730.00", "$520.00", "$1,250.00"]
