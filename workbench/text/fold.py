"""One text-folding function for name matching and triage (lower case, no accents)."""

from __future__ import annotations

import unicodedata

_FOLD_TABLE: dict[int, str] = {}


def fold_text(text: str) -> str:
    """Lower-case, strip accents and collapse whitespace (for name and term matching).

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
        result as folding the whole string at once.
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


#: The same function under the gazetteer's historical name.
fold = fold_text
