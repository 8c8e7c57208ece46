#!/usr/bin/env bash
# `scriptpin lint` over a generated tree of 20,000 files (~200 MB, mixed
# kinds, one file in twenty downloading something) against
# `grep -rE 'curl|wget'` over the same tree, page cache warm.
# Targets: at least 100 MB/s on 2 cores, at most twice grep's time, peak RSS at most 64 MiB.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release >/dev/null
scriptpin=$PWD/.build/release/scriptpin
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
python3 bench/make_lint_tree.py "$tree" "${FILES:-20000}"
size_mb=$(du -sm --apparent-size "$tree" | cut -f1)
echo "tree: $(find "$tree" -type f | wc -l) files, ${size_mb} MB"
grep -rE 'curl|wget' "$tree" >/dev/null   # warm the page cache

runs=${RUNS:-5}
lint_line=$(python3 bench/measure.py "$runs" 'scriptpin lint        ' -- sh -c "cd '$tree' && '$scriptpin' lint; [ \$? -le 1 ]")
grep_line=$(python3 bench/measure.py "$runs" "grep -rE 'curl|wget'  " -- sh -c "grep -rE 'curl|wget' '$tree' >/dev/null; true")
for line in "$lint_line" "$grep_line"; do
    ms=$(echo "$line" | sed -E 's/.*median ([0-9.]+) ms.*/\1/')
    echo "$line	$(python3 -c "import sys; print(f'{float(sys.argv[1]) / (float(sys.argv[2]) / 1000):.0f} MB/s')" "$size_mb" "$ms")"
done
