"""`sitegen serve`: a preview server for editors. It builds the site into a private
folder, serves it on localhost, and rebuilds when an input file changes. When the build
fails, every page shows the diagnostics instead, so an editor sees what to fix in the
browser. When it builds with warnings, every page carries a banner listing them, since
`--strict` (the publish workflow) would refuse the site. No JavaScript: the banner is
written into the HTML as it is served, never into the built files. (Polling mtimes once a
second is plenty for a few hundred files and needs no extra dependency.)"""

from __future__ import annotations

import functools
import html
import http.server
import re
import tempfile
import threading
import time
from pathlib import Path

from sitegen.build import BuildOptions, build
from sitegen.diagnostics import Diagnostic

WATCHED = ("site.yaml", "rates", "content", "templates")


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


BANNER_CSS = "/__sitegen-preview.css"
_CSS = (b"#sitegen-preview{font:15px/1.4 system-ui,sans-serif;background:#fff3cd;color:#222;"
        b"border-bottom:3px solid #b58100;padding:.6rem 1rem;margin:0}#sitegen-preview code"
        b"{white-space:pre-wrap;font-size:13px}#sitegen-preview ul{margin:.3rem 0;"
        b"padding-left:1.2rem}")


def warning_banner(items: list[Diagnostic]) -> bytes:
    """The preview's banner: each warning with file:line, and that --strict would fail."""
    rows = "".join(f"<li><code>{html.escape(d.format())}</code></li>" for d in items)
    count = f"{len(items)} warning{'' if len(items) == 1 else 's'}"
    return (f'<link rel="stylesheet" href="{BANNER_CSS}"><aside id="sitegen-preview" '
            f'role="status"><strong>Preview: {count}.</strong> The site builds, but '
            "<code>sitegen build --strict</code> (the publish workflow) would fail until "
            f"they are fixed.<ul>{rows}</ul></aside>").encode()


def with_banner(page: bytes, banner: bytes) -> bytes:
    """`page` with `banner` right after its <body> tag (at the start if it has none)."""
    found = re.search(rb"<body[^>]*>", page)
    at = found.end() if found else 0
    return page[:at] + banner + page[at:]


class Preview:
    def __init__(self, root: Path, out: Path, base_url: str) -> None:
        self.root, self.out, self.base_url = root, out, base_url
        self.failure: bytes | None = None
        self.banner: bytes | None = None
        self.lock = threading.Lock()

    def rebuild(self) -> list[Diagnostic]:
        result = build(BuildOptions(root=self.root, out=self.out, base_url=self.base_url))
        items = result.diagnostics.sorted()
        warnings = [d for d in items if d.severity == "warning"]
        with self.lock:
            self.failure = None if result.ok else error_page(items)
            self.banner = warning_banner(warnings) if result.ok and warnings else None
        return items

    def handler(self):
        preview = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def do_GET(self) -> None:
                with preview.lock:
                    failure, banner = preview.failure, preview.banner
                path = self.path.split("?")[0]
                if path == BANNER_CSS:
                    return self.reply(200, _CSS, "text/css")
                if failure is not None and path.endswith(("/", ".html")):
                    return self.reply(500, failure)
                page = Path(self.translate_path(path))
                page = page / "index.html" if page.is_dir() else page
                if banner is not None and page.suffix == ".html" and page.is_file() and \
                        (path.endswith(("/", ".html"))):
                    return self.reply(200, with_banner(page.read_bytes(), banner))
                super().do_GET()

            def reply(self, status: int, body: bytes, kind: str = "text/html") -> None:
                self.send_response(status)
                self.send_header("Content-Type", f"{kind}; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        return functools.partial(Handler, directory=str(self.out))


def status(preview: Preview) -> str:
    """One line for the terminal after each build."""
    if preview.failure is not None:
        return "build failed; the browser shows why"
    if preview.banner is not None:
        return "built with warnings: sitegen build --strict would fail; the browser lists them"
    return "built"


def serve(root: Path, port: int, echo) -> None:  # pragma: no cover - interactive
    with tempfile.TemporaryDirectory(prefix="sitegen-preview-") as tmp:
        out = Path(tmp) / "site"
        base = f"http://127.0.0.1:{port}/"
        preview = Preview(root, out, base)
        for item in preview.rebuild():
            echo(item.format())
        echo(status(preview))
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
                    echo(status(preview))
        except KeyboardInterrupt:
            server.shutdown()
