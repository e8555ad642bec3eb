"""Make a benchmark corpus's fee schedules a valid sitegen site.

The team's corpus writer lists the same code several times per clinic and setting, naming
the billing modifier only in the description ("... (modifier GP)"). sitegen refuses the
same code twice unless modifiers, location or settings differ, so this step moves that
modifier into the service's own key (`modifiers: ["GP"]`), where the rule sees it. The
corpus copies the project's templates but not its yearly figures, which the templates
name; a site without figures/ gets a copy of the project's.

    python benchmarks/adapt_corpus.py CORPUS_DIR/sitegen

It edits `rates/*.yaml` in place, adds figures/ when missing, and is safe to run again (an
adapted file is left as it is). `build_bench.py --site` and `compare.sh` run it.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

# `    description: "Words (modifier GP)"` in a service of the corpus's fee schedules
ROOT = Path(__file__).resolve().parent.parent
_DESCRIPTION = re.compile(r'^(?P<indent> +)description: "(?P<words>.*) \(modifier (?P<mod>\w+)\)"$')


def adapt_text(text: str) -> str:
    """The fee schedule with each description's modifier moved to a `modifiers` key."""
    lines = []
    for line in text.splitlines():
        found = _DESCRIPTION.match(line)
        if found is None:
            lines.append(line)
            continue
        indent = found["indent"]
        lines.append(f'{indent}description: "{found["words"]}"')
        lines.append(f'{indent}modifiers: ["{found["mod"]}"]')  # quoted: "59" is text
    return "\n".join(lines) + ("\n" if text.endswith("\n") else "")


def adapt_site(site: Path) -> int:
    """Adapt every fee schedule of the site folder; the number of files changed."""
    if not (site / "figures").exists() and (ROOT / "figures").is_dir():
        shutil.copytree(ROOT / "figures", site / "figures")
    changed = 0
    for path in sorted((site / "rates").glob("*.yaml")):
        text = path.read_text("utf-8")
        new = adapt_text(text)
        if new != text:
            path.write_text(new, "utf-8")
            changed += 1
    return changed


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not (Path(argv[0]) / "rates").is_dir():
        print("usage: python benchmarks/adapt_corpus.py SITE_DIR (a folder with rates/)",
              file=sys.stderr)
        return 2
    print(f"adapted {adapt_site(Path(argv[0]))} fee schedules")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
