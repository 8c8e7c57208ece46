#!/usr/bin/env bash
# `scriptpin run URL` against `curl -fsSL URL | sh` for a small script on
# loopback (median of many runs; target: at most 15 ms overhead), confined
# (the default), unconfined and with an egress list (target: confinement
# adds at most 25 ms; beside bubblewrap's own start-up with
# --unshare-all --new-session, which it may exceed by at most 3 ms), and the peak RSS of running a 16 MiB script (target:
# at most its size + 32 MiB). Write confinement: a confined run with
# `write none` and with three write lines against the confined run without
# them (target: at most +5 ms), and a write audit of a script that writes
# 200 MB in 2,000 files against the same script unconfined (target: at
# most 2x its time).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release >/dev/null
scriptpin=$PWD/.build/release/scriptpin
source bench/server.sh
work=$(mktemp -d)
trap 'stop_server; rm -rf "$work"' EXIT

printf '#!/bin/sh\necho installed >/dev/null\n' >"$files/small.sh"
small=$(sha256sum "$files/small.sh" | cut -c1-64)
{ echo '#!/bin/sh'; head -c $((16 * 1024 * 1024 - 40)) /dev/zero | tr '\0' '#'; echo; echo 'exit 0'; } >"$files/big.sh"
big=$(sha256sum "$files/big.sh" | cut -c1-64)
export SSL_CERT_FILE=$ca SCRIPTPIN_CACHE=$work/cache
url=https://127.0.0.1:$port/files

runs=${RUNS:-60}
echo "small script on loopback, median of $runs runs:"
python3 bench/measure.py "$runs" 'curl -fsSL URL | sh      ' -- sh -c "curl -fsSL --cacert '$ca' '$url/small.sh' | sh"
python3 bench/measure.py "$runs" 'scriptpin run --confine off' -- "$scriptpin" run "$url/small.sh" --sha256 "$small" --confine off
python3 bench/measure.py "$runs" 'scriptpin run (confined) ' -- "$scriptpin" run "$url/small.sh" --sha256 "$small"
python3 bench/measure.py "$runs" 'scriptpin run --egress   ' -- "$scriptpin" run "$url/small.sh" --sha256 "$small" --egress example.com
if command -v bwrap >/dev/null; then
    printf '#!/bin/sh\necho installed >/dev/null\n' >"$work/small.sh"
    python3 bench/measure.py "$runs" 'sh small.sh              ' -- sh "$work/small.sh"
    python3 bench/measure.py "$runs" 'bwrap sh small.sh        ' -- bwrap --unshare-all --new-session --die-with-parent \
        --ro-bind / / --proc /proc --dev /dev sh "$work/small.sh"
fi
echo "16 MiB script:"
python3 bench/measure.py 5 'scriptpin run (16 MiB)   ' -- "$scriptpin" run "$url/big.sh" --sha256 "$big"
echo "write confinement, median of $runs runs:"
python3 bench/measure.py "$runs" 'confined, no write lines' -- "$scriptpin" run "$url/small.sh" --sha256 "$small" --confine required \
    --and 'confined, write none    ' -- "$scriptpin" run "$url/small.sh" --sha256 "$small" --write none \
    --and 'confined, 3 write lines ' -- "$scriptpin" run "$url/small.sh" --sha256 "$small" --write "$work/a" --write "$work/b" --write '~/.bench'
mkdir -p "$work/a" "$work/b"
cat >"$files/writer.sh" <<'EOF'
#!/bin/sh
exec python3 -c '
import os
os.makedirs("out", exist_ok=True)
block = b"w" * 102400
for index in range(2000):
    with open("out/f%d" % index, "wb") as file:
        file.write(block)
'
EOF
writer=$(sha256sum "$files/writer.sh" | cut -c1-64)
workspace=$work/workspace
mkdir -p "$workspace"
echo "200 MB in 2,000 files, median of 7 runs:"
bench=$PWD/bench
(cd "$workspace" && python3 "$bench/measure.py" 7 'unconfined              ' -- sh -c "rm -rf out; '$scriptpin' run '$url/writer.sh' --sha256 $writer --confine off" \
    --and 'write audit             ' -- sh -c "rm -rf out; '$scriptpin' run '$url/writer.sh' --sha256 $writer --write-audit")
