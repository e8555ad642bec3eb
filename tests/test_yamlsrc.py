"""The YAML layer (sitegen/yamlsrc.py): each rule with its exact diagnostic.

Inputs are the fee schedule of helpers.RATES with one line changed; the line and column
of every expected diagnostic is counted by hand from that text (see the map in helpers).
A YAML problem with one value does not hide the file's other problems (see
test_yaml_problems_do_not_hide_the_others); each case here has one problem.
"""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal

import pytest
from helpers import CLINIC, RATES, changed, check_rates, load, make_site

from sitegen.diagnostics import Diagnostics
from sitegen.yamlsrc import parse_yaml

P = "rates/a.yaml"
MAPPING_HINT = "start with the top-level keys, like 'clinic:'"


def test_the_base_fee_schedule_is_valid(tmp_path):
    assert CLINIC.count("\n") == 10 and RATES.count("\n") == 18  # the line map in helpers
    assert check_rates(tmp_path, RATES) == []


# --- syntax -------------------------------------------------------------------------------

@pytest.mark.parametrize("old, new, expected", [
    pytest.param(  # the '[' of line 15 is at column 15; libyaml only notices on line 16
        "settings: [outpatient]", "settings: [outpatient",
        f"{P}:15:15: error: YAML syntax error: this '[' is not closed with ']'; "
        "add the missing ']', or a ',' between the items", id="unclosed-bracket"),
    pytest.param(
        'zip: "97201"}', 'zip: "97201"',
        f"{P}:8:16: error: YAML syntax error: this '{{' is not closed with '}}'; "
        "add the missing '}', or a ',' between the items", id="unclosed-brace"),
    pytest.param(  # 'Note:' - the ':' is column 22 of line 14
        "description: Therapeutic exercise", "description: Note: exercise",
        f"{P}:14:22: error: YAML syntax error: a ':' followed by a space is not allowed here; "
        "put the text in quotes if it contains ': ', or check the indentation",
        id="colon-in-text"),
    pytest.param(  # one space short: line 16 no longer lines up with the service's keys
        "    timed: true", "   timed: true",
        f"{P}:16:4: error: YAML syntax error: this line does not line up with the lines above "
        "it; check the indentation, and that every quote opened above is closed",
        id="bad-indentation"),
    pytest.param(  # the quote opened on line 3 is closed by line 4's, column 8: stray text
        'npi: "1234567893"', 'npi: "1234567893',
        f"{P}:4:9: error: YAML syntax error: this line does not line up with the lines above "
        "it; check the indentation, and that every quote opened above is closed",
        id="unclosed-quote"),
])
def test_syntax_error(tmp_path, old, new, expected):
    assert check_rates(tmp_path, changed(RATES, old, new)) == [expected]


@pytest.mark.parametrize("old, new, line, col", [
    pytest.param("  name: Test Clinic", "\tname: Test Clinic", 2, 1, id="tab-first"),
    pytest.param("    timed: true", "\ttimed: true", 16, 1, id="tab-in-service"),
    pytest.param("    code:", "  \t  code:", 13, 3, id="tab-after-spaces"),
])
def test_tab_indentation(tmp_path, old, new, line, col):
    assert check_rates(tmp_path, changed(RATES, old, new)) == [
        (f"{P}:{line}:{col}: error: YAML syntax error: a tab is used for indentation; "
         "indent with spaces, not tabs")]


def test_duplicate_key_is_reported_at_the_second_naming_the_first(tmp_path):
    text = changed(RATES, "  last_updated: 2026-09-01\n",
                   "  last_updated: 2026-09-01\n  name: Other Clinic\n")
    assert check_rates(tmp_path, text) == [
        (f"{P}:11:3: error: duplicate key 'name' (first given on line 2); "
         "remove one of them; YAML would silently keep the last")]


@pytest.mark.parametrize("text, expected", [
    pytest.param("- clinic: Test Clinic\n- services: []\n",
                 f"{P}:1:1: error: the file is a list, but it must be a mapping of keys; "
                 f"{MAPPING_HINT}", id="list"),
    pytest.param("Test Clinic\n",
                 f"{P}:1:1: error: the file is just text, but it must be a mapping of keys; "
                 f"{MAPPING_HINT}", id="text"),
    pytest.param("", f"{P}: error: the file is empty, but it must be a mapping of keys; "
                 f"{MAPPING_HINT}", id="empty"),
    pytest.param("# prices to come\n",
                 f"{P}: error: the file is empty, but it must be a mapping of keys; "
                 f"{MAPPING_HINT}", id="only-a-comment"),
])
def test_document_must_be_a_mapping(tmp_path, text, expected):
    assert check_rates(tmp_path, text) == [expected]


def test_more_than_one_document(tmp_path):
    # '---' on line 1 is fine; after RATES (lines 2-19) the second '---' is line 20
    assert check_rates(tmp_path, "---\n" + RATES + "---\n" + RATES) == [
        (f"{P}:20:1: error: YAML syntax error: the file holds more than one YAML document; "
         "keep one document per file: remove the '---' line")]


def test_a_single_leading_document_marker_is_accepted(tmp_path):
    assert check_rates(tmp_path, "---\n" + RATES) == []


# --- encoding and line endings --------------------------------------------------------------

@pytest.mark.parametrize("line2, col", [
    pytest.param(b"  name: Caf\xe9 Clinic", 12, id="latin-1-e-acute"),
    # columns count characters: the two-byte UTF-8 'é' before the bad byte is one column
    pytest.param(b"  name: Caf\xc3\xa9 \xe9", 14, id="after-a-good-e-acute"),
])
def test_invalid_utf8_is_reported_at_the_bad_byte(tmp_path, line2, col):
    text = RATES.encode().replace(b"  name: Test Clinic", line2)
    assert check_rates(tmp_path, text) == [
        (f"{P}:2:{col}: error: the file is not valid UTF-8 (byte 0xe9); "
         "save it as UTF-8 in your editor")]


def test_invalid_utf8_after_a_byte_order_mark(tmp_path):
    # the mark is not part of the text: the bad byte is the first character of line 1
    assert check_rates(tmp_path, b"\xef\xbb\xbf\xe9" + RATES.encode()) == [
        (f"{P}:1:1: error: the file is not valid UTF-8 (byte 0xe9); "
         "save it as UTF-8 in your editor")]


def test_byte_order_mark_is_accepted(tmp_path):
    assert check_rates(tmp_path, b"\xef\xbb\xbf" + RATES.encode()) == []


def test_byte_order_mark_does_not_shift_columns(tmp_path):
    text = b"\xef\xbb\xbf" + changed(RATES, "clinic:", "clinc:").encode()
    assert check_rates(tmp_path, text) == [
        f"{P}:1:1: error: missing required key 'clinic'; add 'clinic: ...'",
        f"{P}:1:1: error: unknown key 'clinc'; did you mean 'clinic'?"]


def test_windows_line_endings_are_accepted(tmp_path):
    assert check_rates(tmp_path, RATES.replace("\n", "\r\n").encode()) == []


def test_windows_line_endings_keep_positions(tmp_path):
    text = changed(RATES, 'npi: "1234567893"', "npi: 1234567893").replace("\n", "\r\n")
    assert check_rates(tmp_path, text.encode()) == [
        (f"{P}:3:8: error: npi must be text (got number 1234567893); "
         'put it in quotes: "1234567893"')]


def test_control_character_is_refused_where_it_is(tmp_path):
    text = changed(RATES, "Therapeutic exercise", "Therapeutic\x07exercise")
    assert check_rates(tmp_path, text) == [
        (f"{P}:14:29: error: the file contains a control character (U+0007) that YAML does not "
         "allow; delete it; it usually comes from text pasted out of another program")]


# --- values YAML 1.1 would misread ----------------------------------------------------------

@pytest.mark.parametrize("value, meaning", [
    (".nan", "'not a number'"), (".NaN", "'not a number'"),
    (".inf", "infinity"), ("-.Inf", "infinity"),
])
def test_nan_and_infinity_are_not_amounts(tmp_path, value, meaning):
    text = changed(RATES, "gross_charge: 150.00", f"gross_charge: {value}")
    assert check_rates(tmp_path, text) == [
        (f"{P}:17:19: error: '{value}' is not an amount (YAML reads it as {meaning}); "
         "write an amount like 120.00")]


@pytest.mark.parametrize("value", ["2026-13-01", "2026-02-30", "2026-04-31"])
def test_impossible_date(tmp_path, value):
    text = changed(RATES, "last_updated: 2026-09-01", f"last_updated: {value}")
    assert check_rates(tmp_path, text) == [
        (f"{P}:10:17: error: '{value}' is not a real date; check the month and the day; "
         "dates are written YYYY-MM-DD, like 2026-10-01")]


@pytest.mark.parametrize("zip_code, number", [
    ("01234", 668),     # octal: 1*512 + 2*64 + 3*8 + 4
    ("02134", 1116),    # 2*512 + 1*64 + 3*8 + 4
    ("0x1F", 31),
])
def test_zip_with_leading_zero_must_be_quoted(tmp_path, zip_code, number):
    text = changed(RATES, 'zip: "97201"', f"zip: {zip_code}")
    assert check_rates(tmp_path, text) == [
        (f"{P}:8:68: error: '{zip_code}' would be read as the number {number}, not as written; "
         f'put it in quotes: "{zip_code}"')]


def test_zip_without_leading_zero_is_still_text_not_a_number(tmp_path):
    text = changed(RATES, 'zip: "97201"', "zip: 97201")
    assert check_rates(tmp_path, text) == [
        f'{P}:8:68: error: zip must be text (got number 97201); put it in quotes: "97201"']


@pytest.mark.parametrize("word, meaning", [
    ("NO", "false"), ("No", "false"), ("no", "false"), ("off", "false"),
    ("yes", "true"), ("Yes", "true"), ("ON", "true"),
])
def test_yes_no_words_where_text_is_meant(tmp_path, word, meaning):
    text = changed(RATES, "name: Test Clinic", f"name: {word}")
    assert check_rates(tmp_path, text) == [
        (f"{P}:2:9: error: '{word}' would be read as the yes/no value {meaning}, not as written; "
         f'write true or false, or put it in quotes if you mean text: "{word}"')]


def test_yes_no_word_in_a_yes_no_field_is_refused_too(tmp_path):
    text = changed(RATES, "timed: true", "timed: yes")
    assert check_rates(tmp_path, text) == [
        (f"{P}:16:12: error: 'yes' would be read as the yes/no value true, not as written; "
         'write true or false, or put it in quotes if you mean text: "yes"')]


def test_unquoted_npi_is_a_number_where_text_is_required(tmp_path):
    text = changed(RATES, 'npi: "1234567893"', "npi: 1234567893")
    assert check_rates(tmp_path, text) == [
        (f'{P}:3:8: error: npi must be text (got number 1234567893); put it in quotes: '
         '"1234567893"')]


@pytest.mark.parametrize("value, number", [
    ("10:30", 630),     # 10*60 + 30
    ("1:02:03", 3723),  # 1*3600 + 2*60 + 3
    ("1:30.5", "90.5"),  # a base-60 float
])
def test_base_60_numbers(tmp_path, value, number):
    text = changed(RATES, '      phone: "503-555-0100"',
                   f'      phone: "503-555-0100"\n      hours: {value}')
    assert check_rates(tmp_path, text) == [
        (f"{P}:10:14: error: '{value}' would be read as the number {number}, not as written; "
         f'put it in quotes: "{value}"')]


def test_huge_integer(tmp_path):
    digits = "1234567890" * 3 + "1"  # 31 digits
    text = changed(RATES, "gross_charge: 150.00", f"gross_charge: {digits}")
    assert check_rates(tmp_path, text) == [
        f"{P}:17:19: error: the number has 31 digits, too many to be real; check the value"]


def test_large_integer_within_yaml_limits_meets_the_amount_limit(tmp_path):
    digits = "1234567890" * 3  # 30 digits: YAML reads it, the schema refuses it
    text = changed(RATES, "gross_charge: 150.00", f"gross_charge: {digits}")
    assert check_rates(tmp_path, text) == [
        (f"{P}:17:19: error: gross_charge is too large (got number {digits}); "
         "it must be below 10000000")]


# --- structure: depth, aliases, merge keys --------------------------------------------------

def nested(levels: int) -> str:
    """`x: [[...]]` with `levels` lists; the k-th '[' is at column 3 + k."""
    return "x: " + "[" * levels + "]" * levels + "\n"


DEEP = (f"{P}:1:68: error: the file is nested more than 64 levels deep; a fee schedule needs "
        "only a few levels; check the indentation and brackets")


def test_nesting_deeper_than_64_levels(tmp_path):
    # the root mapping holds x's list at depth 1, so the 65th '[' (column 68) is too deep
    assert check_rates(tmp_path, nested(65)) == [DEEP]


def test_nesting_of_64_levels_is_read():
    diags = Diagnostics()
    doc = parse_yaml(nested(64), P, diags)
    assert diags.items == []
    assert doc is not None and doc.positions.of(("x",) + (0,) * 63) == (1, 67)


def test_very_deep_nesting_does_not_crash_the_parser(tmp_path):
    # libyaml composes recursively: 100,000 levels used to end the process (segfault)
    assert check_rates(tmp_path, nested(100_000)) == [DEEP]


def billion_laughs() -> str:
    """9 'lol's, then 8 levels of 9 aliases each: 9**9 values if it were expanded."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_fails_fast(tmp_path):
    # values read: root 1, a 10, b 91, c 820, d 7,381, e 66,430 (74,733 so far);
    # f reaches 200,000 in its second *e, so the error is at key 'f', line 6
    started = time.perf_counter()
    lines = check_rates(tmp_path, billion_laughs())
    assert time.perf_counter() - started < 3
    assert lines == [
        (f"{P}:6:1: error: the file expands to more than 200,000 values (too many aliases?); "
         "write the values out, or use fewer '*alias' references")]


def test_undefined_alias(tmp_path):
    text = changed(RATES, "settings: [outpatient]", "settings: *settings")
    assert check_rates(tmp_path, text) == [
        (f"{P}:15:15: error: YAML syntax error: the alias '*settings' has no matching "
         "'&settings' anchor before it; add '&settings' to the value it should repeat, "
         "or write the value out")]


MERGED = CLINIC + """\
services:
  - &exercise
    id: exercise
    code: "97110"
    description: Therapeutic exercise
    settings: [outpatient, telehealth]
    timed: true
    gross_charge: 150.00
    cash_price: 120.00
  - <<: *exercise
    id: gait-training
    code: "97116"
    description: Gait training
    cash_price: 110.00
"""


def test_merge_keys_work(tmp_path):
    site, lines = load(make_site(tmp_path, {"rates/a.yaml": MERGED}))
    assert lines == []
    assert site is not None
    exercise, gait = site.clinics[0].schedule.services
    assert (gait.id, gait.code, gait.description) == ("gait-training", "97116", "Gait training")
    assert gait.settings == exercise.settings == ["outpatient", "telehealth"]
    assert gait.timed is True
    assert gait.gross_charge == Decimal("150.00")  # merged from the anchor
    assert gait.cash_price == Decimal("110.00")    # the service's own value wins
    assert site.clinics[0].clinic.last_updated == date(2026, 9, 1)


def test_duplicate_key_beside_a_merge_key(tmp_path):
    text = changed(MERGED, "    cash_price: 110.00\n", "    cash_price: 110.00\n    id: gait\n")
    assert check_rates(tmp_path, text) == [
        (f"{P}:25:5: error: duplicate key 'id' (first given on line 21); "
         "remove one of them; YAML would silently keep the last")]
