"""Benchmark: OSINT triage against a plain-regex floor, workers, and 500,000 articles.

Articles (400-1,500 characters, en/es/fr/pt/uk/ru: a labelled lede plus filler
sentences) are generated deterministically per chunk, so nothing large crosses process
boundaries. One run prints:

1. **Equal features**: our lexicon relevance path (:func:`~workbench.collect.triage.lexicon_tags`:
   fold, the compiled matcher, relevance rule and tags) against the **regex floor**: the
   same folded text against the same lexicon terms as trie-built compiled regexes, one
   per language (that language's relevance, weak, context and false-friend terms plus
   every taxonomy term), the article's language given, hits mapped to their group and
   code, relevant when a strong term or a weak one with support matches. No geoparsing,
   dates or PII on either side. Timed alternately, medians of CPU time, the ratio.
2. Relevant counts of both, and how many items differ and why.
3. **The collectors' path** on the same articles: :meth:`Triage.learned` (fastText language,
   the relevance model trained on real news, lexicon tags) with geoparsing and dates on
   relevant items only (``details="relevant"``) and PII scrubbing of relevant items:
   its time and ratio to the floor.
4. **Worker speed-up**: the same chunks through
   :func:`workbench.collect.triage.workers.map_balanced` with 1 and 2 workers (chunks
   handed out as workers free up), wall-clock medians, alternately.
5. **The whole run**: ``--n`` articles (default 500,000) on ``--workers`` workers.
6. Load average and core count (the figures are only comparable at the same load).

    .venv/bin/python bench/bench_triage.py                  # all of it (500k: a few minutes)
    .venv/bin/python bench/bench_triage.py --n 50000        # smaller whole run
    .venv/bin/python bench/bench_triage.py --small          # quick check (5,000 articles)
    .venv/bin/python bench/bench_triage.py --n 0            # ratios and speed-up only

Targets (issue 17): equal-features ratio <= 1.5, 2 workers >= 1.8x over 1, 500k under 4
minutes on this 2-core machine (issue 14: under 10 minutes).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import time
from functools import lru_cache
from typing import Any

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
#: Lexicon groups keyed by language (the others are taxonomy vocabularies keyed by code).
LANGUAGE_GROUPS = ("relevance", "relevance_weak", "context", "negatives")
SKIP_GROUPS = ("place_names", "country_names", "not_places")


@lru_cache(maxsize=1)
def _pool() -> tuple[list[str], list[str], list]:
    from workbench.synthetic.labelled_news import make_labelled_set

    pool = make_labelled_set(POOL_SIZE, seed=99)
    return list(pool["text"]), list(pool["language"]), list(pool["published"])


def articles(chunk: int, size: int, seed: int = 0) -> tuple[list[str], list, list[str]]:
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
        ``(texts, publication dates, languages)``.
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
    return out, [published[i] for i in picks], [langs[i] for i in picks]


# --------------------------------------------------------------------------- the regex floor
class RegexFloor:
    """The plain-library floor: folded text against trie-built regexes, one per language.

    Each language's regex is one character trie of that language's relevance, weak,
    context and false-friend terms and every taxonomy term (the vocabularies are not
    split by language); a stem (``torhivl*``) matches any word ending. A hit's group(s)
    and code(s) are looked up from the matched text (exact terms) or by the stem terms
    starting with its first three letters. Relevant: a strong term, or a weak one with an
    exploitation-type, context or means-of-control term.
    """

    def __init__(self) -> None:
        from workbench.collect.triage.lexicon import lexicon, trie_pattern

        lex = lexicon()
        self.exact: dict[str, list[tuple[str, str]]] = {}
        self.stems: dict[str, list[tuple[re.Pattern[str], list[tuple[str, str]]]]] = {}
        languages = list(lex["relevance"])
        per_language: dict[str, set[str]] = {lang: set() for lang in languages}
        stem_owners: dict[str, list[tuple[str, str]]] = {}
        for group in (g for g in lex if g not in SKIP_GROUPS):
            for key, terms in lex[group].items():
                for term in terms:
                    if "*" in term:
                        stem_owners.setdefault(term, []).append((group, key))
                    else:
                        self.exact.setdefault(term, []).append((group, key))
                    for lang in ([key] if group in LANGUAGE_GROUPS else languages):
                        if lang in per_language:
                            per_language[lang].add(term)
        for term, owners in stem_owners.items():
            whole = re.compile(re.escape(term).replace("\\*", "\\w*"))
            self.stems.setdefault(term[:3], []).append((whole, owners))
        self.patterns = {lang: re.compile(r"\b" + trie_pattern(sorted(terms)).replace("\\*", "\\w*") + r"(?!\w)")
                         for lang, terms in per_language.items()}

    def tags(self, text: str, language: str) -> dict[str, Any]:
        """Relevance and tags of one text in a known language.

        Parameters
        ----------
        text : str
            The article.
        language : str
            Its language (regex chosen; English when there is none for it).

        Returns
        -------
        dict
            ``relevant``, the codes found per taxonomy group, false-friend hits.
        """
        from workbench.text.fold import fold_text

        pattern = self.patterns.get(language) or self.patterns["en"]
        count: dict[str, int] = {}
        codes: dict[str, set[str]] = {}
        for found in pattern.findall(fold_text(text)):
            owners = self.exact.get(found)
            if owners is None:
                owners = next((o for whole, o in self.stems.get(found[:3], ()) if whole.fullmatch(found)), ())
            for group, key in owners:
                count[group] = count.get(group, 0) + 1
                codes.setdefault(group, set()).add(key)
        support = sum(count.get(g, 0) for g in ("exploitation_types", "context", "means_of_control"))
        relevant = count.get("relevance", 0) > 0 or (count.get("relevance_weak", 0) > 0 and support > 0)
        return {"relevant": relevant, "exploitation_types": codes.get("exploitation_types", set()),
                "sectors": codes.get("sectors", set()), "negatives": count.get("negatives", 0)}


@lru_cache(maxsize=1)
def floor() -> RegexFloor:
    """The regex floor, compiled once per process.

    Returns
    -------
    RegexFloor
        Over the bundled lexicon.
    """
    return RegexFloor()


# --------------------------------------------------------------------------- timed paths
def run_floor(texts: list[str], langs: list[str]) -> list[bool]:
    """The floor over a batch.

    Parameters
    ----------
    texts : list of str
        Articles.
    langs : list of str
        Their languages (the regex used for each).

    Returns
    -------
    list of bool
        Relevant per article.
    """
    f = floor()
    return [f.tags(t, lang)["relevant"] for t, lang in zip(texts, langs)]


def run_ours(texts: list[str]) -> list[bool]:
    """Our lexicon relevance path at equal features (fold, matcher, relevance rule, tags).

    Parameters
    ----------
    texts : list of str
        Articles.

    Returns
    -------
    list of bool
        Relevant per article.
    """
    from workbench.collect.triage import lexicon_tags

    return [lexicon_tags(t)["relevant"] for t in texts]


def run_collectors(texts: list[str], references: list) -> dict[str, int]:
    """The collectors' path: learned triage, places and dates of relevant items, PII scrubbed.

    Parameters
    ----------
    texts : list of str
        Articles.
    references : list
        Publication dates.

    Returns
    -------
    dict
        Counts (articles, relevant, low confidence, located, dated, characters).
    """
    from workbench.collect.triage import Triage
    from workbench.text.pii import scrub_text

    out = Triage.learned().triage_many(texts, None, references, details="relevant")
    relevant = out["relevant"].to_numpy()
    for text, keep in zip(texts, relevant):
        if keep:
            scrub_text(text)
    return {"articles": len(texts), "relevant": int(relevant.sum()),
            "low_confidence": int((out["confidence"] == "low").sum()), "located": int(out["place_name"].notna().sum()),
            "dated": int(out["date"].notna().sum()), "chars": sum(len(t) for t in texts)}


def _chunk(task: tuple[int, int, int]) -> dict[str, float]:
    """Generate and triage one chunk (the unit the workers take)."""
    chunk, size, seed = task
    c0 = time.process_time()
    texts, refs, _ = articles(chunk, size, seed)
    counts: dict[str, Any] = dict(run_collectors(texts, refs))
    counts["cpu_s"] = time.process_time() - c0
    counts["pid"] = os.getpid()
    return counts


def run_chunks(n: int, workers: int, seed: int = 0, first: int = 0,
               chunk: int = CHUNK) -> tuple[float, dict[str, float], dict[int, float]]:
    """Triage ``n`` generated articles in chunks on ``workers`` forked workers.

    Parameters
    ----------
    n : int
        Articles.
    workers : int
        Worker processes (1: in this process).
    seed : int
        Base seed.
    first : int
        First chunk number.
    chunk : int
        Articles per chunk.

    Returns
    -------
    tuple
        ``(wall seconds, summed counts, CPU seconds per worker process)``.
    """
    from workbench.collect.triage.workers import map_balanced

    tasks = [(first + c, min(chunk, n - c * chunk), seed) for c in range((n + chunk - 1) // chunk)]
    start = time.perf_counter()
    parts = map_balanced(_chunk, tasks, workers, costs=[t[1] for t in tasks])
    seconds = time.perf_counter() - start
    total: dict[str, float] = {}
    per_worker: dict[int, float] = {}
    for part in parts:
        pid = part.pop("pid")
        per_worker[pid] = per_worker.get(pid, 0.0) + part["cpu_s"]
        for k, v in part.items():
            total[k] = total.get(k, 0) + v
    return seconds, total, per_worker


def _warm() -> None:
    from workbench.collect.triage import Triage

    Triage.learned().triage("warm up trafficking victims in London yesterday")  # trains the relevance model once
    floor()
    _pool()


def _cpu(function: Any, *args: Any) -> tuple[float, Any]:
    c0 = time.process_time()
    out = function(*args)
    return time.process_time() - c0, out


def main() -> None:
    """Run the benchmark from the command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=500_000, help="articles in the whole run (default 500,000; 0: skip)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--ratio-n", type=int, default=10_000, help="articles in the alternating floor comparison")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds (medians)")
    parser.add_argument("--speedup-n", type=int, default=12_000, help="articles in the worker speed-up runs (0: skip)")
    parser.add_argument("--small", action="store_true", help="5,000 articles, 3 rounds, speed-up on 10,000")
    args = parser.parse_args()
    if args.small:
        args.n, args.ratio_n, args.rounds, args.speedup_n = 5_000, 3_000, 3, 4_000
    t0 = time.perf_counter()
    _warm()
    print(f"machine            {os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f} at start; "
          f"start-up {time.perf_counter() - t0:.1f} s (model, lexicon, gazetteer)")

    texts, refs, langs = articles(90_000, args.ratio_n, args.seed)
    run_floor(texts[:200], langs[:200]), run_ours(texts[:200])
    floor_s, ours_s, full_s = [], [], []
    for _ in range(args.rounds):  # alternate: the load moves
        t, floor_rel = _cpu(run_floor, texts, langs)
        floor_s.append(t)
        t, ours_rel = _cpu(run_ours, texts)
        ours_s.append(t)
    for _ in range(max(1, args.rounds // 2)):
        t, full = _cpu(run_collectors, texts, refs)
        full_s.append(t)
    n = len(texts)
    f_med, o_med, c_med = (statistics.median(x) for x in (floor_s, ours_s, full_s))
    print(f"\nequal features, {n:,} articles, {args.rounds} alternating rounds (CPU time, medians)")
    print(f"  regex floor      {f_med:6.2f} s  {1e6 * f_med / n:7.1f} us/article  (rounds {_fmt(floor_s)})")
    print(f"  ours (lexicon)   {o_med:6.2f} s  {1e6 * o_med / n:7.1f} us/article  (rounds {_fmt(ours_s)})")
    print(f"  ratio            {o_med / f_med:.2f}x  (target <= 1.5)")
    fr, our = np.asarray(floor_rel), np.asarray(ours_rel)
    print(f"  relevant         floor {int(fr.sum()):,}, ours {int(our.sum()):,}; differ on {int((fr != our).sum()):,} "
          f"(floor only {int((fr & ~our).sum()):,}, ours only {int((our & ~fr).sum()):,})")
    _explain(texts, fr, our)
    print(f"\ncollectors' path   {c_med:6.2f} s  {1e6 * c_med / n:7.1f} us/article = {c_med / f_med:.1f}x the floor "
          f"(learned relevance + language + tags; places, dates, PII on the {full['relevant']:,} relevant)")

    if args.speedup_n:
        one, two, cpu1, cpu2, balance = [], [], [], [], []
        for _ in range(2):
            wall, total, _ = run_chunks(args.speedup_n, 1, args.seed, first=50_000, chunk=1000)
            one.append(wall)
            cpu1.append(total["cpu_s"])
            wall, total, workers = run_chunks(args.speedup_n, 2, args.seed, first=50_000, chunk=1000)
            two.append(wall)
            cpu2.append(total["cpu_s"])
            balance.append(max(workers.values()))
        s1, s2 = statistics.median(one), statistics.median(two)
        print(f"\nworkers            {args.speedup_n:,} articles (1,000 a chunk, handed out as workers free up): "
              f"1 worker {s1:.1f} s, 2 workers {s2:.1f} s -> wall-clock speed-up {s1 / s2:.2f}x "
              f"(target >= 1.8; medians of 2, alternating; load average now {os.getloadavg()[0]:.2f})")
        c1, c2, busiest = statistics.median(cpu1), statistics.median(cpu2), statistics.median(balance)
        print(f"  CPU              1 worker {c1:.1f} s, 2 workers {c2:.1f} s in all ({100 * (c2 / c1 - 1):+.0f}%: "
              f"two busy cores each run slower); split {c2 - busiest:.1f} / {busiest:.1f} s between the workers "
              f"(balance {c2 / busiest:.2f}x); speed-up on two cores free of other work = 1-worker CPU / busiest "
              f"worker's CPU = {c1 / busiest:.2f}x")
        print(f"  scheduler        {_autogroup()}")

    if args.n:
        load0 = os.getloadavg()
        seconds, total, _ = run_chunks(args.n, args.workers, args.seed)
        done = int(total["articles"])
        print(f"\nwhole run          {done:,} articles on {args.workers} worker(s): {seconds:,.1f} s "
              f"({seconds / 60:.2f} min; {done / seconds:,.0f} articles/s; mean length {total['chars'] / done:,.0f} chars)")
        print(f"  CPU in workers   {total['cpu_s']:,.1f} s = {1000 * total['cpu_s'] / done:.2f} ms/article "
              f"(uncontended on {args.workers} cores: {total['cpu_s'] / args.workers / 60:.2f} min)")
        print(f"  found            relevant {int(total['relevant']):,}; low confidence {int(total['low_confidence']):,}; "
              f"located {int(total['located']):,}; dated {int(total['dated']):,}")
        print(f"  load average     {load0[0]:.2f} at start, {os.getloadavg()[0]:.2f} at end "
              f"(1/5/15 min now: {', '.join(f'{x:.2f}' for x in os.getloadavg())}) on {os.cpu_count()} cores")
        print(f"  peak memory      parent {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB; "
              f"largest worker {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:,.0f} MB")


def _autogroup() -> str:
    """Whether the kernel groups this session's processes for CPU fairness (autogroup)."""
    try:
        enabled = open("/proc/sys/kernel/sched_autogroup_enabled").read().strip() == "1"
    except OSError:
        return "no autogroup information"
    if not enabled:
        return "autogroup off: each worker competes for a core on its own"
    return ("autogroup on: this session's processes share one CPU share, so on a machine loaded by other "
            "sessions two workers get less than two cores and the wall-clock speed-up reads low (down to ~1x); "
            "the CPU split above is what two free cores would give")


def _fmt(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


def _explain(texts: list[str], fr: np.ndarray, our: np.ndarray) -> None:
    """Why the floor and ours differ: overlapping terms, false friends masked."""
    from workbench.collect.triage.lexicon import matcher, tags_of_hits
    from workbench.text.fold import fold_text

    def overlapped(hits: list[tuple[str, str, int, int]]) -> bool:
        # every relevance hit starts inside another term that a left-to-right regex consumes first
        rel = [h for h in hits if h[0] in ("relevance", "relevance_weak")]
        return bool(rel) and all(any(o[2] < h[2] < o[3] or (o[2] == h[2] and o[3] > h[3]) for o in hits)
                                 for h in rel)

    only_ours = [i for i in np.flatnonzero(our & ~fr)]
    inside = sum(overlapped(matcher().scan(fold_text(texts[i]))) for i in only_ours)
    only_floor = [i for i in np.flatnonzero(fr & ~our)]
    masked = sum(tags_of_hits(matcher().scan(fold_text(texts[i])))["negatives"] > 0 for i in only_floor)
    print(f"  why              ours only: {inside:,} of {len(only_ours):,} have their relevance term inside a longer "
          f"term (\"домашнего рабства\" is a type and holds \"рабства\"): one regex pass keeps the first, "
          f"non-overlapping match; floor only: {masked:,} of {len(only_floor):,} hold a false friend our matcher masks")


if __name__ == "__main__":
    main()
