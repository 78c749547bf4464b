"""Open sources: RSS 2.0 / Atom news feeds triaged into candidate incidents.

Each feed item is triaged: language (feed or item ``xml:lang``, else a stop-word
vote), relevance and taxonomy tags from the multilingual lexicon
(``resources/osint_lexicon.yaml``), places from the gazetteer (n-gram look-up of city
and country names; a city is resolved inside a country the text also names, then by
population), and PII scrubbing of the stored summary. Items that are not about
trafficking are counted (``notes["not_relevant"]``), not stored: they are not incidents.
Feeds (:func:`collect_feed`) and article dumps (:mod:`workbench.collect.dumps`) share one
triage path, :func:`triage_articles`; near-duplicate copies of a story are merged into one
incident by the store (:mod:`workbench.collect.dedupe`).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.collect.base import CollectResult, file_sha256, grading, reject, rejects_frame
from workbench.collect.dedupe import signatures
from workbench.collect.stories import cluster_stories
from workbench.collect.files import MAX_BYTES, SourceFileError, read_source_bytes
from workbench.collect.triage import detect_language as _detect_language
from workbench.collect.triage import Triage, lexicon, lexicon_tags
from workbench.collect.triage.places import geoparse as _geoparse
from workbench.places.gazetteer import locate
from workbench.schema import check_date_window, incident_id
from workbench.text.pii import scrub_text

_TAG = re.compile(r"<[^>]+>")
#: Exploitation type of a relevant item whose type the lexicon does not recognise (taxonomy code).
NOT_RECORDED = "not_recorded"


def detect_language(text: str, hint: str | None = None) -> str:
    """Guess an article's language.

    Parameters
    ----------
    text : str
        Title and description.
    hint : str, optional
        Language declared by the feed or item (``"es-ES"`` -> ``"es"``); trusted when given.

    Returns
    -------
    str
        ISO 639-1 code (``"en"`` when nothing else wins).
    """
    return _detect_language(text, hint)


def tag_text(text: str) -> dict[str, Any]:
    """Triage one article's text: relevance and taxonomy tags.

    Parameters
    ----------
    text : str
        Title and description (plain text).

    Returns
    -------
    dict
        ``relevant`` (bool), ``exploitation_types``, ``means_of_control`` (lists),
        ``sector``, ``recruitment_method`` (first match or None).

    Notes
    -----
    Compiled once (:func:`workbench.collect.triage.lexicon_tags`): stems (``торгівл*``)
    match any ending; false friends ("drug trafficking", "tráfico de drogas", "traffic
    jam") are masked first; an ambiguous term alone ("trafficking", "trata") needs an
    exploitation-type, means-of-control or victim word to make the article relevant.
    """
    tags = lexicon_tags(text)
    return {k: tags[k] for k in ("relevant", "exploitation_types", "means_of_control", "sector",
                                 "recruitment_method")}


def geoparse(text: str) -> dict[str, Any]:
    """Find the place an article is about.

    Parameters
    ----------
    text : str
        Plain text.

    Returns
    -------
    dict
        ``place_name`` and ``country_iso3`` (None when nothing is found): the country with
        the most evidence, then the first city (else division) named inside it, matched on
        capitalised words only; see :func:`workbench.collect.triage.places.geoparse`.
    """
    language = _detect_language(text)
    place = _geoparse(text, None if language == "unknown" else language)
    return {"place_name": place["place_name"], "country_iso3": place["country_iso3"]}


def _plain(value: Any) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", str(value or ""))).split())


@dataclass
class Article:
    """One news item, read from a feed or a dump, before triage.

    Attributes
    ----------
    position : str
        Where it is in its file (``item 3``, ``line 12``), for reject reasons.
    rid : str or None
        Its id in the source (the item's id or link).
    title, body : str
        Plain text (tags removed).
    published : pandas.Timestamp or None
        Publication time (UTC); None when missing or unreadable.
    date_problem : str
        Reject reason used when ``published`` is None (names the field).
    language_hint : str or None
        Language declared by the source.
    link : str or None
        The article's URL.
    outlet : str
        Who published it (the feed, or the dump's outlet field).
    raw : dict
        The raw fields, kept (scrubbed) with a reject.
    """

    position: str
    rid: str | None
    title: str
    body: str
    published: pd.Timestamp | None
    date_problem: str
    language_hint: str | None
    link: str | None
    outlet: str
    raw: dict[str, Any]


def triage_articles(articles: list[Article], metadata: dict[str, Any], path: Path) -> CollectResult:
    """Triage news items into candidate incidents: the one path for feeds and dumps.

    Each dated item is triaged in one batch by :meth:`Triage.learned` (relevance from
    the model trained on real news, lexicon tags, the case-aware geoparser with the
    link's country-code domain as a hint, language). Relevant items become candidates
    whose stored text is only the scrubbed title (``summary``), the tags, the place and
    the link; a relevant item without a recognised exploitation type is stored with the
    taxonomy code ``not_recorded`` (counted, and queued for review), never quarantined.
    Only unreadable items (no id, no date) are rejected; each candidate carries, for
    the store's near-duplicate clustering, its ``outlet`` and ``minhash`` signature of
    title + body (:mod:`workbench.collect.dedupe`; the body itself is never stored).

    Parameters
    ----------
    articles : list of Article
        The items of one file, in order.
    metadata : dict
        Catalog metadata: ``source_name``, optional ``default_grading`` (``"C3"``) and
        ``triage_workers`` (processes for large files, default 1; the result is the
        same for any number).
    path : Path
        The file (for its hash).

    Returns
    -------
    CollectResult
        Candidates and rejects; notes ``items`` (all items read), ``not_relevant``
        (items not about trafficking: counted, not stored) and ``media_volume``: one row
        per dated item, relevant or not (``item_id``, ``country_iso3`` found by geoparsing
        or ``"unknown"``, day ``ds``, ``relevant``), which the store aggregates per country
        and day (:meth:`workbench.store.Store.media_volume`).
    """
    source_name = metadata["source_name"]
    reliability, credibility = grading(None, str(metadata.get("default_grading", "C3")))
    dated = [art for art in articles if art.published is not None]
    texts_all = {id(art): f"{art.title}. {art.body}" for art in dated}
    result_of = _triage_dated(dated, texts_all, metadata)
    rows, texts, rejected, volume, not_relevant = [], [], [], [], 0
    for art in articles:
        where = f"{art.position} ({art.rid})" if art.rid else art.position
        raw = _scrubbed(art.raw)
        if art.published is not None:  # a date outside the window is this item's problem, never the file's
            try:
                check_date_window(art.published, "published")
            except ValueError as exc:
                art.published, art.date_problem = None, str(exc)
        if art.published is not None:
            text = texts_all[id(art)]
            res = result_of[id(art)]
            place = {"place_name": res["place_name"], "country_iso3": res["country_iso3"]}
            key = art.rid or f"{art.position}|{art.title}|{art.published.isoformat()}"
            volume.append((incident_id(source_name, str(key)), place["country_iso3"] or "unknown",
                           art.published.tz_localize(None).normalize(), bool(res["relevant"])))
        if not art.rid:
            rejected.append(reject(where, "field 'link'/'id' is missing", raw))
            continue
        if art.published is None:
            rejected.append(reject(where, art.date_problem, raw))
            continue
        if not res["relevant"]:
            not_relevant += 1
            continue
        rows.append(_candidate_row(art, res, place, source_name, reliability, credibility))
        texts.append(text)
    candidates = _candidates_frame(rows, texts, path)
    notes = {"not_relevant": not_relevant, "items": len(articles), "media_volume": _media_volume_frame(volume)}
    return CollectResult(candidates, rejects_frame(rejected), file_sha256(path), notes=notes)


def _triage_dated(dated: list[Article], texts_all: dict[int, str],
                  metadata: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """Triage the dated items in one batch; ``id(article)`` -> its triage row."""
    triaged = Triage.learned().triage_many([texts_all[id(a)] for a in dated], [a.language_hint for a in dated],
                                          [a.published for a in dated], dates=False, urls=[a.link for a in dated],
                                          n_jobs=int(metadata.get("triage_workers", 1)))
    return {id(a): row for a, row in zip(dated, triaged.to_dict("records"))}


def _candidate_row(art: Article, res: dict[str, Any], place: dict[str, Any], source_name: str,
                   reliability: str, credibility: str) -> dict[str, Any]:
    """The candidate incident of one relevant, dated item (only its scrubbed title as text)."""
    link = art.link
    return {
        "incident_id": incident_id(source_name, str(art.rid)),
        "source_type": "osint",
        "source_name": source_name,
        "source_record_id": str(art.rid),
        "reported_at": art.published,
        "occurred_on": art.published.tz_localize(None).normalize(),
        "occurred_precision": "day",
        "lat": None,
        "lon": None,
        **place,
        # relevant but no type recognised: stored and counted as "not recorded", queued for review
        "exploitation_types": list(res["exploitation_types"]) or [NOT_RECORDED],
        "recruitment_method": res["recruitment_method"],
        "means_of_control": list(res["means_of_control"]),
        "sector": res["sector"],
        "language": res["language"],
        "source_reliability": reliability,
        "info_credibility": credibility,
        "summary": scrub_text(art.title)[:300],
        "url": link if link and str(link).startswith(("http://", "https://")) else None,
        "outlet": art.outlet,
    }


def _candidates_frame(rows: list[dict[str, Any]], texts: list[str], path: Path) -> pd.DataFrame:
    """Located candidates with their MinHash signatures and in-file story keys (empty without rows)."""
    candidates = locate(pd.DataFrame(rows)) if rows else pd.DataFrame()
    if rows:
        candidates["minhash"] = list(signatures(texts))
        # one incident per story: rewritten reports of one event in this file share a key, which
        # the store joins with its near-duplicate stories (every article stays a mention)
        labels = cluster_stories(texts, [r["reported_at"] for r in rows], [r["country_iso3"] for r in rows])
        candidates["story_key"] = [f"{file_sha256(path)[:12]}:{lab}" for lab in labels]
    return candidates


def _media_volume_frame(volume: list[tuple[str, str, pd.Timestamp, bool]]) -> pd.DataFrame:
    """The media-volume rows (one per dated item) as a typed frame."""
    return pd.DataFrame(volume, columns=["item_id", "country_iso3", "ds", "relevant"]).astype(
        {"item_id": "string", "country_iso3": "string", "ds": "datetime64[ns]", "relevant": "bool"})


def _scrubbed(raw: dict[str, Any]) -> dict[str, Any]:
    """Raw fields for the quarantine, free text scrubbed of personal data and cut short."""
    return {k: scrub_text(v, 500) if isinstance(v, str) else v for k, v in raw.items()}


def collect_feed(path: Path, metadata: dict[str, Any]) -> CollectResult:
    """Read and triage an RSS 2.0 or Atom feed file.

    Parameters
    ----------
    path : Path
        The feed file.
    metadata : dict
        Catalog metadata: ``source_name``, optional ``default_grading`` (``"C3"``).

    Returns
    -------
    CollectResult
        See :func:`triage_articles`: relevant items as candidates; items without a
        link/id or date rejected with the reason; ``notes["not_relevant"]`` counts items
        that are not about trafficking.

    Raises
    ------
    SourceFileError
        When the file is not a feed at all (or too large, or a bad archive).
    """
    import feedparser

    data = read_source_bytes(path, int(metadata.get("max_bytes", MAX_BYTES)))
    parsed = feedparser.parse(data)
    if not parsed.entries and getattr(parsed, "bozo", False):
        raise SourceFileError(f"{path}: not a readable RSS/Atom feed ({parsed.get('bozo_exception')})")
    feed_lang = parsed.feed.get("language")
    outlet = str(metadata.get("outlet") or _plain(parsed.feed.get("title")) or metadata["source_name"])
    articles = []
    for pos, item in enumerate(parsed.entries, start=1):
        stamp = item.get("published_parsed") or item.get("updated_parsed")
        try:
            published = pd.Timestamp(*stamp[:6], tz="UTC") if stamp is not None else None
        except (TypeError, ValueError, OverflowError):
            published = None
        articles.append(Article(
            position=f"item {pos}",
            rid=item.get("id") or item.get("link"),
            title=_plain(item.get("title")),
            body=_plain(item.get("summary")),
            published=published,
            date_problem="field 'published'/'updated' is missing or not a date",
            language_hint=(item.get("summary_detail") or {}).get("language") or feed_lang,
            link=item.get("link"),
            outlet=outlet,
            raw={k: item.get(k) for k in ("id", "link", "title", "published", "updated")},
        ))
    result = triage_articles(articles, metadata, path)
    if getattr(parsed, "bozo", False):  # e.g. truncated XML: items after the damage cannot be counted
        result.notes["malformed"] = f"feed is malformed after the items read ({parsed.get('bozo_exception')})"
    return result
