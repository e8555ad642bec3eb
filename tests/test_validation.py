"""Every validation rule of the schema (model/load), the cross references (validate), the
command line and the Markdown content, each with its exact diagnostic.

Fee schedules are helpers.RATES (or CLINIC plus a few lines) with one change; lines and
columns are counted by hand from that text (see the map in helpers).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import (
    CLINIC,
    RATES,
    RATES_INSURED,
    SERVICES,
    changed,
    check,
    check_rates,
    cli,
    cli_process,
    make_site,
)

from sitegen import __version__
from sitegen.build import BuildOptions, build

P = "rates/a.yaml"
AMOUNT_HINT = "write the number only, without '$' or thousands separators, with '.' for cents"
POSITIVE_HINT = "prices and counts are positive; remove the entry if it does not apply"

# sessions: appended to RATES, so line 19 is 'sessions:'; the line's service value is 24:18
SESSION = RATES + """\
sessions:
  - id: visit
    name: Visit
    setting: outpatient
    lines:
      - service: exercise
        minutes: 30
"""

# one payer; services start on line 14 and the service's negotiated rates on line 23
WITH_PAYER = CLINIC + """\
payers:
  - name: Aetna
    plan: PPO
""" + SERVICES + """\
    negotiated:
      Aetna PPO: 95.00
"""


def test_the_example_texts_are_valid(tmp_path):
    assert check(tmp_path, {"rates/a.yaml": SESSION, "rates/b.yaml": WITH_PAYER}) == []


# --- schema: types ---------------------------------------------------------------------------

@pytest.mark.parametrize("old, new, expected", [
    pytest.param("gross_charge: 150.00", "gross_charge: $120",
                 f'{P}:17:19: error: gross_charge must be an amount like 120.00 (got text "$120"); '
                 f"{AMOUNT_HINT}", id="dollar-sign"),
    pytest.param("cash_price: 120.00", "cash_price: 120,00",
                 f'{P}:18:17: error: cash_price must be an amount like 120.00 (got text "120,00"); '
                 f"{AMOUNT_HINT}", id="decimal-comma"),
    pytest.param("gross_charge: 150.00", "gross_charge: 1,500.00",
                 f"{P}:17:19: error: gross_charge must be an amount like 120.00 "
                 f'(got text "1,500.00"); {AMOUNT_HINT}', id="thousands-separator"),
    pytest.param("timed: true", "timed: sometimes",
                 f'{P}:16:12: error: timed must be true or false (got text "sometimes"); '
                 "write true or false", id="not-a-yes-no-value"),
    pytest.param("disciplines: [PT]", "disciplines: PT",
                 f'{P}:5:16: error: disciplines must be a list (got text "PT"); '
                 "check the indentation and the '-' markers", id="text-for-a-list"),
    pytest.param("  - id: exercise", "    id: exercise",  # no '-': one mapping, no list
                 f"{P}:12:5: error: services must be a list (got a mapping); "
                 "check the indentation and the '-' markers", id="mapping-for-a-list"),
])
def test_wrong_type(tmp_path, old, new, expected):
    assert check_rates(tmp_path, changed(RATES, old, new)) == [expected]


# --- schema: missing and unknown keys --------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    pytest.param(changed(RATES, "    description: Therapeutic exercise\n", ""),
                 f"{P}:12:5: error: missing required key 'description' in 'services'; "
                 "add 'description: ...'", id="in-a-list-entry"),
    pytest.param(changed(RATES, ', zip: "97201"}', "}"),
                 f"{P}:8:16: error: missing required key 'zip' in 'address'; add 'zip: ...'",
                 id="in-a-flow-mapping"),
    pytest.param(SERVICES, f"{P}:1:1: error: missing required key 'clinic'; add 'clinic: ...'",
                 id="top-level-clinic"),
    pytest.param(CLINIC, f"{P}:1:1: error: missing required key 'services'; "
                 "add 'services: ...'", id="top-level-services"),
])
def test_missing_required_key_is_reported_at_the_parent_mapping(tmp_path, text, expected):
    assert check_rates(tmp_path, text) == [expected]


def test_misspelt_key_did_you_mean(tmp_path):
    text = changed(RATES, "    description:", "    descripton:")
    assert check_rates(tmp_path, text) == [
        (f"{P}:12:5: error: missing required key 'description' in 'services'; "
         "add 'description: ...'"),
         f"{P}:14:5: error: unknown key 'descripton'; did you mean 'description'?"]


def test_unknown_key_without_a_close_match_lists_the_allowed_keys(tmp_path):
    text = changed(RATES, 'zip: "97201"}', 'zip: "97201", country: US}')
    assert check_rates(tmp_path, text) == [
        (f"{P}:8:77: error: unknown key 'country'; remove it (allowed keys here: street, city, "
         "state, zip)")]


def test_unknown_site_setting_did_you_mean(tmp_path):
    site = "titel: Test Prices\nbase_url: https://example.org/\nlimits:\n  max_bytes: 1000\n"
    assert check(tmp_path, {"site.yaml": site}) == [
        "site.yaml:1:1: error: missing required key 'title'; add 'title: ...'",
        "site.yaml:1:1: error: unknown key 'titel'; did you mean 'title'?",
        "site.yaml:4:3: error: unknown key 'max_bytes'; did you mean 'max_file_bytes'?"]


@pytest.mark.parametrize("old, new, expected", [
    pytest.param("settings: [outpatient]", "settings: [outpatent]",
                 f'{P}:15:16: error: unknown settings value "outpatent"; did you mean '
                 "'outpatient'? (allowed: evaluation, outpatient, telehealth, inpatient)",
                 id="setting-did-you-mean"),
    pytest.param("settings: [outpatient]", "settings: [clinic]",
                 f'{P}:15:16: error: unknown settings value "clinic"; use one of evaluation, '
                 "outpatient, telehealth, inpatient", id="setting-no-match"),
    pytest.param("disciplines: [PT]", "disciplines: [ST]",
                 f'{P}:5:17: error: unknown disciplines value "ST"; use one of OT, PT, SLP',
                 id="discipline"),
])
def test_unknown_choice(tmp_path, old, new, expected):
    assert check_rates(tmp_path, changed(RATES, old, new)) == [expected]


# --- schema: amounts, codes and identifiers --------------------------------------------------

@pytest.mark.parametrize("value", ["-5", "0", "0.00", "-0.01"])
def test_negative_and_zero_prices(tmp_path, value):
    text = changed(RATES, "cash_price: 120.00", f"cash_price: {value}")
    assert check_rates(tmp_path, text) == [
        f"{P}:18:17: error: cash_price must be more than 0 (got number {value}); {POSITIVE_HINT}"]


def test_negative_negotiated_rate_names_the_plan(tmp_path):
    text = changed(WITH_PAYER, "Aetna PPO: 95.00", "Aetna PPO: -95.00")
    assert check_rates(tmp_path, text) == [
        (f"{P}:23:18: error: the negotiated rate for 'Aetna PPO' must be more than 0 "
         f"(got number -95.00); {POSITIVE_HINT}")]


@pytest.mark.parametrize("text, expected", [
    pytest.param(changed(RATES, "gross_charge: 150.00", "gross_charge: 150.005"),
                 f"{P}:17:19: error: gross_charge has more than 2 decimals (got number 150.005); "
                 "round it to cents, like 118.40", id="gross-charge"),
    pytest.param(changed(WITH_PAYER, "Aetna PPO: 95.00", "Aetna PPO: 95.125"),
                 f"{P}:23:18: error: the negotiated rate for 'Aetna PPO' has more than 2 "
                 "decimals (got number 95.125); round it to cents, like 118.40",
                 id="negotiated"),
])
def test_more_than_two_decimals(tmp_path, text, expected):
    assert check_rates(tmp_path, text) == [expected]


def test_trailing_zeros_are_not_extra_decimals(tmp_path):
    assert check_rates(tmp_path, changed(RATES, "150.00", "150.000")) == []


@pytest.mark.parametrize("code, expected", [
    ("9711", "'9711' is not a valid CPT code (5 digits, like 97110)"),
    ("971100", "'971100' is not a valid CPT code (5 digits, like 97110)"),
    ("G0283", "'G0283' is not a valid CPT code (5 digits, like 97110)"),
])
def test_invalid_cpt_code(tmp_path, code, expected):
    text = changed(RATES, 'code: "97110"', f'code: "{code}"')
    assert check_rates(tmp_path, text) == [
        (f"{P}:13:11: error: {expected}; check the code; set code_type: HCPCS for HCPCS codes "
         "like G0283")]


@pytest.mark.parametrize("code", ["G028", "97110", "g0283"])
def test_invalid_hcpcs_code(tmp_path, code):
    text = changed(RATES, 'code: "97110"', f'code: "{code}"\n    code_type: HCPCS')
    assert check_rates(tmp_path, text) == [
        (f"{P}:13:11: error: '{code}' is not a valid HCPCS code (a letter and 4 digits, like "
         "G0283); check the code; remove code_type: HCPCS for CPT codes like 97110")]


def test_valid_hcpcs_code(tmp_path):
    text = changed(RATES, 'code: "97110"', 'code: "G0283"\n    code_type: HCPCS')
    assert check_rates(tmp_path, text) == []


@pytest.mark.parametrize("npi, message", [
    # Luhn over 80840 + 123456789 gives 3: 1234567893 is valid, 1234567890 is not
    ("1234567890", ("NPI '1234567890' fails its check digit; copy it again from the NPPES "
                    "registry")),
    ("123456789", "NPI '123456789' must be exactly 10 digits"),
    ("12345 67893", "NPI '12345 67893' must be exactly 10 digits"),
])
def test_npi(tmp_path, npi, message):
    text = changed(RATES, 'npi: "1234567893"', f'npi: "{npi}"')
    assert check_rates(tmp_path, text) == [f"{P}:3:8: error: {message}"]


@pytest.mark.parametrize("tin", ["123456789", "123-45-6789", "12-345678"])
def test_tin_format(tmp_path, tin):
    text = changed(RATES, 'tin: "12-3456789"', f'tin: "{tin}"')
    assert check_rates(tmp_path, text) == [
        f"{P}:4:8: error: TIN '{tin}' must look like 12-3456789"]


@pytest.mark.parametrize("state", ["Oregon", "or", "O"])
def test_state_format(tmp_path, state):
    text = changed(RATES, "state: OR", f"state: {state}")
    assert check_rates(tmp_path, text) == [
        f"{P}:8:59: error: state '{state}' must be a two-letter code like OR"]


# --- cross references (validate.py) ----------------------------------------------------------

def test_duplicate_service_id(tmp_path):
    text = RATES + """\
  - id: exercise
    code: "97112"
    description: Balance training
    settings: [outpatient]
    timed: true
    gross_charge: 150.00
    cash_price: 120.00
"""
    assert check_rates(tmp_path, text) == [
        (f"{P}:19:9: error: duplicate service id 'exercise' (first given on line 12); "
         "each service id must be unique in the file")]


def test_duplicate_payer_plan(tmp_path):
    text = changed(WITH_PAYER, "    plan: PPO\n", "    plan: PPO\n  - name: Aetna\n    plan: PPO\n")
    assert check_rates(tmp_path, text) == [
        (f"{P}:14:5: error: duplicate payer plan 'Aetna PPO' (first given on line 12); "
         "each payer plan must be unique in the file")]


def test_same_payer_with_another_plan_is_fine(tmp_path):
    text = changed(WITH_PAYER, "    plan: PPO\n", "    plan: PPO\n  - name: Aetna\n    plan: HMO\n")
    assert check_rates(tmp_path, text) == []


@pytest.mark.parametrize("name, hint", [
    ("exercize", "did you mean 'exercise'?"),
    ("massage", "use the id of one of this file's services"),
])
def test_session_names_unknown_service(tmp_path, name, hint):
    text = changed(SESSION, "- service: exercise", f"- service: {name}")
    assert check_rates(tmp_path, text) == [
        f"{P}:24:18: error: session 'visit' names unknown service '{name}'; {hint}"]


def test_course_names_unknown_session_and_service(tmp_path):
    text = SESSION + """\
courses:
  - id: plan
    name: Plan of care
    visits:
      - session: vist
      - service: exercse
      - session: visit
        count: 12
"""
    assert check_rates(tmp_path, text) == [
        f"{P}:30:18: error: course 'plan' names unknown session 'vist'; did you mean 'visit'?",
        (f"{P}:31:18: error: course 'plan' names unknown service 'exercse'; "
         "did you mean 'exercise'?")]


@pytest.mark.parametrize("visit, expected", [
    ("      - count: 2\n", ("a course visit needs a service or a session; "
                            "write service: <service id> or session: <session id>")),
    ("      - service: exercise\n        session: visit\n",
     ("a course visit names both a service and a session; "
      "keep one of them; write a second visit for the other")),
])
def test_course_visit_needs_one_of_service_or_session(tmp_path, visit, expected):
    text = SESSION + "courses:\n  - id: plan\n    name: Plan of care\n    visits:\n" + visit
    assert check_rates(tmp_path, text) == [f"{P}:30:9: error: {expected}"]


@pytest.mark.parametrize("plan, hint", [
    ("Aetna HMO", "did you mean 'Aetna PPO'?"),
    ("Cigna Open Access", "add it under payers (name and plan), or fix the spelling"),
])
def test_negotiated_rate_for_unknown_payer(tmp_path, plan, hint):
    text = WITH_PAYER + f"      {plan}: 90.00\n"
    assert check_rates(tmp_path, text) == [
        f"{P}:24:7: error: negotiated rate for unknown payer plan '{plan}'; {hint}"]


@pytest.mark.parametrize("old, new, expected", [
    pytest.param("        minutes: 30\n", "        minutes: 30\n        units: 2\n",
                 "a session line has both minutes and units; "
                 "keep minutes: for timed services, units: for the others", id="both"),
    pytest.param("        minutes: 30\n", "",
                 "a session line needs minutes or units; "
                 "write minutes: for timed services, units: for the others", id="neither"),
])
def test_session_line_needs_minutes_or_units(tmp_path, old, new, expected):
    assert check_rates(tmp_path, changed(SESSION, old, new)) == [f"{P}:24:9: error: {expected}"]


def test_minutes_on_an_untimed_service(tmp_path):
    text = changed(SESSION, "timed: true", "timed: false")
    assert check_rates(tmp_path, text) == [
        (f"{P}:25:18: error: 'exercise' is not timed, so it cannot be billed by minutes; "
         "write units: 1 instead")]


def test_units_on_an_untimed_service_are_fine(tmp_path):
    text = changed(changed(SESSION, "timed: true", "timed: false"), "minutes: 30", "units: 1")
    assert check_rates(tmp_path, text) == []


def test_session_in_a_setting_the_service_is_not_offered_in(tmp_path):
    text = changed(SESSION, "setting: outpatient", "setting: telehealth")
    assert check_rates(tmp_path, text) == [
        (f"{P}:24:18: error: 'exercise' is not offered in the telehealth setting; "
         "add telehealth to its settings, or use another service")]


def test_inpatient_bundled_without_inpatient(tmp_path):
    assert check_rates(tmp_path, RATES + "    inpatient_bundled: true\n") == [
        (f"{P}:19:24: error: 'exercise' has inpatient_bundled: true but is not offered inpatient; "
         "add inpatient to its settings, or remove inpatient_bundled")]


def test_inpatient_bundled_with_inpatient_is_fine(tmp_path):
    text = changed(RATES, "[outpatient]", "[outpatient, inpatient]")
    assert check_rates(tmp_path, text + "    inpatient_bundled: true\n") == []


CASH_ABOVE_GROSS = (f"{P}:18:17: warning: cash price 170.00 is above the gross charge 150.00; "
                    "a self-pay price is normally a discount on the gross charge; "
                    "check both amounts")


def test_cash_price_above_gross_charge_is_a_warning(tmp_path):
    text = changed(RATES, "cash_price: 120.00", "cash_price: 170.00")
    assert check_rates(tmp_path, text) == [CASH_ABOVE_GROSS]


def test_cash_price_above_gross_charge_still_builds(tmp_path):
    root = make_site(tmp_path, {"rates/a.yaml": changed(RATES_INSURED, "120.00", "170.00")})
    result = cli("build", root)
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert lines[:2] == [CASH_ABOVE_GROSS, "0 errors, 1 warning"]
    assert len(lines) == 3 and lines[2].startswith("Built ") and lines[2].endswith(", 1 warning")
    assert result.stdout == ""
    assert (root / "public" / "clinics" / "a" / "index.html").is_file()


def test_cash_price_above_gross_charge_fails_with_strict(tmp_path):
    root = make_site(tmp_path, {"rates/a.yaml": changed(RATES_INSURED, "120.00", "170.00")})
    result = cli("build", "--strict", root)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        CASH_ABOVE_GROSS.replace(": warning: ", ": error: "),
        "1 error, 0 warnings",
        "build failed; the previous site was left as it was"]
    assert not (root / "public").exists()


def test_duplicate_clinic_slug_across_two_files(tmp_path):
    other = changed(RATES, "  name: Test Clinic\n", "  name: Other Clinic\n  slug: a\n")
    assert check(tmp_path, {"rates/b.yaml": other}) == [
        ("rates/b.yaml:3:9: error: clinic slug 'a' is already used by rates/a.yaml; "
         "set a different clinic.slug, or rename the file")]


def test_file_name_that_cannot_be_a_web_address(tmp_path):
    # without clinic.slug the file name becomes the clinic's URL: clinics/My Clinic/
    assert check(tmp_path, {"rates/a.yaml": None, "rates/My Clinic.yaml": RATES}) == [
        ("rates/My Clinic.yaml: error: the file name 'My Clinic.yaml' cannot be used in a web "
         "address; rename it to my-clinic.yaml (lower-case letters, digits and dashes), "
         "or set clinic.slug")]


def test_file_name_does_not_matter_with_a_clinic_slug(tmp_path):
    text = changed(RATES, "  name: Test Clinic\n", "  name: Test Clinic\n  slug: my-clinic\n")
    assert check(tmp_path, {"rates/a.yaml": None, "rates/My Clinic.yaml": text}) == []


# --- the command line ------------------------------------------------------------------------

def test_every_error_of_every_file_in_one_run(tmp_path):
    root = make_site(tmp_path, {
        "rates/a.yaml": changed(changed(RATES, '"1234567893"', "1234567893"), "150.00", "$120"),
        "rates/b.yaml": changed(RATES, "  name: Test Clinic", "\tname: Test Clinic"),
        "content/guides/costs.md": "# What things cost\n\nNo front matter here.\n",
    })
    (root / "public").mkdir()
    (root / "public" / "index.html").write_text("the last good site\n")
    (root / "public" / ".sitegen-output").write_text("made by sitegen\n")
    result = cli_process("build", root)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        ("content/guides/costs.md:1:1: error: the file has no front matter; start it with a "
         "'---' line, 'title: ...', and another '---' line"),
        (f'{P}:3:8: error: npi must be text (got number 1234567893); put it in quotes: '
         '"1234567893"'),
        (f'{P}:17:19: error: gross_charge must be an amount like 120.00 (got text "$120"); '
         f"{AMOUNT_HINT}"),
        ("rates/b.yaml:2:1: error: YAML syntax error: a tab is used for indentation; "
         "indent with spaces, not tabs"),
        "4 errors, 0 warnings",
        "build failed; the previous site was left as it was"]
    # the previous site is untouched, and no staging or lock files are left behind
    assert sorted(p.name for p in (root / "public").iterdir()) == [".sitegen-output",
                                                                   "index.html"]
    assert (root / "public" / "index.html").read_text() == "the last good site\n"
    assert sorted(p.name for p in root.iterdir()) == [
        "content", "public", "rates", "site.yaml", "templates"]


def test_a_good_build_replaces_the_previous_site(tmp_path):
    root = make_site(tmp_path, {"rates/a.yaml": RATES_INSURED})
    (root / "public").mkdir()
    (root / "public" / "stale.html").write_text("old\n")
    (root / "public" / ".sitegen-output").write_text("made by sitegen\n")
    result = cli("build", root)
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("Built ") and result.stderr.count("\n") == 1
    assert not (root / "public" / "stale.html").exists()
    assert (root / "public" / "index.html").is_file()


def test_unknown_option_is_a_usage_error(tmp_path):
    result = cli("build", "--nope", make_site(tmp_path))
    assert result.exit_code == 2
    assert "Error: No such option" in result.output and "--nope" in result.output
    assert "Traceback" not in result.output


def test_missing_site_folder_is_a_usage_error(tmp_path):
    result = cli("build", tmp_path / "nowhere")
    assert result.exit_code == 2
    assert f"Error: SITE_DIR '{tmp_path / 'nowhere'}' is not a folder" in result.output


def test_version():
    result = cli("--version")
    assert result.exit_code == 0
    assert result.output == f"sitegen, version {__version__}\n"


# --- Markdown content ------------------------------------------------------------------------

G = "content/guides/costs.md"


def check_guide(tmp_path, text: str, **more: str) -> list[str]:
    return check(tmp_path, {G: text, **more})


def test_guide_without_front_matter(tmp_path):
    assert check_guide(tmp_path, "# What things cost\n\nPrices.\n") == [
        (f"{G}:1:1: error: the file has no front matter; start it with a '---' line, "
         "'title: ...', and another '---' line")]


def test_front_matter_unknown_key_has_the_line_of_the_file(tmp_path):
    # front matter line 2 is line 3 of the file: the first '---' comes before it
    text = "---\ntitle: What things cost\nsumary: Prices\n---\nPrices.\n"
    assert check_guide(tmp_path, text) == [
        f"{G}:3:1: error: unknown key 'sumary'; did you mean 'summary'?"]


def test_front_matter_syntax_error_has_the_line_of_the_file(tmp_path):
    text = "---\ntitle: [What things cost\n---\nPrices.\n"
    assert check_guide(tmp_path, text) == [
        (f"{G}:2:8: error: YAML syntax error: this '[' is not closed with ']'; "
         "add the missing ']', or a ',' between the items")]


def test_front_matter_missing_title(tmp_path):
    assert check_guide(tmp_path, "---\nsummary: Prices\n---\nPrices.\n") == [
        f"{G}:2:1: error: missing required key 'title'; add 'title: ...'"]


def test_link_to_a_missing_guide(tmp_path):
    text = "---\ntitle: What things cost\n---\n\nRead [the glossary](../glosary.md) first.\n"
    assert check_guide(tmp_path, text) == [
        (f"{G}:5:21: error: the link '../glosary.md' points to a guide that does not exist; "
         "check the file name; links are relative to this file")]


GLOSSARY = "---\ntitle: Glossary\n---\n## Deductible\n\nWhat you pay first.\n"


def test_link_to_a_missing_heading_of_an_existing_guide(tmp_path):
    text = "---\ntitle: What things cost\n---\nSee [deductible](../glossary.md#deductable).\n"
    assert check_guide(tmp_path, text, **{"content/glossary.md": GLOSSARY}) == [
        (f"{G}:4:18: error: the link points to '#deductable', which is not a heading of "
         "glossary.md; did you mean 'deductible'?")]


def test_link_to_an_existing_heading_is_fine(tmp_path):
    text = "---\ntitle: What things cost\n---\nSee [deductible](../glossary.md#deductible).\n"
    assert check_guide(tmp_path, text, **{"content/glossary.md": GLOSSARY}) == []


@pytest.mark.parametrize("href", ["javascript:alert(1)", "JavaScript:alert(1)"])
def test_javascript_link_is_refused(tmp_path, href):
    text = f"---\ntitle: What things cost\n---\nSee [this]({href}).\n"
    assert check_guide(tmp_path, text) == [
        (f"{G}:4:12: error: the link '{href}' uses a scheme that can run code; "
         "link to an https:// page or to another guide's .md file")]


def test_raw_script_in_markdown_is_escaped(tmp_path):
    text = ("---\ntitle: What things cost\nsummary: Costs.\n---\n"
            "Prices <script>alert(1)</script> here.\n\n<script>alert(2)</script>\n")
    root = make_site(tmp_path, {G: text, "rates/a.yaml": RATES_INSURED})
    result = build(BuildOptions(root=root), write=False)
    assert [d.format() for d in result.diagnostics.items] == []
    html = result.files["guides/costs/index.html"].decode()
    assert "<p>Prices &lt;script&gt;alert(1)&lt;/script&gt; here.</p>" in html
    assert "<p>&lt;script&gt;alert(2)&lt;/script&gt;</p>" in html
    # the only <script> a page may have is JSON-LD data, which browsers do not run
    assert re.findall(r"<script(?![^>]*application/ld\+json)", html) == []


def test_front_matter_duplicate_key_names_the_files_own_lines(tmp_path: Path) -> None:
    page = "---\ntitle: A\nsummary: B\ntitle: C\n---\nText.\n"
    root = make_site(tmp_path, {"content/guides/x.md": page, "rates/a.yaml": RATES_INSURED})
    result = build(BuildOptions(root=root, out=root / "public"))
    assert [d.format() for d in result.diagnostics.items] == [
        "content/guides/x.md:4:1: error: duplicate key 'title' (first given on line 2); "
        "remove one of them; YAML would silently keep the last"]


def test_link_check_accepts_base_path_links_and_refuses_others() -> None:
    from sitegen.check import check_site
    from sitegen.diagnostics import Diagnostics

    head = ("<meta http-equiv=\"Content-Security-Policy\" content=\"script-src 'none'\">")
    files = {"index.html": f"{head}<p id=x>".encode(),
             "404.html": f'{head}<a href="/repo/#x">home</a><a href="/other/">x</a>'.encode()}
    diags = Diagnostics()
    check_site(files, diags, base="/repo/")
    # column 99: the 71 characters of the <meta>, 27 of the first link, then the second <a>
    assert [d.format() for d in diags.items] == [
        "404.html:1:99: error: broken link '/other/': it is outside the site's base path "
        "/repo/; fix the template or the page that makes this link"]


def test_a_bug_in_sitegen_is_a_short_message_not_a_traceback(tmp_path, monkeypatch):
    import sitegen.cli

    def broken(*args, **kwargs):
        raise KeyError("oops")

    monkeypatch.setattr(sitegen.cli, "build", broken)
    monkeypatch.delenv("SITEGEN_DEBUG", raising=False)
    result = CliRunner().invoke(sitegen.cli.main, ["check", str(tmp_path)])
    assert result.exit_code == 70
    assert result.stderr == (
        "sitegen: internal error: KeyError: 'oops'; this is a bug in sitegen, not in your "
        "files: please report it with the command you ran (SITEGEN_DEBUG=1 shows the details)\n")
