#!/usr/bin/env bash
# Installs scriptpin on a CI runner from this checkout's own source: the
# trust root is the commit the pipeline pins, and no binary is downloaded.
# The logic of action.yml (GitHub) and ci/scriptpin.gitlab-ci.yml (GitLab).
#
#   scripts/setup-scriptpin.sh key       prints the cache key (commit, OS, architecture, toolchain);
#                                        on GitHub also writes it to $GITHUB_OUTPUT
#   scripts/setup-scriptpin.sh install   builds with scripts/release.sh unless BIN_DIR already holds
#                                        the binary of this commit (the tarball and its sums are
#                                        left in BIN_DIR/../scriptpin-dist), then puts BIN_DIR on
#                                        the PATH ($GITHUB_PATH on GitHub)
#
# Settings (environment):
#   SCRIPTPIN_BIN_DIR   where the binary goes (default: $RUNNER_TEMP/scriptpin-bin on GitHub)
#   SCRIPTPIN_COMMIT    the commit being installed (default: $GITHUB_ACTION_REF when it is a
#                       commit id, else git's HEAD of this checkout)
#   INPUT_CONFINE       "true": where the kernel restricts unprivileged user namespaces
#                       (Ubuntu 24.04's AppArmor rule), install with sudo an AppArmor profile
#                       that grants them to the installed binary only
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

install_profile() {
    local binary="$1"
    local restricted="${SCRIPTPIN_USERNS_RESTRICTED:-$(cat /proc/sys/kernel/apparmor_restrict_unprivileged_userns 2>/dev/null || echo 0)}"
    if [ "$restricted" != "1" ]; then
        echo "setup-scriptpin: unprivileged user namespaces are not restricted here; no AppArmor profile is needed"
        return
    fi
    local directory="${SCRIPTPIN_APPARMOR_DIR:-/etc/apparmor.d}"
    local parser="${SCRIPTPIN_APPARMOR_PARSER:-apparmor_parser}"
    local sudo=""
    if [ "$(id -u)" -ne 0 ] && [ -z "${SCRIPTPIN_APPARMOR_DIR:-}" ]; then sudo="sudo"; fi
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

install_scriptpin() {
    local wanted directory binary
    wanted="$(commit)"
    directory="$(bin_dir)"
    binary="$directory/scriptpin"
    # grep reads all of the output (no -q): stopping early would end --version with SIGPIPE, which pipefail counts as failure.
    if [ -x "$binary" ] && "$binary" --version 2>/dev/null | grep -x "commit $wanted" > /dev/null; then
        echo "setup-scriptpin: using the cached build of $wanted"
    else
        toolchain > /dev/null
        # The release tarball and its sums stay beside the binary, to compare with a published release.
        local dist unpacked tarball
        dist="$(dirname "$directory")/scriptpin-dist"
        tarball="$(SCRIPTPIN_COMMIT="$wanted" "$source_dir/scripts/release.sh" "$dist")"
        unpacked="$(mktemp -d)"
        tar -xzf "$tarball" -C "$unpacked" --wildcards '*/scriptpin'
        mkdir -p "$directory"
        install -m 0755 "$unpacked"/scriptpin-*/scriptpin "$binary"
        rm -rf "$unpacked"
        echo "setup-scriptpin: built $wanted ($tarball)"
    fi
    "$binary" --version
    if [ -n "${GITHUB_PATH:-}" ]; then echo "$directory" >> "$GITHUB_PATH"; fi
    if [ "${INPUT_CONFINE:-false}" = "true" ]; then install_profile "$binary"; fi
}

case "${1:-}" in
    key) key ;;
    install) install_scriptpin ;;
    *) echo "usage: scripts/setup-scriptpin.sh key|install" >&2; exit 2 ;;
esac
