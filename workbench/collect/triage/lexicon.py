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
# ASCII characters that are not word characters (``\\w``), mapped to spaces: on ASCII text,
# ``text.translate(_ASCII_BREAKS).split()`` gives the words of ``WORDS.findall`` in C
_ASCII_BREAKS = {c: " " for c in range(128) if not re.match(r"\w", chr(c))}
#: Groups whose hits :func:`lexicon_tags` counts.
_COUNTED = ("relevance", "relevance_weak", "context", "negatives", "exploitation_types", "means_of_control")


def words_of(folded: str) -> list[str]:
    """The words of a folded text, as ``WORDS.findall(folded)`` (faster on ASCII text).

    Parameters
    ----------
    folded : str
        Folded text.

    Returns
    -------
    list of str
        Runs of word characters, in order.
    """
    if folded.isascii():
        return folded.translate(_ASCII_BREAKS).split()
    return WORDS.findall(folded)


def trie_pattern(words: Iterable[str]) -> str:
    """A regular expression matching any of ``words``, built as a character trie.

    A trie-shaped pattern (``tra(?:ffick|ta)``) lets the regex engine test each text
    position against every word at once instead of trying the alternatives one by one.

    Parameters
    ----------
    words : iterable of str
        Literal words (escaped here); the empty string is ignored.

    Returns
    -------
    str
        A non-capturing pattern; ``(?!)`` (never matches) when there are no words.
    """
    trie: dict[str, dict] = {}
    for word in words:
        if not word:
            continue
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        alternatives = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not alternatives:
            return ""
        body = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
        if "" in node:
            body = "(?:" + body + ")?"
        return body

    return "(?:" + build(trie) + ")" if trie else "(?!)"


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
    length) and remembers, for each distinct text word seen, the terms it can start. A
    text is then matched with set operations in C: its distinct words are intersected
    with the words known to start a term, and only the positions of those words are
    checked (single-word terms directly, longer ones by their following words).

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
        self._starting: set[str] = set()   # words seen that start some term
        self._inert: set[str] = set()      # words seen that start none

    def _starts(self, word: str) -> tuple:
        found = list(self._exact.get(word, ()))
        for n in self._stem_lengths:
            if n > len(word):
                break
            found.extend(self._stems.get(word[:n], ()))
        out = tuple((g, k, t if len(t) > 1 else None) for g, k, t in found)
        if found:  # few words start a term: always remembered
            self._cache[word] = out
            self._starting.add(word)
        elif len(self._inert) < 500_000:  # bounded: an unremembered word is simply looked up again
            self._inert.add(word)
        return out

    def hits(self, words: Sequence[str]) -> list[tuple[str, str, int, int]]:
        """Find every term in a sequence of folded words, false friends masked.

        Parameters
        ----------
        words : sequence of str
            Folded words (:func:`words_of` of a folded text).

        Returns
        -------
        list of tuple
            ``(group, key, start, end)`` per hit (word positions ``[start, end)``), in
            text order; see :meth:`find`.
        """
        return self.masked(self.raw_hits(words))

    def raw_hits(self, words: Sequence[str]) -> list[tuple[str, str, int, int]]:
        """Every term in a sequence of folded words, false friends not yet masked.

        ``hits(words)`` is ``masked(raw_hits(words))``; the raw hits of a prefix
        ``words[:k]`` are the raw hits of ``words`` that end by ``k`` (a term is matched
        on the words it covers only), so one scan serves a text and its title.

        Parameters
        ----------
        words : sequence of str
            Folded words.

        Returns
        -------
        list of tuple
            ``(group, key, start, end)`` per hit, in text order.
        """
        distinct = set(words)
        unseen = distinct - self._starting
        unseen -= self._inert
        for word in unseen:
            self._starts(word)
        present = distinct & self._starting
        if not present:
            return []
        cache, n = self._cache, len(words)
        hits: list[tuple[str, str, int, int]] = []
        for i in [i for i, w in enumerate(words) if w in present]:
            for group, key, term in cache[words[i]]:
                if term is None:  # a one-word term
                    hits.append((group, key, i, i + 1))
                    continue
                end = i + len(term)
                if end > n:
                    continue
                for j in range(1, len(term)):
                    w, stem = term[j]
                    got = words[i + j]
                    if not (got.startswith(w) if stem else got == w):
                        break
                else:
                    hits.append((group, key, i, end))
        return hits

    @staticmethod
    def masked(hits: list[tuple[str, str, int, int]]) -> list[tuple[str, str, int, int]]:
        """Drop the hits that overlap a false friend (``negatives`` hits are kept).

        Parameters
        ----------
        hits : list of tuple
            From :meth:`raw_hits`.

        Returns
        -------
        list of tuple
            The hits :meth:`hits` returns.
        """
        if len(hits) > 1 and any(h[0] == "negatives" for h in hits):
            negatives = [(s, e) for g, _, s, e in hits if g == "negatives"]
            hits = [h for h in hits if h[0] == "negatives" or not any(h[2] < e and s < h[3] for s, e in negatives)]
        return hits

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
        return [Match(*h) for h in self.hits(words)]

    def scan(self, folded: str) -> list[tuple[str, str, int, int]]:
        """Find every term in a folded text (:meth:`hits` of its :func:`words_of`).

        Parameters
        ----------
        folded : str
            Folded text (:func:`workbench.text.fold.fold_text`).

        Returns
        -------
        list of tuple
            ``(group, key, start, end)`` per hit, word positions, text order.
        """
        return self.hits(words_of(folded))

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
    return tags_of_hits(matcher().scan(folded))


def tags_of_hits(hits: Sequence[tuple[str, str, int, int]]) -> dict[str, Any]:
    """The tags :func:`lexicon_tags` reads from a text's hits.

    Parameters
    ----------
    hits : sequence of tuple
        From :meth:`LexiconMatcher.scan` (``(group, key, start, end)``).

    Returns
    -------
    dict
        As :func:`lexicon_tags`.
    """
    count = dict.fromkeys(_COUNTED, 0)
    present: dict[str, set[str]] = {}
    for group, key, _, _ in hits:
        if group in count:
            count[group] += 1
        present.setdefault(group, set()).add(key)
    order = matcher().order

    def codes(group: str) -> list[str]:
        keys = present.get(group)
        return [k for k in order.get(group, ()) if k in keys] if keys else []

    types = codes("exploitation_types")
    support = count["exploitation_types"] + count["context"] + count["means_of_control"]
    relevant = count["relevance"] > 0 or (count["relevance_weak"] > 0 and support > 0)
    sectors, recruitment = codes("sectors"), codes("recruitment_methods")
    return {
        "relevant": relevant,
        "exploitation_types": types,
        "means_of_control": codes("means_of_control"),
        "sector": sectors[0] if sectors else None,
        "recruitment_method": recruitment[0] if recruitment else None,
        "strong": count["relevance"],
        "weak": count["relevance_weak"],
        "support": support,
        "negatives": count["negatives"],
    }
