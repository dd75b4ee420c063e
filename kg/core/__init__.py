"""kg.core."""
