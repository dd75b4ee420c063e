#!/usr/bin/env bash
# Debian's Chromium for the browser tests (tests/test_browser.py): headless, driven through the
# DevTools protocol over a pipe (tests/browser.py), so no driver binary or websocket library is
# needed. Fonts: DejaVu, which `kg viz` and the pages name. Idempotent: installs only what is missing.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
bash "$(dirname "$0")/../apt-missing.sh" ${need[@]+"${need[@]}"}
