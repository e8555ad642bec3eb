"""Build-time benchmark: the table of issue 11 for sitegen.

    python benchmarks/build_bench.py                          # synthetic S and L sites
    python benchmarks/build_bench.py --clinics 500 --guides 200 --repeat 3
    python benchmarks/build_bench.py --site DIR               # any site folder, e.g. a corpus

For each site it measures, as separate `sitegen build` processes (so start-up and imports
count, as they do for people): a cold build with 1 process and with all cores (output and
cache deleted), a rebuild with nothing changed, one edited price, one edited guide; and the
peak memory (largest process) of the cold builds. Rounds are interleaved and the medians
printed; on a shared machine compare only numbers measured side by side.

A synthetic site copies the example fee schedules under new slugs (realistic data) and the
example guides under new names; it is built in a temporary folder, never in public/.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from adapt_corpus import adapt_site

ROOT = Path(__file__).resolve().parent.parent
CHILD = """
import resource, sys
from sitegen.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
           resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
print(f"peak-kib {peak} exit {code}", file=sys.stderr)
"""


def synthetic_site(target: Path, clinics: int, guides: int) -> Path:
    target.mkdir(parents=True)
    shutil.copy(ROOT / "site.yaml", target / "site.yaml")
    for folder in ("templates", "content", "figures"):
        shutil.copytree(ROOT / folder, target / folder)
    (target / "rates").mkdir()
    examples = sorted((ROOT / "rates").glob("*.yaml"))
    for i in range(clinics):
        source = examples[i % len(examples)]
        # the first copies keep their names: the guides' shortcodes refer to them
        name = source.stem if i < len(examples) else f"{source.stem}-{i:04d}"
        (target / "rates" / f"{name}.yaml").write_bytes(source.read_bytes())
    originals = sorted((ROOT / "content" / "guides").glob("*.md"))
    for i in range(max(0, guides - len(originals))):
        source = originals[i % len(originals)]
        shutil.copy(source, target / "content" / "guides" / f"{source.stem}-{i:04d}.md")
    return target


def run_build(site: Path, out: Path, jobs: int | None = None) -> tuple[float, int]:
    """Seconds and peak KiB of one `sitegen build` in a fresh process."""
    args = [sys.executable, "-c", CHILD, "build", str(site), "--out", str(out)]
    if jobs:
        args += ["--jobs", str(jobs)]
    started = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    found = re.search(r"peak-kib (\d+) exit (\S+)", done.stderr)
    if not found or found.group(2) not in ("0", "None"):
        raise SystemExit(f"build of {site} failed:\n{done.stderr[-2000:]}")
    return seconds, int(found.group(1))


def edit_price(site: Path, step: int) -> None:
    """Change the first cash price of the first fee schedule by a cent per step."""
    path = sorted((site / "rates").glob("*.yaml"))[0]
    text = path.read_text("utf-8")
    path.write_text(re.sub(r"(cash_price: *)(\d+)\.(\d\d)",
                           lambda m: f"{m.group(1)}{m.group(2)}.{(int(m.group(3)) + 1) % 100:02d}",
                           text, count=1), "utf-8")


def edit_guide(site: Path, step: int) -> None:
    path = sorted((site / "content").rglob("*.md"))[0]
    path.write_text(path.read_text("utf-8") + f"\nEdited for the benchmark, round {step}.\n",
                    "utf-8")


def measure(site: Path, repeat: int) -> dict[str, float]:
    out = site.parent / "bench-public"
    times: dict[str, list[float]] = {k: [] for k in
                                     ("cold-1", "cold-all", "no-change", "price", "guide")}
    peak: list[int] = []
    for step in range(repeat):
        for name, jobs in (("cold-1", 1), ("cold-all", None)):
            shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(site / ".sitegen-cache", ignore_errors=True)
            seconds, kib = run_build(site, out, jobs)
            times[name].append(seconds)
            peak.append(kib)
        times["no-change"].append(run_build(site, out)[0])
        edit_price(site, step)
        times["price"].append(run_build(site, out)[0])
        edit_guide(site, step)
        times["guide"].append(run_build(site, out)[0])
    result = {k: statistics.median(v) for k, v in times.items()}
    result["peak-mib"] = max(peak) / 1024
    result["pages"] = sum(1 for _ in out.rglob("*.html"))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", type=Path, help="build a copy of this site folder")
    parser.add_argument("--clinics", type=int, nargs="*", default=[50, 120])
    parser.add_argument("--guides", type=int, nargs="*", default=[50, 120])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; medians of {args.repeat} interleaved rounds, seconds")
    print("| site | pages | cold, 1 process | cold, all cores | no-change | one price "
          "| one guide | peak MiB |")
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        sites = []
        if args.site:
            copy = Path(tmp) / "site" / "site"
            shutil.copytree(args.site, copy, ignore=shutil.ignore_patterns(
                "public", ".sitegen-cache"))
            adapt_site(copy)  # a corpus of make_corpus.py becomes a valid site
            sites.append((str(args.site), copy))
        else:
            for clinics, guides in zip(args.clinics, args.guides):
                folder = Path(tmp) / f"{clinics}x{guides}"
                sites.append((f"{clinics} clinics + {guides} guides",
                              synthetic_site(folder / "site", clinics, guides)))
        for name, site in sites:
            r = measure(site, args.repeat)
            print(f"| {name} | {r['pages']:.0f} | {r['cold-1']:.2f} | {r['cold-all']:.2f} | "
                  f"{r['no-change']:.2f} | {r['price']:.2f} | {r['guide']:.2f} | "
                  f"{r['peak-mib']:.0f} |", flush=True)


if __name__ == "__main__":
    main()
