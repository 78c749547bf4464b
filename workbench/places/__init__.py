"""Places shared by every phase: countries (names and codes, any common spelling), cities, first-level divisions."""
