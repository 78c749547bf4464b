"""Records are framed as their format says, filed under the catalog's source, and typed strictly."""

from __future__ import annotations

import gzip
import json

import pandas as pd
import pytest

from workbench.collect import collect
from workbench.synthetic.bulk import synthetic_export
from workbench.collect.files import SourceFileError, frame_json_records, sniff_encoding
from workbench.collect.partner import PartnerFileError
from workbench.ingest import file_under_catalog_source
from workbench.schema import incident_id
from workbench.store import Store

APP = {"collector": "app", "source_name": "STT reporting app"}
DUMP = {"collector": "osint_dump", "source_name": "Demo Media Monitor", "format": "jsonl"}
BULK = {"collector": "bulk", "source_name": "Traffik Analysis Hub"}


def app_report(rid: str, **fields) -> dict:
    return {"report_id": rid, "submitted_at": "2025-03-01T10:00:00Z", "incident_date": "2025-02-10",
            "language": "en", "country": "GB", "exploitation": ["forced_labour"], **fields}


def article(rid: str, **fields) -> dict:
    return {"id": rid, "url": f"https://news.example/{rid}", "outlet": "Example News", "published": "2025-03-01",
            "title": "Police rescue 12 victims of forced labour trafficking at a farm in Spain",
            "body": "Twelve workers were rescued from forced labour trafficking near Almería.", **fields}


def ingest(path, meta, tmp_path, store=None):
    """Collect, file under the catalog's source and store, as ``workbench ingest`` does."""
    result = collect(path, meta)
    file_under_catalog_source(result.candidates, meta)
    store = store or Store(tmp_path / "store")
    report = store.ingest(result.candidates, result.rejects, catalog_entry=path.stem,
                          source_file_sha256=result.source_file_sha256, rows_in=result.rows_in,
                          not_relevant=int(result.notes.get("not_relevant", 0)),
                          media_items=result.notes.get("media_volume"))
    assert report.rows_in + report.merged == report.new + report.already_stored + report.quarantined + report.merged
    return report, store, result


def reasons(store) -> str:
    return " | ".join(store.quarantine()["reason"])


# -- framing ------------------------------------------------------------------------------------


def test_separators_inside_a_json_string_never_split_a_record(tmp_path):
    path = tmp_path / "app.jsonl"
    text = "\n".join(json.dumps(app_report(f"R{i}", description=f"a{sep}b"), ensure_ascii=False)
                     for i, sep in enumerate(["\u2028", "\u2029", "\u0085", "\x1c", "\x1d", "\x1e", "\x0c", "\x0b"]))
    path.write_text(text, encoding="utf-8")
    report, _, result = ingest(path, APP, tmp_path)
    assert result.rows_in == 8 and report.new == 8 and report.quarantined == 0


def test_separators_inside_a_dump_article_never_split_it(tmp_path):
    path = tmp_path / "dump.jsonl"
    path.write_text("\n".join(json.dumps(article(f"A{i}", body=f"forced labour{sep}trafficking"), ensure_ascii=False)
                              for i, sep in enumerate(["\u2028", "\u0085", "\x1c"])), encoding="utf-8")
    result = collect(path, DUMP)
    assert result.notes["items"] == 3 and not result.rejects["reason"].str.contains("invalid JSON").any()


def test_records_after_a_lone_carriage_return_are_records(tmp_path):
    path = tmp_path / "app.jsonl"
    path.write_bytes(b"\r".join(json.dumps(app_report(r)).encode() for r in "ABC") + b"\r\n"
                     + json.dumps(app_report("D")).encode() + b"\r\n")
    report, _, result = ingest(path, APP, tmp_path)
    assert result.rows_in == 4 and report.new == 4


def test_json_arrays_of_records_are_records(tmp_path):
    whole = tmp_path / "array.json"
    whole.write_text(json.dumps([article("X1"), article("X2"), article("X3")], indent=2))
    assert collect(whole, DUMP).notes["items"] == 3
    lines = tmp_path / "app.jsonl"
    lines.write_text(json.dumps([app_report("A"), app_report("B")]) + "\n" + json.dumps(app_report("C")))
    report, _, result = ingest(lines, APP, tmp_path)
    assert result.rows_in == 3 and report.new == 3
    odd = tmp_path / "odd.jsonl"
    odd.write_text("[]\n[1, 2]\n1 2\n")  # not records: each line one rejected record, none lost
    result = collect(odd, APP)
    assert result.rows_in == 3 and len(result.candidates) == 0


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be", "utf-16", "utf-8-sig"])
def test_utf16_and_utf32_without_a_bom_are_detected(tmp_path, codec):
    path = tmp_path / "app.jsonl"
    path.write_bytes("\n".join(json.dumps(app_report(r, place="Kyiv / Київ"), ensure_ascii=False)
                               for r in ("A", "B")).encode(codec))
    report, _, result = ingest(path, APP, tmp_path)
    assert result.rows_in == 2 and report.new == 2


def test_sniffing_never_refuses_stray_nul_bytes():
    assert sniff_encoding(b'{"a": 1}\n\x00\n') == "utf-8"
    framed = frame_json_records(b'{"a": 1}\n\x00\n{"b": 2}', "f")
    assert [f.problem is None for f in framed] == [True, False, True]


@pytest.mark.parametrize("line, problem", [
    ("[" * 100_000, "nested deeper"),
    ('{"report_id": "A", "n": ' + "9" * 400 + "}", "more than 64 digits"),
    ('{"report_id": "A", "n": ' + "9" * 5000 + "}", "invalid JSON"),
    ('{"report_id": "A", "report_id": "B"}', "given twice"),
    ('{"report_id": "A", "lat": NaN}', "NaN is not a JSON number"),
    ('{"report_id": "A", "lat": Infinity}', "Infinity is not a JSON number"),
])
def test_hostile_json_is_one_quarantined_record_not_a_crash(tmp_path, line, problem):
    path = tmp_path / "app.jsonl"
    path.write_text(json.dumps(app_report("OK")) + "\n" + line + "\n")
    report, store, result = ingest(path, APP, tmp_path)
    assert result.rows_in == 2 and report.new == 1 and report.quarantined == 1
    assert problem in reasons(store)


# -- one bad item never blocks its file -----------------------------------------------------------


def test_an_item_dated_2999_is_quarantined_and_the_rest_stored(tmp_path):
    app = tmp_path / "app.jsonl"
    app.write_text("\n".join(json.dumps(r) for r in (
        app_report("A"), app_report("B", incident_date="2999-01-01"), app_report("C", submitted_at="2999-01-01T00:00:00Z"),
        app_report("D", submitted_at="1850-01-01T00:00:00Z"), app_report("E", incident_date="1899-12-31"))))
    report, store, _ = ingest(app, APP, tmp_path)
    assert (report.new, report.quarantined) == (1, 4)
    text = reasons(store)
    assert "record B: field 'occurred_on'" in text and "record C: field 'reported_at'" in text
    assert "record D: " in text and "reported_at" in text and "record E: field 'occurred_on'" in text
    dump = tmp_path / "dump.jsonl"
    dump.write_text("\n".join(json.dumps(a) for a in (article("X1"), article("X2", published="2999-01-01"),
                                                       article("X3", published="1800-01-01"))))
    report, store, result = ingest(dump, DUMP, tmp_path, Store(tmp_path / "store2"))
    assert result.notes["items"] == 3 and report.new == 1 and report.quarantined == 2
    assert "field 'published'=2999-01-01" in reasons(store)


def test_an_item_dated_2999_in_a_feed_is_quarantined(tmp_path):
    item = ("<item><title>Forced labour trafficking: 12 victims rescued on a farm near Almería, Spain</title>"
            "<link>https://news.example/{n}</link><guid>{n}</guid><pubDate>{d}</pubDate>"
            "<description>Police rescued victims of forced labour trafficking.</description></item>")
    feed = tmp_path / "feed.rss"
    feed.write_text("<?xml version='1.0'?><rss version='2.0'><channel><title>Wire</title>"
                    + item.format(n=1, d="Mon, 03 Mar 2025 10:00:00 +0000")
                    + item.format(n=2, d="Tue, 01 Jan 2999 10:00:00 +0000") + "</channel></rss>")
    report, store, result = ingest(feed, {"collector": "osint", "source_name": "wire"}, tmp_path)
    assert result.notes["items"] == 2 and report.new == 1 and report.quarantined == 1
    assert "field 'published'" in reasons(store)


@pytest.mark.parametrize("fields, fragment", [
    ({"submitted_at": "now"}, "'submitted_at'"),
    ({"submitted_at": "today"}, "'submitted_at'"),
    ({"submitted_at": 1714000000}, "'submitted_at'"),
    ({"incident_date": "2026-04-20; DROP TABLE incidents"}, "'incident_date'"),
    ({"incident_date": "2026-04-20T10:00:00Z junk"}, "'incident_date'"),
    ({"location": {"lat": True, "lon": 1.0}}, "'lat'"),
    ({"location": {"lat": 1.0, "lon": False}}, "'lon'"),
    ({"location": {"lat": [1], "lon": 1.0}}, "'lat'"),
    ({"location": {"lat": 10 ** 400, "lon": 1.0}}, "more than 64 digits"),
    ({"location": {"lat": "1e400", "lon": 1.0}}, "'lat'"),
    ({"victims": {"count": 2.5}}, "'victim_count'"),
    ({"victims": {"count": True}}, "'victim_count'"),
    ({"place": {"x": 1}}, "'place'"),
    ({"exploitation": ["forced_labour", 3]}, "'exploitation'"),
    ({"country": 826}, "'country'"),
])
def test_typed_fields_are_parsed_strictly(tmp_path, fields, fragment):
    path = tmp_path / "app.jsonl"
    path.write_text(json.dumps(app_report("OK")) + "\n" + json.dumps(app_report("BAD", **fields)))
    report, store, _ = ingest(path, APP, tmp_path)
    assert (report.new, report.quarantined) == (1, 1)
    assert fragment in reasons(store)


def test_a_duplicated_csv_column_is_refused_by_name(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("CaseRef,DateReported,CaseRef\nA,01/02/2025,B\n")
    with pytest.raises(PartnerFileError, match=r"column\(s\) \['CaseRef'\] appear more than once"):
        collect(path, {"collector": "partner", "source_name": "HLA", "crosswalk": "harbour_light",
                       "date_format": "%d/%m/%Y"})
    bulk = tmp_path / "b.csv"
    synthetic_export(5, seed=1, n_places=5).assign(lat2=1.0).rename(columns={"lat2": "lat"}).to_csv(bulk, index=False)
    with pytest.raises(SourceFileError, match=r"\['lat'\] appear more than once"):
        collect(bulk, BULK)


# -- source authority ------------------------------------------------------------------------------


def test_a_bulk_file_cannot_take_another_sources_ids_or_name(tmp_path):
    store = Store(tmp_path / "store")
    app = tmp_path / "app.jsonl"
    app.write_text("\n".join(json.dumps(app_report(f"APP-{i}")) for i in range(12)))
    frame = synthetic_export(20, seed=3, n_places=10)
    stolen = [incident_id(APP["source_name"], f"APP-{i}") for i in range(12)]
    frame.loc[:11, "incident_id"] = stolen            # another source's ids
    frame.loc[:5, "source_name"] = APP["source_name"]  # and its name
    frame.loc[6:11, "source_name"] = "Harbour Light Alliance"
    bulk = tmp_path / "bulk.parquet"
    frame.to_parquet(bulk)
    report, _, result = ingest(bulk, BULK, tmp_path, store)
    assert report.new == 20
    assert set(result.candidates["source_name"]) == {BULK["source_name"]}
    assert not set(result.candidates["incident_id"]) & set(stolen)
    assert result.candidates["source_record_id"].str.startswith("STT reporting app/").sum() == 6
    later, _, _ = ingest(app, APP, tmp_path, store)
    assert (later.new, later.already_stored) == (12, 0)  # the app's own records are still its own
    by_source = store.query("SELECT source_name, count(*) AS n FROM incidents GROUP BY 1").set_index("source_name")
    assert by_source.loc[APP["source_name"], "n"] == 12 and by_source.loc[BULK["source_name"], "n"] == 20


def test_ingest_files_every_candidate_under_the_catalog_source():
    candidates = pd.DataFrame({"source_name": ["Other", "Mine"], "source_record_id": ["1", "2"],
                               "incident_id": ["0" * 16, "1" * 16]})
    file_under_catalog_source(candidates, {"source_name": "Mine"})
    assert candidates["source_name"].tolist() == ["Mine", "Mine"]
    assert candidates["incident_id"].tolist() == [incident_id("Mine", "1"), incident_id("Mine", "2")]
    with pytest.raises(ValueError, match="source_name"):
        file_under_catalog_source(candidates, {})


# -- bulk files -------------------------------------------------------------------------------------


def test_bulk_reads_gzip_csv_honours_max_bytes_and_quarantines_a_repeated_header(tmp_path):
    frame = synthetic_export(30, seed=2, n_places=10)
    for col in ("exploitation_types", "means_of_control"):
        frame[col] = frame[col].map("|".join)
    text = frame.to_csv(index=False)
    header = text.splitlines()[0]
    gz = tmp_path / "export.csv.gz"
    gz.write_bytes(gzip.compress((text + header + "\n").encode()))
    result = collect(gz, BULK)
    assert result.rows_in == 31 and len(result.candidates) == 30
    assert result.rejects["reason"].str.contains("repeated header line").sum() == 1
    with pytest.raises(SourceFileError, match="over the limit"):
        collect(gz, {**BULK, "max_bytes": 100})
    with pytest.raises(SourceFileError, match="over the limit"):
        collect(gz, {**BULK, "max_bytes": len(gz.read_bytes()) + 10})  # decompressed size counts too
    plain = tmp_path / "export.csv"
    plain.write_text(text)
    with pytest.raises(SourceFileError, match="over the limit"):
        collect(plain, {**BULK, "max_bytes": 100})
    parquet = tmp_path / "export.parquet"
    synthetic_export(30, seed=2, n_places=10).to_parquet(parquet)
    with pytest.raises(SourceFileError, match="over the limit"):
        collect(parquet, {**BULK, "max_bytes": 100})


def test_bulk_typed_columns_are_strict(tmp_path):
    frame = synthetic_export(6, seed=5, n_places=5)
    frame["lat"] = frame["lat"].astype(object)
    frame["reported_at"] = frame["reported_at"].astype(object)
    frame.loc[0, "lat"] = True
    frame.loc[1, "reported_at"] = "now"
    frame.loc[2, "reported_at"] = "2026-04-20; DROP TABLE"
    frame.loc[3, "lat"] = "1" + "0" * 400
    for col in ("exploitation_types", "means_of_control"):
        frame[col] = frame[col].map("|".join)
    path = tmp_path / "export.csv"
    frame.to_csv(path, index=False)
    result = collect(path, BULK)
    assert result.rows_in == 6
    bad = set(result.rejects["record"])
    assert {frame.loc[i, "source_record_id"] for i in (1, 2)} <= bad
    text = " | ".join(result.rejects["reason"])
    assert "'reported_at'='now': not a date" in text and "DROP TABLE" in text
    assert {frame.loc[i, "source_record_id"] for i in (0, 3)} <= bad  # "True" and a 401-digit latitude
