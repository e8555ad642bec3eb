"""The site in several languages: every UI string translated, every Spanish page paired with
its English page (lang, symmetric hreflang in head and sitemap, a language link), the same
prices in both, Babel's formats, content/es/ translations and their fallback, and an
English-only site without any of it."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import html5lib
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from helpers import RATES_INSURED, REPO, SITE, check, make_site

from sitegen import i18n
from sitegen.build import BuildOptions, build
from sitegen.routes import relative_url

NS = "{http://www.w3.org/1999/xhtml}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
BASE = "https://example.org/"


def built(root: Path, out: Path) -> dict[str, bytes]:
    result = build(BuildOptions(root=root, out=out))
    assert result.ok, [d.format() for d in result.diagnostics.items]
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file()}


@pytest.fixture(scope="module")
def site(example_root: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    return built(example_root, tmp_path_factory.mktemp("i18n") / "public")


@pytest.fixture(scope="module")
def pages(site: dict[str, bytes]) -> dict[str, object]:
    return {rel: html5lib.parse(data) for rel, data in site.items() if rel.endswith(".html")}


def url_of(rel: str) -> str:
    """'es/clinics/x/index.html' -> 'es/clinics/x/'."""
    return rel.removesuffix("index.html")


def test_every_ui_string_has_a_spanish_translation() -> None:
    """Every string the templates and the code mark for translation is in the Spanish
    catalog, translated, with the same %(placeholders)s (a forgotten msgstr fails here)."""
    method_map = [("sitegen/**.py", "python"), ("templates/**.html", "jinja2")]
    found = {msgid if isinstance(msgid, str) else msgid[0]
             for _file, _line, msgid, *_ in extract_from_dir(
                 str(REPO), method_map, keywords={"_": None, "gettext": None,
                                                  "ngettext": (1, 2), "N_": None,
                                                  "Say": None, "here": None})}
    assert len(found) > 90
    with (i18n.LOCALE_DIR / "es" / "LC_MESSAGES" / "messages.po").open("rb") as fp:
        catalog = read_po(fp, locale="es")
    untranslated = []
    for msgid in sorted(found):
        message = catalog.get(msgid)
        strings = message.string if message is not None else ""
        strings = strings if isinstance(strings, tuple) else (strings,)
        if message is None or message.fuzzy or not all(strings):
            untranslated.append(msgid)
            continue
        for text in strings:
            assert set(re.findall(r"%\((\w+)\)s", text)) == \
                set(re.findall(r"%\((\w+)\)s", msgid)), msgid
    assert untranslated == [], "add these to sitegen/locale/es/LC_MESSAGES/messages.po"
    assert [e for m in catalog for e in m.check(catalog)] == []


def test_every_spanish_page_has_its_english_pair(site: dict[str, bytes]) -> None:
    html = {rel for rel in site if rel.endswith(".html")}
    spanish = {rel.removeprefix("es/") for rel in html if rel.startswith("es/")}
    english = {rel for rel in html if not rel.startswith("es/")}
    assert len(english) > 60
    assert spanish == english


def test_lang_and_symmetric_hreflang_in_the_head(pages: dict[str, object]) -> None:
    alternates = {}
    for rel, tree in pages.items():
        root = tree
        assert root.get("lang") == ("es" if rel.startswith("es/") else "en"), rel
        links = {(link.get("hreflang"), link.get("href")) for link in tree.iter(f"{NS}link")
                 if link.get("rel") == "alternate"}
        alternates[rel] = links
        own = BASE + (rel if rel.endswith("404.html") else url_of(rel))
        assert (root.get("lang"), own) in links, rel       # itself
        assert {lang for lang, _ in links} == {"en", "es"}, rel
    for rel, links in alternates.items():
        for _lang, href in links:
            target = href.removeprefix(BASE)
            target = target if target.endswith(".html") else target + "index.html"
            assert alternates[target] == links, (rel, target)   # the pair names the same set


def test_sitemap_lists_both_languages_with_the_same_alternates(site: dict[str, bytes]) -> None:
    doc = ET.fromstring(site["sitemap.xml"])
    entries = {}
    for url in doc.iter(f"{SITEMAP}url"):
        loc = url.find(f"{SITEMAP}loc").text
        entries[loc] = {(a.get("hreflang"), a.get("href")) for a in url.iter(f"{XHTML}link")}
    assert BASE + "es/" in entries and BASE in entries
    assert entries[BASE] == {("en", BASE), ("es", BASE + "es/")}
    for loc, links in entries.items():
        assert (("es" if loc.startswith(BASE + "es/") else "en"), loc) in links
        for _lang, href in links:
            assert entries[href] == links, (loc, href)
    english = [loc for loc in entries if not loc.startswith(BASE + "es/")]
    assert len(entries) == 2 * len(english)


def test_every_page_links_to_itself_in_the_other_language(pages: dict[str, object]) -> None:
    for rel, tree in pages.items():
        if rel.endswith("404.html"):
            continue
        links = [a for a in tree.iter(f"{NS}a") if "language" in (a.get("class") or "")]
        assert len(links) == 1, rel
        other = rel.removeprefix("es/") if rel.startswith("es/") else "es/" + rel
        assert links[0].get("href") == relative_url(url_of(rel), url_of(other)), rel
        assert links[0].get("hreflang") == links[0].get("lang") == (
            "en" if rel.startswith("es/") else "es")
        assert links[0].text == ("English" if rel.startswith("es/") else "Español")


def test_the_404_pages_link_with_the_base_path(site: dict[str, bytes]) -> None:
    spanish = site["es/404.html"].decode()
    assert '<a class="language" href="/404.html" hreflang="en" lang="en">English</a>' in spanish
    assert '<a href="/es/">Todas las clínicas y guías</a>' in spanish
    assert 'href="/assets/style.css"' in spanish


def amounts(data: bytes) -> list[str]:
    main = re.search(rb"<main.*</main>", data, re.DOTALL).group(0).decode()
    return re.findall(r"-?\$[\d,]+\.\d\d", main)


def test_spanish_pages_show_the_same_prices(site: dict[str, bytes]) -> None:
    """Every amount of every page made from the fee schedules, in the same order, in both
    languages (a translated guide words its examples its own way)."""
    compared = 0
    for rel in site:
        if rel.endswith(".html") and rel.startswith("es/") and \
                not rel.startswith(("es/guides/", "es/glossary/")):
            english = amounts(site[rel.removeprefix("es/")])
            assert amounts(site[rel]) == english, rel
            compared += len(english)
    assert compared > 1000


def test_spanish_pages_are_in_spanish(site: dict[str, bytes]) -> None:
    page = site["es/clinics/riverside-hand-ot/outpatient/index.html"].decode()
    assert "<h1>Terapia ambulatoria en Riverside Hand &amp; Occupational Therapy</h1>" in page
    assert 'Precios actualizados por última vez el <time datetime="2026-10-01">1 de octubre ' \
           'de 2026</time>.' in page
    assert "$28.74 a $36.80 <span class=\"note\">(5 planes)</span>" in page
    assert '<a class="skip" href="#main">Saltar al contenido</a>' in page
    english = site["clinics/riverside-hand-ot/outpatient/index.html"].decode()
    assert 'Prices last updated <time datetime="2026-10-01">October 1, 2026</time>.' in english
    assert "$28.74 to $36.80 <span class=\"note\">(5 plans)</span>" in english


def test_babel_formats_per_language() -> None:
    import datetime as dt

    assert i18n.money(Decimal("1234.505"), "es") == "$1,234.51"
    assert i18n.money(Decimal("-40"), "es") == "-$40.00"
    assert i18n.money(Decimal("1234.505")) == "$1,234.51"
    assert i18n.long_date(dt.date(2026, 1, 5), "es") == "5 de enero de 2026"
    assert i18n.long_date(dt.date(2026, 1, 5)) == "January 5, 2026"
    assert i18n.percent(Decimal("0.125"), "es") == "12.5%"
    assert i18n.percent(Decimal("0.20")) == "20%"


GUIDE = "---\ntitle: {title}\nsummary: {summary}\n---\n{body}\n"
BILINGUAL = SITE + "languages: [en, es]\n"


def test_a_translated_page_and_the_marked_fallback(tmp_path: Path) -> None:
    root = make_site(tmp_path, {
        "site.yaml": BILINGUAL, "rates/a.yaml": RATES_INSURED,
        "content/guides/a.md": GUIDE.format(title="Deductibles", summary="What it is.",
                                            body="See [the other](b.md)."),
        "content/guides/b.md": GUIDE.format(title="Copays", summary="Fixed amounts.",
                                            body="Text in English."),
        "content/es/guides/a.md": GUIDE.format(title="Deducibles", summary="Qué es.",
                                               body="Vea [la otra](b.md)."),
    })
    files = built(root, tmp_path / "out")
    translated = files["es/guides/a/index.html"].decode()
    assert "<h1>Deducibles</h1>" in translated and 'Vea <a href="../b/">la otra</a>' in translated
    assert "no está traducida" not in translated
    fallback = files["es/guides/b/index.html"].decode()
    # the English text is marked as English (WCAG 3.1.2, language of parts)
    assert '<h1 lang="en">Copays</h1>' in fallback
    assert re.search(r'<div lang="en">\s*<p class="lead">Fixed amounts.</p>\s*<p>Text in '
                     r'English.</p>\s*</div>', fallback), fallback
    assert ("Esta página todavía no está traducida, así que su texto aparece en inglés."
            in fallback)
    assert "no está traducida" not in files["guides/b/index.html"].decode()
    assert "Deducibles" in files["es/index.html"].decode()
    assert "Deducibles" not in files["index.html"].decode()


def test_a_translation_without_its_english_page_is_an_error(tmp_path: Path) -> None:
    messages = check(tmp_path, {
        "site.yaml": BILINGUAL,
        "content/guides/deductibles.md": GUIDE.format(title="D", summary="s", body="x"),
        "content/es/guides/deductible.md": GUIDE.format(title="D", summary="s", body="x"),
    })
    assert messages == [
        "content/es/guides/deductible.md: error: this translation has no English page "
        "content/guides/deductible.md; did you mean 'guides/deductibles.md'?"]


def test_fee_schedule_words_without_a_translation_are_marked_english(tmp_path: Path) -> None:
    files = built(make_site(tmp_path, {"site.yaml": BILINGUAL,
                                       "rates/a.yaml": RATES_INSURED}), tmp_path / "out")
    page = files["es/clinics/a/outpatient/index.html"].decode()
    assert re.search(r'<span lang="en">[^<]+</span> \(en inglés\)', page)
    assert "(en inglés)" not in files["clinics/a/outpatient/index.html"].decode()


@pytest.mark.parametrize(("languages", "message"), [
    ("[en, es, en]", "site.yaml:3:12: error: a language is listed twice; list each one "
                     "once, e.g. [en, es]"),
    ("[en, fr]", 'site.yaml:3:17: error: unknown languages value "fr"; use one of en, es'),
])
def test_languages_are_checked(tmp_path: Path, languages: str, message: str) -> None:
    assert message in check(tmp_path, {"site.yaml": SITE + f"languages: {languages}\n"})


def test_an_english_only_site_has_no_trace_of_other_languages(tmp_path: Path,
                                                             site: dict[str, bytes]) -> None:
    """Without `languages`, the same pages as the English half of the bilingual site, less
    the alternates and the language link: byte for byte what sitegen built before."""
    import shutil

    root = tmp_path / "site"
    for name in ("rates", "content", "templates", "figures"):
        shutil.copytree(REPO / name, root / name)
    config = (REPO / "site.yaml").read_text()
    (root / "site.yaml").write_text(re.sub(r"(?m)^languages:.*\n", "", config))
    alone = built(root, tmp_path / "out")
    assert not [rel for rel in alone if rel.startswith("es/")]
    assert b"xhtml" not in alone["sitemap.xml"]
    english = {rel: data for rel, data in site.items() if not rel.startswith("es/")}
    assert sorted(alone) == sorted(english)
    for rel, data in alone.items():
        if rel.endswith(".html"):
            stripped = re.sub(rb'<link rel="alternate" hreflang="[a-z]+" href="[^"]+">\n', b"",
                              english[rel])
            stripped = re.sub(rb'  <a class="language" [^\n]+</a>\n', b"", stripped)
            assert data == stripped, rel
            assert b"hreflang" not in data and b'lang="en"' in data


# --- no English left on the Spanish pages ------------------------------------------------------
# Words that are English and never Spanish: a heading, table header, caption, summary, question
# or button of a Spanish page with two of them is an untranslated UI string.
ENGLISH = set("the you your pay pays paid what with which how will this that visit visits "
              "price prices rates cost costs service services back start again assumptions "
              "deductible left each before after there are is of for and per".split())
CHROME = {"h1", "h2", "h3", "h4", "th", "caption", "summary", "dt", "button", "label", "title"}


def _names() -> list[str]:
    """The example site's proper names (clinics, places, plans, the site), longest first."""
    import yaml
    found = {yaml.safe_load((REPO / "site.yaml").read_text())["title"]}
    for path in sorted((REPO / "rates").rglob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        found.add(data["clinic"]["name"])
        found.update(loc["name"] for loc in data["clinic"]["locations"])
        found.update(f"{p['name']} {p['plan']}" for p in data.get("payers") or [])
    return sorted(found, key=len, reverse=True)


def _visible(element, out: list[tuple[str, str]], english: bool = False, tag: str = "") -> None:
    """(tag, text) of every text not marked lang="en" (the marked English fallbacks)."""
    name = element.tag.replace(NS, "") if isinstance(element.tag, str) else ""
    english = english or element.get("lang") == "en" or name in {"script", "style"} or \
        "external" in (element.get("rel") or "")  # a cited source's own title
    tag = name if name in CHROME or (name == "a" and "choice" in (element.get("class") or "")) \
        else tag
    if element.text and not english:
        out.append((tag, element.text))
    for child in element:
        _visible(child, out, english, tag)
        if child.tail and not english:
            out.append((tag, child.tail))


def _catalog_phrases() -> set[str]:
    """Every catalog message's fixed phrases of three words or more that Spanish words
    differently: found on a Spanish page, they are English that slipped through."""
    with (i18n.LOCALE_DIR / "es" / "LC_MESSAGES" / "messages.po").open("rb") as fp:
        catalog = read_po(fp, locale="es")
    phrases = set()
    for message in catalog:
        if not message.id or isinstance(message.id, tuple) or message.string == message.id:
            continue
        for part in re.split(r"%\(\w+\)s|<[^>]+>", message.id):
            part = part.strip(" .,:;()")
            if len(part.split()) >= 3:
                phrases.add(part)
    return phrases


def test_spanish_pages_show_no_english_ui_strings(pages: dict[str, object]) -> None:
    """Every Spanish page's visible text (outside what is marked lang="en"): no catalog
    message in its English wording, and no heading, table header, caption, question or
    choice in English words, so a new template string or Python sentence that is not
    translated fails here."""
    names, phrases = _names(), _catalog_phrases()
    found: dict[str, set[str]] = {}
    for rel, doc in pages.items():
        if not rel.startswith("es/"):
            continue
        parts: list[tuple[str, str]] = []
        _visible(doc, parts)
        text = re.sub(r"\s+", " ", " ".join(t for _, t in parts))
        for name in names:
            text = text.replace(name, " ")
        # the glossary gives each term's English words, which bills use: "(Copay.) Un monto"
        text = re.sub(r"\([A-Z][^()]*\.\)", " ", text)
        for phrase in phrases:
            if phrase in text:
                found.setdefault(phrase, set()).add(rel)
        fallback = any(h.get("lang") == "en" for h in doc.iter(f"{NS}h1"))
        for tag, chunk in parts:
            if not tag or (tag == "title" and fallback):  # an English page's own title
                continue
            for name in names:
                chunk = chunk.replace(name, " ")
            words = [w for w in re.findall(r"[A-Za-z']+", chunk) if w.lower() in ENGLISH]
            if len(words) >= 2:
                found.setdefault(f"<{tag}> {chunk.strip()}", set()).add(rel)
    assert {k: sorted(v)[:2] for k, v in found.items()} == {}


# English that reads as prose, anywhere on a page: words common in English sentences and never
# Spanish ones ("de", "a" and "no" are both, so they are not counted).
PROSE = ENGLISH | set("to in at be it its can may must not or by from an as has have".split())


def test_spanish_pages_show_no_english_prose(pages: dict[str, object]) -> None:
    """Every run of text of a Spanish page's body, not only its headings: where three or
    more English words make a quarter of it, it is English that is neither translated nor
    marked lang="en" (a template sentence outside `_()`, a site's own words shown bare)."""
    names = _names()
    found: dict[str, set[str]] = {}
    for rel, doc in pages.items():
        if not rel.startswith("es/"):
            continue
        parts: list[tuple[str, str]] = []
        _visible(doc.find(f"{NS}body"), parts)
        for _tag, chunk in parts:
            for name in names:
                chunk = chunk.replace(name, " ")
            words = re.findall(r"[A-Za-z']+", chunk)
            english = [w for w in words if w.lower() in PROSE]
            if len(english) >= 3 and len(english) * 4 >= len(words):
                found.setdefault(" ".join(chunk.split())[:80], set()).add(rel)
    assert {k: sorted(v)[:2] for k, v in found.items()} == {}


def test_a_say_is_english_text_worded_in_the_page_language() -> None:
    """Python's sentences (i18n.Say) are plain English str for CSV, JSON and comparisons,
    and the page's language inside templates; values are worded in the same language,
    and a pickled Say (the render pool) keeps its message."""
    import pickle

    from markupsafe import escape

    from sitegen.i18n import Say, joined, page_language
    limit = joined(Say("%(visits)s visits per %(period)s", visits=20,
                       period=Say("calendar year")), Say("; more with prior authorization"))
    assert limit == "20 visits per calendar year; more with prior authorization"
    assert limit.worded("es") == "20 visitas por año calendario; más con autorización previa"
    assert pickle.loads(pickle.dumps(limit)).worded("es") == limit.worded("es")
    with page_language("es"):
        assert str(escape(limit)) == "20 visitas por año calendario; más con autorización previa"
    assert str(escape(limit)) == "20 visits per calendar year; more with prior authorization"
    names = Say("%(names)s", names=("a", "b", "c"))
    assert (names, names.worded("es")) == ("a, b and c", "a, b y c")


def test_words_without_a_translation_are_marked_english() -> None:
    """A site's own words without the page's language, and a Python sentence whose message
    the catalog lacks, show in English marked lang="en" on a Spanish page, also inside
    another sentence; on an English page they are plain text."""
    from markupsafe import escape

    from sitegen.i18n import Say, capitalized, page_language, translated
    plan = translated("Back & neck plan", {})
    inside = Say("%(name)s (with %(sessions)s sessions instead of %(usual)s)", name=plan,
                 sessions=10, usual=8)
    with page_language("es"):
        assert str(escape(plan)) == '<span lang="en">Back &amp; neck plan</span> (en inglés)'
        assert str(escape(translated("Back plan", {"es": "Plan de espalda"}))) == \
            "Plan de espalda"
        assert str(escape(inside)) == '<span lang="en">Back &amp; neck plan</span> (en inglés)' \
                                      " (con 10 sesiones en lugar de 8)"
        assert str(escape(capitalized(plan))) == '<span lang="en">Back &amp; neck plan</span>'
        assert str(escape(Say("Not in the catalog, %(n)s times", n=3))) == \
            '<span lang="en">Not in the catalog, 3 times</span>'
        assert str(escape(Say("%(n)s", n=3))) == "3"
    assert str(escape(inside)) == "Back &amp; neck plan (with 10 sessions instead of 8)"


def test_a_question_inside_a_sentence_keeps_its_proper_names(site: dict[str, bytes]) -> None:
    """"Change your answer to: do you have other coverage besides Medicare?": only the
    question's first letter is lowered (after "¿" in Spanish), never a name inside it."""
    page = "clinics/cedar-street-pt/what-will-i-pay/back-pain-8-8/medicare-part-b/medigap-n/"
    english, spanish = site[page + "index.html"].decode(), site["es/" + page + "index.html"]
    assert " your answer to: do you have other coverage besides Medicare?</span>" in english
    assert " su respuesta a: ¿tiene otra cobertura además de Medicare?</span>" in \
        spanish.decode()
    question = site[page.rsplit("/", 2)[0] + "/index.html"].decode()
    assert 'content="What will I pay at Cedar Street Physical Therapy? Question 3 of 5: do ' \
           'you have other coverage besides Medicare?"' in question


def test_the_guided_flow_and_plan_pages_in_spanish(site: dict[str, bytes]) -> None:
    """Issue 12's pages under /es/: the answer of a self-pay patient at Juniper Hill (an
    evaluation at $165.00 and 8 visits at $183.00: $1,629.00), worded in Spanish from the
    estimate engine, and a plan's visit limit in words."""
    answer = site["es/clinics/juniper-hill-pt/what-will-i-pay/eval-and-8-8/self-pay/"
                  "index.html"].decode()
    assert '<p class="you-pay" id="row-self-pay">Usted paga <strong class="you">$1,629.00' \
           '</strong>.</p>' in answer
    assert "<li><strong>Visitas 2-9</strong> (Visita individual de 60 minutos): usted paga " \
           "$183.00 cada una. Precio de pago por cuenta propia $183.00.</li>" in answer
    plan = site["es/clinics/little-steps-pediatric/plans/anthem-blue-cross-and-blue-shield-ppo/"
                "index.html"].decode()
    assert "20 visitas por año calendario, un solo límite para terapia ocupacional y terapia " \
           "del habla y del lenguaje." in plan
    services = site["es/services/index.html"].decode()
    assert services.index(">Actividades terapéuticas: practicar movimientos de todos los días<") \
        < services.index(">Terapia con las manos (terapia manual)<")  # A to Z in Spanish
    english = site["clinics/little-steps-pediatric/plans/anthem-blue-cross-and-blue-shield-ppo/"
                   "index.html"].decode()
    assert "20 visits per calendar year, one limit shared by occupational therapy and " \
           "speech-language therapy." in english


def test_english_words_of_nested_sentences_are_worded_as_afresh() -> None:
    """A Say's English words are the str it was made with: the same text as wording its
    message and values again, through nested, joined, listed and lower-cased parts."""
    inner = i18n.Say("Deductible %(amount)s", amount="$10.00")
    listed = i18n.Say("%(names)s", names=(i18n.Say("physical therapy"), "speech therapy"))
    outer = i18n.joined(inner, " + ", i18n.Say("%(rate)s coinsurance", rate="20%"), "; ",
                        i18n.lowered(inner), "; ", listed)
    for said in (inner, listed, outer):
        assert said.worded("en") == i18n._word(said.msgid, said.values, "en")
    assert outer == "Deductible $10.00 + 20% coinsurance; deductible $10.00; " \
        "physical therapy and speech therapy"
    assert i18n.lowered(inner).worded("en") == "deductible $10.00"
    assert i18n.capitalized(i18n.Say("with %(n)s", n=2)).worded("en") == "With 2"
    assert outer.worded("es") != outer  # Spanish still worded from the catalog
    assert "Deducible" in outer.worded("es")


@pytest.mark.parametrize("lang", ["en", "es"])
def test_template_gettext_is_jinja_s_own(lang: str, tmp_path: Path) -> None:
    """`_()`, `gettext()` and `{% trans %}` give what jinja2.ext's new-style gettext gives:
    escaped values, '%%' as '%', and no escaping inside `{% autoescape false %}`."""
    import jinja2

    from sitegen.render import make_environment
    source = ('{{ _("Your deductible") }}|{{ _("all 100%% yours") }}|{{ _("%(n)s%% of <b>%(x)s</b>", n=5, x=x) }}|'
              '{{ gettext("Paying yourself") }}|{% trans %}Hello {{ x }} 100%{% endtrans %}|'
              '{% autoescape false %}{{ _("a %(x)s", x=x) }}{% endautoescape %}')
    (tmp_path / "t.html").write_text(source)
    ours = make_environment(tmp_path, lang)
    theirs = jinja2.Environment(extensions=["jinja2.ext.i18n"], autoescape=True,
                                loader=jinja2.FileSystemLoader(str(tmp_path)))
    theirs.install_gettext_translations(i18n.translations(lang), newstyle=True)
    got = ours.get_template("t.html").render(x="<i>&</i>")
    assert got == theirs.get_template("t.html").render(x="<i>&</i>")
    assert "5% of <b>&lt;i&gt;&amp;&lt;/i&gt;</b>" in got and "a <i>&</i>" in got
    assert "|all 100% yours|" in got
