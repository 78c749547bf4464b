"""Open sources: RSS 2.0 / Atom news feeds triaged into candidate incidents.

Each feed item is triaged: language (feed or item ``xml:lang``, else a stop-word
vote), relevance and taxonomy tags from the multilingual lexicon
(``resources/osint_lexicon.yaml``), places from the gazetteer (n-gram look-up of city
and country names; a city is resolved inside a country the text also names, then by
population), and PII scrubbing of the stored summary. Items that are not about
trafficking are counted (``notes["not_relevant"]``), not stored: they are not incidents.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from workbench.collect.files import MAX_BYTES, SourceFileError, read_source_bytes
from workbench.collect.base import CollectResult, file_sha256, grading, register_collector, reject, rejects_frame
from workbench.collect.gazetteer import city_index, country_index, fold, locate
from workbench.collect.pii import scrub_text
from workbench.schema import incident_id

STOPWORDS = {
    "en": {"the", "and", "of", "to", "in", "was", "were", "with", "for", "by", "police", "said"},
    "es": {"el", "la", "de", "los", "las", "en", "y", "que", "por", "con", "una", "fueron"},
    "fr": {"le", "la", "les", "des", "et", "en", "du", "une", "par", "dans", "ont", "pour"},
    "pt": {"o", "a", "os", "as", "de", "do", "da", "em", "e", "que", "foram", "com"},
    "ru": {"и", "в", "на", "с", "по", "что", "были", "полиция"},
    "uk": {"і", "в", "на", "з", "що", "були", "поліція", "та"},
}
_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"[\w'-]+", re.UNICODE)


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
    return {group: {key: [fold(t) for t in terms] for key, terms in table.items()} for group, table in raw.items()}


def _has(text: str, term: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(term)}(?!\w)", text) is not None


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
    if hint:
        return hint.split("-")[0].split("_")[0].lower()[:2]
    words = [w.lower() for w in _WORD.findall(text)]
    scores = {lang: sum(w in stop for w in words) for lang, stop in STOPWORDS.items()}
    best = max(scores, key=scores.get)
    return best if scores[best] > 0 else "en"


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
    """
    folded = fold(text)
    lex = lexicon()
    relevant = any(_has(folded, t) for terms in lex["relevance"].values() for t in terms)

    def matches(group: str) -> list[str]:
        return [code for code, terms in lex[group].items() if any(_has(folded, t) for t in terms)]

    sectors, recruitment = matches("sectors"), matches("recruitment_methods")
    return {
        "relevant": relevant,
        "exploitation_types": matches("exploitation_types"),
        "means_of_control": matches("means_of_control"),
        "sector": sectors[0] if sectors else None,
        "recruitment_method": recruitment[0] if recruitment else None,
    }


def geoparse(text: str) -> dict[str, Any]:
    """Find the place an article is about.

    Parameters
    ----------
    text : str
        Plain text.

    Returns
    -------
    dict
        ``place_name`` and ``country_iso3`` (None when nothing is found). A named city is
        preferred to a bare country; among cities, one inside a named country, then the
        most populous.
    """
    words = _WORD.findall(text)
    grams = {fold(" ".join(words[i:i + n])) for n in (1, 2, 3) for i in range(len(words) - n + 1)}
    # short lower-case tokens ("us", "in") are too ambiguous to be countries
    country_hits = {
        country_index()[g] for g in grams if g in country_index() and len(g) > 3
    }
    candidates = [c for g in grams if len(g) > 3 for c in city_index().get(g, [])]
    inside = [c for c in candidates if c[0] in country_hits] if country_hits else []
    pool = inside or ([] if country_hits else candidates)
    if pool:
        iso3, _lat, _lon, _pop, name = max(pool, key=lambda c: c[3])
        return {"place_name": name, "country_iso3": iso3}
    if country_hits:
        return {"place_name": None, "country_iso3": sorted(country_hits)[0]}
    return {"place_name": None, "country_iso3": None}


def _plain(value: Any) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", str(value or ""))).split())


@register_collector("osint")
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
        Relevant items as candidates; items without a link/id or date rejected with the
        reason; ``notes["not_relevant"]`` counts items that are not about trafficking.

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
    source_name = metadata["source_name"]
    reliability, credibility = grading(None, str(metadata.get("default_grading", "C3")))
    feed_lang = parsed.feed.get("language")
    rows, rejected, not_relevant = [], [], 0
    for pos, item in enumerate(parsed.entries, start=1):
        rid = item.get("id") or item.get("link")
        where = f"item {pos} ({rid})" if rid else f"item {pos}"
        raw = {k: item.get(k) for k in ("id", "link", "title", "published", "updated")}
        if not rid:
            rejected.append(reject(where, "field 'link'/'id' is missing", raw))
            continue
        stamp = item.get("published_parsed") or item.get("updated_parsed")
        if stamp is None:
            rejected.append(reject(where, "field 'published'/'updated' is missing or not a date", raw))
            continue
        text = f"{_plain(item.get('title'))}. {_plain(item.get('summary'))}"
        tags = tag_text(text)
        if not tags["relevant"]:
            not_relevant += 1
            continue
        if not tags["exploitation_types"]:
            rejected.append(reject(where, "field 'exploitation_types': about trafficking, but no exploitation "
                                   "type recognised; needs an analyst's tagging", raw))
            continue
        published = pd.Timestamp(*stamp[:6], tz="UTC")
        lang_hint = (item.get("summary_detail") or {}).get("language") or feed_lang
        link = item.get("link")
        rows.append({
            "incident_id": incident_id(source_name, str(rid)),
            "source_type": "osint",
            "source_name": source_name,
            "source_record_id": str(rid),
            "reported_at": published,
            "occurred_on": published.tz_localize(None).normalize(),
            "occurred_precision": "day",
            "lat": None,
            "lon": None,
            **geoparse(text),
            "exploitation_types": tags["exploitation_types"],
            "recruitment_method": tags["recruitment_method"],
            "means_of_control": tags["means_of_control"],
            "sector": tags["sector"],
            "language": detect_language(text, lang_hint),
            "source_reliability": reliability,
            "info_credibility": credibility,
            "summary": scrub_text(_plain(item.get("title")))[:300],
            "url": link if link and str(link).startswith(("http://", "https://")) else None,
        })
    candidates = locate(pd.DataFrame(rows)) if rows else pd.DataFrame()
    notes = {"not_relevant": not_relevant, "items": len(parsed.entries)}
    if getattr(parsed, "bozo", False):  # e.g. truncated XML: items after the damage cannot be counted
        notes["malformed"] = f"feed is malformed after the items read ({parsed.get('bozo_exception')})"
    return CollectResult(candidates, rejects_frame(rejected), file_sha256(path), notes=notes)
