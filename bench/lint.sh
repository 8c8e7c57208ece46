#!/usr/bin/env bash
# `scriptpin lint` against `grep -rE 'curl|wget'` and ripgrep's `rg -l 'curl|wget'`
# over two generated trees of 20,000 files, page cache warm, runs taking turns:
# a mixed one (~200 MB of shell scripts, Dockerfiles, workflows, Makefiles and
# other languages' files) and one in which every file is a shell script of
# 200-500 lines; one file in twenty downloads something. Targets: at most
# twice grep's time on each and three times ripgrep's on the all-scripts
# tree, peak RSS at most 64 MiB. ripgrep is in Debian (scripts/install-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release >/dev/null
scriptpin=$PWD/.build/release/scriptpin
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT

measure() {
    local label=$1
    size_mb=$(du -sm --apparent-size "$tree" | cut -f1)
    echo "$label: $(find "$tree" -type f | wc -l) files, ${size_mb} MB"
    sync                                      # no writeback of the new tree during the runs
    grep -rE 'curl|wget' "$tree" >/dev/null   # warm the page cache
    lines=$(python3 bench/measure.py "$runs" 'scriptpin lint        ' -- sh -c "cd '$tree' && '$scriptpin' lint; [ \$? -le 1 ]" \
        --and "grep -rE 'curl|wget'  " -- sh -c "grep -rE 'curl|wget' '$tree' >/dev/null; true" \
        --and "rg -l 'curl|wget'      " -- sh -c "rg -l 'curl|wget' '$tree' >/dev/null; true")
    while IFS= read -r line; do
        ms=$(echo "$line" | sed -E 's/.*median ([0-9.]+) ms.*/\1/')
        echo "$line	$(python3 -c "import sys; print(f'{float(sys.argv[1]) / (float(sys.argv[2]) / 1000):.0f} MB/s')" "$size_mb" "$ms")"
    done <<<"$lines"
    echo "$lines" | sed -E 's/.*median ([0-9.]+) ms.*/\1/' | paste -sd' ' | awk '{printf "lint / grep: %.2fx, lint / rg: %.2fx\n", $1 / $2, $1 / $3}'
}

runs=${RUNS:-5}
python3 bench/make_lint_tree.py "$tree" "${FILES:-20000}"
measure "mixed tree"
rm -rf "$tree" && mkdir "$tree"
python3 bench/make_lint_tree.py "$tree" "${FILES:-20000}" --scripts-only
measure "all-scripts tree"
