"""Language of an article.

:func:`detect_language` uses fastText's bundled lite model with a confidence floor
(:mod:`workbench.text.language`); :func:`detect_language_folded` is the older stop-word
vote with letter cues, kept for callers that only have folded text.
"""

from __future__ import annotations

import re
from typing import Sequence

from workbench.collect.triage.lexicon import WORDS
from workbench.text import language as _language

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
    words = WORDS.findall(folded) if words is None else words
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
        ISO 639-1 code, or ``"unknown"`` when the bundled fastText model's probability is
        below :data:`workbench.text.language.CONFIDENCE_FLOOR`.
    """
    return _language.detect(text, hint)
