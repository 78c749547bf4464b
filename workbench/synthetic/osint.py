"""Synthetic article dumps from a media monitor, with syndicated copies (demo data).

:func:`write_article_dump` writes two dumps of news articles in en/es/fr/pt/uk/ru:
``media_dump_1.jsonl`` (articles up to a cut-off day) and ``media_dump_2.csv`` (the
days after it). Most stories are re-published by several outlets with small edits (a
headline prefix, a body cut short, the outlet's boilerplate), one planted story by 40
outlets across the cut-off, so near-duplicate clustering has real work within a dump
and across the two. Some articles are not about trafficking, a few are broken, and a
few headlines name a (fictional) victim, which must never reach the store.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench.places.gazetteer import country_name
from workbench.synthetic.demo import WORLD, world_city
from workbench.synthetic.templates import load_templates

LANGS = ("en", "es", "fr", "pt", "uk", "ru")
_TEXT = load_templates("articles")  # resources/synthetic_articles.yaml
#: Language -> exploitation type -> its words in that language.
WHAT: dict[str, dict[str, str]] = _TEXT["what"]
#: Language -> headlines of a relevant article.
TITLES: dict[str, list[str]] = _TEXT["titles"]
#: Body sentences; {code} is a story's own operation name, {k} and {m} its own numbers.
SENTENCES: dict[str, list[str]] = _TEXT["sentences"]
#: Headlines that name a victim (fictional names): must be scrubbed before storage.
NAMED: dict[str, str] = _TEXT["named"]
NAMES: list[str] = _TEXT["names"]
#: Language -> (title, body) of an article not about trafficking.
IRRELEVANT: dict[str, list[str]] = _TEXT["irrelevant"]
PREFIX: dict[str, list[str]] = _TEXT["prefix"]
BOILERPLATE: dict[str, str] = _TEXT["boilerplate"]
CODE_WORDS: list[str] = _TEXT["code_words"]
OUTLET_A: list[str] = _TEXT["outlet_a"]
OUTLET_B: list[str] = _TEXT["outlet_b"]
BIG_STORY_OUTLETS = 40


def _story_text(rng: np.random.Generator, lang: str, inc: Any, place: str) -> tuple[str, str]:
    etype = inc.exploitation_type if inc.exploitation_type in WHAT[lang] else "forced_labour"
    fill = {"n": int(inc.victim_count) if not pd.isna(inc.victim_count) else int(rng.integers(2, 30)),
            "what": WHAT[lang][etype], "place": place, "country": country_name(inc.country_iso3),
            "code": " ".join(rng.choice(CODE_WORDS, 2, replace=False)), "k": int(rng.integers(2, 60)),
            "m": int(rng.integers(2, 40))}
    title = str(rng.choice(TITLES[lang])).format(**fill)
    pool = SENTENCES[lang]
    first, rest = pool[0], list(rng.choice(pool[1:], size=min(4, len(pool) - 1), replace=False))
    return title, " ".join(s.format(**fill) for s in [first, *rest])


def _copy(rng: np.random.Generator, lang: str, title: str, body: str, outlet: str) -> tuple[str, str]:
    words = body.split()
    keep = max(12, int(len(words) * rng.uniform(0.75, 1.0)))
    return (str(rng.choice(PREFIX[lang])) + title,
            " ".join(words[:keep]) + " " + BOILERPLATE[lang].format(outlet=outlet))


def _write_dumps(frame: pd.DataFrame, cutoff: pd.Timestamp, out_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Write the articles up to ``cutoff`` as JSON lines and the rest as CSV, each with broken records."""
    early = (pd.to_datetime(frame["published"]) <= cutoff).to_numpy()
    frame["published"] = [t.strftime("%Y-%m-%dT%H:%M:%SZ") for t in frame["published"]]
    first, second = frame[early], frame[~early]
    lines = [json.dumps(r, ensure_ascii=False) for r in first.to_dict("records")]
    lines.insert(len(lines) // 2, '{"id": "art-broken-1", "title": "cut off')  # bad JSON
    # no id and no link: unreadable (a relevant item without an exploitation type is stored, not broken)
    lines.insert(len(lines) // 3, json.dumps({"published": "2026-01-01T00:00:00Z",
                                              "title": "Trafficking ring", "body": "no id"}))
    (out_dir / "media_dump_1.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    bad = pd.DataFrame([
        {"id": "art-broken-2", "url": "https://x.example.net/2", "outlet": "Metro Post", "published": "yesterday",
         "language": "en", "title": "Human trafficking ring broken up", "body": "Police said."},
        {"id": "art-broken-3", "url": "https://x.example.net/3", "outlet": "Metro Post",
         "published": "2026-10-01T10:00:00Z", "language": "en", "title": "", "body": ""},
    ])
    pd.concat([second, bad], ignore_index=True).to_csv(out_dir / "media_dump_2.csv", index=False, encoding="utf-8")
    return first, second


def write_article_dump(world: pd.DataFrame, out_dir: Path, seed: int) -> dict[str, Any]:
    """Write two article dumps with syndicated copies (JSON lines, then CSV).

    Parameters
    ----------
    world : pandas.DataFrame
        True incidents (:func:`workbench.synthetic.demo.simulate_incidents`); stories are drawn
        from its last 120 days.
    out_dir : Path
        Folder for ``media_dump_1.jsonl`` and ``media_dump_2.csv``.
    seed : int
        Random seed.

    Returns
    -------
    dict
        Ground truth: files and record counts, ``stories`` (story id per relevant
        article id), the planted big story and its outlets, the cut-off, the broken
        records and the victim names planted in headlines.
    """
    rng = np.random.default_rng(seed + 404)
    out_dir = Path(out_dir)
    outlets = [f"{a} {b}" for a in OUTLET_A for b in OUTLET_B]
    recent = world[world["occurred_on"] >= world["occurred_on"].max() - pd.Timedelta(days=120)]
    sample = recent.sample(n=min(100, len(recent)), random_state=int(rng.integers(0, 2**31)))
    end = pd.Timestamp(world["occurred_on"].max()).normalize()
    cutoff = end - pd.Timedelta(days=40)
    articles, stories, names = [], {}, []
    for s, inc in enumerate(sample.itertuples(index=False)):
        lang = "en" if s == 0 else str(rng.choice(LANGS))
        place = world_city(inc.country_iso3, inc.place)
        title, body = _story_text(rng, lang, inc, place)
        if s == 0:  # the planted big story, straddling the cut-off
            start, copies = cutoff - pd.Timedelta(days=2), BIG_STORY_OUTLETS
        else:
            start, copies = pd.Timestamp(inc.occurred_on) + pd.Timedelta(days=int(rng.integers(0, 8))), \
                int(min(8, rng.geometric(0.45)))
        if s % 15 == 7 and lang in NAMED:  # a headline naming a victim
            name = NAMES[len(names) % len(NAMES)]
            names.append(name)
            title = NAMED[lang].format(name=name, place=place)
        chosen = rng.choice(len(outlets), size=copies, replace=False)
        for c, o in enumerate(chosen):
            outlet = outlets[o]
            t, b = (title, body) if c == 0 else _copy(rng, lang, title, body, outlet)
            when = start + pd.Timedelta(hours=int(rng.integers(6, 20)) + (0 if c == 0 else int(rng.integers(1, 120))))
            aid = f"art-{len(articles):05d}"
            stories[aid] = f"story-{s:03d}"
            articles.append({"id": aid, "url": f"https://{outlet.lower().replace(' ', '')}.example.net/{aid}",
                             "outlet": outlet, "published": when, "language": lang, "title": t, "body": b})
    for i in range(int(len(articles) * 0.2)):  # news that is not about trafficking
        lang = str(rng.choice(LANGS))
        inc = sample.iloc[int(rng.integers(0, len(sample)))]
        place = WORLD[inc.country_iso3][0][0]
        t, b = IRRELEVANT[lang]
        outlet = outlets[int(rng.integers(0, len(outlets)))]
        aid = f"art-{len(articles):05d}"
        articles.append({"id": aid, "url": f"https://{outlet.lower().replace(' ', '')}.example.net/{aid}",
                         "outlet": outlet, "published": pd.Timestamp(inc.occurred_on) + pd.Timedelta(hours=10),
                         "language": lang, "title": t.format(place=place),
                         "body": b.format(place=place, m=int(rng.integers(2, 9)))})
    frame = pd.DataFrame(articles).sort_values(["published", "id"]).reset_index(drop=True)
    first, second = _write_dumps(frame, cutoff, out_dir)
    relevant_ids = set(stories)
    return {
        "files": {"media_dump_1.jsonl": len(first) + 2, "media_dump_2.csv": len(second) + 2},
        "articles": int(len(frame)),
        "relevant_articles": len(relevant_ids),
        "stories": stories,
        "n_stories": len(set(stories.values())),
        "big_story": {"story": "story-000", "outlets": BIG_STORY_OUTLETS},
        "cutoff": cutoff.isoformat(),
        "broken_records": 4,
        "victim_names": names,
    }
