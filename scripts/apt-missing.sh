#!/usr/bin/env bash
# Install the Debian packages named as arguments (those a scripts/setup.d/*.sh part found
# missing): as root, non-interactively; otherwise say which to install and fail.
set -euo pipefail
[ $# = 0 ] && exit 0
if [ "$(id -u)" = 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
else
  echo "setup: missing $*; install with: sudo apt-get install -y $*" >&2
  exit 1
fi
