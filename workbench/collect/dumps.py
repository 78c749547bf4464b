"""Article dumps: JSON lines or CSV exports of news articles from a media monitor.

One record per article, with the fields (aliases in brackets) ``id``, ``url`` [``link``],
``outlet`` [``source``], ``published`` [``date``], ``language`` [``lang``] (optional),
``title`` [``headline``] and ``body`` [``text``, ``content``, ``summary``,
``description``, ``snippet``]. News-alert exports (``title, summary, url, published``,
collector ``news_export`` or ``osint_dump``) have no id column: the ``url`` is the id
(a record with an id field left empty is still quarantined). Each article goes through
the same triage as feed items (:func:`workbench.collect.osint.triage_articles`). A record that
cannot be read (bad JSON, a missing id, an unreadable date, no text at all) is
quarantined with its line or row and the field named.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from workbench.collect.base import CollectResult, reject
from workbench.text.dates import DateParseError, parse_timestamp
from workbench.collect.files import MAX_BYTES, SourceFileError, decode_text, frame_json_records, read_source_bytes
from workbench.collect.osint import Article, _plain, triage_articles
from workbench.text.pii import scrub_text

#: Canonical field -> accepted names, first found wins.
FIELDS: dict[str, tuple[str, ...]] = {
    "id": ("id", "article_id", "guid"),
    "url": ("url", "link", "article_url"),
    "outlet": ("outlet", "source", "publisher", "source_name"),
    "published": ("published", "date", "published_at", "pubdate", "published_date"),
    "language": ("language", "lang"),
    "title": ("title", "headline"),
    "body": ("body", "text", "content", "summary", "description", "snippet"),
}


def dump_format(path: Path, metadata: dict[str, Any]) -> str:
    """Decide whether a dump is JSON lines or CSV.

    Parameters
    ----------
    path : Path
        The file (``.jsonl``/``.ndjson``/``.json`` or ``.csv``, optionally ``.gz``/``.zip``).
    metadata : dict
        Catalog metadata; ``format`` (``jsonl`` or ``csv``) overrides the suffix.

    Returns
    -------
    str
        ``"jsonl"`` or ``"csv"``.

    Raises
    ------
    SourceFileError
        When neither the metadata nor the suffix says.
    """
    declared = metadata.get("format")
    if declared in ("jsonl", "csv"):
        return str(declared)
    suffixes = [s.lower() for s in path.suffixes if s.lower() not in (".gz", ".zip")]
    if suffixes and suffixes[-1] in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffixes and suffixes[-1] == ".csv":
        return "csv"
    raise SourceFileError(f"{path}: cannot tell an article dump's format; set metadata.format to jsonl or csv")


def _json_records(data: bytes, path: Path, encoding: str | None) -> list[tuple[str, dict[str, Any] | None, str]]:
    """Frame a JSON-lines dump (:func:`workbench.collect.files.frame_json_records`): lines end
    only at ``\\n``, arrays of articles are articles, one bad record never blocks the file."""
    out: list[tuple[str, dict[str, Any] | None, str]] = []
    for item in frame_json_records(data, path, encoding):
        if item.problem is not None:
            out.append((item.position, None, f"{item.problem}\x00{item.raw}"))
        elif not isinstance(item.value, dict):
            out.append((item.position, None, f"not a JSON object\x00{item.raw}"))
        else:
            out.append((item.position, item.value, item.raw))
    return out


def _records(text: str, fmt: str, path: Path) -> list[tuple[str, dict[str, Any] | None, str]]:
    """Split a CSV dump into (position, record or None, raw text) triples."""
    out: list[tuple[str, dict[str, Any] | None, str]] = []
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        for number, row in enumerate(reader, start=2):
            if None in row:  # more cells than the header names
                out.append((f"row {number}", None, f"{len(row[None])} cell(s) beyond the header\x00{row}"))
                continue
            out.append((f"row {number}", dict(row), json.dumps(row, ensure_ascii=False)))
    except csv.Error as exc:
        raise SourceFileError(f"{path}: not a readable CSV ({exc})") from exc
    return out


def _field(record: dict[str, Any], name: str) -> Any:
    for key in FIELDS[name]:
        value = record.get(key)
        if value not in (None, ""):
            return value
    return None


def collect_dump(path: Path, metadata: dict[str, Any]) -> CollectResult:
    """Read and triage an article dump (JSON lines or CSV).

    Parameters
    ----------
    path : Path
        The dump.
    metadata : dict
        Catalog metadata: ``source_name`` (the monitor or dump), optional
        ``default_grading``, ``format``, ``encoding``, ``max_bytes``.

    Returns
    -------
    CollectResult
        As :func:`workbench.collect.osint.triage_articles`; unreadable records are rejects
        naming the line/row and field.

    Raises
    ------
    SourceFileError
        When the file as a whole cannot be read.
    """
    fmt = dump_format(path, metadata)
    data = read_source_bytes(path, int(metadata.get("max_bytes", MAX_BYTES)))
    framed = (_json_records(data, path, metadata.get("encoding")) if fmt == "jsonl"
              else _records(decode_text(data, path, metadata.get("encoding")), fmt, path))
    articles: list[Article] = []
    broken = []
    for position, record, raw in framed:
        if record is None:
            problem, _, line = raw.partition("\x00")
            broken.append(reject(position, problem, scrub_text(line, 500)))
            continue
        rid = _field(record, "id")
        if rid is None and not any(key in record for key in FIELDS["id"]):
            rid = _field(record, "url")  # news-alert exports have no id column: the url is the id
        stamp, problem = None, ""
        value = _field(record, "published")
        try:
            stamp = parse_timestamp(value)
        except DateParseError:
            problem = (f"field 'published'={str(value)[:40]!r}: expected an ISO 8601 date" if value is not None
                       else "field 'published' is missing")
        title, body = _plain(_field(record, "title")), _plain(_field(record, "body"))
        if stamp is not None and not (title or body):
            stamp, problem = None, "fields 'title', 'body': both empty"
        articles.append(Article(
            position=position,
            rid=str(rid).strip() if rid is not None and str(rid).strip() else None,
            title=title,
            body=body,
            published=stamp,
            date_problem=problem,
            language_hint=str(_field(record, "language") or "") or None,
            link=str(_field(record, "url") or "") or None,
            outlet=str(_field(record, "outlet") or metadata["source_name"]),
            raw={k: record.get(k) for k in record if k not in FIELDS["body"]} | {"body": body[:300]},
        ))
    result = triage_articles(articles, metadata, path)
    if broken:
        import pandas as pd

        result.rejects = pd.concat([result.rejects, pd.DataFrame(broken)], ignore_index=True)
        result.notes["items"] += len(broken)
    return result
