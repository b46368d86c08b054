#!/usr/bin/env bash
# install-deps.sh -- install ttst's build and test dependencies with apt-get,
# only those that are missing.  Needs root (or sudo) on Debian 12.
set -euo pipefail

PKGS=(clang-16 llvm-16-dev libelf-dev libdwarf-dev libcunit1-dev cmake make
      gcc g++ pkg-config libc6-dev procps iproute2 util-linux jq
      llvm-16 binutils)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || {
		echo "install-deps: missing packages (${missing[*]}) and not root; run as root" >&2
		exit 1
	}
	SUDO=sudo
fi
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
