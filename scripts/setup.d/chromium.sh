#!/usr/bin/env bash
# Debian's Chromium for the browser tests (tests/test_browser.py): headless, driven through the
# DevTools protocol over a pipe (tests/browser.py), so no driver binary or websocket library is
# needed. Fonts: DejaVu, which `kg viz` and the pages name. Idempotent: installs only what is missing.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
[ ${#need[@]} = 0 ] && exit 0
if [ "$(id -u)" = 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
else
  echo "setup: missing ${need[*]}; install with: sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
