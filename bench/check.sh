#!/usr/bin/env bash
# `scriptpin check` over 500 pins of about 25 KiB on loopback, against
# `xargs -P8` running `curl -fsS URL | sha256sum` and a sequential shell loop.
# Targets: no slower than the xargs -P8 pipeline; peak RSS at most 64 MiB.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release >/dev/null
scriptpin=$PWD/.build/release/scriptpin
source bench/server.sh
work=$(mktemp -d)
trap 'stop_server; rm -rf "$work"' EXIT

mkdir -p "$work/known-hashes"
: >"$work/urls"
for index in $(seq 1 500); do
    { echo "# bench script $index"; head -c 25000 /dev/urandom | base64; } >"$files/s$index.sh"
    digest=$(sha256sum "$files/s$index.sh" | cut -c1-64)
    url=https://127.0.0.1:$port/files/s$index.sh
    printf 'url %s\nsha256 %s\n' "$url" "$digest" >"$work/known-hashes/s$index.pin"
    echo "$url" >>"$work/urls"
done
export SSL_CERT_FILE=$ca SCRIPTPIN_CACHE=$work/cache

runs=${RUNS:-3}
echo "500 pins of ~25 KiB, median of $runs runs:"
python3 bench/measure.py "$runs" 'scriptpin check --jobs 8       ' -- "$scriptpin" check --manifest "$work/known-hashes" --jobs 8
python3 bench/measure.py "$runs" 'xargs -P8 curl | sha256sum     ' -- sh -c "xargs -P8 -I{} sh -c 'curl -fsS --cacert \"$ca\" {} | sha256sum' <'$work/urls'"
python3 bench/measure.py 1 'sequential curl | sha256sum loop' -- sh -c "while read -r url; do curl -fsS --cacert '$ca' \"\$url\" | sha256sum; done <'$work/urls'"
