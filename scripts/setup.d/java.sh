#!/usr/bin/env bash
# A Java runtime for HermiT (through owlready2) and the OWL API (Debian's libowlapi-java) for the
# OWL 2 DL profile check (tests/java/ProfileCheck.java, run from tests/test_ontology.py).
# Idempotent: installs only what is missing.
set -euo pipefail
need=()
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
[ -e /usr/share/java/owlapi-distribution.jar ] || need+=(libowlapi-java)
bash "$(dirname "$0")/../apt-missing.sh" ${need[@]+"${need[@]}"}
