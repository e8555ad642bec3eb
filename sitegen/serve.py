"""`sitegen serve`: a preview server for editors. It builds the site into a private
folder, serves it on localhost, and rebuilds when an input file changes. When the build
fails, every page shows the diagnostics instead, so an editor sees what to fix in the
browser. (Polling mtimes once a second is plenty for a few hundred files and needs no
extra dependency.)"""

from __future__ import annotations

import functools
import html
import http.server
import tempfile
import threading
import time
from pathlib import Path

from sitegen.build import BuildOptions, build
from sitegen.diagnostics import Diagnostic

WATCHED = ("site.yaml", "rates", "content", "templates", "figures")


def snapshot(root: Path) -> dict[str, float]:
    """Modification times of every input file."""
    found = {}
    for name in WATCHED:
        path = root / name
        files = [path] if path.is_file() else path.rglob("*") if path.is_dir() else []
        for file in files:
            if file.is_file():
                found[file.as_posix()] = file.stat().st_mtime
    return found


def error_page(items: list[Diagnostic]) -> bytes:
    rows = "\n".join(f"<li><code>{html.escape(d.format())}</code></li>" for d in items)
    return (
        "<!doctype html><html lang=en><meta charset=utf-8><meta http-equiv="
        "\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        "<title>Build failed</title><style>body{font:16px system-ui;margin:2rem;max-width:60rem}"
        "code{white-space:pre-wrap}li{margin:.5rem 0}</style><h1>The site did not build</h1>"
        f"<p>Fix these and save; then reload this page.</p><ul>{rows}</ul></html>"
    ).encode()


class Preview:
    def __init__(self, root: Path, out: Path, base_url: str) -> None:
        self.root, self.out, self.base_url = root, out, base_url
        self.failure: bytes | None = None
        self.lock = threading.Lock()

    def rebuild(self) -> list[Diagnostic]:
        result = build(BuildOptions(root=self.root, out=self.out, base_url=self.base_url))
        with self.lock:
            self.failure = None if result.ok else error_page(result.diagnostics.sorted())
        return result.diagnostics.sorted()

    def handler(self):
        preview = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def do_GET(self) -> None:
                with preview.lock:
                    failure = preview.failure
                if failure is not None and self.path.split("?")[0].endswith(("/", ".html")):
                    self.send_response(500)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.end_headers()
                    self.wfile.write(failure)
                    return
                super().do_GET()

            def log_message(self, *args) -> None:
                pass

        return functools.partial(Handler, directory=str(self.out))


def serve(root: Path, port: int, echo) -> None:  # pragma: no cover - interactive
    with tempfile.TemporaryDirectory(prefix="sitegen-preview-") as tmp:
        out = Path(tmp) / "site"
        base = f"http://127.0.0.1:{port}/"
        preview = Preview(root, out, base)
        for item in preview.rebuild():
            echo(item.format())
        out.mkdir(exist_ok=True)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), preview.handler())
        threading.Thread(target=server.serve_forever, daemon=True).start()
        echo(f"serving {root} at {base} (Ctrl+C to stop)")
        seen = snapshot(root)
        try:
            while True:
                time.sleep(1)
                now = snapshot(root)
                if now != seen:
                    seen = now
                    items = preview.rebuild()
                    for item in items:
                        echo(item.format())
                    echo("rebuilt" if preview.failure is None else "build failed; "
                         "the browser shows why")
        except KeyboardInterrupt:
            server.shutdown()
