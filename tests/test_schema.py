"""`sitegen schema`: the committed schema files are current, the examples pass them, the
schema catches mistakes, and docs/fee-schedule.md documents exactly the model's keys."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from helpers import REPO, cli
from jsonschema import Draft202012Validator

from sitegen.diagnostics import Diagnostics
from sitegen.schema import FILES, all_model_keys, doc_tables, json_schema, schema_text
from sitegen.yamlsrc import read_yaml

EXAMPLES = [*sorted((REPO / "rates").rglob("*.yaml")), REPO / "site.yaml"]
REGENERATE = ("regenerate it: sitegen schema > schema/fee-schedule.schema.json && "
              "sitegen schema --site > schema/site.schema.json")


def as_json(value: Any) -> Any:
    """A YAML value as the YAML language server sees it (dates are text there)."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def yaml_data(path: Path) -> Any:
    diags = Diagnostics()
    doc = read_yaml(path, path.name, diags)
    assert doc is not None, diags.items
    return as_json(doc.data)


@pytest.mark.parametrize("site", [False, True])
def test_committed_schema_files_are_current(site: bool) -> None:
    committed = (REPO / FILES[site]).read_text(encoding="utf-8")
    assert committed == schema_text(site), f"{FILES[site]} is stale; {REGENERATE}"


def test_schema_command_prints_the_schema() -> None:
    result = cli("schema")
    assert result.exit_code == 0 and result.output == schema_text(False)
    site = cli("schema", "--site")
    assert site.exit_code == 0 and json.loads(site.output)["required"] == ["title"]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_example_file_passes_its_schema_and_names_it(path: Path) -> None:
    site = path.name == "site.yaml"
    validator = Draft202012Validator(json_schema(site),
                                     format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in
              validator.iter_errors(yaml_data(path))]
    assert errors == []
    first = path.read_text(encoding="utf-8").splitlines()[0]
    depth = len(path.relative_to(REPO).parts) - 1  # rates/x.yaml: 1; rates/x/date.yaml: 2
    target = "schema/site.schema.json" if site else \
        "../" * depth + "schema/fee-schedule.schema.json"
    assert first == f"# yaml-language-server: $schema={target}"
    assert (path.parent / target).resolve().is_file()


def test_schema_is_draft_2020_12_and_flags_the_mistakes_the_loader_refuses() -> None:
    schema = json_schema(False)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    good = yaml_data(REPO / "rates" / "riverside-hand-ot.yaml")
    validator = Draft202012Validator(schema)

    def problems(change) -> list[str]:
        data = copy.deepcopy(good)
        change(data)
        return sorted(e.validator for e in validator.iter_errors(data))

    def typo(d): d["services"][0]["gross_charges"] = d["services"][0].pop("gross_charge")
    def quoted_price(d): d["services"][0]["cash_price"] = "120.00"
    def negative(d): d["services"][0]["cash_price"] = 0
    def setting(d): d["services"][0]["settings"] = ["outpatiant"]
    def no_clinic(d): del d["clinic"]
    def npi_number(d): d["clinic"]["npi"] = 1234567893

    assert problems(typo) == ["additionalProperties", "required"]
    assert problems(quoted_price) == ["type"]
    assert problems(negative) == ["exclusiveMinimum"]
    assert problems(setting) == ["enum"]
    assert problems(no_clinic) == ["required"]
    assert problems(npi_number) == ["type"]


def test_each_key_carries_its_description_from_the_docs() -> None:
    schema = json_schema(False)
    service = schema["$defs"]["Service"]["properties"]
    docs = doc_tables((REPO / "docs" / "fee-schedule.md").read_text(encoding="utf-8"))
    assert service["gross_charge"]["description"] == docs[("fee", "services.gross_charge")]
    assert service["gross_charge"]["description"].startswith("The clinic's full")
    assert schema["$defs"]["Clinic"]["properties"]["npi"]["description"] == \
        docs[("fee", "clinic.npi")]
    site = json_schema(True)
    assert site["properties"]["base_url"]["description"] == docs[("site", "base_url")]
    # Scenario keys are documented once, under the fee schedule's scenarios
    assert site["$defs"]["Scenario"]["properties"]["coinsurance"]["description"] == \
        docs[("fee", "scenarios.coinsurance")]


def test_docs_key_tables_and_the_model_are_in_step() -> None:
    """Every key the model accepts has a row in docs/fee-schedule.md, and every documented
    key exists: a field added to the model without docs (or a stale row) fails here."""
    documented = set(doc_tables((REPO / "docs" / "fee-schedule.md").read_text("utf-8")))
    keys = set(all_model_keys())
    assert sorted(keys - documented) == [], "keys missing from docs/fee-schedule.md"
    assert sorted(documented - keys) == [], "documented keys the model does not have"


def test_doc_tables_reads_headings_and_dotted_keys() -> None:
    text = ("## `clinic`\n\n| Key | Type | Meaning |\n| --- | --- | --- |\n"
            "| `name` | text | The **public** name, see [docs](x.md). |\n\n"
            "### `clinic.locations[]`\n\n| Key | Meaning |\n| --- | --- |\n"
            "| `phone` | A phone. |\n\n"
            "## `site.yaml`\n\n| Key | Meaning |\n| --- | --- |\n"
            "| `limits.max_file_bytes` | Biggest file. |\n\n"
            "## Content front matter\n\n| Key | Meaning |\n| --- | --- |\n| `title` | T. |\n")
    assert doc_tables(text) == {
        ("fee", "clinic"): "", ("fee", "clinic.name"): "The public name, see docs.",
        ("fee", "clinic.locations"): "", ("fee", "clinic.locations.phone"): "A phone.",
        ("site", "limits"): "", ("site", "limits.max_file_bytes"): "Biggest file."}
