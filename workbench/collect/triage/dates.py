"""The date an article mentions (see :func:`extract_date` for the forms read).

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
from functools import lru_cache
from typing import Any, Iterator

import pandas as pd

from workbench.text.fold import fold_text

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


_DIGIT = re.compile(r"\d")


def _from_digits(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)`` for a pattern whose every match starts with a digit.

    The date pattern's branches all begin with ``\\d`` but the regex engine cannot see
    it and tries every position; here only digit positions are tried (found by a
    one-character pattern it skips through), in order, resuming after each match as
    ``finditer`` does: the same matches.
    """
    pos, search, match = 0, _DIGIT.search, pattern.match
    while True:
        d = search(text, pos)
        if d is None:
            return
        m = match(text, d.start())
        if m is None:
            pos = d.start() + 1
            continue
        yield m
        pos = m.end() if m.end() > m.start() else m.end() + 1


def _find_date(folded: str, language: str | None, ref: pd.Timestamp, every: bool) -> pd.Timestamp | None:
    digits, month_day, months, rel, relative = _date_patterns(language, every)
    found: list[tuple[int, pd.Timestamp]] = []
    for m in _from_digits(digits, folded):
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

