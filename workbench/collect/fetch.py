"""Polling news feeds politely: conditional GET, retries, per-host delay, immutable raw files.

:class:`FeedFetcher` fetches each URL with the standard library (``urllib.request``):

- conditional GET: the ``ETag`` and ``Last-Modified`` of the last good answer are kept
  in a small state file (``fetch_state.json``) and sent back (``If-None-Match``,
  ``If-Modified-Since``); a ``304 Not Modified`` writes nothing;
- retries with exponential backoff (``backoff * 2**k`` seconds) on 5xx answers,
  timeouts and connection errors, never on 4xx (the request itself is wrong);
- politeness: at least ``per_host_delay`` seconds between two requests to the same
  host (retries included); hosts are visited in turn, one request at a time;
- a size cap (``max_bytes``, the limit of :mod:`workbench.collect.files`): a body over
  it is refused, not cut;
- every body is written once to ``<out_dir>/<UTC date>/<sha256>.feed`` (content-hash
  name: the same body fetched twice is one file, and a file is never rewritten), and
  every request is appended to ``<out_dir>/fetch_log.jsonl``.

The raw files are then ingested like any feed file (collector ``osint``).
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import os
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import pandas as pd

from workbench.collect.files import MAX_BYTES

DEFAULT_USER_AGENT = "IntelligenceLedPreventionWorkbench/1.0 (+counter-trafficking research; feed polling)"
_CHUNK = 64 * 1024


@dataclass
class FetchRecord:
    """What one URL's fetch did.

    Attributes
    ----------
    url : str
        The URL.
    outcome : str
        ``fetched``, ``not_modified``, ``client_error`` (4xx, not retried),
        ``failed`` (5xx / timeout / connection error after every retry) or ``refused``
        (body over the size cap).
    status : int or None
        Last HTTP status (None when no answer came).
    attempts : int
        Requests made.
    path : str or None
        The raw file written or found (None unless fetched).
    sha256 : str or None
        Hash of the body.
    size : int
        Bytes of the body (0 unless fetched).
    error : str or None
        What went wrong, if anything.
    fetched_at : str
        UTC time of the last request (ISO 8601).
    """

    url: str
    outcome: str
    status: int | None = None
    attempts: int = 0
    path: str | None = None
    sha256: str | None = None
    size: int = 0
    error: str | None = None
    fetched_at: str = ""


@dataclass
class FetchReport:
    """The outcome of one polling round.

    Attributes
    ----------
    records : list of FetchRecord
        One per URL, in order.
    note : str
        One line: counts per outcome.
    """

    records: list[FetchRecord] = field(default_factory=list)
    note: str = ""

    @property
    def table(self) -> pd.DataFrame:
        """The records as a table (one row per URL)."""
        return pd.DataFrame([asdict(r) for r in self.records],
                            columns=list(FetchRecord.__dataclass_fields__))

    @property
    def files(self) -> list[Path]:
        """Raw files fetched in this round."""
        return [Path(r.path) for r in self.records if r.outcome == "fetched" and r.path]

    @property
    def ok(self) -> bool:
        """True when every URL was fetched or not modified."""
        return all(r.outcome in ("fetched", "not_modified") for r in self.records)


class _Retryable(Exception):
    """A failure worth another try (5xx, timeout, connection error)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class FeedFetcher:
    """Fetch feed URLs politely into immutable raw files.

    Parameters
    ----------
    urls : iterable of str
        Feed URLs (http or https).
    out_dir : str or Path
        Folder of the raw files, the state file and the fetch log (e.g.
        ``data/raw/osint``).
    timeout : float
        Seconds to wait for a connection or a read.
    retries : int
        Further tries after a retryable failure (so at most ``retries + 1`` requests).
    backoff : float
        First wait before a retry, in seconds; doubled each time.
    per_host_delay : float
        Least seconds between two requests to the same host.
    user_agent : str
        The ``User-Agent`` header.
    max_bytes : int
        Largest body accepted.
    sleep : callable
        ``time.sleep`` (replaceable in tests).

    Raises
    ------
    ValueError
        When a URL is not http(s) (naming it).
    """

    def __init__(
        self,
        urls: Iterable[str],
        out_dir: str | Path,
        timeout: float = 10.0,
        retries: int = 3,
        backoff: float = 1.0,
        per_host_delay: float = 1.0,
        user_agent: str = DEFAULT_USER_AGENT,
        max_bytes: int = MAX_BYTES,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.urls = list(urls)
        for pos, url in enumerate(self.urls, start=1):
            if urllib.parse.urlsplit(str(url)).scheme not in ("http", "https"):
                raise ValueError(f"record url {pos}: field 'url'={str(url)[:80]!r}: expected an http(s) URL")
        self.out_dir = Path(out_dir)
        self.timeout, self.retries, self.backoff = float(timeout), int(retries), float(backoff)
        self.per_host_delay, self.user_agent, self.max_bytes = float(per_host_delay), user_agent, int(max_bytes)
        self._sleep = sleep
        self._last_request: dict[str, float] = {}

    # -- state ------------------------------------------------------------------------
    @property
    def state_path(self) -> Path:
        """The JSON file keeping each URL's ``etag`` and ``last_modified``."""
        return self.out_dir / "fetch_state.json"

    def state(self) -> dict[str, dict[str, str]]:
        """Read the conditional-GET state.

        Returns
        -------
        dict
            URL -> ``{"etag": ..., "last_modified": ...}``.
        """
        if not self.state_path.exists():
            return {}
        return json.loads(self.state_path.read_text("utf-8"))

    def _save_state(self, state: dict[str, dict[str, str]]) -> None:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.state_path.with_name(f"{self.state_path.name}.tmp-{uuid.uuid4().hex[:8]}")
        tmp.write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(tmp, self.state_path)

    # -- fetching ---------------------------------------------------------------------
    def fetch(self) -> FetchReport:
        """Fetch every URL once (with retries), politely.

        Returns
        -------
        FetchReport
            One record per URL; the state file and fetch log are updated.
        """
        state = self.state()
        records = []
        for url in self.urls:
            record, validators = self._fetch_one(url, state.get(url, {}))
            if validators is not None:  # a fresh body: its validators replace the old ones
                state[url] = validators
            records.append(record)
            self._log(record)
        if records:
            self._save_state(state)
        counts = pd.Series([r.outcome for r in records], dtype="object").value_counts()
        note = ", ".join(f"{k} {v}" for k, v in counts.items()) or "no URLs"
        return FetchReport(records, note=f"{len(records)} URL(s): {note}")

    def _polite_wait(self, host: str) -> None:
        last = self._last_request.get(host)
        if last is not None:
            wait = self.per_host_delay - (time.monotonic() - last)
            if wait > 0:
                self._sleep(wait)
        self._last_request[host] = time.monotonic()

    def _fetch_one(self, url: str, validators: dict[str, str]) -> tuple[FetchRecord, dict[str, str] | None]:
        host = urllib.parse.urlsplit(url).netloc.lower()
        record = FetchRecord(url=url, outcome="failed")
        for attempt in range(self.retries + 1):
            if attempt:
                self._sleep(self.backoff * 2 ** (attempt - 1))
            self._polite_wait(host)
            record.attempts = attempt + 1
            record.fetched_at = pd.Timestamp.now(tz="UTC").isoformat()
            try:
                return self._request(url, validators, record)
            except _Retryable as exc:
                record.status, record.error = exc.status, str(exc)
        record.outcome = "failed"
        return record, None

    def _request(
        self, url: str, validators: dict[str, str], record: FetchRecord
    ) -> tuple[FetchRecord, dict[str, str] | None]:
        headers = {"User-Agent": self.user_agent, "Accept-Encoding": "identity",
                   "Accept": "application/rss+xml, application/atom+xml, application/xml, text/xml, */*;q=0.5"}
        if validators.get("etag"):
            headers["If-None-Match"] = validators["etag"]
        if validators.get("last_modified"):
            headers["If-Modified-Since"] = validators["last_modified"]
        request = urllib.request.Request(url, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - http(s) checked
                status = response.status
                length = response.headers.get("Content-Length")
                if length and length.isdigit() and int(length) > self.max_bytes:
                    return self._refused(record, status, int(length)), None
                body = bytearray()
                while chunk := response.read(_CHUNK):
                    body += chunk
                    if len(body) > self.max_bytes:
                        return self._refused(record, status, len(body)), None
                etag, modified = response.headers.get("ETag"), response.headers.get("Last-Modified")
        except urllib.error.HTTPError as exc:
            if exc.code == 304:
                record.status, record.outcome, record.error = 304, "not_modified", None
                return record, None
            if 500 <= exc.code < 600:
                raise _Retryable(f"HTTP {exc.code} {exc.reason}", exc.code) from None
            record.status, record.outcome, record.error = exc.code, "client_error", f"HTTP {exc.code} {exc.reason}"
            return record, None
        except (TimeoutError, socket.timeout) as exc:
            raise _Retryable(f"timed out after {self.timeout} s ({exc})") from None
        except urllib.error.URLError as exc:
            raise _Retryable(f"connection failed: {exc.reason}") from None
        except (ConnectionError, OSError) as exc:
            raise _Retryable(f"connection failed: {exc}") from None
        record.status, record.error = status, None
        record.path, record.sha256, record.size = str(self._write(bytes(body))), hashlib.sha256(body).hexdigest(), \
            len(body)
        record.outcome = "fetched"
        return record, {k: v for k, v in (("etag", etag), ("last_modified", modified)) if v}

    def _refused(self, record: FetchRecord, status: int, size: int) -> FetchRecord:
        record.status, record.outcome = status, "refused"
        record.error = f"body of {size:,}+ bytes is over the limit of {self.max_bytes:,}: refused"
        return record

    def _write(self, body: bytes) -> Path:
        digest = hashlib.sha256(body).hexdigest()
        folder = self.out_dir / pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%d")
        path = folder / f"{digest}.feed"
        if not path.exists():  # content-addressed: never rewritten
            folder.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"{path.name}.tmp-{uuid.uuid4().hex[:8]}")
            with open(tmp, "wb") as handle:
                handle.write(body)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
            path.chmod(0o444)
        return path

    def _log(self, record: FetchRecord) -> None:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        with open(self.out_dir / "fetch_log.jsonl", "a", encoding="utf-8") as handle:
            handle.write(json.dumps(asdict(record), ensure_ascii=False) + "\n")


def http_date(stamp: float) -> str:
    """Format a POSIX time as an HTTP date (for ``Last-Modified`` headers).

    Parameters
    ----------
    stamp : float
        Seconds since the epoch.

    Returns
    -------
    str
        E.g. ``"Sun, 22 Nov 2026 10:00:00 GMT"``.
    """
    return email.utils.formatdate(stamp, usegmt=True)


def feeds_of(entries: Iterable[str], metadata: Callable[[str], Mapping[str, Any]] | None = None) -> list[str]:
    """Collect the feed URLs listed by catalog entries (``metadata.feeds``) or given directly.

    Parameters
    ----------
    entries : iterable of str
        Catalog entry names or http(s) URLs.
    metadata : callable, optional
        Entry name -> its metadata (the CLI passes :func:`workbench.catalog.metadata`);
        needed only when ``entries`` names catalog entries.

    Returns
    -------
    list of str
        URLs, in order, each once.

    Raises
    ------
    KeyError
        When a name is neither a URL nor a catalog entry (or no ``metadata`` look-up
        was given).
    """
    urls: list[str] = []
    for item in entries:
        if str(item).startswith(("http://", "https://")):
            urls.append(str(item))
        elif metadata is None:
            raise KeyError(f"{item!r} is not an http(s) URL, and no catalog look-up was given for entry names")
        else:
            feeds: Any = metadata(str(item)).get("feeds") or []
            urls.extend(str(u) for u in feeds)
    return list(dict.fromkeys(urls))
