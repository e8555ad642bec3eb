"""`sitegen export` and `sitegen import`: spreadsheets in and out, located errors, --force,
nothing half-written."""

from __future__ import annotations

import csv
import io
import os
import shutil
import time
from decimal import Decimal
from pathlib import Path

import pytest
from helpers import CLINIC, REPO, changed, cli, make_site
from openpyxl import Workbook, load_workbook

from sitegen.diagnostics import Diagnostics
from sitegen.figures import references_near
from sitegen.load import load_model
from sitegen.model import FeeSchedule
from sitegen.sheet import _services_span, money_cell

# Each example fee schedule as import's --clinic names it: a clinic, or clinic/date.
EXAMPLES = sorted(p.relative_to(REPO / "rates").with_suffix("").as_posix()
                  for p in (REPO / "rates").rglob("*.yaml"))

# A fee schedule with two plans, a session and a course, comments and an HCPCS supply.
INSURED = CLINIC + """\

# Our plans.
payers:
  - {name: Aetna, plan: PPO}
  - {name: Medicare, plan: Part B}

services:
  # Evaluations first.
  - id: pt-eval
    code: "97162"
    description: First PT visit
    settings: [evaluation]
    gross_charge: 230.00
    cash_price: 175.00
    negotiated: {Aetna PPO: 128.75, Medicare Part B: 104.26}
  - id: exercise
    code: "97110"
    description: Therapeutic exercise
    settings: [outpatient]
    timed: true
    gross_charge: 65.00
    cash_price: 50.00
    negotiated: {Aetna PPO: 38.10}

# A typical visit.
sessions:
  - id: visit-45
    name: 45-minute visit
    setting: outpatient
    lines: [{service: exercise, minutes: 45}]
"""


def schedule(path: Path) -> FeeSchedule:
    diags = Diagnostics()  # the example schedules name yearly figures: resolve them
    loaded = load_model(path, path.name, FeeSchedule, diags, 10**7,
                        references_near(path, diags))
    assert loaded is not None, [d.format() for d in diags.items]
    return loaded[0]


def prices(s: FeeSchedule) -> dict[str, tuple]:
    return {v.id: (v.code, v.code_type, v.description, v.discipline, tuple(v.settings),
                   v.timed, v.gross_charge, v.cash_price, dict(v.negotiated),
                   v.inpatient_bundled) for v in s.services}


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


@pytest.mark.parametrize("clinic", EXAMPLES)
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_round_trip_of_each_example_clinic_keeps_every_price(
        tmp_path: Path, clinic: str, suffix: str) -> None:
    site = tmp_path / "site"
    shutil.copytree(REPO / "rates", site / "rates")
    shutil.copytree(REPO / "figures", site / "figures")  # the schedules name yearly figures
    rates = site / "rates" / f"{clinic}.yaml"
    before = rates.read_text()
    sheet = tmp_path / f"fees{suffix}"
    assert cli("export", rates, "--out", sheet).exit_code == 0
    result = cli("import", sheet, "--clinic", clinic, "--site", site, "--force")
    assert result.exit_code == 0, result.output
    # every key of every service, modifiers and locations included, and every price
    assert [s.model_dump() for s in schedule(rates).services] == \
        [s.model_dump() for s in schedule(REPO / "rates" / f"{clinic}.yaml").services]
    after = rates.read_text()
    # Everything outside services: is kept line for line, comments included.
    assert outside_services(before) == outside_services(after)
    assert [line for line in before.splitlines() if line.lstrip().startswith("#")] == \
        [line for line in after.splitlines() if line.lstrip().startswith("#")]


def outside_services(text: str) -> list[str]:
    lines = text.splitlines()
    start, end = _services_span(lines)
    assert start is not None
    return lines[:start] + lines[end:]


def test_export_csv_has_one_row_per_service_and_a_column_per_plan(tmp_path: Path) -> None:
    rates = tmp_path / "a.yaml"
    rates.write_text(INSURED)
    out = tmp_path / "fees.csv"
    assert cli("export", rates, "--out", out).exit_code == 0
    rows = list(csv.reader(io.StringIO(out.read_text())))
    assert rows == [
        ["id", "code", "code_type", "description", "discipline", "settings", "timed",
         "gross_charge", "cash_price", "modifiers", "location", "cash_price_max",
         "medicare_further_unit", "Aetna PPO", "Medicare Part B"],
        ["pt-eval", "97162", "CPT", "First PT visit", "", "evaluation", "no", "230.00",
         "175.00", "", "", "", "", "128.75", "104.26"],
        ["exercise", "97110", "CPT", "Therapeutic exercise", "", "outpatient", "yes", "65.00",
         "50.00", "", "", "", "", "38.10", ""],
        ["visit:visit-45", "", "", "45-minute visit", "", "outpatient", "", "", "", "", "", "",
         "", "", ""]]


def test_export_is_deterministic_and_refuses_to_overwrite(tmp_path: Path) -> None:
    rates = tmp_path / "a.yaml"
    rates.write_text(INSURED)
    first, second = tmp_path / "1.xlsx", tmp_path / "2.xlsx"
    assert cli("export", rates, "--out", first).exit_code == 0
    time.sleep(2.1)  # zip entries store the time to 2 seconds
    assert cli("export", rates, "--out", second).exit_code == 0
    assert first.read_bytes() == second.read_bytes()
    sheet = load_workbook(first).active
    assert sheet["H2"].value == Decimal("230") or sheet["H2"].value == 230
    again = cli("export", rates, "--out", first)
    assert again.exit_code == 1 and "already exists; add --force" in again.output
    assert cli("export", rates, "--out", first, "--force").exit_code == 0


def test_import_reads_a_practice_management_csv(tmp_path: Path) -> None:
    site = make_site(tmp_path, {"rates/a.yaml": INSURED})
    sheet = write_csv(tmp_path / "fees.csv", [
        ["CPT", "Description", "Fee", "Self Pay", "Aetna PPO Allowed", "Medicare Part B",
         "Timed"],
        ["97162", "First PT visit", "$1,078.00", "$175.00", "$128.75", "104.26", "N"],
        ["97110", "Therapeutic exercise", "65", "50.5", "", "-", "Y"],
        ["G0283", "Electrical stimulation, unattended", "$30.00", "$22.00", "15.10", "", "no"],
    ])
    result = cli("import", sheet, "--clinic", "a", "--site", site, "--force")
    assert result.exit_code == 0, result.output
    got = prices(schedule(site / "rates" / "a.yaml"))
    assert got["pt-eval"][6:9] == (Decimal("1078.00"), Decimal("175.00"),
                                  {"Aetna PPO": Decimal("128.75"),
                                   "Medicare Part B": Decimal("104.26")})
    # matched by code; an empty plan cell removes that plan's rate
    assert got["exercise"][5:9] == (True, Decimal("65"), Decimal("50.5"), {})
    # a new row gets an id from its description and HCPCS from the shape of its code
    assert got["electrical-stimulation-unattended"][:2] == ("G0283", "HCPCS")
    text = (site / "rates" / "a.yaml").read_text()
    assert "# Our plans." in text and "# A typical visit." in text
    assert "  # Evaluations first.\n  - id: pt-eval\n" in text


def test_import_reads_an_xlsx_made_by_openpyxl(tmp_path: Path) -> None:
    site = make_site(tmp_path, {"rates/a.yaml": INSURED})
    book = Workbook()
    sheet = book.active
    sheet.append(["Procedure Code", "Service Name", "Charge", "Cash Price", "Allowed"])
    sheet.append(["97162", "First PT visit", 240.0, 180, 130.4])
    sheet.append([97110, "Therapeutic exercise", "$70.00", 52.25, None])
    book.save(tmp_path / "fees.xlsx")
    result = cli("import", tmp_path / "fees.xlsx", "--clinic", "a", "--site", site, "--force",
                 "--map", "Allowed=Aetna PPO")
    assert result.exit_code == 0, result.output
    got = prices(schedule(site / "rates" / "a.yaml"))
    assert got["pt-eval"][6:9] == (Decimal("240.00"), Decimal("180"),
                                  {"Aetna PPO": Decimal("130.4"),
                                   "Medicare Part B": Decimal("104.26")})
    assert got["exercise"][6:9] == (Decimal("70.00"), Decimal("52.25"), {})


def test_bad_rows_are_located_and_nothing_is_written(tmp_path: Path) -> None:
    site = make_site(tmp_path, {"rates/a.yaml": INSURED})
    before = (site / "rates" / "a.yaml").read_bytes()
    sheet = write_csv(tmp_path / "fees.csv", [
        ["id", "code", "description", "settings", "gross", "cash", "Aetna PPO", "Notes"],
        ["pt-eval", "97162", "First PT visit", "evaluation", "about 200", "175", "128.75", ""],
        ["exercise", "9711", "Therapeutic exercise", "outpatiant", "65", "", "1.234", ""],
    ])
    result = cli("import", sheet, "--clinic", "a", "--site", site, "--force")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == (f"{sheet}:1:8: error: unknown column 'Notes'; name it like a column "
                        "(id, code, code_type, description, discipline, settings, timed, "
                        "gross_charge, cash_price, modifiers, location, cash_price_max, "
                        "medicare_further_unit) or a payer plan under payers: of the fee "
                        "schedule (Aetna PPO, Medicare Part B); or leave it out: "
                        "--map \"Notes=ignore\"")
    # the rows are checked all the same, in the same run
    assert lines[1:3] == [
        f"{sheet}:2:5: error: gross_charge must be an amount like 1,078.00 (got \"about 200\"); "
        "write the amount in dollars",
        f"{sheet}:3:6: error: cash_price must be an amount like 1,078.00 (got nothing); "
        "write the amount in dollars"]
    assert (site / "rates" / "a.yaml").read_bytes() == before

    result = cli("import", sheet, "--clinic", "a", "--site", site, "--force",
                 "--map", "Notes=ignore")
    assert result.exit_code == 1
    assert result.output.splitlines()[:-2] == [
        f"{sheet}:2:5: error: gross_charge must be an amount like 1,078.00 (got \"about 200\"); "
        "write the amount in dollars",
        f"{sheet}:3:6: error: cash_price must be an amount like 1,078.00 (got nothing); "
        "write the amount in dollars",
    ]
    assert "nothing was written" in result.output
    assert (site / "rates" / "a.yaml").read_bytes() == before
    assert not [p for p in (site / "rates").iterdir() if p.name != "a.yaml"]


def test_model_errors_point_at_their_cell(tmp_path: Path) -> None:
    site = make_site(tmp_path, {"rates/a.yaml": INSURED})
    sheet = write_csv(tmp_path / "fees.csv", [
        ["id", "code", "description", "settings", "gross", "cash", "Aetna PPO"],
        ["pt-eval", "97162", "First PT visit", "evaluation", "230", "175", "128.755"],
        ["exercise", "97110", "Therapeutic exercise", "outpatiant", "65", "50", ""],
        ["pt-eval", "97162", "Again", "evaluation", "230", "175", ""],
    ])
    result = cli("import", sheet, "--clinic", "a", "--site", site, "--force")
    assert result.exit_code == 1
    assert result.output.splitlines()[:3] == [
        f"{sheet}:2:7: error: Aetna PPO has more than 2 decimals (got number 128.755); round "
        "it to cents, like 118.40",
        f"{sheet}:3:4: error: unknown settings value \"outpatiant\"; did you mean "
        "'outpatient'? (allowed: evaluation, outpatient, telehealth, inpatient)",
        f"{sheet}:4:1: error: duplicate service id 'pt-eval' (first on row 2); each row needs "
        "its own id",
    ]


def test_dropping_a_service_a_session_uses_is_an_error_at_the_session(tmp_path: Path) -> None:
    site = make_site(tmp_path, {"rates/a.yaml": INSURED})
    sheet = write_csv(tmp_path / "fees.csv", [
        ["id", "code", "description", "settings", "gross", "cash"],
        ["pt-eval", "97162", "First PT visit", "evaluation", "230", "175"]])
    result = cli("import", sheet, "--clinic", "a", "--site", site, "--force")
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        f"rates/a.yaml:40:23: error: session 'visit-45' uses service 'exercise', which "
        f"{sheet} does not list; add its row to the spreadsheet, or take it out of the session")


def test_import_creates_a_new_clinic_that_builds(tmp_path: Path) -> None:
    site = make_site(tmp_path, {"rates/a.yaml": INSURED})
    sheet = write_csv(tmp_path / "fees.csv", [
        ["HCPCS", "Description", "Discipline", "Charge", "Self-pay", "Regence PPO"],
        ["97166", "First OT visit", "OT", "$240.00", "$185.00", "$131.00"]])
    result = cli("import", sheet, "--clinic", "new-clinic", "--site", site)
    assert result.exit_code == 0, result.output
    made = schedule(site / "rates" / "new-clinic.yaml")
    assert [p.key for p in made.payers] == ["Regence PPO"]
    assert made.clinic.disciplines == ["OT"]
    assert prices(made)["first-ot-visit"][6:9] == (Decimal("240.00"), Decimal("185.00"),
                                                  {"Regence PPO": Decimal("131.00")})
    assert cli("build", site, "--strict").exit_code == 0
    again = cli("import", sheet, "--clinic", "new-clinic", "--site", site)
    assert again.exit_code == 1 and "add --force" in again.output


def test_a_new_clinics_plan_columns(tmp_path: Path) -> None:
    site = make_site(tmp_path, {"rates/a.yaml": INSURED})
    sheet = write_csv(tmp_path / "fees.csv", [
        ["CPT", "Description", "Fee", "Self Pay", "Aetna PPO Allowed", "Medicare", "Allowed"],
        ["97110", "Exercise", "65", "50", "38.10", "30.00", "31.00"]])
    result = cli("import", sheet, "--clinic", "b", "--site", site)
    assert result.exit_code == 1
    assert result.output.splitlines()[:2] == [
        f"{sheet}:1:6: error: the plan column 'Medicare' needs the insurer's name and the "
        "plan, like 'Aetna PPO'; rename the column, or name it: --map \"Medicare=Aetna PPO\"",
        f"{sheet}:1:7: error: unknown column 'Allowed'; say which plan pays this rate: "
        "--map \"Allowed=PLAN\", with PLAN one of Aetna PPO"]
    assert not (site / "rates" / "b.yaml").exists()
    result = cli("import", sheet, "--clinic", "b", "--site", site,
                 "--map", "Medicare=Medicare Part B,Allowed=ignore")
    assert result.exit_code == 0, result.output
    made = schedule(site / "rates" / "b.yaml")
    assert [(p.name, p.plan) for p in made.payers] == [("Aetna", "PPO"), ("Medicare Part", "B")]
    assert made.services[0].negotiated == {"Aetna PPO": Decimal("38.10"),
                                           "Medicare Part B": Decimal("30.00")}


def test_import_never_leaves_a_half_written_file(tmp_path: Path, monkeypatch) -> None:
    site = make_site(tmp_path, {"rates/a.yaml": INSURED})
    before = (site / "rates" / "a.yaml").read_bytes()
    sheet = write_csv(tmp_path / "fees.csv", [
        ["id", "code", "description", "settings", "gross", "cash"],
        ["pt-eval", "97162", "First PT visit", "evaluation", "230", "175"],
        ["exercise", "97110", "Exercise", "outpatient", "65", "50"]])
    real_fdopen = os.fdopen

    class DiskFull:  # writes half the file, then the disk is full
        def __init__(self, fd: int, mode: str) -> None:
            self.handle = real_fdopen(fd, mode)

        def __enter__(self):
            return self

        def __exit__(self, *exc) -> None:
            self.handle.close()

        def write(self, data: bytes) -> None:
            self.handle.write(data[: len(data) // 2])
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fdopen", DiskFull)
    result = cli("import", sheet, "--clinic", "a", "--site", site, "--force")
    monkeypatch.undo()
    assert result.exit_code == 1
    assert "rates/a.yaml: error: cannot write the file (No space left on device)" in result.output
    assert (site / "rates" / "a.yaml").read_bytes() == before
    assert sorted(p.name for p in (site / "rates").iterdir()) == ["a.yaml"]


@pytest.mark.parametrize("cell,amount", [
    ("$1,078.00", Decimal("1078.00")), (" 1,078.5 ", Decimal("1078.5")), ("120", Decimal(120)),
    (118.4, Decimal("118.4")), (97, Decimal(97)), ("$ 45.10", Decimal("45.10")),
    ("abc", None), ("1e999", Decimal("1e999")), (True, None), ("", None),
    ("1.078,00", None), ("1,07", None), ("12,345,678.9", Decimal("12345678.9"))])
def test_money_cells(cell, amount) -> None:
    assert money_cell(cell) == amount


def test_map_and_clinic_are_checked(tmp_path: Path) -> None:
    site = make_site(tmp_path, {"rates/a.yaml": INSURED})
    sheet = write_csv(tmp_path / "fees.csv", [["code"], ["97110"]])
    bad_map = cli("import", sheet, "--clinic", "a", "--site", site, "--map", "Fee")
    assert bad_map.exit_code == 2 and "'Fee' is not HEADER=COLUMN" in bad_map.output
    bad_id = cli("import", sheet, "--clinic", "My Clinic", "--site", site)
    assert bad_id.exit_code == 2 and "like my-clinic" in bad_id.output


def test_semicolon_csv_with_a_byte_order_mark(tmp_path: Path) -> None:
    """European Excel saves 'CSV' with semicolons and a BOM; commas inside cells stay."""
    site = make_site(tmp_path, {"rates/a.yaml": INSURED})
    sheet = tmp_path / "fees.csv"
    sheet.write_bytes("\ufeffCode;Description;Fee;Self Pay\r\n"
                      "97162;First PT visit, moderate;$1.078,00;175\r\n".encode())
    result = cli("import", sheet, "--clinic", "a", "--site", site, "--force")
    assert result.exit_code == 1  # 1.078,00 is not read as 1078.00: refused, not guessed
    assert result.output.splitlines()[0] == (
        f"{sheet}:2:3: error: gross_charge must be an amount like 1,078.00 (got \"$1.078,00\"); "
        "write the amount in dollars")
    sheet.write_bytes("\ufeffCode;Description;Fee;Self Pay\r\n"
                      "97162;First PT visit, moderate;$1078.00;175\r\n"
                      "97110;Exercise;65;50\r\n".encode())
    result = cli("import", sheet, "--clinic", "a", "--site", site, "--force")
    assert result.exit_code == 0, result.output
    got = prices(schedule(site / "rates" / "a.yaml"))
    assert got["pt-eval"][2] == "First PT visit, moderate"
    assert got["pt-eval"][6] == Decimal("1078.00")


def test_a_clinic_with_dated_fee_schedules_is_named_with_its_date(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(REPO / "rates", site / "rates")
    shutil.copytree(REPO / "figures", site / "figures")  # the schedules name yearly figures
    sheet = tmp_path / "fees.csv"
    dated = sorted((site / "rates" / "cedar-street-pt").glob("*.yaml"))[-1]
    assert cli("export", dated, "--out", sheet).exit_code == 0
    result = cli("import", sheet, "--clinic", "cedar-street-pt", "--site", site, "--force")
    assert result.exit_code == 2
    assert (f"cedar-street-pt keeps its fee schedules by date in rates/cedar-street-pt/; name "
            f"one: --clinic cedar-street-pt/{dated.stem}") in result.output
    assert not (site / "rates" / "cedar-street-pt.yaml").exists()


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_text_a_spreadsheet_would_run_is_inert_and_comes_back(tmp_path: Path, suffix: str) -> None:
    site = make_site(tmp_path, {"rates/a.yaml": changed(
        INSURED, "description: Therapeutic exercise",
        "description: \"=HYPERLINK(\\\"http://evil.example\\\")\"")})
    rates = site / "rates" / "a.yaml"
    sheet = tmp_path / f"fees{suffix}"
    assert cli("export", rates, "--out", sheet).exit_code == 0
    if suffix == ".csv":
        cell = list(csv.reader(io.StringIO(sheet.read_text())))[2][3]
    else:
        found = load_workbook(sheet).active["D3"]
        assert found.data_type == "s"  # text, not a formula
        cell = found.value
    assert cell == "'=HYPERLINK(\"http://evil.example\")"
    assert cli("import", sheet, "--clinic", "a", "--site", site, "--force").exit_code == 0
    assert schedule(rates).services[1].description == "=HYPERLINK(\"http://evil.example\")"
