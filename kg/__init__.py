"""defence-kg: a knowledge graph of US–India–Russia defence relations.

The package's single version lives here; the build stamps it into the
ontology header (``owl:versionInfo`` and ``owl:versionIRI``).
"""

__version__ = "0.1.0"
