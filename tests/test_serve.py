"""The preview server: rebuilds on change and shows diagnostics in the browser."""

from __future__ import annotations

import http.server
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from sitegen.diagnostics import Diagnostic
from sitegen.serve import Preview, snapshot, warning_banner, with_banner

ROOT = Path(__file__).resolve().parent.parent


def test_preview_serves_the_site_then_the_errors_then_the_site_again(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(ROOT, site, ignore=shutil.ignore_patterns(
        "public", ".git", ".venv", "node_modules", "tests", "*.egg-info", "__pycache__"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), None)
    port = server.server_address[1]
    preview = Preview(site, tmp_path / "out", f"http://127.0.0.1:{port}/")
    server.RequestHandlerClass = preview.handler()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert preview.rebuild() == []
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
            assert b"Clinics" in response.read()

        rates = site / "rates" / "riverside-hand-ot.yaml"
        rates.write_text(rates.read_text().replace("cash_price:", "cash_prize:", 1))
        items = preview.rebuild()
        assert [d.message for d in items] == ["missing required key 'cash_price' in 'services'",
                                              "unknown key 'cash_prize'"]
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/clinics/", timeout=10)
            raise AssertionError("expected the error page")
        except urllib.error.HTTPError as error:
            body = error.read().decode()
            assert error.code == 500 and "unknown key &#x27;cash_prize&#x27;" in body
            assert "<script" not in body

        rates.write_text(rates.read_text().replace("cash_prize:", "cash_price:", 1))
        assert preview.rebuild() == []
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
            assert response.status == 200
    finally:
        server.shutdown()
        server.server_close()


def test_snapshot_sees_a_new_file(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    before = snapshot(tmp_path)
    (tmp_path / "content" / "new.md").write_text("x")
    assert set(snapshot(tmp_path)) - set(before) == {(tmp_path / "content/new.md").as_posix()}


# Any script but the pages' own JSON-LD data.
EXECUTABLE = re.compile(r"<script(?![^>]*application/ld\+json)|\son\w+=", re.I)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _page(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except (urllib.error.URLError, ConnectionError):
        return 0, ""


def _wait_for(url: str, test, seconds: float = 60) -> tuple[int, str]:
    """Poll `url` until `test(status, body)` holds (serve rebuilds once a second)."""
    deadline = time.monotonic() + seconds
    while True:
        status, body = _page(url)
        if test(status, body) or time.monotonic() > deadline:
            return status, body
        time.sleep(0.3)


def test_sitegen_serve_shows_a_warning_then_an_error_and_recovers(tmp_path: Path) -> None:
    """The real command on a free port: a warning shows as a banner on every page (with
    file:line and that --strict would fail), an error replaces the pages, and fixing both
    gives the plain site back. No JavaScript at any step."""
    site = tmp_path / "site"
    shutil.copytree(ROOT, site, ignore=shutil.ignore_patterns(
        "public", ".git", ".venv", "node_modules", "tests", "*.egg-info", "__pycache__"))
    rates = site / "rates" / "riverside-hand-ot.yaml"
    good = rates.read_text()
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GITHUB_ACTIONS": ""}
    server = subprocess.Popen([sys.executable, "-m", "sitegen", "serve", str(site), "--port",
                               str(port)], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    home = f"http://127.0.0.1:{port}/"
    clinic = f"{home}clinics/riverside-hand-ot/"
    try:
        status, body = _wait_for(home, lambda s, b: s == 200)
        assert status == 200 and "sitegen-preview" not in body

        # a warning: a cash price above the gross charge (the first service)
        line = good.splitlines().index("    cash_price: 150.00") + 1
        rates.write_text(good.replace("    cash_price: 150.00", "    cash_price: 950.00", 1))
        status, body = _wait_for(clinic, lambda s, b: "sitegen-preview" in b)
        assert status == 200, body[:500]
        banner = body[body.index('<aside id="sitegen-preview"'):body.index("</aside>")]
        assert "Preview: 1 warning." in banner and "--strict" in banner
        assert (f"rates/riverside-hand-ot.yaml:{line}:17: warning: cash price 950.00 is above "
                "the gross charge") in banner
        assert not EXECUTABLE.search(body)
        assert _page(home)[1].count('id="sitegen-preview"') == 1  # every page
        assert _page(f"{home}__sitegen-preview.css")[0] == 200

        # then an error as well: a code with a digit missing
        rates.write_text(rates.read_text().replace('code: "97165"', 'code: "9716"', 1))
        status, body = _wait_for(clinic, lambda s, b: s == 500)
        assert status == 500 and "The site did not build" in body
        assert "error: &#x27;9716&#x27; is not a valid CPT code" in body
        assert "warning: cash price 950.00" in body
        assert not EXECUTABLE.search(body)

        # fixed: the plain site again
        rates.write_text(good)
        status, body = _wait_for(clinic, lambda s, b: s == 200 and "sitegen-preview" not in b)
        assert status == 200 and "sitegen-preview" not in body
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)
    assert "built with warnings: sitegen build --strict would fail" in err
    assert "build failed; the browser shows why" in err


def test_banner_goes_right_after_the_body_tag() -> None:
    banner = warning_banner([Diagnostic("rates/a.yaml", 3, 5, "warning", "old prices", "fix")])
    page = with_banner(b"<html><body class=x><h1>Hi</h1></body></html>", banner)
    assert page.startswith(b"<html><body class=x><link rel=\"stylesheet\"")
    assert b"<code>rates/a.yaml:3:5: warning: old prices; fix</code>" in page
    assert page.endswith(b"<h1>Hi</h1></body></html>")
