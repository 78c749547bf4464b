"""Evidence about where a news item is beside its place names: common words, country cues, outlet.

Three checks the geoparser (:mod:`workbench.collect.triage.places`) weighs against the
candidates it finds in the text:

- whether a capitalised one-word candidate is really a common word of the text's language
  (wordfreq Zipf frequency against what a place of that population would have: "Time",
  "Most", "Federal");
- country cues: institutions and codes that name a country without naming a place ("PF",
  "GBI", "HCSO"), from ``resources/osint_country_cues.yaml``;
- the outlet's country from its link's country-code domain (generic ccTLDs such as ``.tv``
  never count).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import urlparse

import yaml

from workbench.places.gazetteer import countries
from workbench.text.fold import fold_text

#: Zipf frequency (wordfreq) at or above which a one-word candidate may be a common word.
COMMON_ZIPF = 4.0
#: ...when it is this much more frequent than a place of its population would be.
COMMON_EXCESS = 0.75
#: Extra expected frequency of a place name in its own country's language.
HOME_BONUS = 0.5
#: Country-code domains used as generic domains, never as the outlet's country.
GENERIC_CCTLDS = frozenset({"tv", "io", "co", "me", "fm", "ai", "ly", "to", "cc", "ws", "nu", "gg", "so", "am",
                            "app", "eu", "info", "asia", "news", "tk", "ml", "ga", "cf", "gq", "la", "ps", "st"})


@dataclass(frozen=True)
class _Cue:
    iso3: str
    languages: frozenset[str]
    cased: frozenset[str]
    words: re.Pattern | None
    patterns: tuple[re.Pattern, ...]
    #: The first run of word characters of each of ``words`` (None when one starts otherwise):
    #: a text none of whose words is one of these has no match of ``words``.
    first_words: frozenset[str] | None = None


@lru_cache(maxsize=1)
def _country_cues() -> tuple[_Cue, ...]:
    """The country cues of ``resources/osint_country_cues.yaml``."""
    text = resources.files("workbench").joinpath("resources/osint_country_cues.yaml").read_text("utf-8")
    out = []
    for entry in yaml.safe_load(text)["country_cues"]:
        words = [fold_text(w) for w in entry.get("words") or []]
        pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
                             + r")(?!\w)") if words else None
        cased = frozenset(str(c).strip(".") for c in entry.get("cased") or ())
        firsts = [re.match(r"\w+", w) for w in words]
        out.append(_Cue(entry["iso3"], frozenset(entry.get("languages") or ()), cased, pattern,
                        tuple(re.compile(x) for x in entry.get("patterns") or ()),
                        None if not all(firsts) else frozenset(f.group() for f in firsts)))
    return tuple(out)


_LOOKBEHIND = r"(?<!\w)"
_WORD_CHAR = re.compile(r"\w")


@lru_cache(maxsize=64)
def _without_lookbehind(pattern: re.Pattern[str]) -> re.Pattern[str] | None:
    """``pattern`` less its leading ``(?<!\\w)`` (None when it has none)."""
    if not pattern.pattern.startswith(_LOOKBEHIND):
        return None
    return re.compile(pattern.pattern[len(_LOOKBEHIND):], pattern.flags)


def _count_matches(pattern: re.Pattern[str], text: str) -> int:
    """``len(pattern.findall(text))``, faster for a pattern starting with ``(?<!\\w)``.

    The look-behind keeps the regex engine from skipping to the possible first letters
    of the words, so it tries every position; here the pattern without it is searched
    (the engine skips ahead) and the look-behind is checked on each match, resuming one
    character further when it fails, as the full pattern's scan would: the same matches.
    """
    fast = _without_lookbehind(pattern)
    if fast is None:
        return len(pattern.findall(text))
    count, pos, search, word = 0, 0, fast.search, _WORD_CHAR.match
    while True:
        m = search(text, pos)
        if m is None:
            return count
        start = m.start()
        if start and word(text, start - 1):
            pos = start + 1
            continue
        count += 1
        pos = m.end() if m.end() > start else start + 1


@lru_cache(maxsize=200_000)
def _zipf(word: str, language: str) -> float:
    from wordfreq import zipf_frequency

    try:
        return float(zipf_frequency(word, language))
    except (LookupError, ValueError):
        return 0.0


def word_frequency(word: str, language: str | None) -> float:
    """Zipf frequency of a (folded) word in a language (wordfreq).

    Parameters
    ----------
    word : str
        A single word.
    language : str, optional
        ISO 639-1 code; unknown or missing languages are looked up in English.

    Returns
    -------
    float
        Zipf frequency (about 7 for "the", 0 for unknown words).
    """
    lang = language if language and language != "unknown" else "en"
    return _zipf(word.lower(), lang)


def expected_frequency(population: int) -> float:
    """The Zipf frequency a place name of this population usually has in news text.

    Parameters
    ----------
    population : int
        The place's population (0 when unknown).

    Returns
    -------
    float
        ``1.0 + 0.6 * log10(population)`` (population floored at 1,000): about 4.4 for
        Leeds or Lyon, 4.8 for Paris, 3.5 for a town of 15,000.
    """
    return 1.0 + 0.6 * math.log10(max(int(population), 1000))


def is_common_word(word: str, language: str | None, population: int = 0, home: bool = False) -> bool:
    """Is a one-word place name an ordinary word of the text's language?

    wordfreq counts a word however it is written, so real place names are frequent too
    ("lyon" has Zipf 4.9 in French, "leeds" 4.0 in English). A word counts as common when
    its Zipf frequency is at least :data:`COMMON_ZIPF` and exceeds what a place of that
    population would have (:func:`expected_frequency`) by :data:`COMMON_EXCESS`: "Time",
    "Most", "Young", "David", "Federal", "University", "Reading" are common words; "Leeds",
    "Lyon", "Paris", "Bath" are not. For other Latin-script languages the English
    frequency (less 0.5) is also checked, since English words turn up in names.

    Parameters
    ----------
    word : str
        A single folded word.
    language : str, optional
        The text's language (English when unknown).
    population : int
        Population of the largest place of that name (0 when unknown).
    home : bool
        The place is in a country speaking the text's language: names are more frequent
        at home ("paris" has Zipf 5.7 in French), so half a point more is expected.

    Returns
    -------
    bool
        True when the word should not be read as a place.
    """
    zipf = word_frequency(word, language)
    if language not in (None, "en", "unknown"):
        zipf = max(zipf, word_frequency(word, "en") - 0.5)
    expected = expected_frequency(population) + (HOME_BONUS if home else 0.0)
    return zipf >= COMMON_ZIPF and zipf - expected >= COMMON_EXCESS


#: Generic top-level domains of US institutions (government, military, education).
US_TLDS = frozenset({"gov", "mil", "edu"})
#: A US broadcast station's domain: its call sign (K or W and 2-3 letters), optionally "tv" or a channel number.
_CALL_SIGN = re.compile(r"[kw][a-z]{2,3}(?:tv|\d{1,2})?")


@lru_cache(maxsize=1)
def known_outlets() -> dict[str, str]:
    """Domains of national outlets without a country-code domain -> ISO3 (``resources/osint_outlets.yaml``).

    Returns
    -------
    dict
        ``"semana.com" -> "COL"``, ...
    """
    text = resources.files("workbench").joinpath("resources/osint_outlets.yaml").read_text("utf-8")
    return {str(domain).lower(): iso3 for iso3, domains in yaml.safe_load(text)["outlets"].items()
            for domain in domains}


@lru_cache(maxsize=4096)
def outlet_country(url: str | None) -> str | None:
    """The country of an outlet: a known national outlet, else its country-code domain (``bbc.co.uk`` -> GBR).

    Parameters
    ----------
    url : str, optional
        The article's link.

    Returns
    -------
    str or None
        ISO3 from :func:`known_outlets` (``semana.com`` -> COL), a US government,
        military or education domain, a US station's call sign (``wral.com``), or the
        country-code domain; None for other generic domains (``.com``, ``.org``, ``.tv``
        ...) and bad URLs.
    """
    if not url:
        return None
    try:
        host = (urlparse(str(url)).hostname or "").lower().rstrip(".")
    except ValueError:
        return None
    parts = host.split(".")
    if len(parts) < 2:
        return None
    known = known_outlets()
    for k in range(len(parts) - 1):  # "g1.globo.com": the domain and each of its parents
        hit = known.get(".".join(parts[k:]))
        if hit is not None:
            return hit
    tld = parts[-1]
    if tld in US_TLDS:
        return "USA"
    if tld == "com" and _CALL_SIGN.fullmatch(parts[-2]) and word_frequency(parts[-2].rstrip("0123456789"), "en") < 3.0:
        return "USA"  # "wral.com", "kare11.com"; not an English word such as "word.com"
    if len(tld) != 2 or tld in GENERIC_CCTLDS:
        return None
    code = "GB" if tld == "uk" else tld.upper()
    table = countries()
    hit = table.loc[table["iso2"] == code, "iso3"]
    return str(hit.iloc[0]) if len(hit) else None


#: Endings of the masculine singular -> feminine and plural forms (folded), per language.
_INFLECTIONS = {
    "es": (("o", ("o", "a", "os", "as")), ("es", ("es", "esa", "eses", "esas")), ("an", ("an", "ana", "anes", "anas")),
           ("i", ("i", "ies", "is")), ("e", ("e", "es")), ("a", ("a", "as")), ("l", ("l", "la", "les", "las")),
           ("", ("", "s", "es"))),
    "pt": (("o", ("o", "a", "os", "as")), ("es", ("es", "esa", "eses", "esas")), ("ao", ("ao", "a", "aes", "aos", "as")),
           ("e", ("e", "es")), ("a", ("a", "as")), ("l", ("l", "la", "las")), ("", ("", "s"))),
    "fr": (("ien", ("ien", "ienne", "iens", "iennes")), ("ain", ("ain", "aine", "ains", "aines")),
           ("in", ("in", "ine", "ins", "ines")), ("an", ("an", "ane", "ans", "anes")), ("ais", ("ais", "aise", "aises")),
           ("ois", ("ois", "oise", "oises")), ("e", ("e", "es")), ("", ("", "e", "s", "es"))),
}


def inflect(base: str, language: str) -> set[str]:
    """Feminine and plural forms of a folded demonym (``"rumano"`` -> rumano, rumana, rumanos, rumanas).

    Parameters
    ----------
    base : str
        Folded masculine singular.
    language : str
        ``"es"``, ``"pt"`` or ``"fr"`` (other languages: the base alone).

    Returns
    -------
    set of str
        The base and its forms.
    """
    for ending, forms in _INFLECTIONS.get(language, ()):
        if base.endswith(ending):
            stem = base[:len(base) - len(ending)]
            return {base} | {stem + f for f in forms}
    return {base}


@dataclass(frozen=True)
class _Authorities:
    english: re.Pattern | None          # on the text as written: "Romanian authorities"
    folded: dict[str, re.Pattern]       # language -> pattern on the folded text: "autoridades rumanas"
    iso3: dict[str, str]                # demonym form (as written for English, folded otherwise) -> iso3


@lru_cache(maxsize=1)
def _authorities() -> _Authorities:
    """The patterns of ``resources/osint_demonyms.yaml``."""
    text = resources.files("workbench").joinpath("resources/osint_demonyms.yaml").read_text("utf-8")
    data = yaml.safe_load(text)

    def alternation(words: Any) -> str:
        return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))

    iso3: dict[str, str] = {}
    forms: dict[str, set[str]] = {"en": set(), "es": set(), "pt": set(), "fr": set()}
    for code, by_language in data["demonyms"].items():
        for lang, words in by_language.items():
            for word in words:
                variants = {str(word)} if lang == "en" else inflect(fold_text(str(word)), lang)
                for v in variants:
                    iso3.setdefault(v, code)
                forms[lang] |= variants
    institutions = {lang: [fold_text(w) for w in words] for lang, words in data["institutions"].items()}
    modifiers = {lang: [fold_text(w) for w in words] for lang, words in data["modifiers"].items()}
    # no leading look-behind: the engine then skips ahead to possible first letters (see _words_found)
    english = re.compile(rf"({alternation(forms['en'])})\s+(?i:(?:(?:{alternation(modifiers['en'])})\s+)?"
                         rf"(?:{alternation(institutions['en'])}))(?!\w)")
    folded = {lang: re.compile(rf"(?:{alternation(institutions[lang])})\s+(?:(?:{alternation(modifiers[lang])})"
                               rf"\s+)?({alternation(forms[lang])})(?!\w)") for lang in ("es", "pt", "fr")}
    return _Authorities(english, folded, iso3)


def _words_found(pattern: re.Pattern[str], text: str, also: str) -> list[str]:
    """Group 1 of each match of ``pattern`` that starts a word (no letter, digit or ``also`` character before).

    The same matches as the pattern behind ``(?<![\\w<also>])`` would give, found faster: a
    leading look-behind keeps the regex engine from skipping ahead to the possible first
    letters (see :func:`_count_matches`).
    """
    out, pos = [], 0
    while True:
        m = pattern.search(text, pos)
        if m is None:
            return out
        start = m.start()
        if start and (text[start - 1].isalnum() or text[start - 1] in also):
            pos = start + 1
            continue
        out.append(m.group(1))
        pos = m.end() if m.end() > start else start + 1


def authority_cues(text: str, folded: str, language: str | None) -> dict[str, int]:
    """Countries whose own authorities act in the text ("Romanian authorities", "la policía española").

    Parameters
    ----------
    text : str
        The text as written (English demonyms are matched with their capital).
    folded : str
        ``fold_text(text)`` (Spanish, Portuguese and French are matched folded).
    language : str, optional
        The text's language: only its pattern is read (all when unknown).

    Returns
    -------
    dict
        ISO3 -> number of mentions.
    """
    cues = _authorities()
    out: dict[str, int] = {}
    found: list[str] = []
    if language in (None, "en") and cues.english is not None:
        found += _words_found(cues.english, text, "._")
    for lang, pattern in cues.folded.items():
        if language in (None, lang):
            found += _words_found(pattern, folded, "_")
    for form in found:
        code = cues.iso3.get(form)
        if code is not None:
            out[code] = out.get(code, 0) + 1
    return out
