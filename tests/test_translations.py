"""Translations in fee schedules (`translations:` on services, sessions and courses), each
rule with its exact diagnostic, and the example clinics translated in full."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import RATES, REPO, check_rates, load, make_site

from sitegen.model import TRANSLATED_LANGUAGES

P = "rates/a.yaml"
# RATES ends with the service on lines 12-18; `translations:` goes on line 19 and the
# language key on line 20, column 7.
SERVICE_ES = RATES + "    translations:\n      {key}: {description: Ejercicio}\n"

# a session (lines 19-25) and a course (lines 26-31), each with a translated name
NAMED = RATES + """\
sessions:
  - id: visit
    name: Visit
    setting: outpatient
    lines: [{service: exercise, minutes: 30}]
    translations:
      es: {name: Visita}
courses:
  - id: six
    name: Six visits
    visits: [{session: visit, count: 6}]
    translations:
      es: {name: Seis visitas}
"""


def test_translations_are_read_into_the_model(tmp_path):
    site, problems = load(_site(tmp_path, NAMED.replace(
        "    cash_price: 120.00\n", "    cash_price: 120.00\n    translations:\n"
        "      es: {description: Ejercicio terap\u00e9utico}\n")))
    assert problems == []
    schedule = site.clinics[0].schedule
    assert schedule.services[0].translations["es"].description == "Ejercicio terap\u00e9utico"
    assert schedule.sessions[0].translations["es"].name == "Visita"
    assert schedule.courses[0].translations["es"].name == "Seis visitas"


def test_translations_are_optional(tmp_path):
    site, problems = load(_site(tmp_path, RATES))
    assert problems == []
    assert site.clinics[0].schedule.services[0].translations == {}


@pytest.mark.parametrize("key, expected", [
    ("ES", "unknown language 'ES'; write es"),
    ("es-MX", "unknown language 'es-MX'; write es"),
    ("es_US", "unknown language 'es_US'; write es"),
    ("spanish", "unknown language 'spanish'; write es"),
    ("Espa\u00f1ol", "unknown language 'Espa\u00f1ol'; write es"),
    ("fr", "unknown language 'fr'; use es (Spanish)"),
    ("zz", "unknown language 'zz'; use es (Spanish)"),
    ("en", "'en' is English, the language of the entry itself; keep the English text in the "
           "entry, and translate into es (Spanish)"),
    ("en-US", "'en-US' is English, the language of the entry itself; keep the English text "
              "in the entry, and translate into es (Spanish)"),
    ("English", "'English' is English, the language of the entry itself; keep the English "
                "text in the entry, and translate into es (Spanish)"),
])
def test_unknown_language_is_reported_at_the_key(tmp_path, key, expected):
    text = SERVICE_ES.replace("{key}", key)
    assert check_rates(tmp_path, text) == [f"{P}:20:7: error: translations: {expected}"]


def test_the_known_languages_are_the_ones_with_pages():
    assert TRANSLATED_LANGUAGES == ("es",)


@pytest.mark.parametrize("entry, expected", [
    pytest.param("      es: {name: Ejercicio}\n",
                 [f"{P}:20:11: error: missing required key 'description' in 'es'; "
                  "add 'description: ...'",
                  f"{P}:20:12: error: unknown key 'name'; remove it (allowed keys here: "
                  "description)"], id="name-on-a-service"),
    pytest.param("      es: {descripton: Ejercicio}\n",
                 [f"{P}:20:11: error: missing required key 'description' in 'es'; "
                  "add 'description: ...'",
                  f"{P}:20:12: error: unknown key 'descripton'; did you mean 'description'?"],
                 id="misspelt-key"),
    pytest.param("      es: {description: ''}\n",
                 [f"{P}:20:25: error: description must not be empty; add at least one entry"],
                 id="empty"),
    pytest.param("      es: Ejercicio\n",
                 [f'{P}:20:11: error: es must be a mapping of keys (got text "Ejercicio"); '
                  "check the indentation and the '-' markers"], id="text-not-mapping"),
    pytest.param("      es: {description: \"Ejercicio\\tterap\u00e9utico\"}\n",
                 [f"{P}:20:25: error: description must be one line without control "
                  'characters, but it contains a tab (got "Ejercicio\\x09terap\u00e9utico"); '
                  "keep the text on one line and delete the character (it often comes with "
                  "text pasted from another program)"], id="control-character"),
    pytest.param("      es:\n        description: |\n          Ejercicio\n          terap\u00e9utico\n",
                 [f"{P}:21:22: error: description must be one line without control "
                  'characters, but it contains a line break (got "Ejercicio\\nterap\u00e9utico"); '
                  "use '>-' instead of '|' to fold the lines into one"], id="two-lines"),
    pytest.param("      es: {description: 12}\n",
                 [f'{P}:20:25: error: description must be text (got number 12); '
                  'put it in quotes: "12"'], id="number"),
])
def test_translated_text_follows_the_text_rules(tmp_path, entry, expected):
    assert check_rates(tmp_path, RATES + "    translations:\n" + entry) == expected


def test_text_without_a_language_says_where_it_belongs(tmp_path):
    assert check_rates(tmp_path, RATES + "    translations: {description: Ejercicio}\n") == [
        f"{P}:19:20: error: translations: 'description' must be under a language, like "
        "translations: {es: {description: ...}}",
        f'{P}:19:33: error: description must be a mapping of keys (got text "Ejercicio"); '
        "check the indentation and the '-' markers"]


def test_sessions_and_courses_translate_their_name(tmp_path):
    text = NAMED.replace("es: {name: Visita}", "es: {description: Visita}").replace(
        "es: {name: Seis visitas}", "fr: {name: Six visites}")
    assert check_rates(tmp_path, text) == [
        f"{P}:25:11: error: missing required key 'name' in 'es'; add 'name: ...'",
        f"{P}:25:12: error: unknown key 'description'; remove it (allowed keys here: name)",
        f"{P}:31:7: error: translations: unknown language 'fr'; use es (Spanish)"]


def test_every_example_clinic_is_translated_into_every_language():
    """The shop window: each service description, session and course name of every
    example fee schedule (dated ones too) has a translation, different from the English."""
    from sitegen.build import BuildOptions, load_site
    from sitegen.diagnostics import Diagnostics

    site = load_site(BuildOptions(root=REPO), Diagnostics())
    schedules = [e.schedule for c in site.clinics for e in c.editions] + \
        [c.schedule for c in site.clinics if not c.editions]
    assert len(schedules) >= 6
    missing = []
    for schedule in schedules:
        for entry, english, field in (
                [(s, s.description, "description") for s in schedule.services] +
                [(s, s.name, "name") for s in schedule.sessions] +
                [(c, c.name, "name") for c in schedule.courses]):
            for lang in TRANSLATED_LANGUAGES:
                translated = entry.translations.get(lang)
                if translated is None or getattr(translated, field) == english:
                    missing.append(f"{schedule.clinic.name}: {entry.id} ({lang})")
    assert missing == []


def _site(tmp_path: Path, text: str) -> Path:
    return make_site(tmp_path, {"rates/a.yaml": text})


# --- translated pages keep the English page's heading ids -------------------------------------

GLOSSARY = """\
---
title: Glosario
---

## Monto permitido {#allowed-amount}

Lo máximo que su plan cuenta como el precio de un servicio.

## Deducible  {#deductible}

## Copago {#Bad Id}
"""


def test_a_heading_can_keep_a_fixed_id(tmp_path):
    guide = "---\ntitle: Guía\nsummary: Una guía.\n---\n\nVea el " \
        "[monto permitido](../glossary.md#allowed-amount) y el [deducible](../glossary.md#deductible).\n"
    site, problems = load(make_site(tmp_path, {"content/glossary.md": GLOSSARY,
                                               "content/guides/x.md": guide}))
    assert problems == []
    glossary = site.page("glossary.md")
    assert glossary.toc == (("allowed-amount", "Monto permitido"), ("deductible", "Deducible"),
                            ("copago-bad-id", "Copago {#Bad Id}"))
    assert '<h2 id="allowed-amount">Monto permitido</h2>' in glossary.html


def test_a_link_to_a_missing_fixed_id_is_still_an_error(tmp_path):
    guide = "---\ntitle: Guía\nsummary: Una guía.\n---\n\n[copago](../glossary.md#copay)\n"
    _, problems = load(make_site(tmp_path, {"content/glossary.md": GLOSSARY,
                                            "content/guides/x.md": guide}))
    assert problems == ["content/guides/x.md:6:10: error: the link points to '#copay', which "
                        "is not a heading of glossary.md; link to a heading's id: its words in "
                        "lower case, joined by '-'"]


def test_the_spanish_glossary_answers_every_english_term():
    """Pages link to glossary terms by the English ids (`term('cash-price', ...)` and the
    guides' links); the Spanish glossary keeps them, one for one."""
    english = {re.sub(r"[^a-z0-9]+", "-", h.lower()).strip("-")
               for h in re.findall(r"^## (.+)$", (REPO / "content/glossary.md").read_text(),
                                   re.M)}
    spanish = re.findall(r"^## .+ \{#([a-z0-9-]+)\}$",
                         (REPO / "content/es/glossary.md").read_text(), re.M)
    assert sorted(spanish) == sorted(english)


# --- the example site's translated explainers -------------------------------------------------

SPANISH = sorted((REPO / "content/es").rglob("*.md"))
_LINK = re.compile(r"\]\(([^)]+)\)")
_EXAMPLE = re.compile(r'\{\{< (estimate|price) clinic="([^"]+)" (?:course|service)="([^"]+)"'
                      r'(?: scenario="([^"]+)")?')


def _front_matter_keys(path: Path) -> list[str]:
    head = path.read_text(encoding="utf-8").split("\n---\n", 1)[0]
    return re.findall(r"^([a-z_]+):", head, re.M)


def test_the_example_site_translates_the_required_explainers():
    assert {p.relative_to(REPO / "content/es").as_posix() for p in SPANISH} >= {
        "glossary.md", "guides/deductibles.md", "guides/copays-and-coinsurance.md",
        "guides/good-faith-estimates.md"}


@pytest.mark.parametrize("spanish", SPANISH, ids=lambda p: p.name)
def test_a_translation_mirrors_its_english_page(spanish):
    """Same path under content/, the English page's front matter keys, the same links in
    the same order (to the same guides and glossary terms), the same clinics' examples."""
    english = REPO / "content" / spanish.relative_to(REPO / "content/es")
    assert english.is_file()
    assert set(_front_matter_keys(english)) <= set(_front_matter_keys(spanish))
    es_text, en_text = spanish.read_text(encoding="utf-8"), english.read_text(encoding="utf-8")
    assert _LINK.findall(es_text) == _LINK.findall(en_text)
    assert _EXAMPLE.findall(es_text) == _EXAMPLE.findall(en_text)


def test_scheduled_separately_is_translated_item_by_item(tmp_path):
    """Each item a course schedules separately, in the same order: a list of another
    length would drop or invent an item of the estimate, so it is an error at the list."""
    listed = NAMED.replace("    visits: [{session: visit, count: 6}]\n",
                           "    visits: [{session: visit, count: 6}]\n"
                           "    scheduled_separately: [A re-evaluation, A new splint]\n")
    both = listed.replace("es: {name: Seis visitas}", "es: {name: Seis visitas, "
                          "scheduled_separately: [Una reevaluación, Una férula nueva]}")
    site, problems = load(_site(tmp_path / "ok", both))
    assert problems == []
    assert site.clinics[0].schedule.courses[0].translations["es"].scheduled_separately == \
        ["Una reevaluación", "Una férula nueva"]
    short = listed.replace("es: {name: Seis visitas}", "es: {name: Seis visitas, "
                           "scheduled_separately: [Una reevaluación]}")
    assert check_rates(tmp_path / "short", short) == [
        f"{P}:27:5: error: translations: es: scheduled_separately has 1 items, the course's "
        "has 2 (got 1); translate each item of the course's scheduled_separately, in the "
        "same order"]
