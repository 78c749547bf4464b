"""Benchmark: near-duplicate clustering throughput (MinHash signatures + LSH + components).

Usage: ``python bench/bench_dedupe.py [--small] [--articles 50000]``. Builds synthetic
articles (about 120 words each; stories re-published 1-8 times with a headline prefix,
a cut body and boilerplate), then times signatures and clustering separately; prints
articles/s, peak memory (RSS), how well the planted stories were recovered, and a short
cProfile top list of the slowest step. Beside it, in the same run, the plain-library
baseline doing the same work: datasketch ``MinHash`` (128 permutations, the same 3-word
shingles of folded words) and ``MinHashLSH`` (32 bands of 4 rows) with the candidate pairs
kept at estimated Jaccard >= 0.5 and joined into components (scipy); the ratio, the
baseline's recovery of the planted stories, the machine's cores and load are printed.
With ``--stories N``, the story clusterer (:func:`workbench.collect.stories.cluster_stories`:
rewrites linked by TF-IDF cosine and shared names, dates spread over 60 days) is timed on
the first N articles too (0: skipped).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workbench.collect import dedupe  # noqa: E402


def articles(n: int, seed: int = 0) -> tuple[list[str], np.ndarray]:
    """Synthetic articles and their planted story labels."""
    rng = np.random.default_rng(seed)
    vocab = np.array([f"word{i}" for i in range(20000)])
    texts: list[str] = []
    truth: list[int] = []
    story = 0
    while len(texts) < n:
        words = rng.choice(vocab, size=120)
        base = " ".join(words)
        for c in range(int(min(8, rng.geometric(0.4)))):
            if c == 0:
                texts.append("Headline " + base)
            else:
                keep = int(120 * rng.uniform(0.75, 1.0))
                texts.append("UPDATE: Headline " + " ".join(words[:keep]) + " Follow us for more news.")
            truth.append(story)
        story += 1
    return texts[:n], np.array(truth[:n])


def datasketch_baseline(texts: list[str]) -> tuple[np.ndarray, float, float]:
    """The plain-library baseline: datasketch MinHash + LSH, then connected components.

    Parameters
    ----------
    texts : list of str
        The articles.

    Returns
    -------
    labels : numpy.ndarray
        Story label of each article.
    sign_s, cluster_s : float
        Seconds for the signatures and for LSH + components.
    """
    from datasketch import MinHash, MinHashLSH
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    t0 = time.perf_counter()
    shingles = []
    for text in texts:
        words = dedupe.fold_words(text)
        grams = [" ".join(words[i:i + 3]).encode("utf-8") for i in range(max(1, len(words) - 2))]
        shingles.append(grams)
    hashes = MinHash.bulk(shingles, num_perm=dedupe.NUM_PERM)
    t1 = time.perf_counter()
    lsh = MinHashLSH(threshold=dedupe.THRESHOLD, num_perm=dedupe.NUM_PERM, params=(dedupe.BANDS, 4))
    for i, mh in enumerate(hashes):
        lsh.insert(i, mh)
    rows, cols = [], []
    for i, mh in enumerate(hashes):
        for j in lsh.query(mh):
            if j > i and mh.jaccard(hashes[j]) >= dedupe.THRESHOLD:
                rows.append(i)
                cols.append(j)
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(texts), len(texts)))
    labels = connected_components(graph, directed=False)[1]
    return labels, t1 - t0, time.perf_counter() - t1


def recovery(labels: np.ndarray, truth: np.ndarray) -> tuple[int, float, float]:
    """How well clusters recover the planted stories.

    Parameters
    ----------
    labels : numpy.ndarray
        Cluster of each article.
    truth : numpy.ndarray
        Planted story of each article.

    Returns
    -------
    found : int
        Clusters found.
    pure, complete : float
        Share of clusters holding one story; share of stories kept in one cluster.
    """
    pairs = pd.DataFrame({"label": labels, "truth": truth})
    pure = (pairs.groupby("label")["truth"].nunique() == 1).mean()
    complete = (pairs.groupby("truth")["label"].nunique() == 1).mean()
    return len(set(labels)), float(pure), float(complete)


def time_stories(texts: list[str], truth: np.ndarray) -> None:
    """Time the story clusterer (TF-IDF + names + dates) on the articles and print its recovery.

    Parameters
    ----------
    texts : list of str
        The articles.
    truth : numpy.ndarray
        Their planted stories.
    """
    from workbench.collect.stories import cluster_stories

    rng = np.random.default_rng(1)
    published = [d.isoformat() for d in pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 60, len(texts)),
                                                                                       unit="D")]
    t0 = time.perf_counter()
    labels = cluster_stories(texts, published)
    took = time.perf_counter() - t0
    found, pure, complete = recovery(labels, truth)
    print(f"story clusterer     {took:6.2f} s  ({len(texts) / took:,.0f} articles/s) on {len(texts):,} articles; "
          f"found {found:,}; pure {pure:.4f}; kept whole {complete:.4f}")


def main() -> None:
    """Time signatures and clustering, then the datasketch baseline; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--small", action="store_true", help="5,000 articles")
    parser.add_argument("--no-baseline", action="store_true", help="skip the datasketch baseline")
    parser.add_argument("--stories", type=int, default=0, help="also time the story clusterer on N articles")
    args = parser.parse_args()
    n = 5_000 if args.small else args.articles
    texts, truth = articles(n)
    t0 = time.perf_counter()
    sig = dedupe.signatures(texts)
    t1 = time.perf_counter()
    labels = dedupe.cluster(sig)
    t2 = time.perf_counter()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    pairs = pd.DataFrame({"label": labels, "truth": truth})
    pure = (pairs.groupby("label")["truth"].nunique() == 1).mean()
    complete = (pairs.groupby("truth")["label"].nunique() == 1).mean()
    print(f"articles            {n:,}")
    print(f"signatures          {t1 - t0:6.2f} s  ({n / (t1 - t0):,.0f} articles/s)")
    print(f"LSH + components    {t2 - t1:6.2f} s  ({n / (t2 - t1):,.0f} articles/s)")
    print(f"total               {t2 - t0:6.2f} s  ({n / (t2 - t0):,.0f} articles/s)")
    print(f"stories planted     {truth.max() + 1:,}; found {len(set(labels)):,}; "
          f"pure clusters {pure:.4f}; stories kept whole {complete:.4f}")
    print(f"peak RSS            {peak_mb:,.0f} MiB")
    if not args.no_baseline:
        base_labels, b_sig, b_clu = datasketch_baseline(texts)
        found, b_pure, b_complete = recovery(base_labels, truth)
        ours = t2 - t0
        print(f"datasketch baseline {b_sig + b_clu:6.2f} s  (MinHash.bulk {b_sig:.2f} s + MinHashLSH and components "
              f"{b_clu:.2f} s); found {found:,}; pure {b_pure:.4f}; kept whole {b_complete:.4f}")
        print(f"near-duplicates {n:,} articles: workbench {ours:.2f} s | datasketch {b_sig + b_clu:.2f} s | "
              f"ratio {ours / (b_sig + b_clu):.2f}x")
    if args.stories:
        time_stories(texts[:args.stories], truth[:args.stories])
    one, five, fifteen = __import__("os").getloadavg()
    print(f"machine             cores {__import__('os').cpu_count()}, load {one:.2f} / {five:.2f} / {fifteen:.2f}")
    profile = cProfile.Profile()  # profiled apart (on 2,000 articles): the profiler slows generators down
    profile.enable()
    dedupe.signatures(texts[:2000])
    profile.disable()
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(8)
    print("slowest step (signatures), cProfile top by own time, 2,000 articles:")
    print("\n".join(line for line in out.getvalue().splitlines()[6:22] if line.strip()))


if __name__ == "__main__":
    main()
