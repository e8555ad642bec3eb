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
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

from babel.dates import format_date
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from markupsafe import Markup, escape

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


# --- sentences worded in Python -----------------------------------------------------------------
# Estimates, plans and the guided flow word their sentences in the derive stage, once per
# clinic, for every language. Each is a `Say`: a plain str in English (so it compares,
# hashes, sorts and goes into CSV and JSON as before) that remembers its message and its
# values, and is worded in the page's language when a template shows it.

_PAGE_LANGUAGE: ContextVar[str] = ContextVar("sitegen_page_language", default=DEFAULT)


@contextmanager
def page_language(lang: str) -> Iterator[None]:
    """Templates rendered inside show every `Say` in `lang`."""
    token = _PAGE_LANGUAGE.set(lang)
    try:
        yield
    finally:
        _PAGE_LANGUAGE.reset(token)


def _value(value: object, lang: str) -> str:
    if isinstance(value, Say):
        return value.worded(lang)
    if isinstance(value, dt.date):
        return long_date(value, lang)
    if isinstance(value, tuple):  # a list in words: "a, b and c" / "a, b y c"
        words = [_value(v, lang) for v in value]
        if lang == DEFAULT or len(words) < 2:  # English as sitegen always wrote it: no comma
            return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else \
                "".join(words)
        return format_list(words, locale=BABEL_LOCALES.get(lang, "en_US"))
    return str(value)


class Say(str):
    """`Say(N_-style msgid, **values)`: a patient-facing sentence from Python. Values may
    be Says, dates or tuples (a list in words) and are worded in the same language. Mark
    the msgid for pybabel with `Say` (babel.cfg keywords) and translate it in messages.po."""

    msgid: str
    values: dict[str, object]

    def __new__(cls, msgid: str, **values: object) -> Say:
        self = super().__new__(cls, _word(msgid, values, DEFAULT))
        self.msgid, self.values = msgid, values
        return self

    def __reduce__(self):  # pickles (the render pool, caches) keep the message and values
        return (_rebuild, (self.msgid, self.values))

    def worded(self, lang: str) -> str:
        if lang == DEFAULT:  # the English words are the str itself, worded when it was made
            return str.__str__(self)
        return _word(self.msgid, self.values, lang)

    def html(self, lang: str) -> Markup:
        """Worded in `lang` for a page: what has no translation in `lang` (a message missing
        from its catalog, a site's words without that translation) is marked lang="en"."""
        if lang == DEFAULT:
            return escape(self.worded(lang))
        text = translations(lang).gettext(self.msgid)
        values = {k: _html_value(v, lang) for k, v in self.values.items()}
        said = Markup(escape(text) % values) if values else escape(text)
        return said if _translates(self.msgid, lang) else _english(said)

    def __html__(self) -> str:
        return str(self.html(_PAGE_LANGUAGE.get()))

    def lower(self) -> str:  # type: ignore[override]
        """Lower case in the page's language (for templates' `|lower` on a Say)."""
        return self.worded(_PAGE_LANGUAGE.get()).lower()


@cache
def _translates(msgid: str, lang: str) -> bool:
    """The catalog of `lang` words `msgid` (a number-only message needs no words)."""
    catalog = getattr(translations(lang), "_catalog", {})
    return msgid in catalog or not re.sub(r"%\(\w+\)s|[\W\d_]", "", msgid)


def _english(html: Markup) -> Markup:
    return Markup('<span lang="en">{}</span>').format(html)


def _html_value(value: object, lang: str) -> object:
    """A value of a sentence, as HTML of a page in `lang` (Says keep their marks)."""
    if isinstance(value, Say):
        return value.html(lang)
    if isinstance(value, tuple) and len(value) > 1 and any(isinstance(v, Say) for v in value):
        words = [str(escape(_html_value(v, lang))) for v in value]
        return Markup(format_list(words, locale=BABEL_LOCALES.get(lang, "en_US")))
    return _value(value, lang)


def _rebuild(msgid: str, values: dict[str, object]) -> Say:
    return Say(msgid, **values)


def joined(*parts: object) -> Say:
    """Parts said one after the other (each worded on its own), as one Say."""
    keys = {f"p{i}": part for i, part in enumerate(parts)}
    return _Joined("".join(f"%({k})s" for k in keys), **keys)


class _Joined(Say):
    """A Say whose msgid is only its parts: never looked up in a catalog."""

    def worded(self, lang: str) -> str:
        if lang == DEFAULT:  # as `Say.__new__` worded it
            return str.__str__(self)
        return self.msgid % {k: _value(v, lang) for k, v in self.values.items()}

    def html(self, lang: str) -> Markup:
        if lang == DEFAULT:
            return escape(self.worded(lang))
        return Markup("").join(escape(_html_value(self.values[f"p{i}"], lang))
                               for i in range(len(self.values)))

    def __reduce__(self):
        return (joined, tuple(self.values[f"p{i}"] for i in range(len(self.values))))


def _word(msgid: str, values: dict[str, object], lang: str) -> str:
    text = msgid if lang == DEFAULT else translations(lang).gettext(msgid)
    if not values:
        return text
    if lang == DEFAULT:  # most values are plain text or English Says: taken as they are
        return text % {k: v if type(v) is str else str.__str__(v)
                       if type(v) is Say or type(v) is _Joined else _value(v, lang)
                       for k, v in values.items()}
    return text % {k: _value(v, lang) for k, v in values.items()}


def lowered(say: str) -> Say:
    """A sentence that continues another one: its first letter in lower case, in every
    language ("Deducible $10" -> "...; deducible $10")."""
    return _Lowered("%(s)s", s=say)


class _Cased(_Joined):
    """A Say changed letter by letter: its words in `lang`, marked English as its part is."""

    def html(self, lang: str) -> Markup:
        said = escape(self.worded(lang))
        part = self.values["s"]
        english = lang != DEFAULT and isinstance(part, Say) and \
            str(part.html(lang)).startswith('<span lang="en">')
        return _english(said) if english else said


class _Lowered(_Cased):
    def worded(self, lang: str) -> str:
        text = _value(self.values["s"], lang)
        start = next((i for i, c in enumerate(text) if c.isalpha()), 0)  # after "¿" or "¡"
        return text[:start] + text[start:start + 1].lower() + text[start + 1:]

    def __reduce__(self):
        return (lowered, (self.values["s"],))


def capitalized(say: str) -> Say:
    """A phrase that starts a heading or a cell: its first letter in upper case, in every
    language ("with the prepaid package" -> "With the prepaid package")."""
    return _Capitalized("%(s)s", s=say)


class _Capitalized(_Cased):
    def worded(self, lang: str) -> str:
        text = _value(self.values["s"], lang)
        return text[:1].upper() + text[1:]

    def __reduce__(self):
        return (capitalized, (self.values["s"],))


def lower_case(say: str) -> Say:
    """A name inside a sentence, all in lower case in every language ("physical therapy")."""
    return _LowerCase("%(s)s", s=say)


class _LowerCase(_Cased):
    def worded(self, lang: str) -> str:
        return _value(self.values["s"], lang).lower()

    def __reduce__(self):
        return (lower_case, (self.values["s"],))


def translated(english: str, translations: dict[str, str]) -> Say:
    """A site's own words with their `translations:` (not the catalog), worded per page;
    a language without a translation shows the English text."""
    return _Translated("%(s)s", s=english, t=tuple(sorted(translations.items())))


class _Translated(_Joined):
    def worded(self, lang: str) -> str:
        return dict(self.values["t"]).get(lang, self.values["s"])  # type: ignore[arg-type]

    def html(self, lang: str) -> Markup:
        """As `render.local_text` shows a fee schedule's words: the English text marked,
        and said to be English in the page's language."""
        said = escape(self.worded(lang))
        if lang == DEFAULT or lang in dict(self.values["t"]):
            return said
        return _english(said) + " " + translations(lang).gettext(N_("(in English)"))

    def __reduce__(self):
        return (translated, (self.values["s"], dict(self.values["t"])))  # type: ignore


def here(msgid: str, **values: object) -> str:
    """`msgid` worded now, in the language of the page being made (`page_language`)."""
    return Say(msgid, **values).worded(_PAGE_LANGUAGE.get())


def current_language() -> str:
    """The language of the page being made."""
    return _PAGE_LANGUAGE.get()


def own_words(item: object, field: str) -> Say:
    """A fee schedule's `field` (a service's description, a session's name) with its
    `translations:`, worded in the page's language."""
    english = getattr(item, field)
    own = {lang: getattr(t, field) for lang, t in getattr(item, "translations", {}).items()
           if getattr(t, field, None)}
    if not own and english == default_of(item, field):
        return Say(english)  # sitegen's own default wording, in the catalog
    return translated(english, own)


def default_of(item: object, field: str) -> object:
    """The model's default for `field` (None when it has none)."""
    info = getattr(type(item), "model_fields", {}).get(field)
    return getattr(info, "default", None)
