"""Tests for `sitegen estimate FILE`: worked examples, JSON and self-pay input, and the
diagnostics (exact text, exit code 1, nothing on stdout) for bad input."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sitegen.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def _runner() -> CliRunner:
    """stdout and stderr apart (click 8.2+ always; 8.1 needs mix_stderr=False)."""
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        return CliRunner()


def run(*args: str) -> Result:
    return _runner().invoke(main, ["estimate", *args])


@pytest.fixture(autouse=True)
def _plain_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """On GitHub Actions report() also prints annotations to stdout; keep output plain."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


def visit(name: str, patient: str, plan: str) -> dict[str, str]:
    return {"name": name, "patient": patient, "plan": plan}


EXPECTED_A = {
    "visits": [visit("Evaluation", "110.00", "0.00")]
    + [visit("Session", "95.00", "0.00")] * 5
    + [visit("Session", "31.00", "64.00")]
    + [visit("Session", "19.00", "76.00")] * 3
    + [visit("Session", "150.00", "0.00")] * 3,
    "patient_total": "1123.00",
    "plan_total": "292.00",
}

EXPECTED_B = {
    "visits": [visit("Evaluation", "30.00", "80.00")] + [visit("Session", "30.00", "65.00")] * 12,
    "patient_total": "390.00",
    "plan_total": "860.00",
}


def as_output(data: dict) -> str:
    return json.dumps(data, indent=2) + "\n"


# --- Worked examples --------------------------------------------------------


def test_example_a_deductible_coinsurance_and_visit_limit() -> None:
    result = run(str(EXAMPLES / "estimate-a.yaml"))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == as_output(EXPECTED_A)
    assert json.loads(result.stdout) == EXPECTED_A
    assert list(json.loads(result.stdout)) == ["visits", "patient_total", "plan_total"]
    assert result.stderr == ""


def test_example_b_copay_waives_deductible() -> None:
    result = run(str(EXAMPLES / "estimate-b.yaml"))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == as_output(EXPECTED_B)
    assert result.stderr == ""


def test_example_a_as_a_subprocess() -> None:
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    done = subprocess.run(
        [sys.executable, "-m", "sitegen", "estimate", "examples/estimate-a.yaml"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == as_output(EXPECTED_A)
    assert done.stderr == ""


# --- Other inputs -------------------------------------------------------------


def test_json_input_gives_the_same_estimate(tmp_path: Path) -> None:
    source = tmp_path / "a.json"
    source.write_text(
        "{\n"
        '\t"plan": {"network": "in-network", "deductible_remaining": 600,\n'
        '\t         "coinsurance": 0.20, "oop_remaining": 2000, "visits_remaining": 10},\n'
        '\t"visits": [\n'
        '\t\t{"name": "Evaluation", "billed": 250, "allowed": 110, "counts_as_visit": true},\n'
        '\t\t{"name": "Session", "billed": 150, "allowed": 95, "over_limit": 150, "repeat": 12}\n'
        "\t]\n"
        "}\n",
        encoding="utf-8",
    )
    result = run(str(source))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == as_output(EXPECTED_A)


def test_self_pay_uses_the_cash_price_or_the_charge(tmp_path: Path) -> None:
    source = tmp_path / "cash.yaml"
    source.write_text(
        "plan:\n"
        "  network: self-pay\n"
        "  deductible_remaining: 600\n"  # ignored without insurance
        "  coinsurance: 0.20\n"
        "visits:\n"
        "  - name: Evaluation\n"
        "    billed: 250\n"
        "    allowed: 110\n"
        "    cash: 190\n"
        "  - name: Session\n"
        "    billed: 150.50\n"
        "    repeat: 2\n",
        encoding="utf-8",
    )
    result = run(str(source))
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {
        "visits": [visit("Evaluation", "190.00", "0.00")]
        + [visit("Session", "150.50", "0.00")] * 2,
        "patient_total": "491.00",
        "plan_total": "0.00",
    }


@pytest.mark.parametrize(("extra", "patient"), [("", "90.00"), ("  balance_billing: false\n",
                                                                  "40.00")])
def test_out_of_network_balance_billing(tmp_path: Path, extra: str, patient: str) -> None:
    source = tmp_path / "oon.yaml"
    source.write_text("plan:\n  network: out-of-network\n  coinsurance: 0.40\n" + extra +
                      "visits:\n  - name: Session\n    billed: 150\n    allowed: 100\n",
                      encoding="utf-8")
    result = run(str(source))
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"visits": [visit("Session", patient, "60.00")],
                                         "patient_total": patient, "plan_total": "60.00"}


def test_coinsurance_rounds_half_up_per_visit(tmp_path: Path) -> None:
    source = tmp_path / "round.yaml"
    source.write_text("plan:\n  network: in-network\n  coinsurance: 0.25\nvisits:\n"
                      "  - name: Session\n    billed: 120\n    allowed: 94.50\n    repeat: 2\n",
                      encoding="utf-8")
    result = run(str(source))
    assert result.exit_code == 0, result.stderr
    # 25% of 94.50 is 23.625: half-up gives 23.63 (banker's rounding would give 23.62).
    assert json.loads(result.stdout) == {"visits": [visit("Session", "23.63", "70.87")] * 2,
                                         "patient_total": "47.26", "plan_total": "141.74"}


def test_out_of_pocket_maximum_caps_the_share(tmp_path: Path) -> None:
    source = tmp_path / "oop.yaml"
    source.write_text("plan:\n  network: in-network\n  deductible_remaining: 100\n"
                      "  coinsurance: 0.20\n  oop_remaining: 120\nvisits:\n"
                      "  - name: Session\n    billed: 150\n    allowed: 95\n    repeat: 3\n",
                      encoding="utf-8")
    result = run(str(source))
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["visits"] == [
        visit("Session", "95.00", "0.00"),
        visit("Session", "23.00", "72.00"),  # last 5 of the deductible + 20% of 90
        visit("Session", "2.00", "93.00"),  # only 2.00 left before the maximum
    ]


# --- Bad input: diagnostics on stderr, exit code 1 -----------------------------

PLAN = "plan:\n  network: in-network\n"
VISITS = "visits:\n  - name: Session\n    billed: 150\n"
NOT_A_MAPPING = ("but it must be a mapping with the keys 'plan' and 'visits'; see the example "
                 "in docs/estimate.md")

BAD = {
    "coinsurance-above-1": (
        PLAN + "  coinsurance: 1.5\n" + VISITS,
        ("in.yaml:3:16: error: coinsurance is too large (got number 1.5); "
         "coinsurance is a fraction: write 20% as 0.20"),
    ),
    "coinsurance-percent": (
        PLAN + "  coinsurance: 20\n" + VISITS,
        ("in.yaml:3:16: error: coinsurance is too large (got number 20); "
         "coinsurance is a fraction: write 20% as 0.20"),
    ),
    "coinsurance-negative": (
        PLAN + "  coinsurance: -0.2\n" + VISITS,
        ("in.yaml:3:16: error: coinsurance must be more than 0 (got number -0.2); "
         "prices and counts are positive; remove the entry if it does not apply"),
    ),
    "negative-amount": (
        PLAN + "visits:\n  - name: Session\n    billed: -150\n",
        ("in.yaml:5:13: error: billed must be more than 0 (got number -150); "
         "prices and counts are positive; remove the entry if it does not apply"),
    ),
    "negative-deductible": (
        PLAN + "  deductible_remaining: -5\n" + VISITS,
        ("in.yaml:3:25: error: deductible_remaining must be more than 0 (got number -5); "
         "prices and counts are positive; remove the entry if it does not apply"),
    ),
    "unknown-network": (
        "plan:\n  network: in-netwrk\n" + VISITS,
        ("in.yaml:2:12: error: unknown network value \"in-netwrk\"; did you mean 'in-network'? "
         "(allowed: in-network, out-of-network, self-pay)"),
    ),
    "unknown-plan-key": (
        PLAN + "  copai: 30\n" + VISITS,
        "in.yaml:3:3: error: unknown key 'copai'; did you mean 'copay'?",
    ),
    "unknown-visit-key": (
        PLAN + VISITS + "    alowed: 95\n",
        "in.yaml:6:5: error: unknown key 'alowed'; did you mean 'allowed'?",
    ),
    "unknown-key-no-match": (
        PLAN + VISITS + "    discount: 5\n",
        ("in.yaml:6:5: error: unknown key 'discount'; remove it (allowed keys here: name, "
         "billed, allowed, codes, cash, over_limit, counts_as_visit, discipline, network, "
         "date, days_apart, repeat)"),
    ),
    "text-for-a-number": (
        PLAN + "visits:\n  - name: Session\n    billed: \"$150\"\n",
        ("in.yaml:5:13: error: billed must be an amount like 120.00 (got text \"$150\"); write "
         "the number only, without '$' or thousands separators, with '.' for cents"),
    ),
    "quoted-number": (
        PLAN + "  copay: \"30\"\n" + VISITS,
        ("in.yaml:3:10: error: copay must be an amount like 120.00 (got text \"30\"); write "
         "the number only, without '$' or thousands separators, with '.' for cents"),
    ),
    "text-for-a-count": (
        PLAN + "  visits_remaining: ten\n" + VISITS,
        ("in.yaml:3:21: error: visits_remaining must be a whole number (got text \"ten\"); "
         "write it like 12"),
    ),
    "missing-network": (
        "plan:\n  coinsurance: 0.2\n" + VISITS,
        "in.yaml:2:3: error: missing required key 'network' in 'plan'; add 'network: ...'",
    ),
    "empty-file": ("", f"in.yaml: error: the file is empty, {NOT_A_MAPPING}"),
    "comments-only": ("# nothing yet\n", f"in.yaml: error: the file is empty, {NOT_A_MAPPING}"),
    "a-list": ("- plan\n", f"in.yaml:1:1: error: the file is a list, {NOT_A_MAPPING}"),
}


@pytest.mark.parametrize(("text", "line"), list(BAD.values()), ids=list(BAD))
def test_bad_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str,
                   line: str) -> None:
    monkeypatch.chdir(tmp_path)
    Path("in.yaml").write_text(text, encoding="utf-8")
    result = run("in.yaml")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == line + "\n1 error, 0 warnings\n"
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_every_problem_is_reported_at_once(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("in.yaml").write_text(
         "plan:\n"
         "  network: self-pay\n"
         "  coinsurance: 1.5\n"
         "visits:\n"
         "  - name: Evaluation\n"
         "    billed: -250\n"
         "  - name: Session\n"
         "    billed: 150\n"
         "    repeats: 12\n",
         encoding="utf-8",
         )
    result = run("in.yaml")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        ("in.yaml:3:16: error: coinsurance is too large (got number 1.5); "
         "coinsurance is a fraction: write 20% as 0.20"),
        ("in.yaml:6:13: error: billed must be more than 0 (got number -250); "
         "prices and counts are positive; remove the entry if it does not apply"),
        "in.yaml:9:5: error: unknown key 'repeats'; did you mean 'repeat'?",
        "3 errors, 0 warnings",
    ]


def test_missing_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("nowhere.yaml")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == ("nowhere.yaml: error: cannot read the file (No such file or "
                             "directory)\n1 error, 0 warnings\n")


def test_json_syntax_error_has_line_and_column(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("in.json").write_text(
        '{\n  "plan": {"network": "self-pay"}\n  "visits": [{"name": "E", "billed": 1}]\n}\n',
        encoding="utf-8",
    )
    result = run("in.json")
    assert result.exit_code == 1
    assert result.stdout == ""
    first, summary = result.stderr.splitlines()
    # The wording and the exact position belong to yamlsrc (its syntax-error reporting);
    # this command's promise is a located error, not a traceback or a bare file name.
    assert re.fullmatch(r"in\.json:[1-4]:[1-9]\d*: error: YAML syntax error: .+", first), first
    assert summary == "1 error, 0 warnings"


def test_json_type_errors_point_into_the_json(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("in.json").write_text(
        '{"plan": {"network": "self-pay"},\n "visits": [{"name": "E", "billed": "250"}]}\n',
        encoding="utf-8",
    )
    result = run("in.json")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "in.json:2:37: error: billed must be an amount like 120.00 (got text \"250\"); write "
        "the number only, without '$' or thousands separators, with '.' for cents")


# --- Usage errors: exit code 2 ---------------------------------------------------


def test_missing_argument_is_a_usage_error() -> None:
    result = run()
    assert result.exit_code == 2
    assert "Missing argument 'FILE'" in result.stderr


def test_unknown_option_is_a_usage_error() -> None:
    result = run("--nope", str(EXAMPLES / "estimate-a.yaml"))
    assert result.exit_code == 2
    assert "No such option" in result.stderr


def test_a_folder_is_a_usage_error() -> None:
    result = run(str(EXAMPLES))
    assert result.exit_code == 2
    assert result.stdout == ""
