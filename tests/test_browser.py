"""The built pages in a real browser (headless Chromium): nothing is wider than a 375 px
phone screen, and the printable good faith estimates fit Letter and A4 paper with the
navigation hidden. CI always runs these; elsewhere they skip when Chromium or Playwright
is missing."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from sitegen.build import BuildOptions, build

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if sync_playwright is None or CHROMIUM is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium and Playwright are missing in CI: .ci/run installs them")
        pytest.skip("needs Chromium (apt-get install chromium) and Playwright "
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
    row = page.locator("tr#row-not-started-coinsurance-20")
    assert row.locator("th").inner_text() == "Not started: $1,500.00 left"
    assert row.locator("td.you").inner_text() == "$1,571.31"
    assert page.url.endswith("/clinics/riverside-hand-ot/what-will-i-pay/post-surgery-hand-12/"
                             "aetna-ppo/")
