#!/usr/bin/env bash
# HermiT (through owlready2) needs a Java runtime for the ontology consistency test.
set -euo pipefail
if ! command -v java >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null
  else
    echo "setup: java is missing; install a Java runtime (e.g. sudo apt-get install default-jre-headless)" >&2
    exit 1
  fi
fi
