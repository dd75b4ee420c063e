#!/usr/bin/env bash
# Set up defence-kg on a fresh machine: a virtual environment in .venv with the package
# installed in editable mode (with the `fast` extra: numpy for the native materialiser, and `extract`: spaCy for kg extract). With --test, also the test extras and the system services the
# test suite uses (each in scripts/setup.d/*.sh: real SPARQL servers, Graphviz, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
want_test=0
for arg in "$@"; do
  case "$arg" in
    --test) want_test=1 ;;
    *) echo "usage: scripts/setup.sh [--test]" >&2; exit 2 ;;
  esac
done
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
if [ "$want_test" = 1 ]; then
  .venv/bin/python -m pip install --quiet -e '.[test]'
  for part in scripts/setup.d/*.sh; do
    [ -e "$part" ] || continue
    echo "setup: $part"
    bash "$part"
  done
else
  .venv/bin/python -m pip install --quiet -e '.[fast,extract]'
fi
echo "setup: done (.venv/bin/kg --version: $(.venv/bin/kg --version))"
