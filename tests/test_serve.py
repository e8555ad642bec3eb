"""The preview server: rebuilds on change and shows diagnostics in the browser."""

from __future__ import annotations

import http.server
import shutil
import threading
import urllib.error
import urllib.request
from pathlib import Path

from sitegen.serve import Preview, snapshot

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
