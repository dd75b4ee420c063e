"""kg.explanation."""
