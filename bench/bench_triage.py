"""Benchmark: OSINT triage end to end on synthetic articles.

Each article (400-1,500 characters, en/es/fr/pt/uk/ru) goes through the collectors'
triage (:meth:`Triage.learned`: fastText language identification, the relevance model
trained on real news, lexicon tagging, the case-aware geoparser, date extraction) and PII
scrubbing (``workbench.collect.triage`` + ``workbench.text.pii``). Articles are
generated inside the workers from a pool of labelled ledes plus filler sentences, so
nothing large crosses process boundaries.

    .venv/bin/python bench/bench_triage.py            # 500,000 articles, 2 workers
    .venv/bin/python bench/bench_triage.py --n 50000  # smaller
    .venv/bin/python bench/bench_triage.py --small    # 5,000 articles, quick check

Prints articles/s, total seconds, peak memory (parent and workers) and a cProfile top 15
of the triage step on a sample. Target: 500k in under 10 minutes (~850 articles/s) on
2 cores.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import resource
import time
from functools import lru_cache
from multiprocessing import get_context

import numpy as np

FILLER = {
    "en": ["The council met on Tuesday to discuss the budget for next year.",
           "Officials said more information would be released after the hearing.",
           "Local residents told reporters they had noticed unusual activity for months.",
           "The investigation involved several agencies and took more than a year.",
           "Contact the newsroom at desk@example.org or +44 20 7946 0958 with information."],
    "es": ["El ayuntamiento se reunió el martes para debatir el presupuesto del próximo año.",
           "Los investigadores indicaron que darán más detalles después de la vista.",
           "Los vecinos contaron a los periodistas que habían notado movimientos extraños.",
           "La operación contó con la participación de varios cuerpos policiales."],
    "fr": ["Le conseil municipal s'est réuni mardi pour discuter du budget de l'an prochain.",
           "Les enquêteurs ont indiqué que d'autres informations seraient publiées après l'audience.",
           "Des riverains ont raconté avoir remarqué des allées et venues inhabituelles.",
           "L'enquête a mobilisé plusieurs services pendant plus d'un an."],
    "pt": ["A câmara reuniu-se na terça-feira para discutir o orçamento do próximo ano.",
           "Os investigadores disseram que mais informações serão divulgadas após a audiência.",
           "Moradores contaram aos repórteres que tinham notado movimentação estranha.",
           "A operação envolveu vários órgãos e durou mais de um ano."],
    "uk": ["Міська рада зібралася у вівторок, щоб обговорити бюджет на наступний рік.",
           "Слідчі повідомили, що більше інформації оприлюднять після засідання.",
           "Місцеві мешканці розповіли журналістам, що помічали дивні речі.",
           "До розслідування залучили кілька відомств, воно тривало понад рік."],
    "ru": ["Городской совет собрался во вторник, чтобы обсудить бюджет на следующий год.",
           "Следователи сообщили, что дополнительная информация будет опубликована после заседания.",
           "Местные жители рассказали журналистам, что замечали странные вещи.",
           "К расследованию привлекли несколько ведомств, оно длилось больше года."],
}
POOL_SIZE = 3000
CHUNK = 2500


@lru_cache(maxsize=1)
def _pool() -> tuple[list[str], list[str], list]:
    from workbench.collect.evaluation import make_labelled_set

    pool = make_labelled_set(POOL_SIZE, seed=99)
    return list(pool["text"]), list(pool["language"]), list(pool["published"])


def articles(chunk: int, size: int, seed: int = 0) -> tuple[list[str], list]:
    """Build ``size`` synthetic articles for chunk number ``chunk`` (deterministic).

    Parameters
    ----------
    chunk : int
        Chunk number (seeds the draw).
    size : int
        Articles in the chunk.
    seed : int
        Base seed.

    Returns
    -------
    tuple
        ``(texts, publication dates)``.
    """
    texts, langs, published = _pool()
    rng = np.random.default_rng(seed * 1_000_003 + chunk)
    picks = rng.integers(0, len(texts), size)
    extra = rng.integers(5, 18, size)  # filler sentences: ~400-1,500 characters in all
    out = []
    for i, k in zip(picks, extra):
        filler = FILLER[langs[i]]
        body = " ".join(filler[(i + j) % len(filler)] for j in range(int(k)))
        out.append(f"{texts[i]} {body}")
    return out, [published[i] for i in picks]


def triage_chunk(texts: list[str], references: list) -> dict[str, int]:
    """Triage articles end to end; return counts (relevant, low confidence, located, dated).

    Parameters
    ----------
    texts : list of str
        Articles.
    references : list
        Publication dates.

    Returns
    -------
    dict
        Counts.
    """
    from workbench.text.pii import scrub_text
    from workbench.collect.triage import Triage

    triage = Triage.learned()  # the collectors' path: the relevance model decides, one batch per chunk
    out = triage.triage_many(texts, None, references)
    for text in texts:
        scrub_text(text)
    return {"articles": len(texts), "relevant": int(out["relevant"].sum()),
            "low_confidence": int((out["confidence"] == "low").sum()), "located": int(out["place_name"].notna().sum()),
            "dated": int(out["date"].notna().sum()), "chars": sum(len(t) for t in texts)}


def _work(args: tuple[int, int, int]) -> dict[str, float]:
    chunk, size, seed = args
    t0, c0 = time.perf_counter(), time.process_time()
    texts, refs = articles(chunk, size, seed)
    t1 = time.perf_counter()
    counts = triage_chunk(texts, refs)
    counts.update(gen_s=t1 - t0, triage_s=time.perf_counter() - t1, cpu_s=time.process_time() - c0)
    return counts


def _warm() -> None:
    from workbench.collect.triage import Triage, fold_text

    fold_text("x")
    Triage.learned().triage("warm up trafficking in London yesterday")  # trains the relevance model once
    _pool()


def main() -> None:
    """Run the benchmark from the command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=500_000, help="articles (default 500,000)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--small", action="store_true", help="5,000 articles")
    parser.add_argument("--profile", type=int, default=3000, help="articles profiled in-process (0: none)")
    args = parser.parse_args()
    n = 5_000 if args.small else args.n

    t0 = time.perf_counter()
    _warm()
    warm_s = time.perf_counter() - t0
    jobs = [(c, min(CHUNK, n - c * CHUNK), args.seed) for c in range((n + CHUNK - 1) // CHUNK)]
    total: dict[str, float] = {}
    start = time.perf_counter()
    if args.workers > 1:
        with get_context("fork").Pool(args.workers, initializer=_warm) as pool:
            for counts in pool.imap_unordered(_work, jobs):
                for k, v in counts.items():
                    total[k] = total.get(k, 0) + v
    else:
        for job in jobs:
            for k, v in _work(job).items():
                total[k] = total.get(k, 0) + v
    seconds = time.perf_counter() - start
    done = int(total["articles"])
    mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    mb_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"articles           {done:,} ({args.workers} worker(s)); mean length {total['chars'] / done:,.0f} chars")
    print(f"total              {seconds:,.1f} s  (+ {warm_s:.1f} s start-up: lexicon, gazetteer)")
    print(f"throughput         {done / seconds:,.0f} articles/s  "
          f"(500k would take {500_000 / (done / seconds) / 60:,.1f} min)")
    print(f"  of which         generation {total['gen_s']:.1f} s, triage {total['triage_s']:.1f} s (worker wall time)")
    cpu_rate = done / (total["cpu_s"] / max(args.workers, 1))
    print(f"CPU time           {total['cpu_s']:.1f} s in workers = {1000 * total['cpu_s'] / done:.2f} ms/article; "
          f"{cpu_rate:,.0f} articles/s with {args.workers} uncontended core(s) "
          f"(500k: {500_000 / cpu_rate / 60:,.1f} min); load average now {os.getloadavg()[0]:.1f}")
    print(f"relevant           {int(total['relevant']):,}; low confidence {int(total['low_confidence']):,}; "
          f"located {int(total['located']):,}; dated {int(total['dated']):,}")
    print(f"peak memory        parent {mb:,.0f} MB; largest worker {mb_children:,.0f} MB")
    if args.profile:
        texts, refs = articles(10_000, args.profile, args.seed)
        prof = cProfile.Profile()
        prof.enable()
        triage_chunk(texts, refs)
        prof.disable()
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(15)
        print(f"\ncProfile of triage on {args.profile:,} articles (top 15 by own time):")
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:6000])


if __name__ == "__main__":
    main()
