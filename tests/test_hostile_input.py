"""Hostile and broken input (issue 10): one-line text everywhere, every CSV cell inert,
nothing injected into line-based files, errors at the file and line the person wrote
(never at a generated page), every problem of a file in one run.

The one-line rule is tested over every text value of a real fee schedule (the example
hospital, which uses every section) and of site.yaml, not over a list of fields.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
import yaml
from helpers import (
    CLINIC,
    RATES,
    RATES_INSURED,
    REPO,
    SITE,
    changed,
    check,
    check_rates,
    cli,
    make_site,
)

from sitegen.build import BuildOptions, build
from sitegen.diagnostics import Diagnostics, did_you_mean
from sitegen.figures import load_figures, resolve_references
from sitegen.load import validate_data
from sitegen.model import FeeSchedule, SiteConfig
from sitegen.yamlsrc import parse_yaml

P = "rates/a.yaml"
G = "content/guides/costs.md"
BREAKERS = ["\n", "\r", "\x00", "\x07", "\x1b", "\x85", "\u2028", "\u2029", "\t", "\x7f",
            "\x9b", "\x0b", "\x0c", "\ufffe"]
INJECTED = "mrf-url: https://evil.example/fake.json"


def string_nodes(text: str) -> list[yaml.ScalarNode]:
    """Every text value (not key) of a YAML document, with its marks."""
    found: list[yaml.ScalarNode] = []

    def walk(node: yaml.Node) -> None:
        if isinstance(node, yaml.MappingNode):
            for _, value in node.value:
                walk(value)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                walk(item)
        elif node.tag == "tag:yaml.org,2002:str":
            found.append(node)

    walk(yaml.compose(text, Loader=yaml.SafeLoader))
    return found


def errors_of(text: str, model: type, path: str) -> list:
    """Errors of the file as the build reads it: yearly figures named in it resolved first."""
    diags = Diagnostics()
    doc = parse_yaml(text, path, diags)
    assert doc is not None
    resolve_references(doc, load_figures(REPO, dt.date(2026, 11, 27), diags, 2_000_000), diags)
    assert validate_data(doc, model, diags) is None or diags.errors
    return diags.errors


@pytest.mark.parametrize("name, model", [("rates/mercy-valley-rehab.yaml", FeeSchedule),
                                         ("rates/riverside-hand-ot.yaml", FeeSchedule),
                                         ("site.yaml", SiteConfig)])
def test_every_text_value_must_be_one_line(name: str, model: type) -> None:
    """Each text value in turn gets a line break or control character, written as a YAML
    escape: exactly one error, at that value, naming the character."""
    text = (REPO / name).read_text()
    nodes = string_nodes(text)
    assert len(nodes) > 20
    for i, node in enumerate(nodes):
        char = BREAKERS[i % len(BREAKERS)]
        middle = len(node.value) // 2
        hostile = node.value[:middle] + char + INJECTED + node.value[middle:]
        end = node.end_mark.index
        while text[end - 1] == "\n":  # a block scalar ends on the next line
            end -= 1
        spoiled = text[:node.start_mark.index] + json.dumps(hostile) + text[end:]
        errors = errors_of(spoiled, model, name)
        where = (node.start_mark.line + 1, node.start_mark.column + 1)
        assert [(e.line, e.col) for e in errors] == [where], (node.value, char, errors)
        assert "must be one line without control characters" in errors[0].message
        assert "\n" not in errors[0].format() and "\x1b" not in errors[0].format()


def test_a_line_break_in_a_location_name_is_refused_at_its_line(tmp_path: Path) -> None:
    text = changed(RATES, "    - name: Main",
                   '    - name: "Main\\nmrf-url: https://evil.example/fake.json"')
    assert check_rates(tmp_path, text) == [
        f'{P}:7:13: error: name must be one line without control characters, but it contains '
        'a line break (got "Main\\nmrf-url: https://evil.example/fake.json"); keep the text on '
        "one line and delete the character (it often comes with text pasted from another "
        "program)"]


@pytest.mark.parametrize("value, col, what", [
    ('"Test\\eClinic"', 9, "an escape character (U+001B)"),        # YAML escape
    ('"Test\\0Clinic"', 9, "a NUL character (U+0000)"),
    ('"Test\\aClinic"', 9, "a bell character (U+0007)"),
    ("Test\tClinic", 13, "a tab"),                                   # raw, in plain text
    ("|\n    Test\n    Clinic", 9, "a line break"),                 # a literal block
])
def test_control_characters_raw_or_escaped(tmp_path: Path, value: str, col: int,
                                           what: str) -> None:
    messages = check_rates(tmp_path, changed(RATES, "name: Test Clinic", f"name: {value}"))
    assert len(messages) == 1 and messages[0].startswith(f"{P}:2:{col}: error: name must be "
                                                         "one line"), messages
    assert f"contains {what}" in messages[0]


def test_a_folded_block_is_one_line(tmp_path: Path) -> None:
    text = changed(RATES, "name: Test Clinic", "name: >\n    Test\n    Clinic")
    assert check_rates(tmp_path, text) == []


def test_a_key_with_a_line_break_is_refused(tmp_path: Path) -> None:
    text = changed(RATES_INSURED, "  - id: exercise", '  - "id\\n": exercise')
    messages = check_rates(tmp_path, text)
    assert messages[0].startswith(f"{P}:12:5: error: the key must be one line")
    assert len(messages) == 1


def test_front_matter_text_is_one_line(tmp_path: Path) -> None:
    guide = '---\ntitle: "Costs\\e[31m"\nsummary: s\n---\nText.\n'
    messages = check(tmp_path, {G: guide})
    assert len(messages) == 1 and messages[0].startswith(f"{G}:2:8: error: title must be one")


# --- every problem of a file in one run ---------------------------------------------------

def test_yaml_problems_do_not_hide_the_others(tmp_path: Path) -> None:
    text = changed(RATES, 'zip: "97201"', "zip: 01234")
    text = changed(text, 'name: Test Clinic', 'name: "Test\\x07"')
    text = changed(text, "gross_charge: 150.00", "gross_charge: $150")
    text = changed(text, "timed: true", "timed: NO")
    assert check_rates(tmp_path, text) == [
        f'{P}:2:9: error: name must be one line without control characters, but it contains a '
        'bell character (U+0007) (got "Test\\x07"); keep the text on one line and delete the '
        "character (it often comes with text pasted from another program)",
        f"{P}:8:68: error: '01234' would be read as the number 668, not as written; put it in "
        'quotes: "01234"',
        f"{P}:16:12: error: 'NO' would be read as the yes/no value false, not as written; write "
        'true or false, or put it in quotes if you mean text: "NO"',
        f'{P}:17:19: error: gross_charge must be an amount like 120.00 (got text "$150"); write '
        "the number only, without '$' or thousands separators, with '.' for cents"]


def test_a_broken_site_yaml_does_not_hide_the_fee_schedules_problems(tmp_path: Path) -> None:
    messages = check(tmp_path, {"site.yaml": "title: T\nbase_url: ftp://x\n",
                                "rates/a.yaml": changed(RATES, 'npi: "1234567893"',
                                                        'npi: "1234567890"')})
    assert [m.split(": error")[0] for m in messages] == [f"{P}:3:8", "site.yaml:2:11"]


def test_duplicate_keys_stop_the_document_but_not_the_report(tmp_path: Path) -> None:
    text = changed(RATES, "  last_updated: 2026-09-01\n",
                   "  last_updated: 2026-09-01\n  name: Other\n")
    text = changed(text, "cash_price: 120.00", "cash_price: -1")
    assert [m.split(": error")[0] for m in check_rates(tmp_path, text)] == [
        f"{P}:11:3", f"{P}:19:17"]


# --- web addresses ------------------------------------------------------------------------

@pytest.mark.parametrize("value, example", [
    ("www.example.com", "https://www.example.com"),
    ("example.org/rehab", "https://example.org/rehab"),
    ("ftp://example.org/", "https://example.org/"),
    ("javascript:alert(1)", "https://example.org/"),
    ("'https://x.example/\" onmouseover=\"alert(1)'", "https://example.org/"),
    ("https://", "https://example.org/"),
    ("//evil.example/", "https://example.org/"),
])
def test_clinic_website_must_be_a_web_address(tmp_path: Path, value: str,
                                              example: str) -> None:
    text = changed(RATES, "  last_updated:", f"  website: {value}\n  last_updated:")
    messages = check_rates(tmp_path, text)
    assert len(messages) == 1 and messages[0].startswith(f"{P}:10:12: error: '"), messages
    assert messages[0].endswith(f"is not a web address starting with https:// (or http://), "
                                f"like {example}")


@pytest.mark.parametrize("value", ["ftp://x", "javascript:alert(1)", "example.org",
                                   "https://example.org:99999/", "https://example.org/?a=1",
                                   "'https://example.org/ x'", "//example.org/"])
def test_base_url_is_one_error_at_its_line(tmp_path: Path, value: str) -> None:
    messages = check(tmp_path, {"site.yaml": f"title: T\nbase_url: {value}\n"})
    assert len(messages) == 1 and messages[0].startswith("site.yaml:2:11: error: base_url "), \
        messages


@pytest.mark.parametrize("value", ["https://example.org/repo/", "http://localhost:8000/",
                                   "/", "/prices/"])
def test_good_base_urls(tmp_path: Path, value: str) -> None:
    messages = check(tmp_path, {"site.yaml": f"title: T\nbase_url: {value}\n"})
    assert not [m for m in messages if "error" in m]


def test_bad_base_url_option_is_a_usage_error(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    result = cli("build", root, "--base-url", "javascript:alert(1)")
    assert result.exit_code == 2 and "'javascript:alert(1)' is not a web address" in \
        result.output
    assert not (root / "public").exists()


@pytest.mark.parametrize("value", ["nobody", "a@b", "a b@example.org",
                                   "'a@b.c\"><script>x</script>'"])
def test_email_addresses_are_checked(tmp_path: Path, value: str) -> None:
    text = changed(RATES, "  last_updated:", f"  email: {value}\n  last_updated:")
    messages = check_rates(tmp_path, text)
    assert len(messages) == 1 and messages[0].startswith(f"{P}:10:10: error: "), messages
    assert messages[0].endswith("is not an email address like prices@example.org")


# --- every CSV cell inert, every line of cms-hpt.txt its own ------------------------------

# ('|' separates locations in the CMS CSV, so it is refused in names: not used here)
PREFIXES = ['=HYPERLINK("http://evil.example/")&', "+cmd /C calc!A0 ", "-2+3 ", "@SUM(A1) "]
FREE_TEXT = {"name", "plan", "about", "street", "city", "hours", "description", "period",
             "methodology_notes", "frequency", "scheduled_separately", "hospital_name",
             "license_number", "attester_name", "contact_name", "phone"}


def hostile_schedule(text: str, layout: str = "tall") -> str:
    """The fee schedule with a spreadsheet formula in front of every free-text value
    (payer references renamed along), written back as YAML."""
    data = yaml.safe_load(text)
    count = iter(range(10_000))

    def spoil(value: str) -> str:
        return PREFIXES[next(count) % len(PREFIXES)] + value

    def walk(node, key: str = "") -> object:
        if isinstance(node, dict):
            return {k: walk(v, k) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, key) for v in node]
        return spoil(node) if isinstance(node, str) and key in FREE_TEXT else node

    keys = {f"{p['name']} {p['plan']}": p for p in data.get("payers", [])}
    spoiled = walk(data)
    renamed = {old: f"{new['name']} {new['plan']}"
               for old, new in zip(keys, spoiled.get("payers", []), strict=True)}
    for service in spoiled["services"]:
        service["negotiated"] = {renamed[k]: v for k, v in service.get("negotiated", {}).items()}
    for scenario in spoiled.get("scenarios", []):
        if "payer" in scenario:
            scenario["payer"] = renamed[scenario["payer"]]
    if "price_transparency" in spoiled:
        spoiled["price_transparency"]["csv_layout"] = layout
    return yaml.safe_dump(spoiled, allow_unicode=True, sort_keys=False)


@pytest.mark.parametrize("layout", ["tall", "wide"])
def test_every_csv_cell_is_inert_and_cms_hpt_has_only_its_keys(tmp_path: Path,
                                                                layout: str) -> None:
    files = {f"rates/{p.name}": hostile_schedule(p.read_text(), layout)
             for p in sorted((REPO / "rates").glob("*.yaml"))}
    root = make_site(tmp_path, {"site.yaml": (REPO / "site.yaml").read_text(), **files,
                                "rates/a.yaml": None})
    result = build(BuildOptions(root=root), write=False)
    assert result.ok, [d.format() for d in result.diagnostics.errors]
    sheets = {path: data for path, data in result.files.items() if path.endswith(".csv")}
    assert len(sheets) >= 4  # prices.csv of each clinic and the CMS CSV of the hospital
    defused = 0
    for path, data in sheets.items():
        for row in csv.reader(io.StringIO(data.decode("utf-8"))):
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (path, cell)
                defused += any(cell.startswith("'" + p) for p in PREFIXES)
    assert defused > 50
    hpt = result.files["cms-hpt.txt"].decode()
    lines = hpt.split("\n")
    keys = ["location-name", "source-page-url", "mrf-url", "contact-name", "contact-email"]
    assert all(not line or line.split(": ")[0] in keys for line in lines), hpt
    assert sum(line.startswith("mrf-url: ") for line in lines) == \
        sum(line.startswith("location-name: ") for line in lines) >= 2


# --- links, shortcodes and front matter: errors where the editor wrote them ---------------

GUIDE = "---\ntitle: Costs\nsummary: s\n---\n"
OTHER = {"content/guides/network-status.md": "---\ntitle: N\nsummary: s\n---\n## In network\n",
         "content/glossary.md": "---\ntitle: Glossary\n---\n## Deductible\n"}


@pytest.mark.parametrize("link, message", [
    ("network-status", "the link 'network-status' does not name a page's .md file; did you "
     "mean 'network-status.md'?"),
    ("network-status/", "the link 'network-status/' does not name a page's .md file; did you "
     "mean 'network-status.md'?"),
    ("/guides/network-status/", "the link '/guides/network-status/' starts with '/', so it "
     "breaks when the site is served from a sub-folder (like a GitHub project site); did you "
     "mean 'network-status.md'?"),
    ("../glossary/", "the link '../glossary/' does not name a page's .md file; did you mean "
     "'../glossary.md'?"),
    ("/glossary/#deductible", "the link '/glossary/#deductible' starts with '/', so it breaks "
     "when the site is served from a sub-folder (like a GitHub project site); did you mean "
     "'../glossary.md#deductible'?"),
    ("netwrk-status.md", "the link 'netwrk-status.md' points to a guide that does not exist; "
     "did you mean 'network-status.md'?"),
    ("&#106;avascript:alert(1)", "the link '&#106;avascript:alert(1)' uses a scheme that can "
     "run code; link to an https:// page or to another guide's .md file"),
    ("#nowhere", "the link points to '#nowhere', which is not a heading of guides/costs.md; "
     "link to a heading's id: its words in lower case, joined by '-'"),
    ("network-status.md#out-network", "the link points to '#out-network', which is not a "
     "heading of guides/network-status.md; did you mean 'in-network'?"),
])
def test_link_errors_are_at_the_markdown_line(tmp_path: Path, link: str, message: str) -> None:
    guide = GUIDE + "Intro.\n\nSee [this page](" + link + ") first.\n"
    assert check(tmp_path, {G: guide, **OTHER}) == [f"{G}:7:17: error: {message}"]


def test_link_errors_never_point_at_public(tmp_path: Path) -> None:
    guide = GUIDE + "[a](network-status) [b](/guides/x/) [c](pic.png) [d](#x) [e](x.md)\n"
    root = make_site(tmp_path, {G: guide, **OTHER})
    result = build(BuildOptions(root=root, base_url="https://example.org/repo/"), write=False)
    errors = result.diagnostics.errors
    assert len(errors) == 5 and all(e.path == G and e.line == 5 for e in errors), errors


def test_links_to_clinic_pages_and_good_links_build(tmp_path: Path) -> None:
    guide = GUIDE + ("[a](network-status.md#in-network) [b](../../clinics/a/) "
                     "[c](https://example.org/) [d](mailto:x@example.org) [e](#top)\n\n## Top\n")
    root = make_site(tmp_path, {G: guide, **OTHER})
    result = build(BuildOptions(root=root, base_url="https://example.org/repo/"), write=False)
    assert result.ok, [d.format() for d in result.diagnostics.errors]


@pytest.mark.parametrize("code, why", [
    ("{{< price clinic='a' service='exercise' >}}", "values must be in double quotes"),
    ('{{< price clinic="a" service="exercise" }}', "it is not closed with '>}}' on the same line"),
    ('{{< Price clinic="a" service="exercise" >}}', "it is not written the way shortcodes are"),
    ('{{<price clinic = "a">}}', "it is not written the way shortcodes are"),
])
def test_a_shortcode_that_cannot_be_read_is_an_error(tmp_path: Path, code: str,
                                                     why: str) -> None:
    messages = check(tmp_path, {G: GUIDE + "Intro.\n\nThe price: " + code + "\n"})
    assert len(messages) == 1, messages
    assert messages[0].startswith(f"{G}:7:12: error: this shortcode cannot be read: {why}")
    assert messages[0].endswith('write it on one line as {{< price clinic="clinic-file" '
                                'service="id" >}}: a lower-case name, then key="value" pairs '
                                "in double quotes")


def test_front_matter_without_its_closing_line(tmp_path: Path) -> None:
    assert check(tmp_path, {G: "---\ntitle: Costs\nsummary: s\n\nText.\n"}) == [
        f"{G}:1:1: error: the front matter that starts on line 1 has no closing '---' line; "
        "add a line with only '---' after the last front matter key (title:, summary: ...), "
        "before the text of the page"]


@pytest.mark.parametrize("char, what", [("\x00", "a NUL character (U+0000)"),
                                        ("\x1b", "an escape character (U+001B)"),
                                        ("\x07", "a bell character (U+0007)"),
                                        ("\x0c", "a control character U+000C"),
                                        ("\x85", "a line break (U+0085)")])
def test_control_characters_in_markdown(tmp_path: Path, char: str, what: str) -> None:
    guide = GUIDE + "Intro.\n\nA price" + char + " here, and [x](nope.md).\n"
    messages = check(tmp_path, {G: guide})
    assert messages[0] == (f"{G}:7:8: error: the text contains {what}, which a web page "
                           "cannot show; delete it; it usually comes with text pasted from "
                           "another program")
    assert len(messages) == 2 and "nope.md" in messages[1]  # the rest is still checked


def test_a_link_to_a_guide_with_errors_is_not_reported_again(tmp_path: Path) -> None:
    broken = "---\ntitle: [N\n---\n"
    messages = check(tmp_path, {G: GUIDE + "[n](network-status.md#in-network)\n",
                                "content/guides/network-status.md": broken})
    assert [m.split(": error")[0] for m in messages] == ["content/guides/network-status.md:2:8"]


# --- names that look alike ----------------------------------------------------------------

def test_an_invisible_difference_is_named(tmp_path: Path) -> None:
    text = RATES_INSURED.replace("    cash_price: 120.00\n",
                                 "    cash_price: 120.00\n    negotiated: {Acme\u00a0PPO: 90.00}\n")
    assert check_rates(tmp_path, text) == [
        f"{P}:19:18: error: negotiated rate for unknown payer plan 'Acme\u00a0PPO'; did you "
        "mean 'Acme PPO'? they differ by a non-breaking space at column 5 of the name "
        "(U+00A0), where 'Acme PPO' has a space; retype it"]


@pytest.mark.parametrize("word, said", [
    ("Aetna PP\u200bO", "they differ by a zero-width space at column 9 of the name (U+200B)"),
    ("\u0410etna PPO", "they differ by the character U+0410 (cyrillic capital letter a) at "
     "column 1 of the name, where 'Aetna PPO' has 'A'"),
    ("Aetna\u2009PPO", "they differ by a thin space at column 6 of the name (U+2009), where "
     "'Aetna PPO' has a space"),
])
def test_look_alike_names(word: str, said: str) -> None:
    assert did_you_mean(word, ["Aetna PPO", "Cigna HMO"]) == \
        f"did you mean 'Aetna PPO'? {said}; retype it"
    assert did_you_mean("Aetna PPX", ["Aetna PPO"]) == "did you mean 'Aetna PPO'?"


# --- .yml files, site.yml -----------------------------------------------------------------

def test_yml_fee_schedules_are_read(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"rates/a.yaml": None, "rates/b.yml": RATES_INSURED})
    result = build(BuildOptions(root=root), write=False)
    assert result.ok and "clinics/b/index.html" in result.files


def test_yml_and_yaml_of_the_same_clinic_clash(tmp_path: Path) -> None:
    messages = check(tmp_path, {"rates/a.yml": RATES})
    assert messages == [f"rates/a.yml:2:3: error: clinic slug 'a' is already used by {P}; "
                        "set a different clinic.slug, or rename the file"]


def test_site_yml_is_named(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"site.yaml": None, "site.yml": SITE})
    result = cli("build", root)
    assert result.exit_code == 1
    assert f"site.yml: error: no site.yaml in {root}; rename site.yml to site.yaml" in \
        result.output


# --- broken references never crash ----------------------------------------------------------

REFERENCES = CLINIC.replace("  disciplines: [PT]", "  disciplines: [PT]") + """\
payers:
  - {name: Acme, plan: PPO}
services:
  - id: exercise
    code: "97110"
    description: Therapeutic exercise
    settings: [outpatient]
    timed: true
    gross_charge: 150.00
    cash_price: 120.00
    negotiated: {Acme PPO: 90.00}
  - id: evaluation
    code: "97161"
    description: First assessment
    settings: [outpatient]
    gross_charge: 200.00
    cash_price: 160.00
    negotiated: {Acme PPO: 110.00}
sessions:
  - id: visit
    name: Visit
    setting: outpatient
    lines: [{service: exercise, minutes: 45}]
courses:
  - id: course
    name: Course
    visits: [{service: evaluation}, {session: visit, count: 6}]
scenarios:
  - {id: acme, name: Acme, network: in-network, payer: Acme PPO, coinsurance: 0.2}
"""
SHORTCODES = GUIDE + ('{{< estimate clinic="a" course="course" scenario="acme" >}}\n\n'
                      '{{< estimate clinic="a" course="course" scenario="site" >}}\n\n'
                      '{{< price clinic="a" service="exercise" >}}\n')
SITE_SCENARIO = SITE + "scenarios:\n  - {id: site, name: S, network: in-network}\n"


def test_the_reference_fixture_builds(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"rates/a.yaml": REFERENCES, G: SHORTCODES,
                                "site.yaml": SITE_SCENARIO})
    assert cli("build", root).exit_code == 0


@pytest.mark.parametrize("old, new", [
    ("lines: [{service: exercise,", "lines: [{service: gone,"),
    ("{session: visit, count: 6}", "{session: gone, count: 6}"),
    ("[{service: evaluation},", "[{service: gone},"),
    ("[{service: evaluation},", "[{service: exercise},"),   # timed: billed by minutes
    ("payer: Acme PPO,", "payer: Gone PPO,"),
    ("  - {name: Acme, plan: PPO}\n", "  - {name: Acme, plan: HMO}\n"),
    ("  - id: exercise\n", "  - id: exercises\n"),
])
def test_a_broken_reference_is_an_error_not_a_crash(tmp_path: Path, old: str, new: str) -> None:
    root = make_site(tmp_path, {"rates/a.yaml": changed(REFERENCES, old, new),
                                G: SHORTCODES, "site.yaml": SITE_SCENARIO})
    result = cli("build", root)
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if ": error: " in line]
    assert errors and all(re.match(rf"{P}:\d+:\d+: error: ", e) for e in errors), errors


def test_a_payer_in_a_site_scenario_is_an_error_not_a_crash(tmp_path: Path) -> None:
    site = SITE + "scenarios:\n  - {id: site, name: S, network: in-network, payer: Acme PPO}\n"
    root = make_site(tmp_path, {"rates/a.yaml": REFERENCES, G: SHORTCODES, "site.yaml": site})
    result = cli("build", root)
    assert result.exit_code == 1
    assert [line for line in result.output.splitlines() if ": error: " in line] == [
        "site.yaml:4:53: error: a site-wide scenario cannot name a payer plan; move the "
        "scenario into the clinic's fee schedule under scenarios:"]


def test_messages_never_carry_control_characters_to_the_terminal() -> None:
    from sitegen.diagnostics import Diagnostic
    item = Diagnostic("rates/a\x1b[2J,b:c.yaml", 3, 4, "error", "name \x1b[31mred\x07", "fix")
    assert item.format() == "rates/a\\x1b[2J,b:c.yaml:3:4: error: name \\x1b[31mred\\x07; fix"
    assert item.github_annotation() == (
        "::error file=rates/a\\x1b[2J%2Cb%3Ac.yaml,line=3,col=4::name \\x1b[31mred\\x07; fix")


def test_duplicate_scenario_ids(tmp_path: Path) -> None:
    site = SITE + ("scenarios:\n  - {id: s, name: S, network: self-pay}\n"
                   "  - {id: s, name: T, network: self-pay}\n")
    rates = RATES + ("scenarios:\n  - {id: own, name: O, network: self-pay}\n"
                     "  - {id: own, name: P, network: self-pay}\n")
    assert check(tmp_path, {"site.yaml": site, "rates/a.yaml": rates}) == [
        f"{P}:21:10: error: duplicate scenario id 'own' (first given on line 20); each "
        "scenario id must be unique",
        "site.yaml:5:10: error: duplicate scenario id 's' (first given on line 4); each "
        "scenario id must be unique"]


def test_a_shortcode_naming_what_a_clinic_does_not_have(tmp_path: Path) -> None:
    guide = GUIDE + '{{< estimate clinic="a" course="x" scenario="y" >}}\n'
    assert check(tmp_path, {G: guide}) == [
        f"{G}:5:1: error: unknown course 'x'; there is no course yet that it could name",
        f"{G}:5:1: error: unknown scenario 'y'; there is no scenario yet that it could name"]


def test_an_image_from_content_is_an_error_at_its_line(tmp_path: Path) -> None:
    guide = GUIDE + "Intro.\n\n![A chart](chart.png)\n"
    assert check(tmp_path, {G: guide}) == [
        f"{G}:7:12: error: the image 'chart.png' is not a file the site publishes; content/ "
        "holds only Markdown pages, so guides cannot show pictures of their own; link to the "
        "picture instead: [a chart](https://...)"]
