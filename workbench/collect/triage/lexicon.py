"""The multilingual triage lexicon, compiled into a word-level matcher."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Iterable, Sequence

import yaml

from workbench.text.fold import fold_text

WORDS = re.compile(r"\w+")


@lru_cache(maxsize=1)
def lexicon() -> dict[str, Any]:
    """Load the multilingual triage lexicon.

    Returns
    -------
    dict
        ``relevance`` (language -> terms) and one mapping per taxonomy vocabulary
        (code -> terms); all terms folded.
    """
    text = resources.files("workbench").joinpath("resources/osint_lexicon.yaml").read_text("utf-8")
    raw = yaml.safe_load(text)
    raw.pop("version", None)
    return {group: {key: [fold_text(t) for t in terms] for key, terms in table.items()}
            for group, table in raw.items()}


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
    found = lex.find(WORDS.findall(folded))
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

