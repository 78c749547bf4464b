"""The feed fetcher against a local HTTP server on 127.0.0.1 (no network needed)."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from workbench.collect.fetch import FeedFetcher, feeds_of, http_date

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
MODIFIED = http_date(1_700_000_000)


class Handler(BaseHTTPRequestHandler):
    hits: dict = {}
    arrivals: list = []

    def log_message(self, *args):  # keep the test output quiet
        pass

    def do_GET(self):  # noqa: N802 - http.server's name
        path = self.path
        Handler.hits[path] = Handler.hits.get(path, 0) + 1
        Handler.arrivals.append((path, time.monotonic()))
        if path == "/etag":
            if self.headers.get("If-None-Match") == '"v1"':
                return self._send(304, b"")
            return self._send(200, FEED, {"ETag": '"v1"'})
        if path == "/lastmod":
            if self.headers.get("If-Modified-Since") == MODIFIED:
                return self._send(304, b"")
            return self._send(200, FEED + b"<!-- lm -->", {"Last-Modified": MODIFIED})
        if path == "/flaky":
            if Handler.hits[path] <= 2:
                return self._send(503, b"busy")
            return self._send(200, FEED + b"<!-- flaky -->")
        if path == "/down":
            return self._send(503, b"busy")
        if path == "/missing":
            return self._send(404, b"no")
        if path == "/slow":
            time.sleep(1.5)
            return self._send(200, FEED)
        if path == "/big":
            return self._send(200, b"x" * 5000)
        if path == "/big-chunked":  # no Content-Length: the cap applies while reading
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"y" * 5000)
            return None
        if path.startswith("/polite"):
            return self._send(200, FEED + path.encode())
        if path == "/ua":
            return self._send(200, self.headers.get("User-Agent", "").encode())
        return self._send(404, b"")

    def _send(self, code, body, headers=None):
        self.send_response(code)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)


@pytest.fixture(scope="module")
def server():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


@pytest.fixture(autouse=True)
def fresh_counts():
    Handler.hits.clear()
    Handler.arrivals.clear()


def fetcher(urls, out, **kw):
    opts = {"timeout": 5, "retries": 3, "backoff": 0.01, "per_host_delay": 0.0} | kw
    return FeedFetcher(urls, out, **opts)


def test_etag_then_304_and_immutable_raw_file(server, tmp_path):
    first = fetcher([f"{server}/etag"], tmp_path).fetch()
    rec = first.records[0]
    assert rec.outcome == "fetched" and rec.status == 200 and rec.size == len(FEED)
    raw = first.files[0]
    assert raw.read_bytes() == FEED and raw.name == f"{rec.sha256}.feed" and raw.parent.parent == tmp_path
    assert json.loads((tmp_path / "fetch_state.json").read_text())[f"{server}/etag"] == {"etag": '"v1"'}
    second = fetcher([f"{server}/etag"], tmp_path).fetch()
    assert second.records[0].outcome == "not_modified" and second.records[0].status == 304
    assert second.files == [] and second.ok
    log = [json.loads(line) for line in (tmp_path / "fetch_log.jsonl").read_text().splitlines()]
    assert [entry["outcome"] for entry in log] == ["fetched", "not_modified"]


def test_last_modified_is_sent_back(server, tmp_path):
    assert fetcher([f"{server}/lastmod"], tmp_path).fetch().records[0].outcome == "fetched"
    assert fetcher([f"{server}/lastmod"], tmp_path).fetch().records[0].outcome == "not_modified"
    assert Handler.hits["/lastmod"] == 2


def test_5xx_is_retried_with_backoff_and_4xx_is_not(server, tmp_path):
    report = fetcher([f"{server}/flaky", f"{server}/missing", f"{server}/down"], tmp_path, retries=2).fetch()
    flaky, missing, down = report.records
    assert flaky.outcome == "fetched" and flaky.attempts == 3 and Handler.hits["/flaky"] == 3
    assert missing.outcome == "client_error" and missing.status == 404 and missing.attempts == 1
    assert Handler.hits["/missing"] == 1
    assert down.outcome == "failed" and down.status == 503 and down.attempts == 3 and "503" in down.error
    assert not report.ok and "fetched 1" in report.note


def test_timeout_is_reported(server, tmp_path):
    rec = fetcher([f"{server}/slow"], tmp_path, timeout=0.3, retries=1).fetch().records[0]
    assert rec.outcome == "failed" and rec.attempts == 2 and "timed out" in rec.error


def test_same_host_requests_are_spaced(server, tmp_path):
    urls = [f"{server}/polite-a", f"{server}/polite-b", f"{server}/polite-c"]
    fetcher(urls, tmp_path, per_host_delay=0.4).fetch()
    times = [t for path, t in Handler.arrivals if path.startswith("/polite")]
    assert len(times) == 3
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert min(gaps) >= 0.3  # generous tolerance below the 0.4 s delay


def test_oversize_bodies_are_refused(server, tmp_path):
    report = fetcher([f"{server}/big", f"{server}/big-chunked"], tmp_path, max_bytes=1000).fetch()
    assert [r.outcome for r in report.records] == ["refused", "refused"]
    assert all("over the limit" in r.error for r in report.records)
    assert not list(tmp_path.glob("*/*.feed"))


def test_user_agent_and_bad_urls(server, tmp_path):
    report = fetcher([f"{server}/ua"], tmp_path, user_agent="wb-test/1").fetch()
    assert report.files[0].read_bytes() == b"wb-test/1"
    with pytest.raises(ValueError, match=r"record url 2: field 'url'='file:///etc/passwd'"):
        FeedFetcher(["http://127.0.0.1/x", "file:///etc/passwd"], tmp_path)
    assert feeds_of([f"{server}/a", f"{server}/a"]) == [f"{server}/a"]


def test_cli_fetch_reports_each_url_and_fails_on_errors(server, tmp_path):
    from typer.testing import CliRunner

    from workbench.cli import app

    ok = CliRunner().invoke(app, ["fetch", f"{server}/etag", "--out", str(tmp_path), "--delay", "0"])
    assert ok.exit_code == 0, ok.output
    assert "fetched" in ok.output and "1 URL(s): fetched 1" in ok.output
    bad = CliRunner().invoke(app, ["fetch", f"{server}/missing", "--out", str(tmp_path), "--delay", "0",
                                   "--retries", "0"])
    assert bad.exit_code == 1 and "client_error" in bad.output and "404" in bad.output
