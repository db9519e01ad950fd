#!/usr/bin/env bash
# apt-install.sh WHO PACKAGE...: install Debian packages as root or with passwordless sudo, running
# `apt-get update` only when the first try fails. Shared by tools/browser-setup.sh and tools/java-setup.sh.
set -euo pipefail
who=$1; shift
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
else
    echo "$who: $* missing and this user cannot install packages (need root or passwordless sudo)" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
install() { $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null; }
if ! install "$@" 2>/dev/null; then
    $SUDO apt-get update -qq >/dev/null
    install "$@"
fi
