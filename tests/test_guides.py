"""What guides tell patients: sources at the foot of every guide, worked examples computed by
the engine (never typed), and the corrected statements of the example site staying true."""

from __future__ import annotations

import re
from pathlib import Path

import html5lib
import pytest
from helpers import REPO, check, make_site

from sitegen.build import BuildOptions, build

NS = {"h": "http://www.w3.org/1999/xhtml"}
G = "content/guides/money.md"
EXAMPLE_RATES = """\
clinic:
  name: Example Therapy
  npi: "1234567893"
  tin: "12-3456789"
  disciplines: [OT]
  locations:
    - name: Main
      address: {street: 1 Main St, city: Portland, state: OR, zip: "97201"}
      phone: 503-555-0100
  last_updated: 2026-10-01
payers:
  - {name: Acme, plan: PPO}
  - {name: Beta, plan: HMO}
services:
  - {id: eval, code: "97166", description: Evaluation, settings: [evaluation],
     gross_charge: 250.00, cash_price: 190.00, negotiated: {Acme PPO: 110.00}}
  - {id: session, code: "97530", description: Session, settings: [outpatient],
     gross_charge: 150.00, cash_price: 120.00,
     negotiated: {Acme PPO: 95.00, Beta HMO: 31.05}}
courses:
  - id: course
    name: Evaluation and 12 sessions
    visits: [{service: eval}, {service: session, count: 12}]
scenarios:
  - id: example-a
    name: Example A
    network: in-network
    payer: Acme PPO
    deductible_remaining: 600.00
    coinsurance: 0.20
    oop_remaining: 2000.00
"""


def page(root: Path, rel: str):
    result = build(BuildOptions(root=root), write=False)
    assert result.ok, [d.format() for d in result.diagnostics.items]
    return html5lib.HTMLParser(namespaceHTMLElements=True).parse(result.files[rel])


def words(element) -> str:
    return re.sub(r"\s+", " ", "".join(element.itertext())).strip()


def test_sources_are_listed_at_the_foot_with_the_date_checked(tmp_path: Path) -> None:
    guide = ("---\ntitle: Money\nsummary: Sums.\nsources:\n"
             "  - {title: CMS page, url: 'https://www.cms.gov/a', checked: 2026-10-02}\n"
             "  - {title: eCFR rule, url: 'https://www.ecfr.gov/b', checked: 2026-09-15}\n"
             "---\nText.\n")
    tree = page(make_site(tmp_path, {G: guide}), "guides/money/index.html")
    section = next(s for s in tree.iterfind(".//h:section", NS) if s.get("class") == "sources")
    assert words(section.find("h:h2", NS)) == "Sources, checked on September 15, 2026"
    items = list(section.iterfind(".//h:li", NS))
    assert [words(li) for li in items] == ["CMS page (checked on October 2, 2026)",
                                           "eCFR rule"]
    assert [li.find("h:a", NS).get("href") for li in items] == ["https://www.cms.gov/a",
                                                                "https://www.ecfr.gov/b"]


@pytest.mark.parametrize("url", ["javascript:alert(1)", "www.cms.gov", "cms.gov/x y"])
def test_a_source_must_be_a_web_address(tmp_path: Path, url: str) -> None:
    guide = (f"---\ntitle: Money\nsummary: Sums.\nsources:\n"
             f"  - {{title: CMS, url: '{url}', checked: 2026-10-02}}\n---\nText.\n")
    found = check(tmp_path, {G: guide})
    assert found == [f"{G}:5:23: error: '{url}' is not a web address: write the whole "
                     "address, starting with https://"], found


def test_worked_examples_come_from_the_engine(tmp_path: Path) -> None:
    """Worked example A of domain.md (without its visit limit), visit by visit, and the
    table cell of a price range, both from the clinic's data."""
    guide = ("---\ntitle: Money\nsummary: Sums.\n---\n"
             '{{< estimate clinic="example" course="course" scenario="example-a" show="visits" '
             '>}}\n\nA range: {{< price clinic="example" service="session" show="range" >}}; '
             'one plan: {{< price clinic="example" service="eval" show="range" >}}.\n')
    tree = page(make_site(tmp_path, {"rates/example.yaml": EXAMPLE_RATES, G: guide}),
                "guides/money/index.html")
    table = next(t for t in tree.iterfind(".//h:table", NS)
                 if t.get("class") == "estimate-example")
    rows = [[words(c) for c in tr] for tr in table.iterfind(".//h:tbody/h:tr", NS)]
    assert rows == [
        ["1", "Evaluation", "$110.00", "$0.00", "Deductible $110.00"],
        ["2 to 6", "Session", "$95.00 each", "$0.00 each", "Deductible $95.00"],
        ["7", "Session", "$31.00", "$64.00", "Deductible $15.00 + 20% coinsurance $16.00"],
        ["8 to 13", "Session", "$19.00 each", "$76.00 each", "20% coinsurance $19.00"],
        ["All 13", "Total", "$730.00", "$520.00", ""]]
    text = words(tree)
    assert "A range: $31.05 to $95.00 (2 plans); one plan: $110.00 (1 plan)." in text


def test_an_unknown_show_of_the_estimate_shortcode_is_an_error(tmp_path: Path) -> None:
    guide = ("---\ntitle: Money\nsummary: Sums.\n---\n"
             '{{< estimate clinic="example" course="course" scenario="example-a" show="all" '
             '>}}\n')
    assert check(tmp_path, {"rates/example.yaml": EXAMPLE_RATES, G: guide}) == [
        f"{G}:5:1: error: unknown show 'all' of shortcode 'estimate'; use show=\"visits\" for "
        "the visit-by-visit table, or leave it out"]


# --- The example site --------------------------------------------------------------------

@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    result = build(BuildOptions(root=REPO), write=False)
    assert result.ok, [d.format() for d in result.diagnostics.items]
    return {rel: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", data.decode()))
            for rel, data in result.files.items() if rel.endswith(".html")}


def test_every_guide_shows_its_sources(site: dict[str, str]) -> None:
    guides = [rel for rel in site if rel.startswith("guides/")]
    assert len(guides) >= 6
    for rel in [*guides, "glossary/index.html"]:
        assert "Sources, checked on " in site[rel], rel


def test_no_page_repeats_the_corrected_mistakes(site: dict[str, str]) -> None:
    # (The notice text of sitegen/gfe.py is issue 17's and still says "at least 1 business
    # day before"; this list covers every other page text.)
    wrong = ["daily rate", "uninsured or choosing not", "must give you a written estimate before your care", "shared by OT and speech "
             "therapy for CareSource", "copays never count", "Copays do not count toward the "
             "deductible", "first six visits", "minutes of hands-on", "rates the clinic agreed",
             "plans sold under the Affordable Care Act"]
    for rel, text in site.items():
        for phrase in wrong:
            assert phrase.lower() not in text.lower(), (rel, phrase)


def test_medicaid_past_its_limit_is_never_the_cash_price(site: dict[str, str]) -> None:
    text = site["clinics/little-steps-pediatric/estimates/index.html"]
    start = text.index("Assumptions", text.index("CareSource Ohio Medicaid, child"))
    medicaid = text[start:text.index("Anthem PPO, 20 visits", start)]
    assert "payment in full" in medicaid and "cash price" not in medicaid
    clinic = site["clinics/little-steps-pediatric/index.html"]
    assert ("CareSource Ohio Medicaid 30 visits per benefit year for each of physical therapy, "
            "occupational therapy and speech-language therapy; more with prior authorization"
            in clinic)


def test_the_custom_splint_visit_bills_training_minutes_only() -> None:
    rates = (REPO / "rates/riverside-hand-ot.yaml").read_text(encoding="utf-8")
    visit = rates[rates.index("- id: splint-visit"):rates.index("- id: telehealth-30")]
    assert "service: custom-wrist-hand-splint" in visit
    assert "service: orthosis-training\n        minutes: 15" in visit
