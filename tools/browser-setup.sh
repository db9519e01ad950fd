#!/usr/bin/env bash
# Ensure Debian's Chromium and chromium-driver are installed (for tests/test_browser.py).
# Idempotent: prints nothing and exits 0 when both are already present. Never downloads a browser
# through Playwright; Playwright for Python drives /usr/bin/chromium.
set -euo pipefail

have() { command -v "$1" >/dev/null 2>&1; }

if have chromium && have chromedriver; then
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif have sudo && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
else
    echo "browser-setup: chromium is missing and this user cannot install packages (need root or passwordless sudo)" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
install() { $SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null; }
if ! install 2>/dev/null; then
    $SUDO apt-get update -qq >/dev/null
    install
fi

if ! have chromium || ! have chromedriver; then
    echo "browser-setup: apt-get finished but chromium/chromedriver are still missing" >&2
    exit 1
fi
echo "browser-setup: installed $(chromium --version 2>/dev/null | head -n1)"
