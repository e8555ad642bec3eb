"""Hostile and broken input: nothing executable gets out, nothing escapes the site, and a
killed or concurrent build never leaves a half-written public/."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import html5lib
import pytest
from helpers import RATES_INSURED, SITE, changed, check, cli, load, make_site

from sitegen.build import BuildOptions, build

REPO = Path(__file__).resolve().parent.parent
NS = "{http://www.w3.org/1999/xhtml}"
EVIL = '<script>alert(1)</script><img src=x onerror="alert(2)">'


def tree_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_inert(files: dict[str, bytes]) -> None:
    """No page can run code: scripts are JSON-LD only, no on* attributes, no js: URLs."""
    for rel, data in files.items():
        if not rel.endswith(".html"):
            continue
        for element in html5lib.parse(data.decode()).iter():
            if element.tag == f"{NS}script":
                assert element.get("type") == "application/ld+json", rel
                assert "</script" not in (element.text or "").lower(), rel
            for name, value in element.attrib.items():
                assert not name.lower().startswith("on"), (rel, name)
                assert not re.sub(r"\s", "", value).lower().startswith(
                    ("javascript:", "data:text/html")), (rel, value)


def test_hostile_text_in_every_field_is_escaped(tmp_path: Path) -> None:
    rates = RATES_INSURED
    for old in ("name: Test Clinic", "street: 1 Main St", "city: Portland", "name: Main",
                "description: Therapeutic exercise", "name: Acme", "plan: PPO"):
        key = old.split(":")[0]
        rates = changed(rates, old, f"{key}: '{old.split(': ')[1]} {EVIL}'")
    rates = changed(rates, 'phone: "503-555-0100"',
                    "phone: '503-555-0100\" onclick=\"alert(3)'\n      email: 'a@b.c'")  # hostile addresses: test_hostile_input.py
    guide = ("---\ntitle: 'Costs " + EVIL + "'\nsummary: '" + EVIL + "'\n---\n"
             "<div onmouseover=\"alert(4)\">hi</div>\n\n"
             "[x](javascript:alert(5)) [y](data:text/html;base64,PHNjcmlwdD4=) "
             "[z](JAVASCRIPT:alert(6)) ![i](javascript:alert(7))\n\n"
             "<a href=\"javascript:alert(8)\">raw</a> <iframe src=x></iframe>\n")
    site = SITE + "title: 'Prices " + EVIL + "'\n"
    site = site.replace("title: Test Prices\n", "")
    root = make_site(tmp_path, {"site.yaml": site, "rates/a.yaml": rates,
                                "content/guides/costs.md": guide})
    result = build(BuildOptions(root=root), write=False)
    messages = [d.format() for d in result.diagnostics.errors]
    assert messages == [
        "content/guides/costs.md:7:5: error: the link 'javascript:alert(5)' uses a scheme "
        "that can run code; link to an https:// page or to another guide's .md file",
        "content/guides/costs.md:7:30: error: the link 'data:text/html;base64,PHNjcmlwdD4=' "
        "uses a scheme that can run code; link to an https:// page or to another guide's "
        ".md file",
        "content/guides/costs.md:7:70: error: the link 'JAVASCRIPT:alert(6)' uses a scheme "
        "that can run code; link to an https:// page or to another guide's .md file",
        "content/guides/costs.md:7:96: error: the link 'javascript:alert(7)' uses a scheme "
        "that can run code; link to an https:// page or to another guide's .md file",
    ]
    # without the refused links the same hostile site builds, and nothing in it can run
    root_ok = make_site(tmp_path / "ok", {"site.yaml": site, "rates/a.yaml": rates,
                                          "content/guides/costs.md": guide.split("[x]")[0]})
    built = build(BuildOptions(root=root_ok), write=False)
    assert built.ok, [d.format() for d in built.diagnostics.errors]
    assert_inert(built.files)
    page = built.files["guides/costs/index.html"].decode()
    assert '<p>&lt;div onmouseover="alert(4)"&gt;hi&lt;/div&gt;</p>' in page
    clinic = built.files["clinics/a/index.html"].decode()
    assert "Test Clinic &lt;script&gt;alert(1)&lt;/script&gt;" in clinic


def test_allow_listed_tags_pass_and_others_stay_text(tmp_path: Path) -> None:
    guide = ("---\ntitle: Tags\nsummary: Tags.\n---\n"
             "Press <kbd>Ctrl</kbd>, H<sub>2</sub>O, <abbr title=\"x\">CPT</abbr>, "
             "<b onclick=\"x\">bold</b>, <script>x</script> and `<kbd>`.\n")
    site = SITE + "markdown:\n  allow_html: [kbd, sub, b]\n"
    root = make_site(tmp_path, {"site.yaml": site, "rates/a.yaml": RATES_INSURED,
                                "content/guides/tags.md": guide})
    built = build(BuildOptions(root=root), write=False)
    assert built.ok
    page = built.files["guides/tags/index.html"].decode()
    # a tag with attributes stays text (its stray closing tag is harmless)
    assert ('<p>Press <kbd>Ctrl</kbd>, H<sub>2</sub>O, &lt;abbr title="x"&gt;CPT'
            '&lt;/abbr&gt;, &lt;b onclick="x"&gt;bold</b>, &lt;script&gt;x&lt;/script'
            "&gt; and <code>&lt;kbd&gt;</code>.</p>") in page


def test_unknown_allow_listed_tag_is_refused(tmp_path: Path) -> None:
    site = SITE + "markdown:\n  allow_html: [script]\n"
    assert check(tmp_path, {"site.yaml": site}) == [
        "site.yaml:4:16: error: unknown allow_html value \"script\"; did you mean 'cite'? (allowed: abbr, b, br, "
        "cite, del, em, i, ins, kbd, mark, q, s, small, strong, sub, sup, u)"]


def test_symlinks_leading_outside_the_site_are_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntitle: Secret\n---\npassword\n")
    outside = tmp_path / "outside.yaml"
    outside.write_text(RATES_INSURED)
    root = make_site(tmp_path, {"rates/a.yaml": RATES_INSURED})
    (root / "content" / "guides").mkdir(parents=True)
    (root / "content" / "guides" / "secret.md").symlink_to(secret)
    (root / "rates" / "b.yaml").symlink_to(outside)
    inside = root / "content" / "guides" / "inside.md"
    inside.write_text("---\ntitle: In\nsummary: In.\n---\nok\n")
    (root / "content" / "guides" / "alias.md").symlink_to(inside)
    _, messages = load(root)
    assert messages == [
        "content/guides/secret.md: error: the file is a link to a place outside the site "
        "folder; copy the file into the site instead of linking to it",
        "rates/b.yaml: error: the file is a link to a place outside the site folder; copy "
        "the file into the site instead of linking to it",
    ]


@pytest.mark.parametrize("name, better", [
    ("My Guide.md", "content/guides/my-guide.md"),
    ("Costs.md", "content/guides/costs.md"),
])
def test_content_file_names_must_be_web_safe(tmp_path: Path, name: str, better: str) -> None:
    messages = check(tmp_path, {f"content/guides/{name}": "---\ntitle: A\nsummary: B\n---\n"})
    assert messages == [f"content/guides/{name}: error: the file name cannot be used in a web "
                        f"address; use lower-case letters, digits and dashes: {better}"]


def test_a_link_that_leaves_content_is_refused(tmp_path: Path) -> None:
    (tmp_path / "outside.md").write_text("---\ntitle: Secret\n---\nx\n")
    guide = "---\ntitle: A\nsummary: B\n---\nSee [this](../../../outside.md).\n"
    assert check(tmp_path, {"content/guides/a.md": guide}) == [
        "content/guides/a.md:5:12: error: the link '../../../outside.md' points to a guide that "
        "does not exist; check the file name; links are relative to this file"]


def test_file_above_the_size_limit_is_refused(tmp_path: Path) -> None:
    site = SITE + "limits:\n  max_file_bytes: 1000\n"
    big = RATES_INSURED + "# " + "x" * 2000 + "\n"
    assert check(tmp_path, {"site.yaml": site, "rates/a.yaml": big}) == [
        f"rates/a.yaml: error: the file is {len(big.encode()):,} bytes, above the limit of "
        "1,000; split it, or raise limits.max_file_bytes in site.yaml"]


def test_very_long_lines_are_fine(tmp_path: Path) -> None:
    long = changed(RATES_INSURED, "description: Therapeutic exercise",
                   "description: " + "word " * 390 + "end")
    assert check(tmp_path / "a", {"rates/a.yaml": long}) == []
    too_long = changed(RATES_INSURED, "description: Therapeutic exercise",
                       "description: " + "w" * 3000)
    assert check(tmp_path / "b", {"rates/a.yaml": too_long}) == [
        "rates/a.yaml:14:18: error: description is too long; shorten it"]


def test_a_second_build_at_the_same_time_is_refused_clearly(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"rates/a.yaml": RATES_INSURED})
    lock = root / ".public.lock"
    lock.write_text(str(os.getpid()))  # a live build of this process holds the lock
    result = cli("build", root)
    assert result.exit_code == 1
    assert result.stderr == (f"{lock}: error: another build of this site is running; wait for "
                             "it to finish (or delete the lock file if no build is running)\n")
    lock.write_text("999999999")  # the lock of a killed build does not block
    assert cli("build", root).exit_code == 0
    assert not lock.exists()


def synthetic_site(target: Path, clinics: int) -> Path:
    shutil.copytree(REPO / "templates", target / "templates")
    shutil.copytree(REPO / "content", target / "content")
    shutil.copy(REPO / "site.yaml", target / "site.yaml")
    (target / "rates").mkdir()
    examples = sorted((REPO / "rates").glob("*.yaml"))
    for i in range(clinics):
        source = examples[i % len(examples)]
        name = source.stem if i < len(examples) else f"{source.stem}-{i:03d}"  # guides name
        (target / "rates" / f"{name}.yaml").write_bytes(source.read_bytes())  # the first ones
    return target


def test_killing_a_build_leaves_the_old_or_the_new_site(tmp_path: Path) -> None:
    """SIGKILL at several moments of a build; public/ is always one whole site."""
    root = synthetic_site(tmp_path / "site", 60)
    out = root / "public"
    run = [sys.executable, "-m", "sitegen", "build", str(root)]
    subprocess.run(run + ["--base-url", "https://old.example/"], check=True,
                   capture_output=True)
    old = tree_of(out)
    subprocess.run(run + ["--base-url", "https://new.example/"], check=True,
                   capture_output=True)
    new = tree_of(out)
    assert old != new
    subprocess.run(run + ["--base-url", "https://old.example/"], check=True,
                   capture_output=True)
    outcomes = set()
    for delay in (0.05, 0.3, 0.6, 0.9, 1.2, 1.5, 1.8, 2.4):
        process = subprocess.Popen(run + ["--base-url", "https://new.example/"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        now = tree_of(out)
        assert now in (old, new), f"mixed site after a kill at {delay}s"
        outcomes.add("new" if now == new else "old")
        if now == new:  # go back to the old site for the next round
            subprocess.run(run + ["--base-url", "https://old.example/"], check=True,
                           capture_output=True)
    assert "old" in outcomes  # at least one kill landed before the swap
    leftovers = sorted(p.name for p in root.iterdir() if p.name.startswith(".public"))
    final = subprocess.run(run + ["--base-url", "https://new.example/"], capture_output=True)
    assert final.returncode == 0 and tree_of(out) == new, leftovers
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".public")) == []


@pytest.mark.parametrize("value, message", [
    ("1e309", 'rates/a.yaml:17:19: error: gross_charge must be an amount like 120.00 (got '
     'text "1e309"); write the number only, without \'$\' or thousands separators, with \'.\' '
     'for cents'),
    ("1.0e+309", "rates/a.yaml:17:19: error: '1.0e+309' is too large to be real; check the "
     "value"),
    ("12345678901234567890123456789012", "rates/a.yaml:17:19: error: the number has 32 "
     "digits, too many to be real; check the value"),
    ('"120.00"', 'rates/a.yaml:17:19: error: gross_charge must be an amount like 120.00 (got '
     'text "120.00"); write the number only, without \'$\' or thousands separators, with '
     "'.' for cents"),
])
def test_absurd_numbers_are_explained(tmp_path: Path, value: str, message: str) -> None:
    text = changed(RATES_INSURED, "gross_charge: 150.00", f"gross_charge: {value}")
    assert check(tmp_path, {"rates/a.yaml": text}) == [message]
