"""The built-in notice of the right to a good faith estimate in each language: every
version translated, with the same parts and the same figures as the English."""

from __future__ import annotations

import re

import pytest

from sitegen.notices import BUILTIN, CURRENT, TRANSLATIONS, NoticeText, notice_for

# What a translation may not change: amounts, counts of days, phone numbers, addresses.
FIGURES = re.compile(r"\$\d+|\d[\d-]*|[\w.]+@[\w.]+|www\.[\w./]+")


def _parts(notice: NoticeText) -> list[str]:
    return [notice.title, *notice.paragraphs, *notice.points, notice.contact]


@pytest.mark.parametrize("version", sorted(BUILTIN))
def test_every_builtin_version_has_a_spanish_translation(version):
    spanish, english = notice_for(version, "es"), BUILTIN[version]
    assert spanish is TRANSLATIONS["es"][version]
    assert spanish != english
    assert len(spanish.paragraphs) == len(english.paragraphs)
    assert len(spanish.points) == len(english.points)
    for es, en in zip(_parts(spanish), _parts(english), strict=True):
        assert FIGURES.findall(es) == FIGURES.findall(en), (es, en)


def test_the_spanish_wording_is_cms_s_own():
    notice = notice_for(CURRENT, "es")
    assert notice.title == "Su derecho a recibir una estimación de buena fe de los cargos " \
        "esperados"
    assert notice.paragraphs[0] == "Tiene derecho a recibir una \u201cEstimación de buena " \
        "fe\u201d de cuánto costará su atención médica."
    assert "por lo menos $400 más que la Estimación de buena fe que le dio, puede disputar " \
        "la factura" in notice.points[2]
    assert "120 días calendario" in notice.points[2]
    assert notice_for("2026-01", "es").contact == (
        "Si tiene preguntas o desea más información sobre su derecho a una Estimación de "
        "buena fe, visite www.cms.gov/nosurprises o llame al 1-800-985-3059.")


@pytest.mark.parametrize("lang", ["en", "fr", "", "ES"])
def test_other_languages_get_the_english_notice(lang):
    for version, english in BUILTIN.items():
        assert notice_for(version, lang) is english


def test_no_translation_of_a_version_that_is_not_built_in():
    assert all(set(versions) <= set(BUILTIN) for versions in TRANSLATIONS.values())
