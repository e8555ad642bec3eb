#!/usr/bin/env bash
# Interleaved rounds on one corpus written by make_corpus.py (see README, "Benchmark"):
# sitegen with 1 process, with all cores, a no-change rebuild, a rebuild after one edited
# price and after one edited guide (edits made in the corpus, as build_bench.py makes them),
# then Hugo and Pelican; the medians at the end. The peak memory of the sitegen builds is
# the largest maximum resident set size that /usr/bin/time reports, when it is installed.
# Usage: benchmarks/compare.sh CORPUS_DIR [ROUNDS]   (PELICAN=/path/to/pelican to choose one)
set -uo pipefail
C=$1; ROUNDS=${2:-3}; PELICAN=${PELICAN:-pelican}
HERE=$(cd "$(dirname "$0")" && pwd)
python3 "$HERE/adapt_corpus.py" "$C/sitegen" || exit 2
LOG=$(mktemp); PEAK=$(mktemp)
TIME=(); [ -x /usr/bin/time ] && TIME=(/usr/bin/time -a -o "$PEAK" -f "%M")
seconds() { local s; s=$(date +%s.%N); "$@" >/dev/null 2>&1 || echo "FAILED: $*" >&2
            echo "$(date +%s.%N) - $s" | bc; }
edit() { python3 -c "import sys; sys.path.insert(0, sys.argv[1]); import build_bench as b
from pathlib import Path; getattr(b, sys.argv[2])(Path(sys.argv[3]), int(sys.argv[4]))" \
         "$HERE" "$@"; }
for r in $(seq "$ROUNDS"); do
  rm -rf "$C/sg-out" "$C/sitegen/.sitegen-cache"
  one=$(seconds "${TIME[@]}" sitegen build "$C/sitegen" --out "$C/sg-out" --jobs 1)
  rm -rf "$C/sg-out" "$C/sitegen/.sitegen-cache"
  all=$(seconds "${TIME[@]}" sitegen build "$C/sitegen" --out "$C/sg-out")
  same=$(seconds sitegen build "$C/sitegen" --out "$C/sg-out")
  edit edit_price "$C/sitegen" "$r"; price=$(seconds sitegen build "$C/sitegen" --out "$C/sg-out")
  edit edit_guide "$C/sitegen" "$r"; guide=$(seconds sitegen build "$C/sitegen" --out "$C/sg-out")
  rm -rf "$C/hugo-out"; hugo=$(seconds hugo --quiet -s "$C/hugo" -d "$C/hugo-out")
  rm -rf "$C/pel-out"
  pel=$(seconds "$PELICAN" -q "$C/pelican/content" -o "$C/pel-out" -s "$C/pelican/pelicanconf.py")
  echo "round $r: sitegen-1 $one sitegen-all $all no-change $same one-price $price" \
       "one-guide $guide hugo $hugo pelican $pel" | tee -a "$LOG"
done
python3 - "$LOG" "$PEAK" <<'PY'
import statistics, sys
rounds = [line.split()[2:] for line in open(sys.argv[1])]
names = rounds[0][0::2]
print("medians (s):", " ".join(
    f"{name} {statistics.median(float(r[2 * i + 1]) for r in rounds):.2f}"
    for i, name in enumerate(names)))
peaks = [int(line) for line in open(sys.argv[2]) if line.strip().isdigit()]
if peaks:
    print(f"peak of the cold sitegen builds: {max(peaks) / 1024:.0f} MiB")
PY
rm -f "$LOG" "$PEAK"
