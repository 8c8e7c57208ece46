#!/usr/bin/env bash
# Compares two release tarballs of the same commit (scripts/release.sh run
# from two checkouts) and says what differs:
#   scripts/compare-release.sh A.tar.gz B.tar.gz
# Exit 0 when the tarballs are byte-identical; otherwise 1, naming each file
# that differs and, for the binary, each ELF section holding a differing byte.
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage: scripts/compare-release.sh A.tar.gz B.tar.gz" >&2
    exit 2
fi
if cmp -s "$1" "$2"; then
    echo "identical: sha256 $(sha256sum < "$1" | cut -d' ' -f1)"
    exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/a" "$work/b"
tar -xzf "$1" -C "$work/a"
tar -xzf "$2" -C "$work/b"
(cd "$work/a" && find . -type f | sort) > "$work/files"
(cd "$work/b" && find . -type f | sort) | diff - "$work/files" > /dev/null || echo "differs: the list of files"
while read -r file; do
    if cmp -s "$work/a/$file" "$work/b/$file"; then continue; fi
    echo "differs: ${file#./}"
    [ -f "$work/b/$file" ] || continue
    if [ "$(head -c 4 "$work/a/$file" | od -An -tx1 | tr -d ' ')" != "7f454c46" ]; then continue; fi
    # Each differing byte offset (cmp counts from 1), placed in the section whose file range holds it.
    # The first differing bytes are enough to name the sections; a binary that differs everywhere is cut short.
    { cmp -l "$work/a/$file" "$work/b/$file" || true; } | head -n 100000 | awk '{ print $1 - 1 }' > "$work/offsets"
    readelf -SW "$work/a/$file" | awk '
        function decimal(hex,    value, i) {
            value = 0
            for (i = 1; i <= length(hex); i++) value = value * 16 + index("0123456789abcdef", substr(hex, i, 1)) - 1
            return value
        }
        /^ *\[ *[0-9]+\]/ {
            sub(/^ *\[ *[0-9]+\] */, "")
            if ($2 != "NOBITS" && $1 != "NULL") print $1, decimal($4), decimal($5)
        }' > "$work/sections"
    awk 'NR == FNR { name[NR] = $1; start[NR] = $2; size[NR] = $3; count = NR; next }
         { for (i = 1; i <= count; i++) if ($1 >= start[i] && $1 < start[i] + size[i]) { hit[name[i]]++; next }
           hit["(outside any section: headers)"]++ }
         END { for (n in hit) printf "  section %s: %d bytes\n", n, hit[n] }' "$work/sections" "$work/offsets" | sort
done < "$work/files"
exit 1
