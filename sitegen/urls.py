"""The URLs of the site: page addresses, output paths, and links between pages.

URLs here are site-relative ('' is the home page, 'clinics/x/' a clinic). Pages link to
each other with relative URLs (`relative_url`), so the site works under any base path;
the 404 page, served at any depth, uses `absolute_url` with the base path instead.
Pure functions that import nothing of sitegen, so every stage may use them.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def page_output(url: str) -> str:
    """Pretty URLs: 'guides/x/' is written to 'guides/x/index.html'."""
    return url + "index.html" if url.endswith("/") or url == "" else url


def home_url() -> str:
    return ""


def clinic_url(slug: str) -> str:
    return f"clinics/{slug}/"


def setting_url(slug: str, setting: str) -> str:
    return f"clinics/{slug}/{setting}/"


def estimates_url(slug: str) -> str:
    return f"clinics/{slug}/estimates/"


def price_history_url(slug: str) -> str:
    return f"clinics/{slug}/price-history/"


def sliding_scale_url(slug: str) -> str:
    return f"clinics/{slug}/sliding-scale/"


def gfe_url(slug: str | None = None) -> str:
    """The good faith estimate notice: a clinic's (with its printable estimates), or the
    site's page that leads to every clinic's."""
    return f"clinics/{slug}/good-faith-estimate/" if slug else "good-faith-estimate/"


def bill_check_url(slug: str) -> str:
    """How to check a bill from the clinic against its good faith estimate."""
    return f"clinics/{slug}/good-faith-estimate/bill-above-estimate/"


def price_transparency_url(slug: str) -> str:
    """The page that offers a clinic's price files (the footer's "Price Transparency")."""
    return f"clinics/{slug}/price-transparency/"


def clinic_file_url(slug: str, name: str) -> str:
    """A clinic's downloadable file: prices.json, prices.csv, the CMS files."""
    return f"clinics/{slug}/{name}"


def plan_url(slug: str, plan_slug: str) -> str:
    """One payer plan's rates and course costs at one clinic."""
    return f"clinics/{slug}/plans/{plan_slug}/"


def flow_url(slug: str, *parts: str) -> str:
    """A page of the clinic's "What will I pay?": 'clinics/<slug>/what-will-i-pay/<part>/'."""
    return f"clinics/{slug}/what-will-i-pay/" + "".join(p + "/" for p in parts)


def clinics_url() -> str:
    """The index of every clinic and its price files (the footer's "Price Transparency"
    on site-level pages)."""
    return "clinics/"


def services_url() -> str:
    """The A-Z index of every service on the site."""
    return "services/"


def service_url(code: str) -> str:
    return f"services/{code.lower()}/"


def content_url(source: str) -> str:
    """'guides/deductibles.md' -> 'guides/deductibles/'; 'glossary.md' -> 'glossary/'."""
    stem = source.removesuffix(".md")
    if stem == "index":
        return ""
    return stem.removesuffix("/index") + "/"


def glossary_url(term_id: str) -> str:
    return f"glossary/#{term_id}"


def asset_url(name: str) -> str:
    return f"assets/{name}"


def language_url(target: str, lang: str, prefix: str) -> str:
    """A page's URL in the language of `prefix` ('es/'); files (the stylesheet, price
    files) exist once, for every language."""
    path = target.partition("#")[0]
    if prefix and (path == "" or path.endswith("/") or path == "404.html"):
        return prefix + target
    return target


def relative_url(from_url: str, to_url: str) -> str:
    """A link from page `from_url` to `to_url` (both site-relative, '#frag' allowed).

    Plain string arithmetic on the path segments: `posixpath.relpath` gives the same
    answers but asks the operating system for the working folder on every call, and
    pages make tens of thousands of links."""
    target, _, fragment = to_url.partition("#")
    if target == from_url and fragment:
        return "#" + fragment
    base = page_output(from_url).split("/")[:-1]
    parts = [part for part in target.split("/") if part]
    same = 0
    for here, there in zip(base, parts):
        if here != there:
            break
        same += 1
    rel = "/".join([".."] * (len(base) - same) + parts[same:]) or "."
    if target.endswith("/") or target == "":
        rel += "/"
    return rel + ("#" + fragment if fragment else "")


def base_path(base_url: str) -> str:
    """'https://example.org/repo' -> '/repo/' (always with slashes on both ends)."""
    path = urlsplit(base_url).path or "/"
    return path if path.endswith("/") else path + "/"


def absolute_url(base_url: str, url: str, *, full: bool = False) -> str:
    """Link with the base path (for the 404 page), or with scheme and host (for sitemaps)."""
    if full:
        return base_url.rstrip("/") + "/" + url
    return base_path(base_url) + url


ANCHOR_JOIN = "--"


def anchor(*parts: str) -> str:
    """An HTML id built from ids, joined by '--'. Ids are slugs, which never hold '--', so
    two different tuples never give the same anchor: a course 'a' with the scenario 'b-c'
    ('a--b-c') and a course 'a-b' with 'c' ('a-b--c') stay apart, and no anchor built
    from two or more parts equals a bare id on the same page."""
    return ANCHOR_JOIN.join(parts)
