"""The package's single version: the build stamps it into the ontology header (owl:versionInfo, owl:versionIRI)."""

__version__ = "0.1.0"
