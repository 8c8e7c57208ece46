#!/usr/bin/env bash
# Installs scriptpin on a CI runner from this checkout's own source: the
# trust root is the commit the pipeline pins, and no binary is downloaded.
# The logic of action.yml (GitHub) and ci/scriptpin.gitlab-ci.yml (GitLab).
#
#   scripts/setup-scriptpin.sh key       prints the cache key (commit, OS, architecture, toolchain);
#                                        on GitHub also writes it to $GITHUB_OUTPUT
#   scripts/setup-scriptpin.sh install   builds with scripts/release.sh unless the cache holds the
#                                        binary of this commit with the digest recorded outside
#                                        it (the tarball and its sums are left in
#                                        BIN_DIR/../scriptpin-dist), then puts BIN_DIR on the PATH
#                                        ($GITHUB_PATH on GitHub)
#
# A cached binary is only used when its SHA-256 matches SCRIPTPIN_BINARY_SHA256 or the digest
# this script recorded in BIN_DIR.sha256, beside (not in) the cached directory: any step after
# the build could have written to the cache. Builds are reproducible, so the digest of a commit
# built with one toolchain never changes; each build prints it.
#
# Settings (environment):
#   SCRIPTPIN_BIN_DIR   where the binary goes (default: $RUNNER_TEMP/scriptpin-bin on GitHub)
#   SCRIPTPIN_CACHE_DIR where a cached binary is looked for and a new build is copied (default:
#                       BIN_DIR itself; GitLab caches only inside the project directory, so its
#                       template keeps the cache there and installs outside it)
#   SCRIPTPIN_BINARY_SHA256  the digest a cached binary must have (the action's binary-sha256)
#   SCRIPTPIN_COMMIT    the commit being installed (default: $GITHUB_ACTION_REF when it is a
#                       commit id, else git's HEAD of this checkout)
#   INPUT_CONFINE       "true": where the kernel restricts unprivileged user namespaces
#                       (Ubuntu 24.04's AppArmor rule), install with sudo an AppArmor profile
#                       that grants them to the installed binary only; the binary is first
#                       installed, root-owned and unwritable by the runner's user, under
#                       SCRIPTPIN_PROTECTED_PREFIX (default /opt/scriptpin), and that copy goes on PATH
set -euo pipefail

source_dir="$(cd "$(dirname "$0")/.." && pwd -P)"
fail() { echo "setup-scriptpin: $*" >&2; exit 1; }

commit() {
    if [ -n "${SCRIPTPIN_COMMIT:-}" ]; then
        echo "$SCRIPTPIN_COMMIT"
    elif [[ "${GITHUB_ACTION_REF:-}" =~ ^[0-9a-f]{40}$ ]]; then
        echo "$GITHUB_ACTION_REF"
    elif git -C "$source_dir" rev-parse HEAD 2>/dev/null; then
        :
    else
        fail "cannot tell which commit this is; pin the action by a full commit id (OWNER/scriptpin@<40 hex digits>) or set SCRIPTPIN_COMMIT"
    fi
}

toolchain() {
    command -v swift >/dev/null 2>&1 || fail "Swift is not on PATH, and scriptpin is built from source here. Add a step that installs a Swift 6 toolchain before this one (GitHub's ubuntu images have Swift; on others use an image with Swift, or install it from your distribution), and the packages libssl-dev and libcurl4-openssl-dev"
    swift --version 2>/dev/null | head -n 1
}

bin_dir() {
    if [ -n "${SCRIPTPIN_BIN_DIR:-}" ]; then echo "$SCRIPTPIN_BIN_DIR"
    elif [ -n "${RUNNER_TEMP:-}" ]; then echo "$RUNNER_TEMP/scriptpin-bin"
    else fail "set SCRIPTPIN_BIN_DIR (or RUNNER_TEMP on GitHub) to where scriptpin should be installed"
    fi
}

key() {
    local version
    version="$(toolchain)"
    local key="scriptpin-$(commit)-$(uname -s)-$(uname -m)-$(printf '%s' "$version" | sha256sum | cut -c1-16)"
    if [ -n "${GITHUB_OUTPUT:-}" ]; then echo "key=$key" >> "$GITHUB_OUTPUT"; fi
    echo "$key"
}

# Prints where the binary the profile names lives: a copy owned by root, in directories only
# root can write, so that no program the runner's user puts there gains user namespaces.
protect_binary() {
    local binary="$1" commit="$2" sudo="$3"
    local prefix="${SCRIPTPIN_PROTECTED_PREFIX:-/opt/scriptpin}"
    local target="$prefix/$commit/scriptpin"
    $sudo install -d -o root -g root -m 0755 "$prefix" "$prefix/$commit"
    $sudo install -o root -g root -m 0755 "$binary" "$target"
    local path="$target" owner mode
    while [ "$path" != "/" ]; do
        owner="$(stat -c '%u' "$path")"
        mode="8#$(stat -c '%a' "$path")"
        # Root's, and writable by nobody else unless sticky (as /tmp is: others cannot replace root's entries there).
        if [ "$owner" != "0" ] || { [ $(( mode & 8#022 )) -ne 0 ] && [ $(( mode & 8#1000 )) -eq 0 ]; }; then
            fail "$path is not owned by root or is writable by others, so the AppArmor profile would attach to a path the runner's user could replace; choose another SCRIPTPIN_PROTECTED_PREFIX"
        fi
        path="$(dirname "$path")"
    done
    echo "$target"
}

install_profile() {
    local binary="$1"
    local directory="${SCRIPTPIN_APPARMOR_DIR:-/etc/apparmor.d}"
    local parser="${SCRIPTPIN_APPARMOR_PARSER:-apparmor_parser}"
    local sudo="$2"
    local profile
    profile="$(mktemp)"
    # Grants user namespaces to this one binary, as Ubuntu recommends for sandboxes,
    # instead of lifting the restriction for every program on the runner.
    cat > "$profile" <<PROFILE
abi <abi/4.0>,
include <tunables/global>

profile scriptpin $binary flags=(unconfined) {
  userns,
}
PROFILE
    $sudo cp "$profile" "$directory/scriptpin"
    $sudo chmod 0644 "$directory/scriptpin"
    rm -f "$profile"
    $sudo $parser -r "$directory/scriptpin" || fail "$parser could not load $directory/scriptpin"
    echo "setup-scriptpin: AppArmor profile $directory/scriptpin lets $binary create user namespaces"
}

# The cached binary, when its digest matches one recorded outside the cache and it is this commit's.
trusted_cached_binary() {
    local cached="$1" wanted="$2" recorded="$3"
    [ -f "$cached" ] || return 1
    local actual
    actual="$(sha256sum "$cached" | cut -d' ' -f1)"
    if [ -z "$recorded" ]; then
        echo "setup-scriptpin: the cached binary's digest is recorded nowhere outside the cache, so it is not trusted; rebuilding (set SCRIPTPIN_BINARY_SHA256 to use the cache)"
        return 1
    fi
    if [ "$actual" != "$recorded" ]; then
        echo "setup-scriptpin: the cached binary has sha256 $actual, not the recorded $recorded: it was changed after the build; rebuilding"
        return 1
    fi
    # grep reads all of the output (no -q): stopping early would end --version with SIGPIPE, which pipefail counts as failure.
    "$cached" --version 2>/dev/null | grep -x "commit $wanted" > /dev/null
}

install_scriptpin() {
    local wanted directory binary cache recorded
    wanted="$(commit)"
    directory="$(bin_dir)"
    binary="$directory/scriptpin"
    cache="${SCRIPTPIN_CACHE_DIR:-$directory}"
    recorded="${SCRIPTPIN_BINARY_SHA256:-$(cat "$directory.sha256" 2>/dev/null || true)}"
    if trusted_cached_binary "$cache/scriptpin" "$wanted" "$recorded"; then
        echo "setup-scriptpin: using the cached build of $wanted (sha256 $recorded)"
        if [ "$cache" != "$directory" ]; then
            mkdir -p "$directory"
            install -m 0755 "$cache/scriptpin" "$binary"
        fi
    else
        toolchain > /dev/null
        # The release tarball and its sums stay beside the binary, to compare with a published release.
        local dist unpacked tarball digest
        dist="$(dirname "$directory")/scriptpin-dist"
        tarball="$(SCRIPTPIN_COMMIT="$wanted" "$source_dir/scripts/release.sh" "$dist")"
        unpacked="$(mktemp -d)"
        tar -xzf "$tarball" -C "$unpacked" --wildcards '*/scriptpin'
        mkdir -p "$directory"
        install -m 0755 "$unpacked"/scriptpin-*/scriptpin "$binary"
        rm -rf "$unpacked"
        digest="$(sha256sum "$binary" | cut -d' ' -f1)"
        echo "$digest" > "$directory.sha256"
        if [ "$cache" != "$directory" ]; then
            mkdir -p "$cache"
            install -m 0755 "$binary" "$cache/scriptpin"
        fi
        echo "setup-scriptpin: built $wanted ($tarball)"
        echo "setup-scriptpin: binary sha256 $digest; record it as SCRIPTPIN_BINARY_SHA256 (the action's binary-sha256) so that later jobs may use the cache"
    fi
    "$binary" --version
    local on_path="$directory"
    if [ "${INPUT_CONFINE:-false}" = "true" ]; then
        local restricted="${SCRIPTPIN_USERNS_RESTRICTED:-$(cat /proc/sys/kernel/apparmor_restrict_unprivileged_userns 2>/dev/null || echo 0)}"
        if [ "$restricted" != "1" ]; then
            echo "setup-scriptpin: unprivileged user namespaces are not restricted here; no AppArmor profile is needed"
        else
            local sudo=""
            if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
            local protected
            protected="$(protect_binary "$binary" "$wanted" "$sudo")"
            install_profile "$protected" "$sudo"
            on_path="$(dirname "$protected")"
        fi
    fi
    if [ -n "${GITHUB_PATH:-}" ]; then echo "$on_path" >> "$GITHUB_PATH"; fi
    if [ -n "${SCRIPTPIN_PATH_FILE:-}" ]; then echo "$on_path" > "$SCRIPTPIN_PATH_FILE"; fi
}

case "${1:-}" in
    key) key ;;
    install) install_scriptpin ;;
    *) echo "usage: scripts/setup-scriptpin.sh key|install" >&2; exit 2 ;;
esac
