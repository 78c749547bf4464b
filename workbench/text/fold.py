"""One text-folding function for name matching and triage (lower case, no accents)."""

from __future__ import annotations

import unicodedata

#: Non-ASCII characters whose folded form differs from themselves -> that form.
_CHANGES: dict[str, str] = {}
#: The keys of ``_CHANGES`` as a set (set & set iterates over the smaller side).
_CHANGING: set[str] = set()
#: Non-ASCII characters already examined (changing or not).
_SEEN: set[str] = set()


def _fold_char(ch: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))


def fold_text(text: str) -> str:
    """Lower-case, strip accents and collapse whitespace (for name and term matching).

    Each distinct non-ASCII character is decomposed (NFKD) and stripped of combining
    marks once and remembered; a text then only has its characters that change replaced
    (a C-level ``str.replace`` per distinct accented letter, instead of a per-character
    table look-up). Folded forms hold no combining marks and fold to themselves, so
    replacing character by character gives the same result as folding the whole string.

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
        chars = set(out)
        new = chars - _SEEN
        if new:
            for ch in new:
                if ord(ch) > 127:
                    folded = _fold_char(ch)
                    if folded != ch:
                        _CHANGES[ch] = folded
                        _CHANGING.add(ch)
            _SEEN.update(new)
        for ch in chars & _CHANGING:
            out = out.replace(ch, _CHANGES[ch])
    return " ".join(out.lower().split())


#: The same function under the gazetteer's historical name.
fold = fold_text
