#!/usr/bin/env bash
# Real SPARQL servers for the remote-store tests (tests/test_remote.py):
#   Oxigraph  - the `oxigraph` server CLI from PyPI, into .venv (also in the `test` extra);
#   Virtuoso 7 - Debian's virtuoso-opensource, installed non-interactively. Its packaged service is
#                not used (the tests run private instances on loopback ports, see tests/servers.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -x .venv/bin/oxigraph ]; then
  .venv/bin/python -m pip install --quiet oxigraph
fi
if ! command -v virtuoso-t >/dev/null 2>&1 || ! command -v isql-vt >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    # The package asks for a dba password through debconf; answer it up front. The tests set their
    # own password on their private databases, so this one only guards the packaged database.
    pw=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
    printf '%s\n' \
      "virtuoso-opensource-7 virtuoso-opensource-7/dba-password password $pw" \
      "virtuoso-opensource-7 virtuoso-opensource-7/dba-password-again password $pw" | debconf-set-selections
    # Do not start the packaged service during the install (there may be no init system).
    created_policy=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && created_policy=1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq virtuoso-opensource >/dev/null
    [ "$created_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
  else
    echo "setup: Virtuoso is missing; install it: sudo apt-get install virtuoso-opensource" >&2
    exit 1
  fi
fi
echo "setup: oxigraph $(.venv/bin/oxigraph --version 2>/dev/null || echo '?'), $(virtuoso-t -? 2>&1 | grep -m1 -o 'Version [0-9.]*' || echo 'virtuoso')"
