"""The built pages in a real browser (headless Chromium): nothing is wider than a 375 px
phone screen, and the printable good faith estimates fit Letter and A4 paper with the
navigation hidden. CI always runs these; elsewhere they skip when Chromium or Playwright
is missing."""

from __future__ import annotations

import http.server
import io
import os
import re
import shutil
import threading
from functools import partial
from pathlib import Path

import pytest

from sitegen.build import BuildOptions, build
from sitegen.cli import main

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    try:
        import pypdf  # noqa: F401  (reads the printed PDFs)
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if sync_playwright is None or CHROMIUM is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium, Playwright or pypdf is missing in CI: .ci/run installs "
                        "them")
        pytest.skip("needs Chromium (apt-get install chromium), Playwright and pypdf "
                    "(pip install -e '.[browser]')")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("browser") / "public"
    assert build(BuildOptions(root=ROOT, out=out)).ok
    return out


def test_no_page_is_wider_than_a_phone(browser, site: Path) -> None:
    page = browser.new_page(viewport={"width": 375, "height": 800})
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 40
    too_wide = []
    for file in pages:
        page.goto(file.as_uri())
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 375:
            too_wide.append((file.relative_to(site).as_posix(), width))
    assert too_wide == []


@pytest.mark.parametrize("paper, width_mm", [("Letter", 215.9), ("A4", 210.0)])
def test_printed_estimates_fit_the_paper(browser, site: Path, paper: str,
                                         width_mm: float) -> None:
    """Printed with 15 mm margins, the page's content is no wider than the paper allows,
    and navigation is not printed."""
    printable = int((width_mm - 30) / 25.4 * 96)  # CSS pixels between the margins
    page = browser.new_page(viewport={"width": printable, "height": 1000})
    page.emulate_media(media="print")
    for file in sorted(site.glob("clinics/*/good-faith-estimate/index.html")):
        page.goto(file.as_uri())
        assert page.evaluate("document.documentElement.scrollWidth") <= printable, file
        assert page.evaluate("getComputedStyle(document.querySelector('.site-header nav'))"
                             ".display") == "none"
        pdf = page.pdf(format=paper, print_background=False)
        assert pdf.startswith(b"%PDF") and len(pdf) > 10_000


# --- Printed good faith estimates, page by page -----------------------------------------

MARGIN_MM = 15  # @page margin of templates/assets/style.css
LONG_PATIENT = """\
clinic: mercy-valley-rehab
services:
  - service: pt-eval-moderate
  - service: ot-eval-moderate
  - service: slp-eval-speech-language
  - service: slp-eval-swallowing
  - service: pt-reeval
  - service: ot-reeval
  - {service: speech-therapy, count: 10}
  - {service: therapeutic-exercise, count: 12}
  - {service: neuromuscular-reeducation, count: 6}
  - {service: gait-training, count: 6}
  - {service: manual-therapy, count: 8}
  - {service: therapeutic-activities, count: 8}
  - {service: self-care-training, count: 4}
  - {service: wheelchair-training, count: 2}
  - service: performance-testing
primary_service: Rehabilitation after a stroke
frequency: three times a week for 4 weeks
patient:
  name: Avery Lindqvist
  date_of_birth: 1958-03-02
diagnosis_codes: [I69.351, R26.89]
scheduled: 2026-12-14
booked: 2026-11-23
"""


def printed_pages(pdf: bytes) -> list[tuple[float, list[str]]]:
    """Per page of the PDF: how much of the height between the margins holds text (down
    to the lowest line), and the text's lines."""
    import pypdf

    pages = []
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        height = float(page.mediabox.height)
        top, bottom = height - MARGIN_MM * 72 / 25.4, MARGIN_MM * 72 / 25.4
        lows: list[float] = []

        def visit(text, cm, tm, font, size, lows=lows, top=top, bottom=bottom) -> None:
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            if text.strip() and bottom - 2 <= y <= top + 2:  # not the running header
                lows.append(y)

        lines = page.extract_text(visitor_text=visit).splitlines()
        pages.append(((top - min(lows, default=top)) / (top - bottom), lines))
    return pages


def starts_an_estimate(lines: list[str]) -> bool:
    return any(line.startswith("Good Faith Estimate: ") for line in lines[:3])


def check_paper(pages: list[tuple[float, list[str]]], label: str) -> None:
    """Every page at least 60% full, except the last and one before a new estimate; the
    table header on every page with items; a subtotal never alone; never a closing
    paragraph alone; "page N of M" on every page of an estimate."""
    for number, (fill, lines) in enumerate(pages, start=1):
        body = "\n".join(lines)
        where = f"{label}, page {number} of {len(pages)}: {fill:.2f}"
        last = number == len(pages)
        if not last and not starts_an_estimate(pages[number][1]):
            assert fill >= 0.60, where
        if re.search(r"^CPT\s+\d{5}", body, re.M):
            assert re.search(r"Service\s+code", body), where
        if "Total expected charges from" in body:
            assert re.search(r"^CPT\s+\d{5}", body, re.M), where
        if "This estimate is not a contract" in body:
            assert "Your right to dispute a bill." in body, where
        if re.search(r"^CPT\s+\d{5}|^Your right to dispute", body, re.M):
            assert re.search(rf"Good Faith Estimate \u00b7 page {number} of {len(pages)}",
                             body), where


@pytest.fixture(scope="module")
def estimates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The example patient's estimate and a long one (15 item lines), as `sitegen gfe`
    writes them."""
    from click.testing import CliRunner

    folder = tmp_path_factory.mktemp("gfe")
    (folder / "long.yaml").write_text(LONG_PATIENT, encoding="utf-8")
    files = {}
    for name, source in (("example", ROOT / "examples/patient.yaml"),
                         ("long", folder / "long.yaml")):
        out = folder / f"{name}.html"
        result = CliRunner().invoke(main, ["gfe", str(source), "--site", str(ROOT), "--out",
                                           str(out), "--today", "2026-11-23"])
        assert result.exit_code == 0, result.output
        files[name] = out
    return files


@pytest.mark.parametrize("paper", ["Letter", "A4"])
def test_printed_estimates_fill_their_pages(browser, site: Path, estimates: dict[str, Path],
                                            paper: str) -> None:
    page = browser.new_page()
    files = sorted(site.glob("clinics/*/good-faith-estimate/index.html"))
    assert len(files) >= 3
    counts = {}
    for file in files + [estimates["example"], estimates["long"]]:
        page.goto(file.as_uri())
        pages = printed_pages(page.pdf(format=paper))
        label = f"{paper} {file.parent.parent.name if file.name == 'index.html' else file.name}"
        check_paper(pages, label)
        counts[label] = len(pages)
    patient = printed_pages(page.pdf(format=paper))  # the long estimate, still open
    for number, (_, lines) in enumerate(patient, start=1):
        assert lines[0].startswith("Avery Lindqvist, born March 2, 1958 \u00b7 estimate of "
                                   "November 23, 2026"), number
    assert len(patient) >= 2 and "Total expected charges from" in "".join(
        "\n".join(lines) for _, lines in patient)
    page.goto(estimates["example"].as_uri())
    example = printed_pages(page.pdf(format=paper))
    assert len(example) == 2, counts
    assert all("Jordan Rivers, born April 12, 2019" in lines[0] for _, lines in example)


AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# One page of each kind (its template), by the first file that matches, in both languages.
KINDS = {
    "home": r"index\.html", "clinic": r"clinics/[^/]+/index\.html",
    "setting": r"clinics/[^/]+/outpatient/index\.html",
    "estimates": r"clinics/[^/]+/estimates/index\.html",
    "good faith estimate": r"clinics/[^/]+/good-faith-estimate/index\.html",
    "bill above estimate": r"clinics/[^/]+/good-faith-estimate/bill-above-estimate/index\.html",
    "site notice": r"good-faith-estimate/index\.html",
    "price history": r"clinics/[^/]+/price-history/index\.html",
    "sliding scale": r"clinics/[^/]+/sliding-scale/index\.html",
    "price transparency": r"clinics/[^/]+/price-transparency/index\.html",
    "service": r"services/[^/]+/index\.html", "guide": r"guides/[^/]+/index\.html",
    "glossary": r"glossary/index\.html", "404": r"404\.html",
    "plan": r"clinics/[^/]+/plans/[^/]+/index\.html",
    "what will I pay: question": r"clinics/[^/]+/what-will-i-pay/index\.html",
    "what will I pay: answer": r"clinics/[^/]+/what-will-i-pay/[^/]+/[^/]+/index\.html",
    "services index": r"services/index\.html", "clinics index": r"clinics/index\.html",
}


@pytest.mark.parametrize("lang", ["", "es/"])
def test_axe_finds_no_wcag_violations(browser, site: Path, lang: str) -> None:
    """axe-core (npm, package.json) with the WCAG 2.0, 2.1 and 2.2 A and AA rules, on one
    page of each kind, in English and in Spanish: 0 violations."""
    if not AXE.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail("axe-core is missing in CI: .ci/run runs npm ci")
        pytest.skip("needs axe-core: npm ci")
    files = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    # Served over HTTP at the site's base path '/', as the 404 pages' links expect.
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = browser.new_context(bypass_csp=True)  # the pages forbid scripts; axe is one
    page = context.new_page()
    found = {}
    for kind, pattern in KINDS.items():
        rel = next((f for f in files if re.fullmatch(lang + pattern, f)), None)
        assert rel is not None, f"no {kind} page in {lang or 'en/'}"
        page.goto(f"http://127.0.0.1:{server.server_port}/{rel}")
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
        result = page.evaluate("""() => axe.run(document, {runOnly: {type: 'tag', values:
            ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa']}})""")
        found[rel] = [(v["id"], [n["target"] for n in v["nodes"]][:3])
                      for v in result["violations"]]
        assert result["passes"], rel  # axe ran its rules
    context.close()
    server.shutdown()
    assert {rel: v for rel, v in found.items() if v} == {}
    assert len(found) == len(KINDS)


@pytest.fixture(scope="module")
def server(site: Path):
    """The built site over HTTP on 127.0.0.1 (pretty URLs need a server's index.html)."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:  # noqa: ANN002
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


def test_the_aetna_patient_reaches_the_answer_in_six_clicks(browser, server: str) -> None:
    """Aetna PPO, 12 sessions after hand surgery: from the home page by clicking links only,
    then read the row for $1,500 of deductible left and 20% coinsurance."""
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(server)
    clicks = 0

    def click(locator) -> None:
        nonlocal clicks
        with page.expect_navigation():
            locator.click()
        clicks += 1

    card = page.locator("li.card", has_text="Riverside Hand")
    click(card.get_by_role("link", name="What will I pay?"))
    assert page.title().startswith("Which care do you need?")
    care = page.locator("main h2", has_text="Post-surgery hand therapy")
    click(care.locator("xpath=following-sibling::ul[1]").get_by_role("link", name="12 sessions"))
    assert page.title().startswith("How will you pay?")
    click(page.get_by_role("link", name="Aetna PPO", exact=True))
    assert clicks <= 6
    row = page.locator("tr#row-not-started--coinsurance-20")
    assert row.locator("th").inner_text() == "Not started: $1,500.00 left"
    assert row.locator("td.you").inner_text() == "$1,562.33"
    assert page.url.endswith("/clinics/riverside-hand-ot/what-will-i-pay/post-surgery-hand-12/"
                             "aetna-ppo/")
