#!/usr/bin/env bash
# Make sure a headless Chromium is there for the tests that open the HTML pages
# (tests/test_pages.py): Debian's `chromium` package, installed with apt when missing.
# Prints the browser's path. Sourced by scripts/test.sh; runnable alone.
set -euo pipefail
find_browser() {
    command -v chromium || command -v chromium-browser || command -v google-chrome || true
}
browser=$(find_browser)
if [ -z "$browser" ]; then
    if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
    echo "installing chromium (apt) for the page tests..." >&2
    $sudo apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium >&2
    browser=$(find_browser)
fi
if [ -z "$browser" ]; then
    echo "scripts/browser.sh: no chromium after apt-get install; install Debian's chromium package" >&2
    exit 1
fi
echo "$browser"
