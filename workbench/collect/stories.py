"""Stories: news items that report the same event, across outlets, rewrites and days.

MinHash (:mod:`workbench.collect.dedupe`) links near-copies; rewritten reports of one
event share little wording but the same names, numbers, operation name, town and dates.
This module links those (:func:`cluster_stories`: TF-IDF cosine, shared names, numbers and
small places, a date window, the items' countries, and conflicting figures or operation
names that keep two events apart) and scores a clustering against labelled story groups
(:func:`bcubed`, B-cubed precision, recall and F1).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Sequence

import numpy as np
import pandas as pd

from workbench.collect.dedupe import find_root
from workbench.collect.triage.dates import MONTHS
from workbench.collect.triage.place_cues import word_frequency
from workbench.places.admin1 import admin1_index
from workbench.places.gazetteer import city_index, country_index
from workbench.text.dates import date_span
from workbench.text.fold import fold_text

_ENTITY = re.compile(r"(?<![\w])([A-ZÀ-ÖØ-ÞА-ЯЁЇІЄҐ][\w'\u2019-]{2,}|\d{2,}(?:[.,]\d{3})*)")
_WORD = re.compile(r"[^\W\d_][\w'\u2019-]*")
_PARTIAL_DATE = re.compile(r"^\d{4}(-\d{1,2})?$")  # a year or a month alone
_ENTITY_STOP = frozenset({"the", "police", "policia", "police's", "a", "la", "le", "el", "les", "los", "las", "um",
                          "uma", "une", "un", "this", "that", "des", "del", "dos", "das", "human", "trafficking",
                          "trata", "traite", "trafico", "court", "federal", "national", "nacional", "new", "news"})
#: Words before an operation's name ("Operação Alícia", "operation Amber Falcon"), folded.
_OPERATION = frozenset({"operation", "operacao", "operacion", "operazione", "operatsiya", "операция", "операція"})
#: Entities of these kinds are evidence of one event; "big" places (countries, first-level
#: divisions, cities of a million or more) are not: many events happen there each week.
EVIDENCE = frozenset({"name", "number", "operation", "town"})
#: Population from which a city is a "big" place (shared by many unrelated stories).
BIG_CITY = 1_000_000
#: Zipf frequency (wordfreq, highest of en/es/fr/pt) from which a capitalised word is an
#: ordinary word ("Will", "From", "Children" in a title-case headline), not a name.
COMMON_ZIPF = 5.0
_LANGS = ("en", "es", "fr", "pt")
#: Words a headline needs before alike headlines link two items ("Human Trafficking" alone does not).
HEADLINE_WORDS = 5


@lru_cache(maxsize=1)
def place_population() -> dict[str, int]:
    """Folded one-word place names -> the largest population of a place so named.

    Countries and first-level divisions count as big places (at least :data:`BIG_CITY`).

    Returns
    -------
    dict
        ``{"marchena": 19000, "lagos": 9000000, "nigeria": ..., ...}`` (three letters or more).
    """
    out: dict[str, int] = {}
    for name, rows in city_index().items():
        out[str(name)] = max(int(r[3] or 0) for r in rows)
    for name in list(country_index()) + list(admin1_index()):
        out[str(name)] = max(out.get(str(name), 0), BIG_CITY)
    return {k: v for k, v in out.items() if " " not in k and len(k) >= 3}


@lru_cache(maxsize=100_000)
def _common_word(key: str) -> bool:
    """Whether a folded word is an ordinary word in one of the usual languages (see :data:`COMMON_ZIPF`)."""
    return max(word_frequency(key, lang) for lang in _LANGS) >= COMMON_ZIPF


def _title_case(text: str) -> int:
    """End of the headline (first sentence) when it is in title case ("Andrew Tate Will Face Trial"), else 0."""
    end = text.find(". ")
    end = end if end > 0 else len(text)
    words = [w for w in _WORD.findall(text[:end]) if len(w) >= 4]
    return end if len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.6 * len(words) else 0


def story_tokens(text: str) -> dict[str, str]:
    """Names, numbers, operation names and places of a text, by kind (for story clustering).

    Parameters
    ----------
    text : str
        Title and summary.

    Returns
    -------
    dict
        Folded token -> kind: ``"number"`` (two digits or more: "74", "6000"),
        ``"operation"`` (the word after "operation"/"operação"/"operación": "alicia"),
        ``"town"`` (a gazetteer place under :data:`BIG_CITY`), ``"big"`` (a country,
        division or big city) or ``"name"`` (another capitalised word). A capitalised word
        counts only mid-sentence (or when repeated there): a sentence start or a
        title-case headline capitalises ordinary words. Left out: words written in lower
        case elsewhere in the text ("Slavery Act ... modern slavery"), ordinary words
        (:data:`COMMON_ZIPF`) and a short list every trafficking story shares ("Police").
    """
    text = str(text or "")
    headline = _title_case(text)
    lower = set(fold_text(" ".join(w for w in _WORD.findall(text) if w[0].islower())).split())
    population = place_population()
    found: dict[str, list[Any]] = {}
    for m in _ENTITY.finditer(text):
        word = m.group(1)
        key = fold_text(word).replace(".", "").replace(",", "")
        if key in _ENTITY_STOP:
            continue
        if word[0].isdigit():
            kind = "number"
        elif _after_operation(text, m.start(1)):
            kind = "operation"
        elif key in lower or _common_word(key):
            continue
        else:
            kind = "name" if key not in population else "town" if population[key] < BIG_CITY else "big"
            key = _singular(key) if kind == "name" else key
        i = m.start(1) - 1
        while i >= 0 and text[i] == " ":
            i -= 1
        at_start = i < 0 or text[i] in ".!?:;\"\u201c(\u2014\u2013|" or m.start(1) < headline
        entry = found.setdefault(key, [kind, True])
        entry[0] = "operation" if "operation" in (kind, entry[0]) else entry[0]
        acronym = word.isupper() and word.isalpha() and max(word_frequency(key, lang) for lang in _LANGS) < 3.0
        entry[1] = entry[1] and at_start and kind in ("name", "town", "big") and not acronym  # "NAPTIP arrests"
    return {k: kind for k, (kind, only_at_start) in found.items() if not only_at_start}


def _singular(key: str) -> str:
    """A name's plural folded to its singular ("marocains", "thailandaises" -> "marocain", "thailandaise")."""
    return key[:-1] if len(key) >= 5 and key.endswith("s") and not key.endswith("ss") else key


def _after_operation(text: str, start: int) -> bool:
    """Whether the word at ``start`` follows "operation" (any language of :data:`_OPERATION`)."""
    before = text[max(0, start - 12):start]
    low = before.lower()
    if "op" not in low and "оп" not in low:  # cheap test first ("opération", "operação", "операция")
        return False
    words = fold_text(before).replace("\u2019", "'").split()
    return bool(words) and words[-1].split("'")[-1] in _OPERATION  # "l'opération Meridian"


def story_entities(text: str) -> frozenset[str]:
    """The tokens of a text that are evidence of one event (:func:`story_tokens` of the kinds in :data:`EVIDENCE`).

    Parameters
    ----------
    text : str
        Title and summary.

    Returns
    -------
    frozenset of str
        Folded names, numbers, operation names and towns ("tate", "74", "alicia", "marchena").
    """
    return frozenset(k for k, kind in story_tokens(text).items() if kind in EVIDENCE)


def cluster_stories(texts: Sequence[str], published: Sequence | None = None, countries: Sequence | None = None,
                    window_days: int = 21, low: float = 0.15, min_shared: int = 1, cross_shared: int = 3,
                    copy: float = 0.8, undated_extra: int = 1, headline: float = 0.7) -> np.ndarray:
    """Group news items that report the same event (one incident per story).

    Two items are linked when they are within ``window_days`` of each other (when both
    dates are known; a year or a month alone, "2023", spans the whole period, and each
    date is parsed on its own, so a feed mixing ISO 8601 and RFC 2822 loses none), are not
    placed in two different countries, and either

    - their TF-IDF cosine (word 1-2-grams of the folded text) is at least ``copy``, or
    - the cosine is at least ``low`` and they share ``min_shared`` pieces of evidence
      (:func:`story_entities`: a name "Tate", a figure "74", an operation "Alícia", a town
      "Marchena"), or
    - their headlines (the text before the first ". ", :data:`HEADLINE_WORDS` words or
      more) have a TF-IDF cosine of at least ``headline`` (one story retold under the
      wire's headline: "Federal judge dismisses largest US human trafficking case"), or
    - they share ``cross_shared`` pieces of evidence whatever their wording (the same
      story in two languages: "Andrew Tate ... Tristan ... 2023" in English and Portuguese).

    When either date is unknown, ``undated_extra`` more pieces of evidence are needed (the
    window cannot rule out an event of another year). Below ``copy``, two items are never
    linked when both give figures (numbers of two digits or more) of which none agree, or
    both name an operation and the names differ: two events (nor does a chain of links
    join two stories that name different operations). Countries, first-level
    divisions and big cities are not evidence (many events happen in Lagos each week); a
    place only keeps items of different countries apart.

    Stories are the connected components of these links (union-find): rewrites chain
    across outlets and days, every item stays a mention of its story.

    The settings were chosen by cross-validation between the ``dev`` and ``holdout`` parts
    of the real labelled news set (the setting that scores best on one part, by B-cubed F1
    on all items, scored on the other), under the constraint that the generated demo
    dump's planted stories stay apart; see ``tests/data/osint_real_labelled.md``.

    Parameters
    ----------
    texts : sequence of str
        Title + summary of each item.
    published : sequence, optional
        Publication dates (timestamps, text dates in any format, "2023" or "2023-05", or None).
    countries : sequence, optional
        ISO3 of the place found (None: unknown, compatible with any country).
    window_days : int
        Largest gap in days between linked items.
    low : float
        Least cosine of items linked by ``min_shared`` pieces of evidence.
    min_shared, cross_shared : int
        Pieces of evidence needed with a cosine of at least ``low``, and with any cosine.
    copy : float
        Cosine at which two items are one story whatever they share.
    undated_extra : int
        Extra pieces of evidence needed when a date is unknown.
    headline : float
        Least cosine of two headlines that make one story.

    Returns
    -------
    numpy.ndarray
        Story label per item (0..k-1, in order of first appearance).
    """
    texts, n = ["" if t is None else str(t) for t in texts], len(texts)
    if n == 0:
        return np.zeros(0, dtype=int)
    day = _story_days(published, n)
    iso = [c if isinstance(c, str) and c else None for c in (countries if countries is not None else [None] * n)]
    tokens = [story_tokens(t) for t in texts]
    entities = [frozenset(k for k, kind in tok.items() if kind in EVIDENCE) for tok in tokens]
    vetoes = [(frozenset(k for k, kind in tok.items() if kind == "number"),
               frozenset(k for k, kind in tok.items() if kind == "operation")) for tok in tokens]
    parent = list(range(n))
    operations = {i: v[1] for i, v in enumerate(vetoes) if v[1]}  # a story's operation names, by root
    rules = _Rules(window_days, low, min_shared, cross_shared, copy, undated_extra)
    for i, j, cos, head in _story_pairs(texts, entities, low, cross_shared, headline):
        if rules.same_story(i, j, cos, head, day, iso, entities, vetoes):
            _join(parent, operations, i, j, cos >= copy)
    relabel: dict[int, int] = {}
    return np.asarray([relabel.setdefault(find_root(parent, i), len(relabel)) for i in range(n)], dtype=int)


def _join(parent: list[int], operations: dict[int, frozenset[str]], i: int, j: int, copy: bool) -> None:
    """Join the stories of items ``i`` and ``j`` unless they name different operations (and are no copies)."""
    a, b = sorted((find_root(parent, i), find_root(parent, j)))
    ops_a, ops_b = operations.get(a), operations.get(b)
    if a == b or (not copy and ops_a and ops_b and not ops_a & ops_b):
        return  # no chain of rewrites joins two named operations
    parent[b] = a
    if ops_b:
        operations[a] = (ops_a or frozenset()) | operations.pop(b)


def _story_tfidf(texts: list[str]) -> Any:
    """TF-IDF matrix (sparse, rows normalised) of the folded texts' word 1-2-grams."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1,
                           preprocessor=fold_text, token_pattern=r"(?u)\b\w\w+\b").fit_transform(texts)


def _story_days(published: Sequence | None, n: int) -> tuple[np.ndarray, np.ndarray]:
    """First and last day each item's date may stand for, as days since 1970-01-01 (NaN when unknown).

    Every value is parsed on its own (a feed mixing ISO 8601 and RFC 2822 dates keeps them
    all); a year or a month alone spans the whole period (:func:`workbench.text.dates.date_span`),
    never its first day.
    """
    values = pd.Series(list(published) if published is not None else [None] * n, dtype=object)
    partial = values.map(lambda v: isinstance(v, str) and _PARTIAL_DATE.match(v.strip()) is not None).to_numpy(bool)
    # fast path: ISO 8601 text and timestamps at once; the rest one by one
    stamps = pd.to_datetime(values.where(~partial, None), format="ISO8601", errors="coerce", utc=True)
    epoch = pd.Timestamp("1970-01-01")
    first = ((stamps.dt.tz_localize(None).dt.normalize() - epoch).dt.days).to_numpy(dtype=float)
    last = first.copy()
    empty = values.map(lambda v: v is None or v is pd.NaT or (isinstance(v, float) and np.isnan(v))
                       or (isinstance(v, str) and not v.strip())).to_numpy(bool)
    for k in np.flatnonzero(np.isnan(first) & ~empty):
        start, end = date_span(values.iloc[k])
        if start is None and isinstance(values.iloc[k], str):  # "13 février 2024", "Abril de 2018"
            start, end = date_span(_english_months(values.iloc[k]))
        if start is not None and end is not None:
            first[k], last[k] = (start - epoch).days, (end - epoch).days
    return first, last


def _english_months(text: str) -> str:
    """A date written with another language's month names, in English words ("13 fevrier 2024" -> "13 february 2024")."""
    words = []
    for word in re.findall(r"\w+", fold_text(text)):
        number = next((months[word] for months in MONTHS.values() if word in months), None)
        if number is not None:
            words.append(list(MONTHS["en"])[number - 1])
        elif word not in ("de", "del", "of"):
            words.append(word)
    return " ".join(words)


def _entity_postings(entities: list[frozenset[str]]) -> dict[str, list[int]]:
    """Name or number -> the items (in order) that mention it."""
    postings: dict[str, list[int]] = {}
    for k, ents in enumerate(entities):
        for e in ents:
            postings.setdefault(e, []).append(k)
    return postings


def _story_pairs(texts: list[str], entities: list[frozenset[str]], low: float, cross_shared: int,
                 headline: float, block: int = 2000) -> Any:
    """Candidate pairs ``(i, j, cosine, same_headline)`` with ``i < j``.

    Candidates: a cosine of at least ``low``, headlines of :data:`HEADLINE_WORDS` words or
    more with a cosine of at least ``headline`` (``same_headline`` True), or ``cross_shared``
    shared pieces of evidence (cosine 0.0 when the wording shares nothing). Other pairs can
    never be linked, so they are dropped in bulk (sparse matrices) before any rule is looked at.
    """
    n = len(texts)
    same_head = _same_headlines(texts, headline, block)
    seen: set[tuple[int, int]] = set()
    for i, j, cos in _cosine_pairs(_story_tfidf(texts), low, block):
        seen.add((i, j))
        yield i, j, cos, (i, j) in same_head
    for i, j in sorted(same_head - seen):
        seen.add((i, j))
        yield i, j, 0.0, True
    # items sharing enough names are candidates even with no shared words (another language)
    postings = _entity_postings(entities)
    common = max(50, n // 20)  # a name in more items than this identifies no single event
    for i in range(n):
        counts: dict[int, int] = {}
        for e in entities[i]:
            items = postings[e]
            if len(items) <= common:
                for j in items:
                    if j > i:
                        counts[j] = counts.get(j, 0) + 1
        for j, c in counts.items():
            if c >= cross_shared and (i, j) not in seen:
                yield i, j, 0.0, False


def _cosine_pairs(tfidf: Any, floor: float, block: int) -> Any:
    """Pairs ``(i, j, cosine)``, ``i < j``, of rows of a normalised sparse matrix with a cosine of at least ``floor``."""
    for start in range(0, tfidf.shape[0], block):
        sims = (tfidf[start:start + block] @ tfidf.T).tocoo()
        rows = sims.row + start
        keep = (sims.data >= floor) & (sims.col > rows)
        yield from zip(rows[keep].tolist(), sims.col[keep].tolist(), sims.data[keep].tolist())


def _same_headlines(texts: list[str], headline: float, block: int) -> set[tuple[int, int]]:
    """Pairs of items whose headlines (text before the first ". ") are alike: one story retold under one headline."""
    heads = [t.split(". ", 1)[0] for t in texts]
    long_enough = [len(fold_text(h).split()) >= HEADLINE_WORDS for h in heads]
    if sum(long_enough) < 2:
        return set()
    return {(i, j) for i, j, _ in _cosine_pairs(_story_tfidf(heads), headline, block) if long_enough[i] and long_enough[j]}


class _Rules:
    """The linking rules of :func:`cluster_stories` with its settings."""

    def __init__(self, window_days: int, low: float, min_shared: int, cross_shared: int, copy: float,
                 undated_extra: int) -> None:
        self.window_days, self.low, self.min_shared = window_days, low, min_shared
        self.cross_shared, self.copy, self.undated_extra = cross_shared, copy, undated_extra

    def same_story(self, i: int, j: int, cos: float, head: bool, day: tuple[np.ndarray, np.ndarray],
                   iso: list[str | None], entities: list[frozenset[str]],
                   vetoes: list[tuple[frozenset[str], frozenset[str]]]) -> bool:
        """Whether items ``i`` and ``j`` (cosine ``cos``; alike headlines when ``head``) are linked."""
        first, last = day
        if first[j] - last[i] > self.window_days or first[i] - last[j] > self.window_days:
            return False  # an unknown date (NaN) never vetoes
        if iso[i] and iso[j] and iso[i] != iso[j]:
            return False
        if cos >= self.copy:
            return True
        for mine, theirs in zip(vetoes[i], vetoes[j]):
            if mine and theirs and not mine & theirs:
                return False  # both give figures (or operation names) and none agrees: two events
        if head:
            return True
        extra = self.undated_extra if np.isnan(first[i]) or np.isnan(first[j]) else 0
        shared = len(entities[i] & entities[j])
        return bool((cos >= self.low and shared >= self.min_shared + extra) or shared >= self.cross_shared + extra)


def bcubed(predicted: Sequence, truth: Sequence) -> dict[str, float]:
    """B-cubed precision, recall and F1 of a clustering against true groups.

    Parameters
    ----------
    predicted, truth : sequence
        Cluster label and true group of each item (any hashable labels).

    Returns
    -------
    dict
        ``precision`` (how pure each item's cluster is, averaged over items),
        ``recall`` (how complete), ``f1``, and ``n`` items.
    """
    pred = pd.Series(list(predicted)).astype(str).to_numpy()
    true = pd.Series(list(truth)).astype(str).to_numpy()
    n = len(pred)
    if n == 0:
        return {"precision": float("nan"), "recall": float("nan"), "f1": float("nan"), "n": 0}
    frame = pd.DataFrame({"p": pred, "t": true})
    both = frame.groupby(["p", "t"]).size()
    size_p = frame.groupby("p").size()
    size_t = frame.groupby("t").size()
    inter = both.reindex(list(zip(pred, true))).to_numpy(dtype=float)
    precision = float(np.mean(inter / size_p.reindex(pred).to_numpy(dtype=float)))
    recall = float(np.mean(inter / size_t.reindex(true).to_numpy(dtype=float)))
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4), "n": n}
