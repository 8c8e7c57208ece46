#!/usr/bin/env bash
# `scriptpin check` over 500 pins of about 25 KiB on loopback, against
# `xargs -P8` running `curl -fsS URL | sha256sum` and a sequential shell loop;
# then the same 500 pins each with a `source github:…` line (one repository
# per pin, tagged, answered by the test server's stand-in for GitHub's API)
# against the pins without one, the two in turns.
# Targets: no slower than the xargs -P8 pipeline; peak RSS at most 64 MiB;
# with evidence at most 2x the time without.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release >/dev/null
scriptpin=$PWD/.build/release/scriptpin
source bench/server.sh
work=$(mktemp -d)
trap 'stop_server; rm -rf "$work"' EXIT

mkdir -p "$work/known-hashes" "$work/evidence/known-hashes"
: >"$work/urls"
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
for index in $(seq 1 500); do
    { echo "# bench script $index"; head -c 25000 /dev/urandom | base64; } >"$files/s$index.sh"
    digest=$(sha256sum "$files/s$index.sh" | cut -c1-64)
    url=https://127.0.0.1:$port/files/s$index.sh
    printf 'url %s\nsha256 %s\n' "$url" "$digest" >"$work/known-hashes/s$index.pin"
    echo "$url" >>"$work/urls"
    repository=$server_root/repos/vendor$index/tool
    mkdir -p "$repository"
    git -C "$repository" init -q -b main
    cp "$files/s$index.sh" "$repository/install.sh"
    git -C "$repository" add install.sh
    git -C "$repository" commit -q -m release
    git -C "$repository" tag -a v1.0 -m v1.0
    commit=$(git -C "$repository" rev-parse HEAD)
    printf 'url %s\nsha256 %s\nsource github:vendor%s/tool@v1.0:install.sh commit %s\n' "$url" "$digest" "$index" "$commit" \
        >"$work/evidence/known-hashes/s$index.pin"
done
export SSL_CERT_FILE=$ca SCRIPTPIN_CACHE=$work/cache

runs=${RUNS:-3}
echo "500 pins of ~25 KiB, median of $runs runs:"
python3 bench/measure.py "$runs" 'scriptpin check --jobs 8       ' -- "$scriptpin" check --manifest "$work/known-hashes" --jobs 8
python3 bench/measure.py "$runs" 'xargs -P8 curl | sha256sum     ' -- sh -c "xargs -P8 -I{} sh -c 'curl -fsS --cacert \"$ca\" {} | sha256sum' <'$work/urls'"
python3 bench/measure.py 1 'sequential curl | sha256sum loop' -- sh -c "while read -r url; do curl -fsS --cacert '$ca' \"\$url\" | sha256sum; done <'$work/urls'"

echo "the same 500 pins without and with a source github: line each, median of $runs runs, in turns:"
export SCRIPTPIN_GITHUB_API_URL=https://127.0.0.1:$port/github
python3 bench/measure.py "$runs" 'check --jobs 8, digest only     ' -- "$scriptpin" check --manifest "$work/known-hashes" --jobs 8 \
    --and 'check --jobs 8, with source line' -- "$scriptpin" check --manifest "$work/evidence/known-hashes" --jobs 8
