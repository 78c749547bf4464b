"""Near-duplicate news articles: MinHash signatures and LSH banding, vectorised.

One story is re-published by many outlets with small edits: another headline prefix,
a truncated body, the outlet's boilerplate. Such copies are one incident with many
mentions, not many incidents. Two articles are the *same story* when the Jaccard
similarity of their shingle sets is at least :data:`THRESHOLD`:

- text: title and body, folded (lower case, accents removed), split into words;
- shingles: word 3-grams (:data:`SHINGLE_WORDS`); a text of fewer words is one shingle.
  3-grams rather than 5-grams keep short texts (a feed's title and one-line summary,
  about 20-40 words) comparable: one edited word removes 3 shingles, not 5;
- :data:`THRESHOLD` = 0.5: a copy whose body was cut to 60 % of the original, with a
  new headline prefix and a line of boilerplate, is still above it; two different
  stories on the same subject (same template words, other place, other numbers) stay
  well below it (about 0.2-0.35 on the demo and on real wire copy);
- signature: :data:`NUM_PERM` = 128 minima of multiply-shift hashes of 64-bit shingle
  hashes (stable across runs and machines: tokens are hashed with CRC-32, never with
  Python's salted ``hash``), so signatures can be stored and compared later;
- LSH: :data:`BANDS` = 32 bands of 4 rows; articles sharing any band are candidate
  pairs (a pair at Jaccard 0.5 is found with probability 0.87 directly, 0.99 at 0.6;
  a syndicated copy needs to be linked to only one other copy of its story), and a
  candidate pair is kept when the estimated Jaccard (share of equal signature values)
  is at least the threshold. Stories are the connected components of kept pairs.
"""

from __future__ import annotations

import re
import zlib
from itertools import chain
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd

from workbench.text.fold import fold_text

NUM_PERM = 128
BANDS = 32
SHINGLE_WORDS = 3
THRESHOLD = 0.5
#: Fixed seed of the hash family: signatures stored by one run must match the next run's.
SEED = 20251122

_WORD = re.compile(r"\w+", re.UNICODE)
_CHUNK_SHINGLES = 1 << 15


def fold_words(text: str | None) -> list[str]:
    """Split a text into folded words (:func:`workbench.text.fold.fold_text`).

    Parameters
    ----------
    text : str or None
        Any text.

    Returns
    -------
    list of str
        The words, in order.
    """
    if not text:
        return []
    return _WORD.findall(fold_text(text))


def _mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser, vectorised (uint64 in, uint64 out)."""
    with np.errstate(over="ignore"):
        x = x ^ (x >> np.uint64(30))
        x = x * np.uint64(0xBF58476D1CE4E5B9)
        x = x ^ (x >> np.uint64(27))
        x = x * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def shingle_hashes(texts: Sequence[str | None], k: int = SHINGLE_WORDS) -> tuple[np.ndarray, np.ndarray]:
    """Hash every word k-gram of every text.

    Parameters
    ----------
    texts : sequence of str
        The documents.
    k : int
        Words per shingle.

    Returns
    -------
    hashes : numpy.ndarray
        uint64 shingle hashes, grouped by document in order.
    doc : numpy.ndarray
        int64 document index of each hash (non-decreasing). A document with no words
        has no shingle.
    """
    words = [fold_words(t) for t in texts]
    lengths = np.fromiter((len(w) for w in words), dtype=np.int64, count=len(words))
    total = int(lengths.sum())
    if not total:
        return np.zeros(0, np.uint64), np.zeros(0, np.int64)
    # each distinct word is hashed once (C hash table), then looked up by code
    codes, uniques = pd.factorize(np.fromiter(chain.from_iterable(words), dtype=object, count=total))
    token_hash = np.fromiter((zlib.crc32(u.encode("utf-8")) for u in uniques), dtype=np.uint64, count=len(uniques))
    tok = _mix64(token_hash[codes] + np.uint64(0x9E3779B97F4A7C15))
    doc_of = np.repeat(np.arange(len(words), dtype=np.int64), lengths)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    # a shingle starts at word i when words i..i+k-1 are in the same document
    n = len(tok)
    last = np.arange(n) + (k - 1)
    full = last < n
    full[full] = doc_of[last[full]] == doc_of[full.nonzero()[0]]
    idx = np.flatnonzero(full)
    with np.errstate(over="ignore"):
        h = np.zeros(len(idx), np.uint64)
        for j in range(k):
            h = _mix64(h * np.uint64(0x100000001B3) + tok[idx + j])
    # documents shorter than k words: one shingle of all their words
    short = np.flatnonzero((lengths > 0) & (lengths < k))
    short_h = np.zeros(len(short), np.uint64)
    with np.errstate(over="ignore"):
        for pos, d in enumerate(short):
            acc = np.uint64(lengths[d])
            for j in range(int(lengths[d])):
                acc = _mix64(np.array([acc * np.uint64(0x100000001B3) + tok[starts[d] + j]], np.uint64))[0]
            short_h[pos] = acc
    hashes = np.concatenate([h, short_h])
    doc = np.concatenate([doc_of[idx], short])
    order = np.argsort(doc, kind="stable")
    return hashes[order], doc[order]


def _hash_family(num_perm: int, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 2**63, size=num_perm, dtype=np.uint64) * np.uint64(2) + np.uint64(1)  # odd multipliers
    b = rng.integers(0, 2**63, size=num_perm, dtype=np.uint64)
    return a, b


def signatures(texts: Sequence[str | None], num_perm: int = NUM_PERM, k: int = SHINGLE_WORDS) -> np.ndarray:
    """MinHash signatures of texts.

    Parameters
    ----------
    texts : sequence of str
        The documents (title and body).
    num_perm : int
        Signature length.
    k : int
        Words per shingle.

    Returns
    -------
    numpy.ndarray
        ``(len(texts), num_perm)`` uint32. A text without words gets all values
        ``0xFFFFFFFF`` (it matches nothing, see :func:`cluster`).
    """
    hashes, doc = shingle_hashes(texts, k)
    out = np.full((len(texts), num_perm), np.iinfo(np.uint32).max, dtype=np.uint32)
    if len(hashes) == 0:
        return out
    present, first = np.unique(doc, return_index=True)
    a, b = _hash_family(num_perm)
    shift = np.uint64(32)
    # chunks of whole documents small enough to stay in cache while every permutation runs
    bounds = np.searchsorted(first, np.arange(0, len(hashes), _CHUNK_SHINGLES))
    bounds = np.unique(np.r_[bounds, len(first)])
    with np.errstate(over="ignore"):
        for lo, hi in zip(bounds[:-1], bounds[1:]):
            start = first[lo]
            stop = first[hi] if hi < len(first) else len(hashes)
            h = hashes[start:stop]
            offsets = first[lo:hi] - start
            tmp = np.empty_like(h)
            block = np.empty((hi - lo, num_perm), np.uint32)
            for p in range(num_perm):
                np.multiply(h, a[p], out=tmp)
                np.add(tmp, b[p], out=tmp)
                np.right_shift(tmp, shift, out=tmp)
                block[:, p] = np.minimum.reduceat(tmp, offsets)
            out[present[lo:hi]] = block
    return out


def _band_keys(sig: np.ndarray, bands: int) -> np.ndarray:
    rows = sig.shape[1] // bands
    keys = np.empty((sig.shape[0], bands), np.uint64)
    with np.errstate(over="ignore"):
        for band in range(bands):
            acc = np.full(sig.shape[0], np.uint64(band + 1))
            for j in range(rows):
                acc = _mix64(acc * np.uint64(0x100000001B3) + sig[:, band * rows + j].astype(np.uint64))
            keys[:, band] = acc
    return keys


def candidate_pairs(sig: np.ndarray, bands: int = BANDS) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of rows that share at least one LSH band.

    In each bucket every member is paired with the bucket's first member and with its
    predecessor (linear in the bucket's size, enough to connect a story's copies).

    Parameters
    ----------
    sig : numpy.ndarray
        Signatures from :func:`signatures`.
    bands : int
        Number of bands (must divide the signature length).

    Returns
    -------
    tuple of numpy.ndarray
        Row indices ``(i, j)`` with ``i < j``, unique pairs.
    """
    n = sig.shape[0]
    if n < 2:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    if sig.shape[1] % bands:
        raise ValueError(f"signature length {sig.shape[1]} is not a multiple of bands={bands}")
    empty = (sig == np.iinfo(np.uint32).max).all(axis=1)
    keys = _band_keys(sig, bands)
    left, right = [], []
    for band in range(bands):
        order = np.argsort(keys[:, band], kind="stable")
        order = order[~empty[order]]
        k = keys[order, band]
        if len(k) < 2:
            continue
        same = k[1:] == k[:-1]
        if not same.any():
            continue
        run_start = np.concatenate([[True], ~same])
        anchor = order[np.maximum.accumulate(np.where(run_start, np.arange(len(k)), 0))]
        member = ~run_start
        left += [anchor[member], order[:-1][same]]
        right += [order[member], order[1:][same]]
    if not left:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    i, j = np.concatenate(left), np.concatenate(right)
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    pairs = np.unique(lo.astype(np.int64) * n + hi)
    pairs = pairs[(pairs // n) != (pairs % n)]
    return pairs // n, pairs % n


def estimated_jaccard(sig: np.ndarray, i: np.ndarray, j: np.ndarray, chunk: int = 200_000) -> np.ndarray:
    """Estimate the Jaccard similarity of row pairs from their signatures.

    Parameters
    ----------
    sig : numpy.ndarray
        Signatures.
    i, j : numpy.ndarray
        Row indices of the pairs.
    chunk : int
        Pairs compared at a time (bounds memory).

    Returns
    -------
    numpy.ndarray
        Share of equal signature values per pair (float64).
    """
    out = np.empty(len(i), np.float64)
    for start in range(0, len(i), chunk):
        s = slice(start, start + chunk)
        out[s] = (sig[i[s]] == sig[j[s]]).mean(axis=1)
    return out


def cluster(
    sig: np.ndarray,
    threshold: float = THRESHOLD,
    bands: int = BANDS,
    published: np.ndarray | None = None,
    window_days: float | None = None,
) -> np.ndarray:
    """Group rows into stories: connected components of near-duplicate pairs.

    Parameters
    ----------
    sig : numpy.ndarray
        Signatures from :func:`signatures` (rows of any batches, stored or new).
    threshold : float
        Least estimated Jaccard similarity of two copies of one story.
    bands : int
        LSH bands.
    published : numpy.ndarray, optional
        Publication times (``datetime64``) of the rows; with ``window_days``, two
        articles published further apart are never the same story (the same wording
        months later is a new event).
    window_days : float, optional
        See ``published``.

    Returns
    -------
    numpy.ndarray
        int64 story label per row (labels are arbitrary; equal label = same story).
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n = sig.shape[0]
    if n == 0:
        return np.zeros(0, np.int64)
    i, j = candidate_pairs(sig, bands)
    keep = estimated_jaccard(sig, i, j) >= threshold
    if published is not None and window_days is not None:
        t = np.asarray(published, dtype="datetime64[ns]").astype(np.int64)
        keep &= np.abs(t[i] - t[j]) <= int(window_days * 86_400 * 1e9)
    graph = coo_matrix((np.ones(int(keep.sum()), np.int8), (i[keep], j[keep])), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return labels.astype(np.int64)


def assign_stories(
    new_ids: Sequence[str],
    new_published: Iterable,
    new_sig: np.ndarray,
    stored_story: Sequence[str] = (),
    stored_published: Iterable = (),
    stored_sig: np.ndarray | None = None,
    threshold: float = THRESHOLD,
    window_days: float | None = None,
) -> np.ndarray:
    """Give every new article the incident id of its story.

    A new article whose story already has a stored article gets that story's incident
    (the earliest stored one when the new article bridges several); otherwise the
    story's incident is its earliest new article (ties broken by id).

    Parameters
    ----------
    new_ids : sequence of str
        Incident ids the new articles would have on their own.
    new_published : iterable
        Their publication times.
    new_sig : numpy.ndarray
        Their signatures.
    stored_story : sequence of str
        For stored articles of the recent window: the incident id of their story.
    stored_published : iterable
        Their publication times.
    stored_sig : numpy.ndarray, optional
        Their signatures.
    threshold : float
        See :func:`cluster`.
    window_days : float, optional
        Articles published further apart are never linked directly (see :func:`cluster`).

    Returns
    -------
    numpy.ndarray
        Object array: the story's incident id for each new article (its own id when it
        starts a story).
    """
    n_new = len(new_ids)
    stored_sig = stored_sig if stored_sig is not None else np.zeros((0, new_sig.shape[1]), np.uint32)
    published = pd.to_datetime(pd.Series(list(stored_published) + list(new_published)), utc=True)
    labels = cluster(np.vstack([stored_sig, new_sig]) if len(stored_sig) else new_sig, threshold,
                     published=published.dt.tz_localize(None).to_numpy(), window_days=window_days)
    frame = pd.DataFrame({
        "label": labels,
        "stored": np.r_[np.ones(len(stored_sig), bool), np.zeros(n_new, bool)],
        "published": published.to_numpy(),
        "story": list(stored_story) + list(new_ids),
    })
    # earliest stored story wins; else the earliest new article (then smallest id)
    frame = frame.assign(rank_stored=~frame["stored"])
    best = frame.sort_values(["label", "rank_stored", "published", "story"]).drop_duplicates("label")
    story_of = dict(zip(best["label"], best["story"]))
    return np.array([story_of[lab] for lab in labels[len(stored_sig):]], dtype=object)


def find_root(parent: list[int], i: int) -> int:
    """Union-find root of item ``i``, halving the path on the way.

    Parameters
    ----------
    parent : list of int
        Parent of each item (a root is its own parent); updated in place.
    i : int
        An item.

    Returns
    -------
    int
        Its root.
    """
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def merge_story_keys(story: Sequence[str], keys: Sequence[Any], new_ids: Sequence[str],
                     published: Iterable) -> np.ndarray:
    """Join the near-duplicate stories of new articles with the stories found on their text.

    :func:`assign_stories` links copies (MinHash); :func:`cluster_stories` also links
    rewritten reports of one event within a batch. This joins both: articles sharing a
    ``keys`` value, or a story id, end in one story, whose incident is a stored story's id
    when the group holds one (the smallest), else the earliest new article's id.

    Parameters
    ----------
    story : sequence of str
        Incident id per new article from :func:`assign_stories`.
    keys : sequence
        Story key per new article (e.g. the batch's :func:`cluster_stories` label);
        None or NaN: no key.
    new_ids : sequence of str
        The new articles' own incident ids.
    published : iterable
        Their publication times.

    Returns
    -------
    numpy.ndarray
        Object array: the joined story's incident id per new article.
    """
    story = [str(s) for s in story]
    n = len(story)
    parent = list(range(n))
    first: dict[Any, int] = {}
    for i, (s, k) in enumerate(zip(story, keys)):
        for label in (("story", s),) + ((("key", k),) if k is not None and not pd.isna(k) else ()):
            j = first.setdefault(label, i)
            if j != i:
                parent[find_root(parent, i)] = find_root(parent, j)
    new = set(map(str, new_ids))
    when = pd.to_datetime(pd.Series(list(published)), utc=True).to_numpy()
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find_root(parent, i), []).append(i)
    out = np.empty(n, dtype=object)
    for members in groups.values():
        stored = sorted({story[i] for i in members if story[i] not in new})
        if stored:
            head = stored[0]
        else:
            head = str(new_ids[min(members, key=lambda i: (when[i], str(new_ids[i])))])
        for i in members:
            out[i] = head
    return out
