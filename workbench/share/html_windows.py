"""Windows of time in exported reports: month, quarter and year row labels, and windows named in sentences.

Used by :mod:`workbench.share.html_numbers` so that the auditor can relate counts of
consecutive windows (months that tile a half-year shown as a total elsewhere).
"""

from __future__ import annotations

import re

#: Month names, lower case, January first.
MONTHS = ("january february march april may june july august september october november december").split()


def month_index(month: str, year: str) -> int | None:
    """A month as a number (``year * 12 + month - 1``).

    Parameters
    ----------
    month : str
        Month name or its first three letters, any case.
    year : str
        Four-digit year.

    Returns
    -------
    int or None
        The index, or None when ``month`` is no month name.
    """
    name = month.lower()
    number = next((i for i, m in enumerate(MONTHS) if m == name or m[:3] == name), None)
    return None if number is None else int(year) * 12 + number


def month_span(label: str) -> tuple[int, int] | None:
    """Months covered by a row label.

    Parameters
    ----------
    label : str
        ``2026-10``, ``October 2026``, ``2026Q3``/``Q3 2026`` or ``2026``.

    Returns
    -------
    tuple of int or None
        First and last month (:func:`month_index`), or None for any other label.
    """
    text = label.strip()
    m = re.fullmatch(r"(\d{4})-(\d{2})", text)
    if m:
        return (int(m.group(1)) * 12 + int(m.group(2)) - 1,) * 2
    m = re.fullmatch(r"([A-Za-z]+) (\d{4})", text)
    if m and month_index(m.group(1), m.group(2)) is not None:
        return (month_index(m.group(1), m.group(2)),) * 2
    m = re.fullmatch(r"(\d{4}) ?Q([1-4])|Q([1-4]) (\d{4})", text)
    if m:
        year, quarter = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        first = int(year) * 12 + 3 * (int(quarter) - 1)
        return first, first + 2
    m = re.fullmatch(r"(19|20)\d{2}", text)
    if m:
        return int(text) * 12, int(text) * 12 + 11
    return None


def text_window(sentence: str, start: int, end: int, previous: tuple[str, int, int] | None,
                 scope: str) -> tuple[str, int, int] | None:
    """The measure and months a count in a sentence covers.

    ``1,080 incidents ... in the 6 months to October 2026``; ``against 845 in the 6 months
    before`` (the window before the previous count's); ``25 incidents in October 2026``.
    Sentences naming a place (a capitalised word other than a month) are left out: their
    counts are of that place, not of the scope.

    Parameters
    ----------
    sentence : str
        The sentence.
    start, end : int
        Where the count sits in it.
    previous : tuple or None
        The window of the sentence's previous count.
    scope : str
        The page's scope (prefix of the measure).

    Returns
    -------
    tuple or None
        ``(measure, first month, last month)``, or None when no window is named.
    """
    words = re.findall(r"\b[A-Z][a-z]+", sentence)[1:]
    if any(w.lower() not in MONTHS for w in words):
        return None
    after = sentence[end:]
    m = re.match(r"\s*([a-z]+)?[a-z ]*?\bin the (\d+) months to ([A-Za-z]+) (\d{4})", after)
    if m and month_index(m.group(3), m.group(4)) is not None:
        last = month_index(m.group(3), m.group(4))
        return f"{scope}|{m.group(1) or 'incidents'}", last - int(m.group(2)) + 1, last
    m = re.match(r"\s*(?:[a-z]+\s+)?in the (\d+) months before\b", after)
    if m and previous is not None:
        length = int(m.group(1))
        return previous[0], previous[1] - length, previous[1] - 1
    m = re.match(r"\s*([a-z]+) in ([A-Za-z]+) (\d{4})\b", after)
    if m and month_index(m.group(2), m.group(3)) is not None:
        month = month_index(m.group(2), m.group(3))
        return f"{scope}|{m.group(1)}", month, month
    return None
