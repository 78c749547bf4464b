"""Places: countries (names, codes) and, with the gazetteer, cities and first-level divisions."""
