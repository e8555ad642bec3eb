"""`sitegen new clinic|guide|site`: starting points that build as they are (under
`--strict`), with comments saying what to change. Beside the pipeline: it only writes text;
the test suite builds what it writes.

Templates and workflows of `new site` are copied from the sitegen checkout this module runs
from (the repository holds the tool and the example site together).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path

from sitegen.build import build_date

REPO = Path(__file__).resolve().parent.parent
SCHEMA_COMMENT = "# yaml-language-server: $schema={path}\n"

# Per discipline: an evaluation and one common treatment code, with prices in the ranges
# the example clinics use. (id, code, description, settings, timed, gross, cash)
_SERVICES = {
    "OT": [("ot-eval-moderate", "97166", "First OT visit for a problem that needs a fuller look",
            "[evaluation]", False, "240.00", "185.00"),
           ("ther-activities", "97530", "Practising everyday tasks such as reaching and "
            "gripping", "[outpatient]", True, "70.00", "55.00")],
    "PT": [("pt-eval-moderate", "97162", "First PT visit for a problem that needs a fuller look",
            "[evaluation]", False, "230.00", "175.00"),
           ("ther-exercise", "97110", "Exercises to build strength, motion and endurance",
            "[outpatient]", True, "65.00", "50.00")],
    "SLP": [("slp-eval", "92523",
             "First speech visit, to learn how your child speaks and understands",
             "[evaluation]", False, "250.00", "190.00"),
            ("speech-treatment", "92507", "One speech therapy session", "[outpatient]", False,
             "150.00", "115.00")],
}


def slugify(text: str) -> str:
    """A page address part from a name: 'Riverside Hand & OT' -> 'riverside-hand-ot'."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def clinic_starter(name: str, disciplines: list[str], plans: list[str] | None = None,
                   with_services: bool = True, schema: str = "../schema/fee-schedule.schema.json"
                   ) -> str:
    """A commented fee schedule that builds as it is. `plans` ("Name Plan" keys) become
    the payers; the default is one placeholder plan to replace."""
    plans = plans if plans is not None else ["Example Health PPO"]
    payer_lines = []
    for key in plans:
        payer, _, plan = key.rpartition(" ")
        payer_lines.append(f"  - name: {_quoted(payer or key)}\n    plan: {_quoted(plan)}\n")
    text = (SCHEMA_COMMENT.format(path=schema) +
            f"# Fee schedule of {name}: every key is explained in docs/fee-schedule.md.\n"
            "# Replace every example value below with your own; `sitegen build` says what is\n"
            "# missing or wrong, with the line and column.\n"
            "# Quote anything that looks like a number but is not an amount: ZIPs, NPIs, codes.\n"
            "\n"
            "clinic:\n"
            f"  name: {_quoted(name)}\n"
            "  npi: \"1234567893\"          # your organization NPI (10 digits), from NPPES\n"
            "  tin: \"12-3456789\"          # the tax ID you bill under\n"
            f"  disciplines: [{', '.join(disciplines)}]\n"
            "  locations:\n"
            "    - name: Main office\n"
            "      address:\n"
            "        street: 100 Main Street\n"
            "        city: Portland\n"
            "        state: OR\n"
            "        zip: \"97201\"\n"
            "      phone: \"503-555-0100\"\n"
            f"  last_updated: {build_date().isoformat()}  # when you last checked these prices\n"
            "\n"
            "# Plans you are in network with; services name each one as \"<name> <plan>\".\n"
            "payers:\n" + "".join(payer_lines))
    if not with_services:
        return text
    lines = ["", "# One entry per billing code. Describe it in your own words: patients read it.",
             "services:"]
    for discipline in disciplines:
        for sid, code, description, settings, timed, gross, cash in _SERVICES[discipline]:
            lines += [f"  - id: {sid}", f"    code: \"{code}\"", f"    description: {description}",
                      f"    discipline: {discipline}", f"    settings: {settings}",
                      f"    timed: {'true' if timed else 'false'}",
                      f"    gross_charge: {gross}", f"    cash_price: {cash}"]
            if plans:
                lines.append("    negotiated:")
                rate = (Decimal(gross) * Decimal("0.60")).quantize(Decimal("0.01"))
                lines += [f"      {_quoted(plan)}: {rate}" for plan in plans]
            lines.append("")
    return text + "\n".join(lines)


def guide_starter(title: str) -> str:
    """A starter explainer with front matter and a link that the build checks."""
    return (
        "---\n"
        f"title: {_quoted(title)}\n"
        "summary: One sentence that says what a patient learns here.\n"
        "order: 50        # position among the guides on the home page (smaller first)\n"
        "draft: false     # true keeps the page out of the site\n"
        "---\n\n"
        "Write in plain words, for a patient who has never read a bill. Short paragraphs,\n"
        "one idea each. Link to other guides by their file name, like [another guide](other.md),\n"
        "and to the glossary by heading, like [deductible](../glossary.md#deductible).\n"
    )


_SITE_YAML = """\
# yaml-language-server: $schema=schema/site.schema.json
# Site settings: every key is explained in docs/fee-schedule.md of sitegen.
title: {title}
description: What therapy costs at {title}, with and without insurance, in plain words.
base_url: /            # the publish workflow passes the real address
language: en

# Insurance situations every course of care is priced under on the estimate pages.
scenarios:
  - id: self-pay
    name: No insurance, paying yourself
    network: self-pay
  - id: after-deductible
    name: In network, deductible met, 20% coinsurance
    network: in-network
    coinsurance: 0.20
    oop_remaining: 2500.00
"""

_GLOSSARY = """\
---
title: Glossary
summary: The words on a therapy bill, in plain language.
---

## Deductible

What you pay each plan year for covered care before your plan starts to share the cost.

## Coinsurance

Your share of the allowed amount after the deductible, as a percentage, like 20%.
"""

_REQUIREMENTS = """\
# Where the workflows install sitegen from: the sitegen repository you use, at a fixed tag
# or commit, for example:  sitegen @ git+https://github.com/YOUR-ORG/sitegen@v0.1.0
sitegen
"""

_WORKFLOW_PAGES = """\
# Build the site and publish it on GitHub Pages.
# Enable it once: Settings > Pages > Build and deployment > Source: "GitHub Actions".
name: Publish site

on:
  push:
    branches: [main]
  workflow_dispatch:

permissions:
  contents: read
  pages: write
  id-token: write

# One deployment at a time; a newer push waits instead of cancelling a deploy in progress.
concurrency:
  group: pages
  cancel-in-progress: false

jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - id: pages
        uses: actions/configure-pages@v5
      - name: Install sitegen
        run: python -m pip install -r requirements.txt
      - name: Build (warnings fail the build)
        env:
          BASE_URL: ${{ steps.pages.outputs.base_url }}
        run: sitegen build --strict --base-url "${BASE_URL%/}/"
      - uses: actions/upload-pages-artifact@v3
        with:
          path: public

  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{ steps.deployment.outputs.page_url }}
    steps:
      - id: deployment
        uses: actions/deploy-pages@v4
"""

_WORKFLOW_CHECK = """\
# On every pull request: check the site (prices, links, no JavaScript); warnings fail it.
name: Check

on:
  pull_request:
  push:
    branches: [main]

permissions:
  contents: read

jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - name: Install sitegen
        run: python -m pip install -r requirements.txt
      - name: Check the site
        run: sitegen check --strict
"""


def site_files(title: str, disciplines: list[str]) -> dict[str, str]:
    """Every text file of a new site, by relative path (templates are copied separately)."""
    from sitegen.schema import schema_text

    slug = slugify(title) or "clinic"
    first = guide_starter("How to read these prices").replace(
        "order: 50", "order: 10").replace(
        "[another guide](other.md)", "[what a deductible is](deductibles.md)")
    second = guide_starter("Deductibles").replace(
        "[another guide](other.md)", "[how to read these prices](reading-this-site.md)")
    return {
        "site.yaml": _SITE_YAML.format(title=title),
        f"rates/{slug}.yaml": clinic_starter(title, disciplines),
        "content/guides/reading-this-site.md": first,
        "content/guides/deductibles.md": second,
        "content/glossary.md": _GLOSSARY,
        "schema/fee-schedule.schema.json": schema_text(site=False),
        "schema/site.schema.json": schema_text(site=True),
        "requirements.txt": _REQUIREMENTS,
        ".gitignore": "public/\n.venv/\n",
        ".github/workflows/pages.yml": _WORKFLOW_PAGES,
        ".github/workflows/check.yml": _WORKFLOW_CHECK,
    }


def write_site_skeleton(folder: Path, title: str, disciplines: list[str]) -> list[str]:
    """Write a new site into `folder` (which must not exist or be empty); its files."""
    staging = Path(tempfile.mkdtemp(prefix=".sitegen-new-", dir=folder.parent))
    try:
        files = site_files(title, disciplines)
        for rel, text in files.items():
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        shutil.copytree(REPO / "templates", staging / "templates")
        if folder.exists():
            folder.rmdir()  # empty, checked by the caller
        staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return sorted([*files, "templates/"])


def atomic_write(path: Path, data: bytes) -> None:
    """Write a whole file or nothing: a temporary file beside it, then one rename."""
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
