#!/usr/bin/env bash
# Compares `scriptpin hash` with `openssl dgst -sha256` and `sha256sum` on a
# 1 GiB file, and checks that peak RSS is the same for 1 MiB and 1 GiB.
# Targets: at least as fast as openssl (same libcrypto), at least 4x sha256sum,
# peak RSS at most 32 MiB and independent of the input size.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release >/dev/null
scriptpin=.build/release/scriptpin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

head -c $((1 << 20)) /dev/urandom >"$work/small"
head -c $((1 << 30)) /dev/urandom >"$work/large"
cat "$work/large" >/dev/null   # warm the page cache

runs=${RUNS:-5}
measure() { python3 bench/measure.py "$runs" "$@"; }
throughput() { python3 -c "import sys; print(f'{1024 / (float(sys.argv[1]) / 1000):.0f} MiB/s')" "$1"; }

echo "1 GiB file, median of $runs runs:"
for line in \
    "$(measure 'scriptpin hash      ' -- "$scriptpin" hash "$work/large")" \
    "$(measure 'openssl dgst -sha256' -- openssl dgst -sha256 "$work/large")" \
    "$(measure 'sha256sum           ' -- sha256sum "$work/large")"; do
    ms=$(echo "$line" | sed -E 's/.*median ([0-9.]+) ms.*/\1/')
    echo "$line	$(throughput "$ms")"
done
echo "peak RSS by input size:"
measure 'scriptpin hash 1 MiB' -- "$scriptpin" hash "$work/small"
measure 'scriptpin hash 1 GiB' -- "$scriptpin" hash "$work/large"
