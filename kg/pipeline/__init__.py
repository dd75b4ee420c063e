"""kg.pipeline."""
