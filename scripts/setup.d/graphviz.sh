#!/usr/bin/env bash
# `kg viz` and `kg docs` draw pictures with Graphviz (dot, neato), from Debian's graphviz package.
set -euo pipefail
if ! command -v dot >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null
  else
    echo "setup: graphviz is missing; install it (e.g. sudo apt-get install graphviz)" >&2
    exit 1
  fi
fi
