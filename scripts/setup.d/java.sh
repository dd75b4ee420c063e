#!/usr/bin/env bash
# A Java runtime for HermiT (through owlready2) and the OWL API (Debian's libowlapi-java) for the
# OWL 2 DL profile check (tests/java/ProfileCheck.java, run from tests/test_ontology.py).
# Idempotent: installs only what is missing.
set -euo pipefail
need=()
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
[ -e /usr/share/java/owlapi-distribution.jar ] || need+=(libowlapi-java)
[ ${#need[@]} = 0 ] && exit 0
if [ "$(id -u)" = 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
else
  echo "setup: missing ${need[*]}; install with: sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
