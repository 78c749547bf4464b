"""Places an article is about: gazetteer n-grams over the text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from workbench.collect.triage.lexicon import lexicon
from workbench.places.gazetteer import city_index, countries, country_index
from workbench.text.fold import fold_text

_GEO_WORDS = re.compile(r"[\w'-]+")

# --------------------------------------------------------------------------- places
@dataclass(frozen=True)
class _GeoIndex:
    cities: dict[str, list[tuple]]
    countries: dict[str, str]
    exempt: frozenset[str]
    firsts: frozenset[str]
    prefixes: frozenset[str]
    max_words: int


@lru_cache(maxsize=1)
def _geo_index() -> _GeoIndex:
    lex = lexicon()
    cities = {k: list(v) for k, v in city_index().items()}
    countries = dict(country_index())
    exempt: set[str] = set()
    for canonical, forms in lex.get("place_names", {}).items():
        for form in forms:
            cities.setdefault(form, [])
            for hit in city_index().get(fold_text(canonical), []):
                if hit not in cities[form]:
                    cities[form].append(hit)
            exempt.add(form)
    for iso3, forms in lex.get("country_names", {}).items():
        for form in forms:
            countries.setdefault(form, iso3)
            exempt.add(form)
    for word in (w for forms in lex.get("not_places", {}).values() for w in forms):
        cities.pop(word, None)
        countries.pop(word, None)
    keys = list(cities) + list(countries)
    firsts = frozenset(k.split(" ")[0] for k in keys)
    prefixes = frozenset(" ".join(k.split(" ")[:i]) for k in keys for i in range(1, len(k.split(" ")) + 1))
    longest = max(len(k.split(" ")) for k in keys)
    return _GeoIndex(cities, countries, frozenset(exempt), firsts, prefixes, min(longest, 6))


@lru_cache(maxsize=1)
def _country_languages() -> dict[str, frozenset[str]]:
    table = countries()
    return {iso3: frozenset(code.split("-")[0].lower() for code in str(langs or "").split(",") if code)
            for iso3, langs in zip(table["iso3"], table["languages"])}


def geoparse_folded(folded: str, language: str | None = None) -> dict[str, Any]:
    """Find the place a folded text is about (see :func:`workbench.collect.osint.geoparse`).

    Word n-grams (up to the longest gazetteer name) are looked up in the city and country
    indexes, extended with the lexicon's exonyms and case forms (``place_names``,
    ``country_names``); names of three letters or fewer are skipped (too ambiguous)
    unless they are listed exonyms, and ``not_places`` words are never places. A city
    inside a named country wins; otherwise any named city (so "Birmingham ... trafficked
    through France" is Birmingham, not France); among those, a city in a country that
    speaks ``language``, then the most populous, then the first mentioned. A bare
    country is returned when no city is named.

    Parameters
    ----------
    folded : str
        ``fold_text(text)``.
    language : str, optional
        The text's language (ISO 639-1), to prefer cities of countries speaking it.

    Returns
    -------
    dict
        ``place_name``, ``country_iso3``, ``lat``, ``lon`` (None when not found; a bare
        country has no coordinates).
    """
    idx = _geo_index()
    words = _GEO_WORDS.findall(folded)
    firsts, cities, countries, exempt, prefixes = idx.firsts, idx.cities, idx.countries, idx.exempt, idx.prefixes
    country_hits: set[str] = set()
    candidates: list[tuple[tuple, int]] = []
    n = len(words)
    for i, w in enumerate(words):
        if w not in firsts:
            continue
        for size in range(1, min(idx.max_words, n - i) + 1):
            gram = w if size == 1 else " ".join(words[i:i + size])
            if gram not in prefixes:  # no name goes on like this
                break
            if len(gram) <= 3 and gram not in exempt:  # "us", "in": too ambiguous
                continue
            iso = countries.get(gram)
            if iso is not None:
                country_hits.add(iso)
            hits = cities.get(gram)
            if hits:
                candidates.extend((hit, i) for hit in hits)
    inside = [c for c in candidates if c[0][0] in country_hits] if country_hits else []
    pool = inside or candidates
    if pool:
        speaks = _country_languages() if language else {}

        def rank(c: tuple[tuple, int]) -> tuple:
            return (language in speaks.get(c[0][0], ()), c[0][3], -c[1])

        iso3, lat, lon, _pop, name = max(pool, key=rank)[0]
        return {"place_name": name, "country_iso3": iso3, "lat": lat, "lon": lon}
    if country_hits:
        return {"place_name": None, "country_iso3": sorted(country_hits)[0], "lat": None, "lon": None}
    return {"place_name": None, "country_iso3": None, "lat": None, "lon": None}

