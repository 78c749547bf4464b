"""Triage of open-source articles: language, relevance, tags, places, dates, confidence.

Two relevance paths share one interface (:class:`Triage`):

- the **lexicon** (default, no model file): the multilingual keyword lexicon
  ``resources/osint_lexicon.yaml`` compiled once into a word-level matcher
  (:class:`LexiconMatcher`: a first-word index with stems, one pass over the words of the
  folded text, false friends such as "drug trafficking" masked first);
- an optional **learned classifier** (:class:`RelevanceClassifier`: character n-gram
  TF-IDF + logistic regression) trained on labelled examples, combined with the lexicon.

Each decision carries a confidence and the reasons an analyst should look at it (weak
term only, a false friend next to exploitation words, classifier disagreement or
uncertainty). :func:`extract_date` reads the date an article mentions. The last
section builds the ``osint_triage`` report's disclosure-controlled tables (volume, top
tags, map cells, review queue).

Supported date forms (:func:`extract_date`), searched in the folded text, first in the
text wins:

- ISO ``2026-03-12``; numeric ``12/03/2026``, ``12.03.2026``, ``12-03-2026`` (day first;
  month first only when the first number cannot be a month, e.g. ``03/25/2026``);
- day + month name (+ year): ``12 March 2026``, ``12th of March``, ``el 3 de marzo``,
  ``le 3 mars 2026``, ``1er mars``, ``3 de março de 2026``, ``3 березня``, ``3 марта``,
  ``3 marzo``, ``3. März``, ``3 marca`` (en, es, fr, pt, uk, ru genitive, it, de, pl);
- month name + day (+ year): ``March 12, 2026``;
- relative words: today / yesterday / the day before yesterday in the nine languages
  (``hoy, ayer, anteayer``; ``aujourd'hui, hier, avant-hier``; ``hoje, ontem, anteontem``;
  ``сегодня, вчера, позавчера``; ``сьогодні, вчора, позавчора``; ``oggi, ieri``;
  ``heute, gestern, vorgestern``; ``dzisiaj, wczoraj, przedwczoraj``).

A date without a year takes the reference's year, or the year before when it would
fall after the reference. Weekday names, "last week" and date ranges are not read.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd

#: Classifier probabilities inside this band are "uncertain" (flagged for review).
REVIEW_BAND = (0.35, 0.65)
#: Reasons that make a decision low-confidence.
LOW_CONFIDENCE_REASONS = ("weak_term_only", "false_friend", "classifier_disagrees", "classifier_uncertain",
                          "no_exploitation_type")

_WORDS = re.compile(r"\w+")
_GEO_WORDS = re.compile(r"[\w'-]+")


# --------------------------------------------------------------------------- folding
_FOLD_TABLE: dict[int, str] = {}


def fold_text(text: str) -> str:
    """Fold text like :func:`workbench.collect.gazetteer.fold`, faster on long text.

    Each distinct non-ASCII character is decomposed (NFKD) and stripped of combining
    marks once, then cached in a translation table: with all marks removed, folding
    character by character gives the same result as folding the whole string.

    Parameters
    ----------
    text : str
        Any text.

    Returns
    -------
    str
        Lower-case, accents (combining marks) removed, whitespace collapsed; the same
        result as ``gazetteer.fold``.
    """
    out = str(text).replace("\u2019", "'")
    if not out.isascii():
        table = _FOLD_TABLE
        for ch in set(out):
            code = ord(ch)
            if code > 127 and code not in table:
                table[code] = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        out = out.translate(table)
    return " ".join(out.lower().split())


# --------------------------------------------------------------------------- lexicon
@dataclass(frozen=True)
class Match:
    """One lexicon term found in a text.

    Attributes
    ----------
    group : str
        Lexicon group (``relevance``, ``negatives``, ``sectors``...).
    key : str
        Language (relevance groups) or taxonomy code.
    start, end : int
        Word positions ``[start, end)`` in the folded text.
    """

    group: str
    key: str
    start: int
    end: int


class LexiconMatcher:
    """The lexicon compiled for one pass over a text's words.

    Every term is split into words; a word ending in ``*`` is a stem (prefix match). The
    matcher indexes terms by their first word (exact words in a dict, stems by prefix
    length), caches what each distinct text word can start, and checks the following
    words only for those candidates.

    Parameters
    ----------
    lexicon : dict
        Group -> key -> folded terms (as from :func:`workbench.collect.osint.lexicon`).
    groups : iterable of str, optional
        Groups compiled (default: every group except place and country names).
    """

    def __init__(self, lexicon: dict[str, dict[str, list[str]]], groups: Iterable[str] | None = None) -> None:
        skip = {"place_names", "country_names", "not_places"}
        self.groups = list(groups) if groups is not None else [g for g in lexicon if g not in skip]
        self.order = {g: list(lexicon[g]) for g in self.groups}
        self._exact: dict[str, list[tuple]] = {}
        self._stems: dict[str, list[tuple]] = {}
        for group in self.groups:
            for key, terms in lexicon[group].items():
                for term in terms:
                    words = tuple((w[:-1], True) if w.endswith("*") else (w, False)
                                  for w in re.findall(r"\w+\*?", term))
                    if not words:
                        continue
                    entry = (group, key, words)
                    first, stem = words[0]
                    (self._stems if stem else self._exact).setdefault(first, []).append(entry)
        self._stem_lengths = sorted({len(s) for s in self._stems})
        self._cache: dict[str, tuple] = {}

    def _starts(self, word: str) -> tuple:
        found = list(self._exact.get(word, ()))
        for n in self._stem_lengths:
            if n > len(word):
                break
            found.extend(self._stems.get(word[:n], ()))
        out = tuple(found)
        if len(self._cache) < 200_000:
            self._cache[word] = out
        return out

    def find(self, words: Sequence[str]) -> list[Match]:
        """Find every term in a sequence of folded words, false friends masked.

        Parameters
        ----------
        words : sequence of str
            Folded words (``re.findall(r"\\w+", fold(text))``).

        Returns
        -------
        list of Match
            Negative matches included (group ``negatives``); a non-negative match
            overlapping a negative one is dropped ("drug trafficking ring" is not a
            "trafficking ring").
        """
        cache, n = self._cache, len(words)
        matches: list[Match] = []
        for i, word in enumerate(words):
            cands = cache.get(word)
            if cands is None:
                cands = self._starts(word)
            if not cands:
                continue
            for group, key, term in cands:
                end = i + len(term)
                if end > n:
                    continue
                ok = True
                for j in range(1, len(term)):
                    w, stem = term[j]
                    got = words[i + j]
                    if not (got.startswith(w) if stem else got == w):
                        ok = False
                        break
                if ok:
                    matches.append(Match(group, key, i, end))
        negatives = [(m.start, m.end) for m in matches if m.group == "negatives"]
        if negatives:
            matches = [m for m in matches if m.group == "negatives"
                       or not any(m.start < e and s < m.end for s, e in negatives)]
        return matches

    def codes(self, matches: Iterable[Match], group: str) -> list[str]:
        """Codes of one group present in ``matches``, in lexicon file order.

        Parameters
        ----------
        matches : iterable of Match
            From :meth:`find`.
        group : str
            The group.

        Returns
        -------
        list of str
            Distinct codes, file order.
        """
        present = {m.key for m in matches if m.group == group}
        return [k for k in self.order.get(group, []) if k in present]


@lru_cache(maxsize=1)
def matcher() -> LexiconMatcher:
    """Return the lexicon compiled once per process.

    Returns
    -------
    LexiconMatcher
        Over ``resources/osint_lexicon.yaml``.
    """
    from workbench.collect.osint import lexicon

    return LexiconMatcher(lexicon())


def lexicon_tags(text: str, folded: str | None = None) -> dict[str, Any]:
    """Relevance and taxonomy tags of one text from the lexicon.

    An article is relevant when a strong relevance term matches, or a weak one
    (``relevance_weak``) together with an exploitation-type, means-of-control or context
    term (the support). Terms inside
    a false friend (``negatives``) do not count.

    Parameters
    ----------
    text : str
        Title and description.
    folded : str, optional
        ``fold_text(text)`` when the caller already has it.

    Returns
    -------
    dict
        ``relevant``, ``exploitation_types``, ``means_of_control``, ``sector``,
        ``recruitment_method`` (as :func:`workbench.collect.osint.tag_text`) plus
        ``strong``, ``weak``, ``support``, ``negatives`` (hit counts).
    """
    folded = fold_text(text) if folded is None else folded
    lex = matcher()
    found = lex.find(_WORDS.findall(folded))
    count = {g: 0 for g in ("relevance", "relevance_weak", "context", "negatives", "exploitation_types",
                            "means_of_control")}
    for m in found:
        if m.group in count:
            count[m.group] += 1
    types = lex.codes(found, "exploitation_types")
    support = count["exploitation_types"] + count["context"] + count["means_of_control"]
    relevant = count["relevance"] > 0 or (count["relevance_weak"] > 0 and support > 0)
    sectors, recruitment = lex.codes(found, "sectors"), lex.codes(found, "recruitment_methods")
    return {
        "relevant": relevant,
        "exploitation_types": types,
        "means_of_control": lex.codes(found, "means_of_control"),
        "sector": sectors[0] if sectors else None,
        "recruitment_method": recruitment[0] if recruitment else None,
        "strong": count["relevance"],
        "weak": count["relevance_weak"],
        "support": support,
        "negatives": count["negatives"],
    }


# --------------------------------------------------------------------------- language
STOPWORDS: dict[str, tuple[str, ...]] = {
    "en": ("the", "and", "of", "to", "in", "was", "were", "with", "for", "by", "police", "said", "from", "that",
           "have", "has", "after", "who", "their", "are", "on", "at", "this", "been", "people", "victims"),
    "es": ("el", "la", "de", "los", "las", "en", "y", "que", "por", "con", "una", "fueron", "del", "para", "al",
           "se", "su", "sus", "fue", "segun", "policia", "personas", "victimas", "han", "tras"),
    "fr": ("le", "la", "les", "des", "et", "en", "du", "une", "par", "dans", "ont", "pour", "est", "au", "aux",
           "sur", "qui", "avec", "selon", "ete", "il", "elle", "personnes", "victimes", "l", "d", "qu", "un"),
    "pt": ("o", "a", "os", "as", "de", "do", "da", "em", "e", "que", "foram", "com", "dos", "das", "no", "na",
           "nos", "nas", "para", "um", "uma", "pela", "pelo", "segundo", "nao", "pessoas", "vitimas"),
    "it": ("il", "lo", "gli", "della", "delle", "del", "di", "che", "e", "per", "con", "sono", "stati", "nel",
           "nella", "una", "un", "dalla", "polizia", "secondo", "persone", "vittime"),
    "de": ("der", "die", "das", "und", "ist", "von", "mit", "den", "dem", "nicht", "ein", "eine", "wurden", "im",
           "auf", "fur", "polizei", "nach", "sich", "zu", "opfer"),
    "pl": ("i", "w", "na", "z", "ze", "sie", "nie", "do", "przez", "od", "policja", "zostali", "oraz", "jest",
           "po", "dla", "osob", "ofiar"),
    "ru": ("и", "в", "на", "с", "по", "что", "были", "полиция", "не", "из", "за", "для", "как", "от", "к", "о",
           "его", "это", "был", "была", "также", "сообщили", "человек", "жертв"),
    "uk": ("і", "в", "на", "з", "що", "були", "поліція", "та", "не", "із", "за", "для", "як", "від", "до", "у",
           "це", "був", "була", "також", "повідомили", "осіб", "людей"),
}
_LANG_OF_WORD: dict[str, tuple[str, ...]] = {}
for _lang, _words in STOPWORDS.items():
    for _w in set(_words):
        _LANG_OF_WORD[_w] = _LANG_OF_WORD.get(_w, ()) + (_lang,)
_UK_LETTERS = re.compile("[ієґ]")
_RU_LETTERS = re.compile("[ыэъ]")
_CYRILLIC = re.compile("[\u0400-\u04ff]")


def detect_language_folded(folded: str, words: Sequence[str] | None = None) -> str:
    """Guess the language of folded text by a stop-word vote with letter cues.

    Each stop word votes for its languages (1/k each when k languages share it).

    Parameters
    ----------
    folded : str
        ``fold_text(text)``.
    words : sequence of str, optional
        Its words, when the caller has them.

    Returns
    -------
    str
        One of en, es, fr, pt, it, de, pl, ru, uk (``"en"`` when nothing votes).
        Cyrillic text is Russian or Ukrainian only; the letters і/є/ґ vote Ukrainian and
        ы/э/ъ Russian.
    """
    words = _WORDS.findall(folded) if words is None else words
    scores: dict[str, float] = dict.fromkeys(STOPWORDS, 0.0)
    get = _LANG_OF_WORD.get
    for w in words[:300]:
        langs = get(w)
        if langs:  # a word shared by k languages gives each 1/k
            share = 1.0 / len(langs)
            for lang in langs:
                scores[lang] += share
    if _CYRILLIC.search(folded[:2000]):
        head = folded[:2000]
        scores = {"ru": scores["ru"] + min(len(_RU_LETTERS.findall(head)), 10) * 0.5,
                  "uk": scores["uk"] + min(len(_UK_LETTERS.findall(head)), 10) * 0.5}
    else:
        scores.pop("ru"), scores.pop("uk")
    best = max(scores, key=scores.get)
    return best if scores[best] > 0 else "en"


def detect_language(text: str, hint: str | None = None) -> str:
    """Guess an article's language (the hint, when given, is trusted).

    Parameters
    ----------
    text : str
        Title and description.
    hint : str, optional
        Declared language (``"es-ES"`` -> ``"es"``).

    Returns
    -------
    str
        ISO 639-1 code.
    """
    if hint:
        return hint.split("-")[0].split("_")[0].lower()[:2]
    return detect_language_folded(fold_text(text))


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
    from workbench.collect.gazetteer import city_index, country_index, fold
    from workbench.collect.osint import lexicon

    lex = lexicon()
    cities = {k: list(v) for k, v in city_index().items()}
    countries = dict(country_index())
    exempt: set[str] = set()
    for canonical, forms in lex.get("place_names", {}).items():
        for form in forms:
            cities.setdefault(form, [])
            for hit in city_index().get(fold(canonical), []):
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
    from workbench.collect.gazetteer import countries

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


# --------------------------------------------------------------------------- dates
MONTHS: dict[str, dict[str, int]] = {
    "en": {m: i + 1 for i, m in enumerate(["january", "february", "march", "april", "may", "june", "july",
                                           "august", "september", "october", "november", "december"])},
    "es": {m: i + 1 for i, m in enumerate(["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio",
                                           "agosto", "septiembre", "octubre", "noviembre", "diciembre"])},
    "fr": {m: i + 1 for i, m in enumerate(["janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet",
                                           "aout", "septembre", "octobre", "novembre", "decembre"])},
    "pt": {m: i + 1 for i, m in enumerate(["janeiro", "fevereiro", "marco", "abril", "maio", "junho", "julho",
                                           "agosto", "setembro", "outubro", "novembro", "dezembro"])},
    "it": {m: i + 1 for i, m in enumerate(["gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno",
                                           "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"])},
    "de": {m: i + 1 for i, m in enumerate(["januar", "februar", "marz", "april", "mai", "juni", "juli",
                                           "august", "september", "oktober", "november", "dezember"])},
    "pl": {m: i + 1 for i, m in enumerate(["stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca",
                                           "sierpnia", "wrzesnia", "pazdziernika", "listopada", "grudnia"])},
    "ru": {m: i + 1 for i, m in enumerate(["января", "февраля", "марта", "апреля", "мая", "июня", "июля",
                                           "августа", "сентября", "октября", "ноября", "декабря"])},
    "uk": {m: i + 1 for i, m in enumerate(["січня", "лютого", "березня", "квітня", "травня", "червня", "липня",
                                           "серпня", "вересня", "жовтня", "листопада", "грудня"])},
}
RELATIVE_DAYS: dict[str, dict[str, int]] = {
    "en": {"today": 0, "yesterday": -1, "the day before yesterday": -2},
    "es": {"hoy": 0, "ayer": -1, "anteayer": -2, "antier": -2},
    "fr": {"aujourd'hui": 0, "hier": -1, "avant-hier": -2},
    "pt": {"hoje": 0, "ontem": -1, "anteontem": -2},
    "it": {"oggi": 0, "ieri": -1, "l'altro ieri": -2},
    "de": {"heute": 0, "gestern": -1, "vorgestern": -2},
    "pl": {"dzisiaj": 0, "dzis": 0, "wczoraj": -1, "przedwczoraj": -2},
    "ru": {"сегодня": 0, "вчера": -1, "позавчера": -2},
    "uk": {"сьогодні": 0, "вчора": -1, "учора": -1, "позавчора": -2},
}


@lru_cache(maxsize=None)
def _date_patterns(language: str | None, every: bool = False) -> tuple:
    langs = [language] if language in MONTHS and not every else list(MONTHS)
    months: dict[str, int] = {}
    for lang in dict.fromkeys(langs + ["en"]):
        months.update(MONTHS[lang])
    relative: dict[str, int] = {}
    for lang in dict.fromkeys(langs + ["en"]):
        relative.update(RELATIVE_DAYS[lang])
    if language == "de":  # "hier" is "here" in German
        relative.pop("hier", None)
    names = "|".join(sorted(map(re.escape, months), key=len, reverse=True))
    en_names = "|".join(sorted(MONTHS["en"], key=len, reverse=True))
    # every branch starts with a digit, so the regex engine skips ahead to digits quickly;
    # what may precede a match is checked in Python (see _find_date)
    digits = re.compile(
        r"(?P<iso>(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2}))(?!\d)"
        r"|(?P<num>(?P<na>\d{1,2})[./-](?P<nb>\d{1,2})[./-](?P<ny>\d{4}))(?!\d)"
        rf"|(?P<dm>(?P<dd>\d{{1,2}})(?:st|nd|rd|th|er|o|º|°)?\.?\s(?:de\s|of\s|the\s)?(?P<dmn>{names})"
        r"(?:,?\s(?:de\s|del\s)?(?P<dy>\d{4}))?)(?!\w)"
    )
    month_day = re.compile(rf"(?P<mdn>{en_names})\s(?P<mdd>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s(?P<mdy>\d{{4}}))?(?!\w)")
    rel = re.compile("(" + "|".join(sorted(map(re.escape, relative), key=len, reverse=True)) + r")(?![\w'-])")
    return digits, month_day, months, rel, relative


def _make(year: int | None, month: int, day: int, reference: pd.Timestamp) -> pd.Timestamp | None:
    try:
        if year is None:
            stamp = pd.Timestamp(reference.year, month, day)
            return stamp if stamp <= reference else pd.Timestamp(reference.year - 1, month, day)
        return pd.Timestamp(year, month, day)
    except ValueError:
        return None


def extract_date(text: str, language: str | None = None, reference: Any = None,
                 is_folded: bool = False) -> pd.Timestamp | None:
    """Find the date an article mentions (see the module docstring for the forms read).

    Parameters
    ----------
    text : str
        Article text (folded or not).
    language : str, optional
        ISO 639-1 code; limits month names and relative words to that language (plus
        English). All supported languages when None or unknown.
    reference : date-like, optional
        The publication date, for relative words and dates without a year (default:
        today, UTC).
    is_folded : bool
        The text is already ``fold_text`` output (skips folding it again).

    Returns
    -------
    pandas.Timestamp or None
        The first valid date in the text (midnight, naive), None when there is none.
    """
    ref = pd.Timestamp(reference) if reference is not None else pd.Timestamp.now(tz="UTC")
    ref = (ref.tz_convert(None) if ref.tzinfo else ref).normalize()
    folded = text if is_folded else fold_text(text)
    found = _find_date(folded, language, ref, False)
    if found is None and language in MONTHS:  # a misdetected language: try every language
        found = _find_date(folded, language, ref, True)
    return found


def _find_date(folded: str, language: str | None, ref: pd.Timestamp, every: bool) -> pd.Timestamp | None:
    digits, month_day, months, rel, relative = _date_patterns(language, every)
    found: list[tuple[int, pd.Timestamp]] = []
    for m in digits.finditer(folded):
        before = folded[m.start() - 1] if m.start() else " "
        if before.isdigit() or (before == "." and m.group("num")) or (m.group("dm") and (before.isalnum()
                                                                                          or before == "_")):
            continue
        if m.group("iso"):
            got = _make(int(m.group("iy")), int(m.group("im")), int(m.group("id")), ref)
        elif m.group("num"):
            a, b, y = int(m.group("na")), int(m.group("nb")), int(m.group("ny"))
            day, month = (a, b) if b <= 12 else (b, a)
            got = _make(y, month, day, ref)
        else:
            got = _make(int(m.group("dy")) if m.group("dy") else None, months[m.group("dmn")],
                        int(m.group("dd")), ref)
        if got is not None:
            found.append((m.start(), got))
            break
    for m in month_day.finditer(folded):
        if m.start() and (folded[m.start() - 1].isalnum() or folded[m.start() - 1] == "_"):
            continue
        got = _make(int(m.group("mdy")) if m.group("mdy") else None, months[m.group("mdn")], int(m.group("mdd")), ref)
        if got is not None:
            found.append((m.start(), got))
            break
    for m in rel.finditer(folded):
        if m.start() and (folded[m.start() - 1].isalnum() or folded[m.start() - 1] in "_'-"):
            continue
        found.append((m.start(), ref + pd.Timedelta(days=relative[m.group(1)])))
        break
    return min(found, key=lambda f: f[0])[1] if found else None


# --------------------------------------------------------------------------- classifier
class RelevanceClassifier:
    """Learned relevance: character n-gram TF-IDF (``char_wb`` 2-5) + logistic regression.

    Character n-grams read every language and its inflections without a word list;
    ``class_weight="balanced"`` keeps the rarer class from being ignored.

    Parameters
    ----------
    max_features : int
        Vocabulary size cap of the vectoriser.
    C : float
        Inverse regularisation strength.
    seed : int
        Random state of the solver.
    """

    def __init__(self, max_features: int = 200_000, C: float = 4.0, seed: int = 0) -> None:
        self.max_features, self.C, self.seed = max_features, C, seed
        self.pipeline: Any = None

    def fit(self, texts: Sequence[str], labels: Sequence[bool]) -> "RelevanceClassifier":
        """Train on labelled texts.

        Parameters
        ----------
        texts : sequence of str
            Article texts.
        labels : sequence of bool
            True for relevant.

        Returns
        -------
        RelevanceClassifier
            ``self``, fitted.

        Raises
        ------
        ValueError
            When lengths differ or only one class is present.
        """
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import Pipeline

        y = np.asarray(labels, dtype=bool)
        if len(texts) != len(y):
            raise ValueError(f"texts: {len(texts)} items but labels: {len(y)}")
        if y.all() or (~y).all():
            raise ValueError("labels: expected both relevant and not relevant examples")
        self.pipeline = Pipeline([
            ("tfidf", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True,
                                      max_features=self.max_features, preprocessor=fold_text)),
            ("model", LogisticRegression(class_weight="balanced", C=self.C, max_iter=2000,
                                         random_state=self.seed)),
        ])
        self.pipeline.fit(list(texts), y)
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probability that each text is relevant.

        Parameters
        ----------
        texts : sequence of str
            Article texts.

        Returns
        -------
        numpy.ndarray
            One probability per text.

        Raises
        ------
        ValueError
            When the classifier is not fitted.
        """
        if self.pipeline is None:
            raise ValueError("RelevanceClassifier: not fitted (call fit or load)")
        classes = list(self.pipeline.classes_)
        return self.pipeline.predict_proba(list(texts))[:, classes.index(True)]

    def save(self, path: str | Path) -> Path:
        """Write the fitted model with joblib.

        Parameters
        ----------
        path : str or Path
            Target file (the caller chooses where models live).

        Returns
        -------
        Path
            The file written.
        """
        import joblib

        if self.pipeline is None:
            raise ValueError("RelevanceClassifier: not fitted, nothing to save")
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump({"version": 1, "pipeline": self.pipeline, "C": self.C, "max_features": self.max_features},
                    target)
        return target

    @classmethod
    def load(cls, path: str | Path) -> "RelevanceClassifier":
        """Read a model written by :meth:`save` (joblib is pickle: load only your own files).

        Parameters
        ----------
        path : str or Path
            The model file.

        Returns
        -------
        RelevanceClassifier
            Fitted.
        """
        import joblib

        blob = joblib.load(Path(path))
        if not isinstance(blob, dict) or "pipeline" not in blob:
            raise ValueError(f"{path}: not a RelevanceClassifier file")
        out = cls(max_features=blob.get("max_features", 200_000), C=blob.get("C", 4.0))
        out.pipeline = blob["pipeline"]
        return out


# --------------------------------------------------------------------------- triage
@dataclass
class TriageResult:
    """Triage of one article.

    Attributes
    ----------
    language : str
        ISO 639-1 code.
    relevant : bool
        The decision.
    confidence : str
        ``"high"`` or ``"low"`` (low: to be reviewed; see ``reasons``).
    score : float
        Relevance score in [0, 1] (lexicon strength, averaged with the classifier's
        probability when there is one).
    lexicon_strength : float
        1.0 strong term, 0.7 weak term with support, 0.3 weak term or false friend
        alone, 0.0 nothing.
    probability : float or None
        The classifier's probability (None without a classifier).
    reasons : list of str
        Why the decision is uncertain (:data:`LOW_CONFIDENCE_REASONS`) or incomplete
        (``no_place``).
    tags : dict
        ``exploitation_types``, ``means_of_control``, ``sector``, ``recruitment_method``.
    place_name, country_iso3 : str or None
        Where (geoparsed).
    lat, lon : float or None
        The city's coordinates (None for a country only).
    date : pandas.Timestamp or None
        The date the text mentions.
    """

    language: str
    relevant: bool
    confidence: str
    score: float
    lexicon_strength: float
    probability: float | None
    reasons: list[str] = field(default_factory=list)
    tags: dict[str, Any] = field(default_factory=dict)
    place_name: str | None = None
    country_iso3: str | None = None
    lat: float | None = None
    lon: float | None = None
    date: pd.Timestamp | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return a flat dict (tags spread out, reasons joined by ``;``)."""
        out = {k: v for k, v in self.__dict__.items() if k not in ("tags", "reasons")}
        out.update(self.tags)
        out["reasons"] = ";".join(self.reasons)
        return out


class Triage:
    """Triage articles: language, relevance with confidence, tags, place and date.

    Decision: without a classifier, the lexicon's (:func:`lexicon_tags`). With one, the
    score is the mean of the lexicon strength and the classifier's probability and the
    article is relevant when the score is at least 0.5; a strong lexicon term always
    makes it relevant. Confidence is low when a reason in
    :data:`LOW_CONFIDENCE_REASONS` applies: a weak term only, a false friend next to
    exploitation words, a relevant article without an exploitation type, the classifier
    disagreeing with the lexicon or its probability inside ``review_band``.

    Parameters
    ----------
    classifier : RelevanceClassifier, optional
        A fitted classifier; without it the lexicon decides alone (the default path).
    review_band : tuple of float
        Classifier probabilities in this closed band are uncertain.
    """

    def __init__(self, classifier: RelevanceClassifier | None = None,
                 review_band: tuple[float, float] = REVIEW_BAND) -> None:
        self.classifier = classifier
        self.review_band = review_band

    def _one(self, text: str, hint: str | None, reference: Any, probability: float | None,
             dates: bool) -> TriageResult:
        folded = fold_text(text)
        words = _WORDS.findall(folded)
        language = (hint.split("-")[0].split("_")[0].lower()[:2] if hint
                    else detect_language_folded(folded, words))
        lex = lexicon_tags(text, folded)
        reasons: list[str] = []
        if lex["strong"]:
            strength = 1.0
        elif lex["weak"] and lex["support"]:
            strength, reasons = 0.7, ["weak_term_only"]
        elif lex["weak"] or (lex["negatives"] and lex["support"]):
            strength = 0.3
            reasons = ["weak_term_only"] if lex["weak"] else ["false_friend"]
        else:
            strength = 0.0
        relevant = lex["relevant"]
        score = strength
        if probability is not None:
            score = (strength + probability) / 2
            relevant = score >= 0.5 if not lex["strong"] else True
            if (probability >= 0.5) != lex["relevant"]:
                reasons.append("classifier_disagrees")
            if self.review_band[0] <= probability <= self.review_band[1]:
                reasons.append("classifier_uncertain")
        if relevant and not lex["exploitation_types"]:
            reasons.append("no_exploitation_type")
        place = geoparse_folded(folded, language)
        if relevant and place["place_name"] is None and place["country_iso3"] is None:
            reasons.append("no_place")
        confidence = "low" if any(r in LOW_CONFIDENCE_REASONS for r in reasons) else "high"
        tags = {k: lex[k] for k in ("exploitation_types", "means_of_control", "sector", "recruitment_method")}
        return TriageResult(
            language=language, relevant=bool(relevant), confidence=confidence, score=round(float(score), 4),
            lexicon_strength=strength, probability=None if probability is None else float(probability),
            reasons=reasons, tags=tags, place_name=place["place_name"], country_iso3=place["country_iso3"],
            lat=place["lat"], lon=place["lon"],
            date=extract_date(folded, language, reference, is_folded=True) if dates else None,
        )

    def triage(self, text: str, language_hint: str | None = None, reference: Any = None,
               dates: bool = True) -> TriageResult:
        """Triage one article.

        Parameters
        ----------
        text : str
            Title and description (plain text).
        language_hint : str, optional
            Declared language (trusted).
        reference : date-like, optional
            Publication date (for relative dates).
        dates : bool
            Extract the mentioned date.

        Returns
        -------
        TriageResult
            The decision and what was found.
        """
        prob = None if self.classifier is None else float(self.classifier.predict_proba([text])[0])
        return self._one(str(text or ""), language_hint, reference, prob, dates)

    def triage_many(self, texts: Sequence[str], language_hints: Sequence[str | None] | None = None,
                    references: Sequence[Any] | None = None, dates: bool = True) -> pd.DataFrame:
        """Triage many articles (the classifier, if any, runs once over all of them).

        Parameters
        ----------
        texts : sequence of str
            Article texts.
        language_hints : sequence, optional
            Declared languages (None entries: detect).
        references : sequence, optional
            Publication dates.
        dates : bool
            Extract mentioned dates.

        Returns
        -------
        pandas.DataFrame
            One row per text: the fields of :class:`TriageResult` (``reasons`` joined by
            ``;``), in input order.
        """
        texts = ["" if t is None else str(t) for t in texts]
        probs = (self.classifier.predict_proba(texts) if self.classifier is not None and texts
                 else [None] * len(texts))
        hints = list(language_hints) if language_hints is not None else [None] * len(texts)
        refs = list(references) if references is not None else [None] * len(texts)
        rows = [self._one(t, h, r, None if p is None else float(p), dates).as_dict()
                for t, h, r, p in zip(texts, hints, refs, probs)]
        columns = ([f for f in TriageResult.__dataclass_fields__ if f not in ("tags", "reasons")]
                   + ["exploitation_types", "means_of_control", "sector", "recruitment_method", "reasons"])
        return pd.DataFrame(rows, columns=columns)


# --------------------------------------------------------------------------- report tables
#: Month label format of the volume table.
MONTH_FORMAT = "%Y-%m"


def osint_incidents(incidents: pd.DataFrame, start: str = "", end: str = "", language: str = "ALL") -> pd.DataFrame:
    """OSINT-sourced store incidents in a period and language.

    Parameters
    ----------
    incidents : pandas.DataFrame
        Store incidents (``catalog.load("incidents")``).
    start, end : str
        Inclusive period on ``occurred_on`` (``YYYY-MM-DD``; empty: open).
    language : str
        ``"ALL"`` or an ISO 639-1 code (the stored ``language``).

    Returns
    -------
    pandas.DataFrame
        Rows with ``source_type == "osint"`` in scope.

    Raises
    ------
    ValueError
        When ``language`` is not ``"ALL"`` or a two-letter code.
    """
    from workbench.analyse.scope import Scope

    lang = str(language).strip()
    if lang.upper() != "ALL" and not re.fullmatch(r"[a-z]{2}", lang):
        raise ValueError(f"language={language!r}: expected 'ALL' or a two-letter ISO 639-1 code")
    frame = Scope("ALL", start, end).apply(incidents)
    frame = frame[frame["source_type"].astype("string").eq("osint").fillna(False).astype(bool)]
    if lang.upper() != "ALL":
        frame = frame[frame["language"].astype("string").eq(lang).fillna(False).astype(bool)]
    return frame


def volume(osint: pd.DataFrame, policy: Any, by: str = "month") -> pd.DataFrame:
    """OSINT incidents by month or by language, with a total row, suppressed.

    A month x language crosstab is mostly withheld cells at OSINT volumes, so the two
    margins are shown as separate tables. Each has its ``Total`` row (equal to the
    headline count), so secondary suppression withholds a second cell whenever one is
    withheld: a lone withheld cell could otherwise be worked out from the total.

    Parameters
    ----------
    osint : pandas.DataFrame
        From :func:`osint_incidents`.
    policy : DisclosurePolicy
        The audience's policy.
    by : str
        ``"month"`` (``YYYY-MM``, every month of the data's span, zeros included) or
        ``"language"``.

    Returns
    -------
    pandas.DataFrame
        Indexed by month or language, one ``incidents`` column, a ``Total`` row;
        withheld cells are missing.

    Raises
    ------
    ValueError
        For another ``by``.
    """
    from workbench.share.disclosure import suppress_table

    if by not in ("month", "language"):
        raise ValueError(f"by={by!r}: expected 'month' or 'language'")
    if osint.empty:
        return pd.DataFrame()
    if by == "month":
        months = pd.to_datetime(osint["occurred_on"]).dt.to_period("M")
        span = pd.period_range(months.min(), months.max(), freq="M")
        counts = months.value_counts().reindex(span, fill_value=0)
        counts.index = counts.index.strftime(MONTH_FORMAT)
    else:
        counts = osint["language"].astype("string").fillna("unknown").value_counts().sort_index()
    table = counts.rename("incidents").rename_axis(by).to_frame()
    table.loc["Total"] = int(counts.sum())
    return suppress_table(table, policy.k) if policy.suppress else table


def top_tags(osint: pd.DataFrame, policy: Any, top: int = 10) -> pd.DataFrame:
    """Most frequent exploitation types and sectors among OSINT incidents.

    Parameters
    ----------
    osint : pandas.DataFrame
        From :func:`osint_incidents`.
    policy : DisclosurePolicy
        The audience's policy: counts below k withheld.
    top : int
        Rows kept per tag group.

    Returns
    -------
    pandas.DataFrame
        ``group, tag, incidents`` (labels from the taxonomy), largest first.
    """
    from workbench.share.disclosure import suppress_counts
    from workbench.taxonomy import load_taxonomy

    tax = load_taxonomy()
    parts = []
    for column, vocabulary, label in (("exploitation_types", "exploitation_types", "exploitation type"),
                                      ("sector", "sectors", "sector")):
        if column not in osint.columns or osint.empty:
            continue
        values = osint[column].explode() if column == "exploitation_types" else osint[column]
        counts = values.dropna().astype(str).value_counts().head(top)
        parts.append(pd.DataFrame({"group": label, "tag": [tax.label(vocabulary, c) for c in counts.index],
                                   "incidents": counts.to_numpy()}))
    if not parts:
        return pd.DataFrame(columns=["group", "tag", "incidents"])
    frame = pd.concat(parts, ignore_index=True)
    return suppress_counts(frame, ["incidents"], policy.k) if policy.suppress else frame


def osint_cells(osint: pd.DataFrame, policy: Any) -> pd.DataFrame:
    """Geoparsed OSINT incidents per H3 cell at the audience's resolution, for a map.

    Record-level rows go through :func:`workbench.share.disclosure.sanitise_incidents`
    first (coordinates and free text dropped, cells coarsened as the policy says).

    Parameters
    ----------
    osint : pandas.DataFrame
        From :func:`osint_incidents`.
    policy : DisclosurePolicy
        The audience's policy.

    Returns
    -------
    pandas.DataFrame
        ``h3_cell, lat, lon`` (cell centre), ``incidents`` (display text: ``"<k"`` below
        the threshold) and ``size`` (for the marker: k for withheld cells).
    """
    import h3

    from workbench.share.disclosure import sanitise_incidents

    columns = ["h3_cell", "lat", "lon", "incidents", "size"]
    if osint.empty or "h3_cell" not in osint.columns:
        return pd.DataFrame(columns=columns)
    safe = sanitise_incidents(osint, policy)
    counts = safe["h3_cell"].dropna().value_counts()
    if counts.empty:
        return pd.DataFrame(columns=columns)
    centres = [h3.cell_to_latlng(c) for c in counts.index]
    small = (counts < policy.k) & policy.suppress
    return pd.DataFrame({
        "h3_cell": counts.index.astype(str),
        "lat": [c[0] for c in centres], "lon": [c[1] for c in centres],
        "incidents": [f"<{policy.k}" if s else f"{v:,}" for v, s in zip(counts.to_numpy(), small)],
        "size": np.where(small, policy.k, counts.to_numpy()),
    })


def review_queue(osint: pd.DataFrame, policy: Any, triage: Triage | None = None) -> pd.DataFrame:
    """The low-confidence items an analyst should review, as the audience may see them.

    The store does not keep triage confidence, so the stored (scrubbed) summaries are
    triaged again with ``triage`` (the lexicon by default). The summary is the title
    only, so "no exploitation type" is not a reason when the store already has types
    (the collector read the full text).

    Parameters
    ----------
    osint : pandas.DataFrame
        From :func:`osint_incidents`.
    policy : DisclosurePolicy
        The audience's policy. With free text allowed (``law_enforcement``) the queue
        lists the items; otherwise only counts by language and reason, suppressed.
    triage : Triage, optional
        The triage used (default ``Triage()``).

    Returns
    -------
    pandas.DataFrame
        Items: ``language, reported, summary, url, confidence, score, reasons``; or counts:
        language rows, one column per reason plus ``Total`` (items), withheld cells
        missing.
    """
    from workbench.share.disclosure import suppress_table

    if osint.empty:
        return pd.DataFrame()
    triage = triage or Triage()
    langs = osint["language"].astype("string").fillna("unknown")
    result = triage.triage_many(osint["summary"].fillna("").astype(str).tolist(),
                                [None if pd.isna(v) else str(v) for v in osint["language"]], dates=False)
    result.index = osint.index
    if "exploitation_types" in osint.columns:  # the collector tagged the full text: trust stored types
        typed = osint["exploitation_types"].map(lambda v: v is not None and len(v) > 0)
        result.loc[typed, "reasons"] = result.loc[typed, "reasons"].map(
            lambda r: ";".join(x for x in r.split(";") if x and x != "no_exploitation_type"))
    low = result["reasons"].map(lambda r: any(x in LOW_CONFIDENCE_REASONS for x in r.split(";")))
    result["confidence"] = np.where(low, "low", "high")
    if not policy.drop_free_text:
        items = pd.DataFrame({
            "language": langs[low],
            "reported": pd.to_datetime(osint.loc[low, "reported_at"]).dt.strftime("%Y-%m-%d"),
            "summary": osint.loc[low, "summary"],
            "url": osint.loc[low, "url"] if "url" in osint.columns else None,
            "confidence": result.loc[low, "confidence"],
            "score": result.loc[low, "score"].round(2),
            "reasons": result.loc[low, "reasons"].str.replace(";", ", "),
        })
        return items.sort_values(["score", "reported"]).reset_index(drop=True)
    reasons = result.loc[low, "reasons"].str.split(";").explode()
    reasons = reasons[reasons.isin(LOW_CONFIDENCE_REASONS)]
    if reasons.empty:
        return pd.DataFrame()
    table = pd.crosstab(langs[reasons.index].rename("language"), reasons.rename("reason"))
    table.columns.name = None
    table["Total"] = low.groupby(langs).sum().reindex(table.index).fillna(0).astype(int)
    total_row = table.sum(numeric_only=True)
    total_row["Total"] = int(low.sum())
    table.loc["Total"] = total_row
    return suppress_table(table, policy.k) if policy.suppress else table
