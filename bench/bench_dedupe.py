"""Benchmark: near-duplicate clustering throughput (MinHash signatures + LSH + components).

Usage: ``python bench/bench_dedupe.py [--small] [--articles 50000]``. Builds synthetic
articles (about 120 words each; stories re-published 1-8 times with a headline prefix,
a cut body and boilerplate), then times signatures and clustering separately; prints
articles/s, peak memory (RSS), how well the planted stories were recovered, and a short
cProfile top list of the slowest step.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--small", action="store_true", help="5,000 articles")
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
