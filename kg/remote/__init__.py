"""Remote SPARQL stores: push the build (Graph Store Protocol or SPARQL Update) and query them.

Kept free of imports: the CLI's parser reads these names for its help text.
"""

AUTH_KINDS = ("auto", "basic", "digest", "bearer", "none")
ENV_USER, ENV_PASSWORD, ENV_TOKEN, ENV_AUTH = "KG_REMOTE_USER", "KG_REMOTE_PASSWORD", "KG_REMOTE_TOKEN", "KG_REMOTE_AUTH"
