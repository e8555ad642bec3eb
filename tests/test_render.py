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
