#!/usr/bin/env bash
# Installs the system packages scriptpin needs to build and test, only those
# that are missing: libcrypto and libcurl headers, pkg-config, and the tools
# the tests drive (openssl, python3, git, sha256sum, diff, patch; cc for a
# preload shim and a seccomp filter; readelf, objcopy, tar and gzip for the
# release checks; setpriv and unshare to test as an unprivileged user and
# without namespaces; curl, the client the confined test scripts use; gnupg,
# openssh-client and minisign to make keys and signatures at test time,
# gpgv, which scriptpin runs to check PGP evidence; ripgrep and bubblewrap, the
# peers bench/ measures against; time, for the benchmarks' peak RSS).
set -euo pipefail

packages=(libssl-dev libcurl4-openssl-dev pkg-config openssl python3 git coreutils diffutils patch ca-certificates
          gcc libc6-dev binutils util-linux tar gzip curl gnupg gpgv openssh-client minisign ripgrep bubblewrap time)
missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep "install ok installed" > /dev/null; then
        missing+=("$package")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi
echo "installing: ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
