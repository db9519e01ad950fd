#!/usr/bin/env bash
# Ensure Debian's Chromium and chromium-driver are installed (for tests/test_browser.py).
# Idempotent: prints nothing and exits 0 when both are already present. Never downloads a browser
# through Playwright; Playwright for Python drives /usr/bin/chromium.
set -euo pipefail

have() { command -v "$1" >/dev/null 2>&1; }

if have chromium && have chromedriver; then
    exit 0
fi

bash "$(dirname "$0")/apt-install.sh" browser-setup chromium chromium-driver

if ! have chromium || ! have chromedriver; then
    echo "browser-setup: apt-get finished but chromium/chromedriver are still missing" >&2
    exit 1
fi
echo "browser-setup: installed $(chromium --version 2>/dev/null | head -n1)"
