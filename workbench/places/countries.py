"""Countries by any common name or code: ISO 3166 codes, UN/ISO official names, variants.

Real files name countries every way there is: ISO-2 (``NG``), ISO-3 (``NGA``), the UN
official English names used in UNODC and TIP-report tables (``Iran (Islamic Republic
of)``, ``Republic of Korea``, ``Syrian Arab Republic``, ``Timor-Leste``, ``Russian
Federation``), short names and spellings (``South Korea``, ``Türkiye``, ``Côte
d'Ivoire``). :func:`to_iso3` resolves them with pycountry (ISO 3166, fast exact look-ups)
and country_converter (maintained regular expressions for names and variants), both
offline. ``UNK`` is the code for an unknown country (name "Unknown"), ``XKX`` Kosovo.
"""

from __future__ import annotations

import logging
import unicodedata
from functools import lru_cache
from typing import Any

#: ISO3 code used for "country not known" (a taxonomy value, not a country).
UNKNOWN_ISO3 = "UNK"

#: Codes outside ISO 3166-1 that real data uses -> our ISO3.
_EXTRA_CODES = {"XKX": "XKX", "XK": "XKX", "UK": "GBR", UNKNOWN_ISO3: UNKNOWN_ISO3}

#: Spellings for "not known" that resolve to ``UNK`` (folded).
UNKNOWN_NAMES = frozenset({"unk", "unknown", "not known", "country unknown", "unknown country", "n/a", "na",
                           "not recorded", "stateless/unknown"})

#: Variants neither library spells (folded name -> ISO3).
_ALIASES = {
    "uk": "GBR", "great britain": "GBR", "england": "GBR", "scotland": "GBR", "wales": "GBR",
    "northern ireland": "GBR", "usa": "USA", "us": "USA", "u.s.": "USA", "u.s.a.": "USA", "drc": "COD",
    "dr congo": "COD", "kosovo": "XKX", "kosovo under unscr 1244": "XKX", "holland": "NLD", "uae": "ARE",
    "espana": "ESP", "brasil": "BRA", "turkiye": "TUR", "cape verde": "CPV", "swaziland": "SWZ",
    "burma": "MMR", "macedonia": "MKD", "laos": "LAO", "ivory coast": "CIV",
}


def _fold(text: str) -> str:
    norm = unicodedata.normalize("NFKD", text.replace("\u2019", "'"))
    bare = "".join(ch for ch in norm if not unicodedata.combining(ch))
    return " ".join(bare.lower().split())


@lru_cache(maxsize=1)
def _converter():  # -> country_converter.CountryConverter
    import country_converter as coco

    logging.getLogger("country_converter").setLevel(logging.CRITICAL)
    logging.getLogger("country_converter.country_converter").setLevel(logging.CRITICAL)
    return coco.CountryConverter()


@lru_cache(maxsize=4096)
def _resolve(text: str) -> str | None:
    import pycountry

    folded = _fold(text)
    if folded in UNKNOWN_NAMES:
        return UNKNOWN_ISO3
    upper = text.upper()
    if upper in _EXTRA_CODES:
        return _EXTRA_CODES[upper]
    if folded in _ALIASES:
        return _ALIASES[folded]
    if len(text) in (2, 3) and text.isalpha():
        found = (pycountry.countries.get(alpha_2=upper) if len(text) == 2
                 else pycountry.countries.get(alpha_3=upper))
        return found.alpha_3 if found is not None else None
    if text.isdigit():
        return None  # a number is not a country (numeric codes are not used by our sources)
    try:
        return pycountry.countries.lookup(text).alpha_3
    except LookupError:
        pass
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):  # coco prints "not found" notes
        found = _converter().convert(text, src="regex", to="ISO3", not_found="-")
    if not isinstance(found, str) or len(found) != 3:  # several matches, or none: not resolved
        return None
    return found


def to_iso3(name_or_code: Any) -> str | None:
    """Resolve a country name or code to ISO 3166-1 alpha-3.

    Parameters
    ----------
    name_or_code : Any
        ISO-2 (``"KR"``), ISO-3 (``"KOR"``), an official name (``"Republic of Korea"``,
        ``"Iran (Islamic Republic of)"``), a short name or a common variant
        (``"South Korea"``, ``"Côte d'Ivoire"``, ``"UK"``); ``"Unknown"``/``"UNK"`` give
        ``UNK``.

    Returns
    -------
    str or None
        The ISO3 code (``XKX`` for Kosovo, ``UNK`` for an unknown country), or None when
        the value is empty or names no country (never guessed).
    """
    if name_or_code is None:
        return None
    if isinstance(name_or_code, float) and name_or_code != name_or_code:  # NaN
        return None
    text = " ".join(str(name_or_code).split())
    if not text:
        return None
    return _resolve(text)


def to_iso3_exact(name_or_code: Any) -> str | None:
    """Resolve a name or code only by exact look-up (codes, ISO names, known variants), no patterns.

    Used to decide between readings of an ambiguous text, e.g. where an unquoted
    ``Korea, Democratic People's Republic of,China`` splits into two countries.

    Parameters
    ----------
    name_or_code : Any
        As for :func:`to_iso3`.

    Returns
    -------
    str or None
        The ISO3 code when an exact look-up finds it, else None.
    """
    import pycountry

    if name_or_code is None or (isinstance(name_or_code, float) and name_or_code != name_or_code):
        return None
    text = " ".join(str(name_or_code).split())
    if not text:
        return None
    folded = _fold(text)
    if folded in UNKNOWN_NAMES:
        return UNKNOWN_ISO3
    if text.upper() in _EXTRA_CODES:
        return _EXTRA_CODES[text.upper()]
    if folded in _ALIASES:
        return _ALIASES[folded]
    try:
        return pycountry.countries.lookup(text).alpha_3
    except LookupError:
        return None


@lru_cache(maxsize=1024)
def country_name(iso3: str) -> str:
    """Return the short English name of a country code.

    Parameters
    ----------
    iso3 : str
        ISO 3166-1 alpha-3 code (``UNK`` and ``XKX`` included).

    Returns
    -------
    str
        ISO 3166's common name where it has one (``IRN`` -> ``"Iran"``, ``KOR`` ->
        ``"South Korea"``), else its short name; ``"Unknown"`` for ``UNK``; the code
        itself when ISO does not know it.
    """
    import pycountry

    code = str(iso3).upper()
    if code == UNKNOWN_ISO3:
        return "Unknown"
    if code == "XKX":
        return "Kosovo"
    found = pycountry.countries.get(alpha_3=code)
    if found is None:
        return code
    return getattr(found, "common_name", None) or found.name
