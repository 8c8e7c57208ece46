#!/usr/bin/env bash
# Builds a self-contained release of scriptpin and checks it:
#   scripts/release.sh [OUTDIR]      (default: dist/, which git ignores)
# writes OUTDIR/scriptpin-VERSION-linux-ARCH.tar.gz (the binary, README,
# LICENSE if present, and the pin catalogue), OUTDIR/SHA256SUMS and
# OUTDIR/SHA512SUMS. The Swift standard library and Foundation are linked
# statically, so the binary needs only libc, libstdc++, libcrypto 3 and
# libcurl 4. The commit recorded in the binary is SCRIPTPIN_COMMIT, else
# git's HEAD.
#
# Reproducible: the same commit gives the same tarball from any checkout.
# The sources are copied to one fixed build directory (SCRIPTPIN_RELEASE_ROOT,
# default /tmp/scriptpin-release) and built there from scratch, because
# clang's module cache names its files by a hash of the absolute include
# paths, which prefix maps do not reach; the paths the compiler records are
# then mapped to /scriptpin. The build directory must be the builder's own:
# one that is a symbolic link, belongs to another user or is writable by
# anyone else is refused (another user who made it first could swap the
# sources mid-build), and a new one is made 0700. In a git checkout the
# sources are the commit's tracked files (git archive), and a working tree
# with uncommitted changes is refused. The archive's metadata is fixed (sorted names,
# zero mtimes, numeric owner 0). swiftc stamps each object with a module
# hash (`.swift_modhash`, for its incremental builds, never read at run time)
# that is not a function of the source alone: two builds of one commit
# differed there and nowhere else. It is zeroed in the shipped binary, which
# is linked without a build id (the linker would derive one from those bytes).
# scripts/compare-release.sh names the file and ELF section that differ,
# should two tarballs ever not be identical.
set -euo pipefail

source="$(cd "$(dirname "$0")/.." && pwd -P)"
out="${1:-$source/dist}"
mkdir -p "$out"
out="$(cd "$out" && pwd -P)"
build_root="${SCRIPTPIN_RELEASE_ROOT:-/tmp/scriptpin-release}"
root="$build_root/src"
scratch="$build_root/build"

fail() { echo "release.sh: $*" >&2; exit 1; }
refuse_root() { fail "refusing the build directory $build_root: $1; remove it, or choose another with SCRIPTPIN_RELEASE_ROOT"; }

# Made only if absent (mkdir fails on anything already there), then checked whatever happened.
[ -d "$(dirname "$build_root")" ] || fail "the parent of the build directory $build_root does not exist; create it or choose another SCRIPTPIN_RELEASE_ROOT"
mkdir -m 0700 "$build_root" 2>/dev/null || true
[ -L "$build_root" ] && refuse_root "it is a symbolic link"
[ -d "$build_root" ] || refuse_root "it is not a directory"
[ "$(stat -c %u "$build_root")" = "$(id -u)" ] || refuse_root "it belongs to user $(stat -c %u "$build_root"), not to you"
[ $(( 8#$(stat -c %a "$build_root") & 8#022 )) -eq 0 ] || refuse_root "others can write to it (mode $(stat -c %a "$build_root"))"
# Appended to, never truncated, and refused as a link: a planted link cannot reach another file.
[ -L "$build_root/.lock" ] && refuse_root "its .lock is a symbolic link"
exec 9>> "$build_root/.lock"
flock 9

parts=(Package.swift Sources Modules Tests README.md LICENSE known-hashes)
rm -rf "$root" "$scratch"
mkdir -p "$root"
if git -C "$source" rev-parse --is-inside-work-tree > /dev/null 2>&1; then
    [ -z "$(git -C "$source" status --porcelain --untracked-files=no)" ] \
        || fail "$source has uncommitted changes to tracked files, so a release would not be the commit it names; commit or stash them"
    head="$(git -C "$source" rev-parse HEAD)"
    if [ -n "${SCRIPTPIN_COMMIT:-}" ] && [[ "$SCRIPTPIN_COMMIT" =~ ^[0-9a-f]{40}$ ]] && [ "$SCRIPTPIN_COMMIT" != "$head" ]; then
        fail "SCRIPTPIN_COMMIT is $SCRIPTPIN_COMMIT but $source is at $head; check out that commit"
    fi
    present=()
    for part in "${parts[@]}"; do
        if [ -n "$(git -C "$source" ls-files -- "$part" | head -n 1)" ]; then present+=("$part"); fi
    done
    git -C "$source" archive --format=tar HEAD -- "${present[@]}" | tar -xf - -C "$root"
else
    # A source tree without git (an unpacked source archive): its files as they are.
    for part in "${parts[@]}"; do
        if [ -e "$source/$part" ]; then cp -R "$source/$part" "$root/"; fi
    done
fi
# Clang's modules record their inputs' modification times; a checkout's are the time it was made.
find "$root" -exec touch -h -d @1 {} +

version="$(sed -n 's/.*static let current = "\(.*\)".*/\1/p' "$root/Sources/ScriptPinKit/Version.swift")"
commit="${SCRIPTPIN_COMMIT:-$(git -C "$source" rev-parse HEAD 2>/dev/null || echo unknown)}"
case "$commit" in
    *[!0-9A-Za-z._-]*) echo "release.sh: SCRIPTPIN_COMMIT must be a commit id or tag name" >&2; exit 2 ;;
esac
arch="$(uname -m)"
name="scriptpin-$version-linux-$arch"

# Every path the compiler could record is mapped to a fixed one.
maps=()
for pair in "$root=/scriptpin" "$scratch=/scriptpin/.build"; do
    maps+=(-Xswiftc -file-prefix-map -Xswiftc "$pair" -Xswiftc -debug-prefix-map -Xswiftc "$pair" -Xcc "-ffile-prefix-map=$pair")
done
# From inside the copy: the compiler records its working directory too.
cd "$root"
# The driver and parts of the compiler are Swift programs: without this, their
# hash tables are seeded per process, and what they iterate can change the output.
export SWIFT_DETERMINISTIC_HASHING=1
swift build -c release --product scriptpin --static-swift-stdlib --package-path "$root" --scratch-path "$scratch" \
    -Xswiftc -gline-tables-only -Xcc -gline-tables-only \
    -Xswiftc -Xcc -Xswiftc -Xclang -Xswiftc -Xcc -Xswiftc -fno-pch-timestamp \
    -Xlinker --build-id=none "${maps[@]}" -Xcc "-DSCRIPTPIN_GIT_COMMIT=\"$commit\"" >&2
binary="$scratch/release/scriptpin"

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/$name"
cp "$binary" "$stage/scriptpin"
if readelf -SW "$binary" | grep -F ' .swift_modhash ' > /dev/null; then
    objcopy --dump-section .swift_modhash="$stage/modhash" "$binary"
    head -c "$(stat -c %s "$stage/modhash")" /dev/zero > "$stage/modhash"
    objcopy --update-section .swift_modhash="$stage/modhash" "$binary" "$stage/scriptpin"
fi
install -m 0755 "$stage/scriptpin" "$stage/$name/scriptpin"
install -m 0644 "$root/README.md" "$stage/$name/README.md"
if [ -f "$root/LICENSE" ]; then install -m 0644 "$root/LICENSE" "$stage/$name/LICENSE"; fi
mkdir "$stage/$name/known-hashes"
for pin in "$root"/known-hashes/*.pin; do install -m 0644 "$pin" "$stage/$name/known-hashes/"; done
find "$stage/$name" -type d -exec chmod 0755 {} +

tarball="$name.tar.gz"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --format=gnu -C "$stage" -cf - "$name" \
    | gzip -n -9 > "$out/$tarball"
(cd "$out" && sha256sum "$tarball" > SHA256SUMS && sha512sum "$tarball" > SHA512SUMS)

# Check what was built, as a user of the tarball would.
(cd "$out" && sha256sum -c --quiet SHA256SUMS && sha512sum -c --quiet SHA512SUMS) || fail "the sums do not match the tarball"
unpacked="$stage/unpacked"
mkdir "$unpacked"
tar -xzf "$out/$tarball" -C "$unpacked"
shipped="$unpacked/$name/scriptpin"
if ldd "$shipped" | grep 'libswift\|libFoundation\|libdispatch\|libBlocksRuntime' > /dev/null; then
    fail "the binary still links a Swift runtime library: $(ldd "$shipped" | grep 'swift\|Foundation\|dispatch\|Blocks')"
fi
# SwiftPM adds $ORIGIN (the binary's own directory); any other search path could reach a toolchain.
if readelf -d "$shipped" | grep -E 'R(UN)?PATH' | grep -v 'path: \[\$ORIGIN\]$' > /dev/null; then
    fail "the binary carries a library search path: $(readelf -d "$shipped" | grep -E 'R(UN)?PATH')"
fi
# No toolchain on any path: a bare environment, as on a stock Debian or Ubuntu runner.
env -i PATH=/usr/bin:/bin "$shipped" --version > "$stage/version" || fail "the binary does not run without the toolchain"
grep -qx "scriptpin $version" "$stage/version" || fail "--version does not name $version"
grep -qx "commit $commit" "$stage/version" || fail "--version does not name commit $commit"
(cd "$unpacked/$name" && env -i PATH=/usr/bin:/bin ./scriptpin verify --manifest known-hashes >/dev/null 2>&1) \
    || fail "the shipped pin catalogue does not verify"
(cd "$out" && env -i PATH=/usr/bin:/bin "$shipped" verify --sums SHA256SUMS >/dev/null) || fail "scriptpin verify --sums rejects SHA256SUMS"

echo "$out/$tarball"
