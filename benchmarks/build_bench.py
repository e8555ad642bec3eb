"""Build-time benchmark: the example site, and a synthetic site with many clinics.

Usage: python benchmarks/build_bench.py [--clinics N] [--repeat R]
The synthetic site copies the example fee schedules under new slugs, so its data is
realistic; it is built in a temporary folder and never touches public/.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from sitegen.build import BuildOptions, build

ROOT = Path(__file__).resolve().parent.parent


def synthetic_site(target: Path, clinics: int) -> Path:
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
    return target


def timed_build(root: Path, out: Path, repeat: int) -> tuple[list[float], int]:
    times, pages = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        result = build(BuildOptions(root=root, out=out))
        times.append(time.perf_counter() - started)
        assert result.ok, [d.format() for d in result.diagnostics.errors][:5]
        pages = sum(1 for name in result.files if name.endswith(".html"))
    return times, pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clinics", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rows = []
        times, pages = timed_build(ROOT, Path(tmp) / "example-public", args.repeat)
        rows.append(("example site", pages, times))
        site = synthetic_site(Path(tmp) / "big", args.clinics)
        times, pages = timed_build(site, Path(tmp) / "big-public", max(1, args.repeat // 2))
        rows.append((f"synthetic, {args.clinics} clinics", pages, times))
    print(f"{'site':<28} {'pages':>6} {'median s':>9} {'min s':>7} {'pages/s':>8}")
    for name, pages, times in rows:
        med = statistics.median(times)
        print(f"{name:<28} {pages:>6} {med:>9.3f} {min(times):>7.3f} {pages / med:>8.0f}")


if __name__ == "__main__":
    main()
