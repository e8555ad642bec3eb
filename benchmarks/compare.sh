#!/usr/bin/env bash
# Interleaved rounds on one corpus written by make_corpus.py (see README, "Benchmark"):
# sitegen with 1 process, with all cores, a no-change rebuild, then Hugo and Pelican.
# Usage: benchmarks/compare.sh CORPUS_DIR [ROUNDS]   (PELICAN=/path/to/pelican to choose one)
set -uo pipefail
C=$1; ROUNDS=${2:-3}; PELICAN=${PELICAN:-pelican}
seconds() { local s; s=$(date +%s.%N); "$@" >/dev/null 2>&1 || echo "FAILED: $*" >&2
            echo "$(date +%s.%N) - $s" | bc; }
python3 "$(dirname "$0")/adapt_corpus.py" "$C/sitegen" || exit 2
for r in $(seq "$ROUNDS"); do
  rm -rf "$C/sg-out" "$C/sitegen/.sitegen-cache"
  one=$(seconds sitegen build "$C/sitegen" --out "$C/sg-out" --jobs 1)
  rm -rf "$C/sg-out" "$C/sitegen/.sitegen-cache"
  all=$(seconds sitegen build "$C/sitegen" --out "$C/sg-out")
  same=$(seconds sitegen build "$C/sitegen" --out "$C/sg-out")
  rm -rf "$C/hugo-out"; hugo=$(seconds hugo --quiet -s "$C/hugo" -d "$C/hugo-out")
  rm -rf "$C/pel-out"
  pel=$(seconds "$PELICAN" -q "$C/pelican/content" -o "$C/pel-out" -s "$C/pelican/pelicanconf.py")
  echo "round $r: sitegen-1 $one sitegen-all $all no-change $same hugo $hugo pelican $pel"
done
