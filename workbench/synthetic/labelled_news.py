"""Generated labelled news articles for evaluating OSINT triage (not real news).

:func:`make_labelled_set` generates a seeded multilingual set of articles with their
truth (relevant or not, exploitation type, sector, place and its coordinates, the date
mentioned), including hard negatives: drug, arms and wildlife trafficking, road traffic,
and labour news without exploitation. Templates are this module's own (distinct from
:mod:`workbench.synthetic.demo`'s news), kept as data in
``workbench/resources/synthetic_labelled_news.yaml`` (see :mod:`workbench.synthetic.templates`).
Moved here from ``workbench.collect.evaluation`` once the relevance model stopped training
on them; it is used by the triage benchmark, ``workbench evaluate-triage`` (a generated
set beside the real ones) and tests.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from workbench.collect.evaluation import LABEL_COLUMNS
from workbench.places.gazetteer import resolve_city
from workbench.synthetic.templates import load_templates

_TEXT = load_templates("labelled_news")  # resources/synthetic_labelled_news.yaml
#: Language -> places as written in that language: (written form, gazetteer name, ISO3).
PLACES: dict[str, list[tuple[str, str, str]]] = {lang: [tuple(p) for p in places]
                                                for lang, places in _TEXT["places"].items()}
#: Language -> exploitation type -> its words in that language.
WHAT: dict[str, dict[str, str]] = _TEXT["what"]
#: Language -> sector code -> where the victims were found.
SECTOR: dict[str, dict[str, str]] = _TEXT["sector"]
#: Exploitation type -> the sectors it is drawn from (None: a house, or the streets for begging).
SECTOR_OF_WHAT: dict[str, list[str | None]] = _TEXT["sector_of_what"]
#: Language -> where the victims of an exploitation without a sector were found.
HOUSE: dict[str, str] = _TEXT["house"]
#: Language -> where the victims of forced begging were found.
STREETS: dict[str, str] = _TEXT["streets"]
#: Language -> templates of a relevant article.
RELEVANT: dict[str, list[str]] = _TEXT["relevant"]
#: Language -> templates of hard negatives (drug, arms, wildlife trafficking; traffic; labour news).
HARD_NEGATIVE: dict[str, list[str]] = _TEXT["hard_negative"]
#: Language -> templates of unrelated news (festivals, weather).
UNRELATED: dict[str, list[str]] = _TEXT["unrelated"]
#: Language -> (relative "yesterday", absolute format with {d} {m} {y}).
DATE_WORDS: dict[str, tuple[str, str]] = {lang: tuple(words) for lang, words in _TEXT["date_words"].items()}
#: Language -> month names as a date is written in that language.
MONTH_NAMES: dict[str, list[str]] = _TEXT["month_names"]
#: Language -> the workplace of a hard negative's labour news.
SECTOR_LABOUR: dict[str, str] = _TEXT["sector_labour"]


def _coords(name: str, iso3: str) -> tuple[float, float]:
    hit = resolve_city(name, iso3)
    if hit is None:
        raise ValueError(f"place {name!r}: not in the gazetteer for {iso3}")
    return hit["lat"], hit["lon"]


def make_labelled_set(n: int = 600, seed: int = 0, languages: Sequence[str] = tuple(PLACES),
                      hard_negative_share: float = 0.3, unrelated_share: float = 0.1) -> pd.DataFrame:
    """Generate a labelled multilingual article set with hard negatives.

    Parameters
    ----------
    n : int
        Number of articles.
    seed : int
        Random seed (same seed, same set).
    languages : sequence of str
        Languages drawn from (en, es, fr, pt, uk, ru).
    hard_negative_share : float
        Share of hard negatives (drug / arms / wildlife trafficking, traffic, labour news).
    unrelated_share : float
        Share of unrelated news (festivals, weather).

    Returns
    -------
    pandas.DataFrame
        :data:`LABEL_COLUMNS`: ``text, language, relevant, exploitation_types`` (list),
        ``sector`` (code or None), ``place_name`` (gazetteer name), ``lat, lon``,
        ``published`` (the reference date), ``date`` (the date the text mentions),
        ``kind`` (``relevant``, ``hard_negative``, ``unrelated``), ``split``
        (``"generated"``).

    Raises
    ------
    ValueError
        For an unsupported language or a share outside [0, 1].
    """
    unknown = [lang for lang in languages if lang not in PLACES]
    if unknown:
        raise ValueError(f"languages: {unknown} not supported; choose from {sorted(PLACES)}")
    if not (0 <= hard_negative_share <= 1 and 0 <= unrelated_share <= 1 - hard_negative_share):
        raise ValueError("hard_negative_share / unrelated_share: expected shares in [0, 1] summing to at most 1")
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(int(n)):
        lang = str(rng.choice(list(languages)))
        written, canonical, iso3 = PLACES[lang][int(rng.integers(len(PLACES[lang])))]
        lat, lon = _coords(canonical, iso3)
        published = pd.Timestamp("2025-01-01") + pd.Timedelta(days=int(rng.integers(0, 640)))
        if rng.random() < 0.4:
            mentioned, date_text = published - pd.Timedelta(days=1), DATE_WORDS[lang][0]
        else:
            mentioned = published - pd.Timedelta(days=int(rng.integers(2, 40)))
            date_text = DATE_WORDS[lang][1].format(d=mentioned.day, m=MONTH_NAMES[lang][mentioned.month - 1],
                                                   y=mentioned.year)
        roll = rng.random()
        count = int(rng.integers(2, 60))
        if roll < unrelated_share:
            kind, types, sector = "unrelated", [], None
            text = str(rng.choice(UNRELATED[lang])).format(place=written, n=count, date=date_text)
        elif roll < unrelated_share + hard_negative_share:
            kind, types, sector = "hard_negative", [], None
            template = str(rng.choice(HARD_NEGATIVE[lang]))
            sector_text = SECTOR_LABOUR[lang]
            text = template.format(place=written, n=count, date=date_text, sector=sector_text)
        else:
            kind = "relevant"
            etype = str(rng.choice(list(WHAT[lang])))
            sector = SECTOR_OF_WHAT[etype][int(rng.integers(len(SECTOR_OF_WHAT[etype])))]
            sector_text = SECTOR[lang][sector] if sector else HOUSE[lang]
            if etype == "forced_begging":
                sector_text = STREETS[lang]
            types = [etype]
            text = str(rng.choice(RELEVANT[lang])).format(place=written, n=count, what=WHAT[lang][etype],
                                                          sector=sector_text, date=date_text)
        rows.append({"text": text, "language": lang, "relevant": kind == "relevant", "exploitation_types": types,
                     "sector": sector, "place_name": canonical, "lat": lat, "lon": lon, "published": published,
                     "date": mentioned, "kind": kind, "split": "generated"})
    return pd.DataFrame(rows, columns=list(LABEL_COLUMNS))
