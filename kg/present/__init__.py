"""kg.present."""
