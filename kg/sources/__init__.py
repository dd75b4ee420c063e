"""kg.sources."""
