"""Places shared by every phase: countries, cities, first-level divisions."""
