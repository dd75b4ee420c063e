"""kg.serve."""
