"""The render stage's own `_()`/`{% trans %}` (render.cached_gettext) gives the bytes of the
Jinja i18n extension's newstyle gettext, which it replaces for speed, in every case a
template can write: fixed texts, values escaped into them, '%%', repeated calls, and
`{% autoescape false %}` blocks; in English and in Spanish."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from sitegen import i18n
from sitegen.render import make_environment

TEMPLATE = """\
{{ _('You pay') }}|{{ _('You pay') }}|{{ _('Back') }}|{{ _('100%% of it') }}
{% trans name=name %}What you pay at {{ name }}{% endtrans %}
{% trans %}Prices at {{ name }}{% endtrans %}|{% trans count=n %}{{ count }} visit{% pluralize %}{{ count }} visits{% endtrans %}
{{ _('Total') ~ name }}|{{ _('Total')|upper }}|{% set t = _('Total') %}{{ t }}{{ t ~ name }}
{% autoescape false %}{{ _('You pay') }}|{% trans name=name %}What you pay at {{ name }}{% endtrans %}|{{ _('Total') ~ name }}{% endautoescape %}
{{ _('You pay') }}
"""


def jinja_own(lang: str, folder: Path) -> jinja2.Environment:
    """The environment as Jinja's i18n extension alone makes it (the former set-up)."""
    env = jinja2.Environment(extensions=["jinja2.ext.i18n"], autoescape=True,
                             loader=jinja2.FileSystemLoader(str(folder)),
                             undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True, keep_trailing_newline=True)
    env.install_gettext_translations(i18n.translations(lang), newstyle=True)  # type: ignore[attr-defined]
    return env


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("name", ["Oak & <Elm> \"Clinic\"", "Plain", "100% <b>"])
def test_gettext_gives_the_bytes_of_jinjas_newstyle_gettext(tmp_path: Path, lang: str,
                                                             name: str) -> None:
    (tmp_path / "t.html").write_text(TEMPLATE, "utf-8")
    ours = make_environment(tmp_path, lang).get_template("t.html")
    theirs = jinja_own(lang, tmp_path).get_template("t.html")
    for n in (1, 2, 1):  # and again: fixed texts come from the cache the second time
        expected = theirs.render(name=name, n=n)
        assert ours.render(name=name, n=n) == expected
    assert "Oak &amp; &lt;Elm&gt;" in ours.render(name="Oak & <Elm>", n=1).splitlines()[1]
    assert "100% of it" in expected


@pytest.mark.parametrize("lang", ["en", "es"])
def test_remembered_money_and_dates_print_as_formatted_afresh(tmp_path: Path,
                                                              lang: str) -> None:
    """The money and date filters remember what they printed; equal values that print
    differently (a negative zero) stay apart, and every value prints as i18n formats it."""
    import datetime as dt
    from decimal import Decimal

    env = make_environment(tmp_path, lang)
    money, date = env.filters["money"], env.filters["date"]
    fmt = lang if lang in i18n.BABEL_LOCALES else i18n.DEFAULT
    values = [Decimal("0"), Decimal("-0.00"), Decimal("0.00"), Decimal("-0.004"),
              Decimal("1234.5"), Decimal("1234.50"), Decimal("1234.505"), Decimal("-12"), None]
    for _ in range(2):
        for value in values:
            assert money(value) == i18n.money(value, fmt)
    if lang == "en":  # the loop above asked for 0 first: -0.00 is not answered from it
        assert (money(Decimal("0")), money(Decimal("-0.00"))) == ("$0.00", "$-0.00")
    for day in (dt.date(2026, 1, 5), dt.date(2026, 1, 5), dt.date(2025, 12, 31)):
        assert date(day) == i18n.long_date(day, fmt)
