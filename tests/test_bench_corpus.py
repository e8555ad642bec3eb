"""The benchmark's corpus step: a fee schedule written the way the team's corpus writer
writes it (the modifier only in the description) becomes a valid one, without weakening
the rule that refuses the same code twice."""

from __future__ import annotations

from pathlib import Path

from benchmarks.adapt_corpus import adapt_site, adapt_text
from tests.helpers import CLINIC, load, make_site


def corpus_service(ident: str, modifier: str) -> str:
    suffix = f" (modifier {modifier})" if modifier else ""
    return (f"  - id: {ident}\n    code: \"97110\"\n"
            f"    description: \"Therapeutic exercise{suffix}\"\n"
            "    settings: [outpatient]\n    timed: true\n"
            "    gross_charge: 150.00\n    cash_price: 120.00\n")


CORPUS_RATES = CLINIC + "services:\n" + "".join(
    corpus_service(ident, mod) for ident, mod in
    (("97110-outpatient", ""), ("97110-gp-outpatient", "GP"), ("97110-59-outpatient", "59")))


def test_description_modifier_moves_to_its_key() -> None:
    text = adapt_text(CORPUS_RATES)
    assert '    description: "Therapeutic exercise"\n    modifiers: ["GP"]\n' in text
    assert '    description: "Therapeutic exercise"\n    modifiers: ["59"]\n' in text
    assert "(modifier" not in text
    assert text.count("modifiers:") == 2  # the service without one gets none
    assert adapt_text(text) == text       # a second run changes nothing


def test_corpus_site_is_refused_before_and_valid_after(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"rates/a.yaml": CORPUS_RATES})
    site, errors = load(root)
    assert site is None
    assert sum("97110" in e and "error" in e for e in errors) == 2, errors
    assert adapt_site(root) == 1
    site, errors = load(root)
    assert errors == [] and site is not None
    services = site.clinics[0].schedule.services
    assert sorted(tuple(s.modifiers) for s in services) == [(), ("59",), ("GP",)]
    assert adapt_site(root) == 0
