"""Command-line options shared by several commands, kept free of heavy imports.

``kg query`` offers ``--endpoint`` and the credential options; building its parser must not
import the SPARQL client (:mod:`kg.remote`) or rdflib's SPARQL engine, so that a cold
``kg query`` stays cheap.
"""

from __future__ import annotations

AUTH_KINDS = ("auto", "basic", "digest", "bearer", "none")
ENV_USER, ENV_PASSWORD, ENV_TOKEN, ENV_AUTH = "KG_REMOTE_USER", "KG_REMOTE_PASSWORD", "KG_REMOTE_TOKEN", "KG_REMOTE_AUTH"
BACKENDS = ("rdflib", "oxigraph")


def add_endpoint_options(parser) -> None:
    """The options ``kg query`` takes to run on a remote store."""
    g = parser.add_argument_group("remote store (kg query --endpoint)")
    g.add_argument("--endpoint", metavar="URL", help="run the query on this SPARQL endpoint instead of in-process")
    add_auth_options(g)
    g.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for the store (default 60)")


def add_auth_options(g) -> None:
    g.add_argument("--user", help=f"user name (or ${ENV_USER})")
    g.add_argument("--password", help=f"password (better: ${ENV_PASSWORD})")
    g.add_argument("--token", help=f"bearer token (better: ${ENV_TOKEN})")
    g.add_argument("--auth", choices=AUTH_KINDS, help="how to send credentials (default: as the server asks; bearer with a token)")
