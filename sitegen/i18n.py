"""Languages: the gettext catalogs of the UI words and per-language money, dates, numbers.

The catalogs are `sitegen/locale/<lang>/LC_MESSAGES/messages.po`, the file a translator
edits. They are compiled with Babel when a build first needs them (in memory, never
committed as .mo files), so an edit to a .po file shows on the next build. English is the
language of the templates themselves: it needs no catalog, and its formats are the ones
sitegen always had, so an English-only site builds byte for byte as before.
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from sitegen import formats
from sitegen.formats import N_  # noqa: F401 - the marker, importable from here too

LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT = "en"
LANGUAGES = ("en", "es")        # the languages sitegen has UI catalogs for
NAMES = {"en": "English", "es": "Español"}   # each language in its own words
BABEL_LOCALES = {"en": "en_US", "es": "es_US"}  # US Spanish: $1,234.50 as US patients read it


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalog of `lang` (no catalog, no translation: the English source)."""
    po = LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"
    if lang == DEFAULT or not po.is_file():
        return gettext.NullTranslations()
    with po.open("rb") as fp:
        catalog = read_po(fp, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def gettext_for(lang: str):
    """`_` for Python code that words things for patients in `lang`."""
    return translations(lang).gettext


def money(amount: Decimal | None, lang: str = DEFAULT) -> str:
    """$1,234.50 (half-up to cents); an em dash when there is no amount."""
    if amount is None or lang == DEFAULT:
        return formats.money(amount)
    cents = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    number = format_decimal(abs(cents), format="#,##0.00", locale=BABEL_LOCALES[lang])
    return f"-${number}" if cents < 0 else f"${number}"


def long_date(value: dt.date, lang: str = DEFAULT) -> str:
    """November 30, 2026; 30 de noviembre de 2026."""
    if lang == DEFAULT:
        return formats.long_date(value)
    return format_date(value, format="long", locale=BABEL_LOCALES[lang])


def percent(fraction: Decimal, lang: str = DEFAULT) -> str:
    """20%, 12.5%: the figure as CMS's Spanish pages write it too ("un coseguro del 20%")."""
    if lang == DEFAULT:
        return formats.percent(fraction)
    number = format_decimal((fraction * 100).normalize(), format="#,##0.##########",
                            locale=BABEL_LOCALES[lang])
    return f"{number}%"


def number(value: Decimal | int, lang: str = DEFAULT) -> str:
    """A count or quantity in the language's digits (1,234.5)."""
    return format_decimal(value, format="#,##0.##########", locale=BABEL_LOCALES[lang])
