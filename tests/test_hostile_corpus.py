"""The hostile-input corpus: every reader, the parameters, the plans, the paths and the CLI.

Each case is run in-process (collector + schema gate, as ``workbench ingest`` does,
without writing a store) under a hang guard, and asserts:

- no crash: the only exceptions allowed are the documented whole-file refusals
  (:class:`SourceFileError`, :class:`PartnerFileError`), which name the file;
- no silent drop: ``rows in = stored + quarantined`` (open sources: ``items = stored +
  quarantined + not relevant``), every quarantined record with a reason naming it, and
  the expected number of records read;
- no hang: each case finishes within :data:`HANG_SECONDS`;
- nothing read outside the workspace, and no code executed from a parameter.

The count of cases is printed by ``pytest --collect-only -q tests/test_hostile_corpus.py``.
"""

from __future__ import annotations

import gzip
import json
import signal
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest

from workbench.collect import collect
from workbench.synthetic.bulk import synthetic_export
from workbench.collect.files import SourceFileError
from workbench.collect.partner import PartnerFileError
from workbench.ingest import file_under_catalog_source
from workbench.parameters import ParameterError, validate_parameters
from workbench.plan import RunPlan
from workbench.schema import validate_incidents

HANG_SECONDS = 20
APP = {"collector": "app", "source_name": "STT reporting app"}
DUMP = {"collector": "osint_dump", "source_name": "Demo Media Monitor"}
FEED = {"collector": "osint", "source_name": "Demo Wire"}
PARTNER = {"collector": "partner", "source_name": "Harbour Light Alliance", "crosswalk": "harbour_light",
           "date_format": "%d/%m/%Y"}
BULK = {"collector": "bulk", "source_name": "Traffik Analysis Hub"}

#: Values planted in a field, one case each.
HOSTILE = {
    "none": None, "true": True, "false": False, "zero": 0, "negative": -1, "huge_float": 1e308,
    "huge_int": 10 ** 30, "empty": "", "spaces": "   ", "now": "now", "year_2999": "2999-01-01",
    "year_1850": "1850-01-01", "sql": "2026-04-20; DROP TABLE incidents; --", "script": "<script>alert(1)</script>",
    "formula": "=HYPERLINK(\"http://x\")", "list": [1, 2], "object": {"a": {"b": 1}}, "u2028": "a\u2028b\u0085c\x1cd",
    "nul": "a\x00b", "long": "x" * 5000, "rtl": "\u202eevil", "emoji": "\U0001F600" * 10,
}
#: The subset planted in every field of a structured record (kept small: the corpus must stay fast).
FIELD_VALUES = ["none", "true", "huge_int", "huge_float", "empty", "now", "year_2999", "sql", "script", "list",
                "object", "u2028", "long"]
#: Text values for CSV cells (no structure).
HOSTILE_TEXT = {k: v for k, v in HOSTILE.items() if isinstance(v, str)} | {
    "number_words": "twelve", "comma_decimal": "1,5", "nan": "nan", "inf": "inf", "hex": "0x1A",
    "digits_400": "9" * 400, "quote": '"unclosed', "semicolon": "a;b;c", "newline": "a\nb", "cr": "a\rb",
}


@contextmanager
def no_hang(seconds: int = HANG_SECONDS):
    """Fail instead of hanging when a case takes longer than ``seconds``."""
    def fail(signum, frame):  # pragma: no cover - reaching it is the failure
        raise TimeoutError(f"hung for {seconds} s")

    old = signal.signal(signal.SIGALRM, fail)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def account(path: Path, meta: dict, expected: int | None = None) -> dict:
    """Run one file through its collector and the schema gate; check every record is accounted for."""
    with no_hang():
        try:
            result = collect(path, meta)
        except (SourceFileError, PartnerFileError) as exc:  # a documented whole-file refusal, naming the file
            assert path.name in str(exc) or str(path) in str(exc), str(exc)
            assert "\n" not in str(exc).strip()
            return {"refused": str(exc)}
        assert result.rows_in == len(result.candidates) + len(result.rejects)
        stored, schema_rejects = 0, 0
        if len(result.candidates):
            file_under_catalog_source(result.candidates, meta)
            prov = {"catalog_entry": "corpus", "source_file_sha256": result.source_file_sha256,
                    "ingested_at": pd.Timestamp.now(tz="UTC"), "batch_id": "corpus"}
            valid, rejected = validate_incidents(result.candidates.drop(columns=["minhash", "outlet"], errors="ignore")
                                                 .assign(**prov))
            stored, schema_rejects = len(valid), len(rejected)
            assert stored + schema_rejects == len(result.candidates)
            assert rejected["reason"].str.match(r"^record .+: ").all()
            assert set(valid["source_name"]) <= {meta["source_name"]}
        quarantined = len(result.rejects) + schema_rejects
        assert result.rows_in == stored + quarantined  # rows in = stored + quarantined
        if len(result.rejects):
            assert result.rejects["reason"].str.match(r"^record .+: ").all()
        items = int(result.notes.get("items", result.rows_in))
        not_relevant = int(result.notes.get("not_relevant", 0))
        assert items == result.rows_in + not_relevant  # open sources: + not relevant
        if expected is not None:
            assert items == expected, (items, expected)
        return {"stored": stored, "quarantined": quarantined, "items": items}


# -- app reports: every field x every hostile value ---------------------------------------------------

APP_FIELDS = ["report_id", "submitted_at", "incident_date", "language", "country", "exploitation", "control",
              "location", "location.lat", "location.lon", "victims.count", "description", "grading", "origin_country"]


def app_report(rid: str) -> dict:
    return {"report_id": rid, "submitted_at": "2025-03-01T10:00:00Z", "incident_date": "2025-02-10",
            "language": "en", "place": "Lagos", "country": "NG", "exploitation": ["forced_labour"], "control": [],
            "location": {"lat": 6.45, "lon": 3.39}, "victims": {"count": 2, "gender": "female"},
            "description": "seen at the market", "grading": "C3", "origin_country": "NE"}


@pytest.mark.parametrize("value", FIELD_VALUES)
@pytest.mark.parametrize("field", APP_FIELDS)
def test_app_field(tmp_path, field, value):
    bad = app_report("BAD")
    if "." in field:
        outer, inner = field.split(".")
        bad[outer] = {**bad[outer], inner: HOSTILE[value]}
    else:
        bad[field] = HOSTILE[value]
    path = tmp_path / "app.jsonl"
    path.write_text(json.dumps(app_report("GOOD")) + "\n" + json.dumps(bad, ensure_ascii=False) + "\n", encoding="utf-8")
    out = account(path, APP, expected=2)
    assert out["stored"] >= 1  # the good record is never blocked by the bad one


# -- framing: bytes, separators, encodings, arrays -----------------------------------------------------

GOOD_LINE = json.dumps(app_report("G1"))
FRAMING = {
    "lf": (GOOD_LINE + "\n" + GOOD_LINE.replace("G1", "G2"), 2),
    "crlf": (GOOD_LINE + "\r\n" + GOOD_LINE.replace("G1", "G2") + "\r\n", 2),
    "lone_cr": (GOOD_LINE + "\r" + GOOD_LINE.replace("G1", "G2"), 2),
    "u2028_between": (GOOD_LINE + "\u2028" + GOOD_LINE.replace("G1", "G2"), 1),
    "array": (json.dumps([app_report("A1"), app_report("A2"), app_report("A3")]), 3),
    "pretty_array": (json.dumps([app_report("A1"), app_report("A2")], indent=2), 2),
    "empty_array": ("[]", 1),
    "array_of_numbers": ("[1, 2, 3]", 1),
    "nested_arrays": ("[[{}]]", 1),
    "blank_lines": ("\n\n" + GOOD_LINE + "\n\n\n", 1),
    "only_whitespace": (" \t \n ", 0),
    "truncated": (GOOD_LINE[:40], 1),
    "two_objects_space": (GOOD_LINE + " " + GOOD_LINE.replace("G1", "G2"), 2),
    "object_then_junk": (GOOD_LINE + " junk", 1),
    "deep_nesting": ("[" * 100_000, 1),
    "deep_objects": ('{"a":' * 5000 + "1" + "}" * 5000, 1),
    "huge_number": ('{"report_id": "N", "x": ' + "7" * 400 + "}", 1),
    "giant_number": ('{"report_id": "N", "x": ' + "7" * 6000 + "}", 1),
    "nan": ('{"report_id": "N", "lat": NaN}', 1),
    "duplicate_key": ('{"report_id": "A", "report_id": "B"}', 1),
    "bom_inside": (GOOD_LINE + "\n\ufeff" + GOOD_LINE.replace("G1", "G2"), 2),
    "control_chars": (GOOD_LINE.replace("seen", "se\x01\x02en"), 1),
    "string_only": ('"just text"', 1),
    "null_line": ("null", 1),
    "many_small": ("\n".join(json.dumps(app_report(f"M{i}")) for i in range(300)), 300),
}


@pytest.mark.parametrize("case", list(FRAMING), ids=list(FRAMING))
def test_app_framing(tmp_path, case):
    text, expected = FRAMING[case]
    path = tmp_path / "app.jsonl"
    path.write_text(text, encoding="utf-8")
    account(path, APP, expected=expected)


ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"]


@pytest.mark.parametrize("codec", ENCODINGS)
def test_app_encodings(tmp_path, codec):
    path = tmp_path / "app.jsonl"
    text = GOOD_LINE.replace("Lagos", "Київ") + "\n" + GOOD_LINE.replace("G1", "G2")
    path.write_bytes(text.encode(codec))
    assert account(path, APP, expected=2)["stored"] == 2


RAW_BYTES = {
    "latin1_line": GOOD_LINE.encode() + b"\n" + GOOD_LINE.replace("Lagos", "S\xe3o").encode("latin-1"),
    "random_binary": bytes(range(256)) * 4,
    "nul_bytes": b"\x00" * 64,
    "gzip_good": gzip.compress((GOOD_LINE + "\n").encode()),
    "gzip_truncated": gzip.compress((GOOD_LINE + "\n") .encode() * 50)[:-30],
    "zip_magic_only": b"PK\x03\x04garbage",
    "utf16_odd_length": GOOD_LINE.encode("utf-16-le") + b"\x00",
    "overlong_utf8": GOOD_LINE.encode() + b"\n\xc0\xaf\n",
    "surrogates": GOOD_LINE.encode() + b"\n\xed\xa0\x80\n",
    "empty_file": b"",
}


@pytest.mark.parametrize("case", list(RAW_BYTES), ids=list(RAW_BYTES))
@pytest.mark.parametrize("meta", [APP, {**DUMP, "format": "jsonl"}], ids=["app", "dump"])
def test_raw_bytes(tmp_path, case, meta):
    suffix = ".jsonl.gz" if case.startswith("gzip") else ".jsonl"
    path = tmp_path / f"raw{suffix}"
    path.write_bytes(RAW_BYTES[case])
    account(path, meta)


# -- article dumps: every field x hostile values, JSON lines and CSV ----------------------------------

DUMP_FIELDS = ["id", "url", "outlet", "published", "language", "title", "body"]


def article(rid: str) -> dict:
    return {"id": rid, "url": f"https://news.example/{rid}", "outlet": "Example News", "published": "2025-03-01",
            "language": "en", "title": "Police rescue 12 victims of forced labour trafficking on a farm in Spain",
            "body": "Twelve workers were rescued from forced labour trafficking near Almería, police said."}


@pytest.mark.parametrize("value", FIELD_VALUES)
@pytest.mark.parametrize("field", DUMP_FIELDS)
def test_dump_field_jsonl(tmp_path, field, value):
    bad = {**article("BAD"), field: HOSTILE[value]}
    path = tmp_path / "dump.jsonl"
    path.write_text(json.dumps(article("GOOD")) + "\n" + json.dumps(bad, ensure_ascii=False) + "\n", encoding="utf-8")
    out = account(path, DUMP, expected=2)
    assert out["stored"] >= 1


@pytest.mark.parametrize("value", list(HOSTILE_TEXT), ids=list(HOSTILE_TEXT))
@pytest.mark.parametrize("field", ["id", "published"])
def test_dump_field_csv(tmp_path, field, value):
    frame = pd.DataFrame([article("GOOD"), {**article("BAD"), field: HOSTILE_TEXT[value]}])
    path = tmp_path / "dump.csv"
    frame.to_csv(path, index=False, quoting=1)  # every cell quoted: a \r inside a cell is not a line end
    account(path, DUMP, expected=2)


# -- partner CSV: every mapped column x hostile text ---------------------------------------------------

PARTNER_HEADER = ["CaseRef", "DateReported", "DateOfIncident", "Town", "CountryName", "Latitude", "Longitude",
                  "CaseType", "Industry", "HowRecruited", "ControlMethods", "NoOfVictims", "VictimSex", "VictimAge",
                  "Nationality", "OriginCountry", "Notes"]
PARTNER_ROW = ["H1", "03/02/2025", "01/02/2025", "Lagos", "Nigeria", "", "", "Sex Trafficking", "Online", "Boyfriend",
               "Juju", "1", "F", "18-24", "Nigeria", "Nigeria", "ok"]
PARTNER_COLUMNS = ["CaseRef", "DateReported", "Latitude", "NoOfVictims", "CaseType"]


@pytest.mark.parametrize("value", list(HOSTILE_TEXT), ids=list(HOSTILE_TEXT))
@pytest.mark.parametrize("column", PARTNER_COLUMNS)
def test_partner_cell(tmp_path, column, value):
    import csv

    bad = dict(zip(PARTNER_HEADER, PARTNER_ROW)) | {"CaseRef": "H2", column: HOSTILE_TEXT[value]}
    if column == "Latitude":
        bad["Longitude"] = "3.39"
    path = tmp_path / "partner.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(PARTNER_HEADER)
        writer.writerow(PARTNER_ROW)
        writer.writerow([bad[h] for h in PARTNER_HEADER])
    out = account(path, PARTNER, expected=2)
    assert out.get("refused") or out["stored"] >= 1


PARTNER_FILES = {
    "duplicate_column": ",".join(PARTNER_HEADER + ["Notes"]) + "\n" + ",".join(PARTNER_ROW + ["x"]) + "\n",
    "extra_cells": ",".join(PARTNER_HEADER) + "\n" + ",".join(PARTNER_ROW + ["x", "y"]) + "\n",
    "short_row": ",".join(PARTNER_HEADER) + "\n" + ",".join(PARTNER_ROW[:5]) + "\n",
    "header_only": ",".join(PARTNER_HEADER) + "\n",
    "no_header": "",
    "semicolons": ";".join(PARTNER_HEADER) + "\n" + ";".join(PARTNER_ROW) + "\n",
    "lone_cr_lines": ",".join(PARTNER_HEADER) + "\r" + ",".join(PARTNER_ROW) + "\r" + ",".join(PARTNER_ROW) + "\r",
    "open_quote": ",".join(PARTNER_HEADER) + '\n"' + ",".join(PARTNER_ROW) + "\n",
    "bom_header": "\ufeff" + ",".join(PARTNER_HEADER) + "\n" + ",".join(PARTNER_ROW) + "\n",
    "blank_header_cells": ",,,\n1,2,3\n",
}


@pytest.mark.parametrize("case", list(PARTNER_FILES), ids=list(PARTNER_FILES))
def test_partner_file(tmp_path, case):
    path = tmp_path / "partner.csv"
    path.write_text(PARTNER_FILES[case], encoding="utf-8", newline="")
    account(path, PARTNER)


# -- bulk exports: typed columns x hostile text, CSV and gzip -----------------------------------------

BULK_COLUMNS = ["incident_id", "source_name", "reported_at", "occurred_on", "lat", "victim_count"]
BULK_VALUES = ["now", "year_2999", "sql", "nan", "inf", "digits_400", "empty"]


@pytest.fixture(scope="module")
def bulk_text():
    frame = synthetic_export(4, seed=9, n_places=4)
    for col in ("exploitation_types", "means_of_control"):
        frame[col] = frame[col].map("|".join)
    return frame


@pytest.mark.parametrize("value", BULK_VALUES)
@pytest.mark.parametrize("column", BULK_COLUMNS)
def test_bulk_cell(tmp_path, bulk_text, column, value):
    frame = bulk_text.copy().astype({column: object})
    frame.loc[1, column] = HOSTILE_TEXT[value]
    path = tmp_path / "export.csv"
    frame.to_csv(path, index=False)
    out = account(path, BULK, expected=4)
    assert out["stored"] >= 2 or column in ("exploitation_types",)


@pytest.mark.parametrize("case", ["gzip", "repeated_header", "duplicate_column", "empty", "header_only",
                                  "ragged", "max_bytes", "not_csv"])
def test_bulk_file(tmp_path, bulk_text, case):
    text = bulk_text.to_csv(index=False)
    header = text.splitlines()[0]
    path, meta = tmp_path / "export.csv", dict(BULK)
    if case == "gzip":
        path = tmp_path / "export.csv.gz"
        path.write_bytes(gzip.compress(text.encode()))
    elif case == "repeated_header":
        path.write_text(text + header + "\n")
    elif case == "duplicate_column":
        path.write_text(header + ",lat\n" + "\n".join(line + ",1" for line in text.splitlines()[1:]) + "\n")
    elif case == "empty":
        path.write_text("")
    elif case == "header_only":
        path.write_text(header + "\n")
    elif case == "ragged":
        path.write_text(text + "a,b\n")
    elif case == "max_bytes":
        path.write_text(text)
        meta["max_bytes"] = 50
    else:
        path.write_bytes(bytes(range(256)))
    with no_hang():
        try:
            account(path, meta)
        except ValueError as exc:  # a bulk file refused as a whole names the file
            assert "export" in str(exc)


# -- feeds ------------------------------------------------------------------------------------------

ITEM = ("<item><title>{title}</title><link>{link}</link><guid>{guid}</guid><pubDate>{date}</pubDate>"
        "<description>Police rescued victims of forced labour trafficking near Almería, Spain.</description></item>")
FEED_CASES = {
    "good": {}, "date_2999": {"date": "Tue, 01 Jan 2999 10:00:00 +0000"}, "date_junk": {"date": "yesterday"},
    "date_missing": {"date": ""}, "date_year_99999": {"date": "Tue, 01 Jan 99999 10:00:00 +0000"},
    "no_link_no_guid": {"link": "", "guid": ""}, "javascript_link": {"link": "javascript:alert(1)"},
    "script_title": {"title": "&lt;script&gt;alert(1)&lt;/script&gt; forced labour trafficking"},
    "huge_title": {"title": "forced labour trafficking " * 2000}, "guid_newlines": {"guid": "a\nb\rc"},
}


@pytest.mark.parametrize("case", list(FEED_CASES), ids=list(FEED_CASES))
def test_feed_item(tmp_path, case):
    good = {"title": "Forced labour trafficking: 12 victims rescued on a farm", "link": "https://news.example/1",
            "guid": "1", "date": "Mon, 03 Mar 2025 10:00:00 +0000"}
    bad = {**good, "link": "https://news.example/2", "guid": "2", **FEED_CASES[case]}
    path = tmp_path / "feed.rss"
    path.write_text("<?xml version='1.0'?><rss version='2.0'><channel><title>Wire</title>"
                    + ITEM.format(**good) + ITEM.format(**bad) + "</channel></rss>", encoding="utf-8")
    account(path, FEED, expected=2)


FEED_FILES = {
    "billion_laughs": '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;'
                      '&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;'
                      '&lol2;&lol2;">]><rss><channel><item><title>&lol3;</title></item></channel></rss>',
    "xxe": '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss><channel><item>'
           '<title>&x;</title><link>https://a/1</link></item></channel></rss>',
    "truncated": "<?xml version='1.0'?><rss><channel><item><title>forced labour",
    "not_xml": "hello world",
    "empty": "",
    "atom_no_entries": "<feed xmlns='http://www.w3.org/2005/Atom'><title>x</title></feed>",
}


@pytest.mark.parametrize("case", list(FEED_FILES), ids=list(FEED_FILES))
def test_feed_file(tmp_path, case):
    path = tmp_path / "feed.rss"
    path.write_text(FEED_FILES[case], encoding="utf-8")
    out = account(path, FEED)
    assert "root:" not in json.dumps(out)  # /etc/passwd never read into anything


# -- parameters: hostile names and values never run and never publish ----------------------------------

HOSTILE_NAMES = [
    "__import__('os').system('touch K');x", "x;import os", "display(HTML('<script>alert(1)</script>'));y",
    "audiance", "Audience", "region ", " region", "region\n", "1region", "reg-ion", "région", "__class__",
    "exec", "eval", "print", "x=1;audience", "", "a" * 300, "audience\u200b", "ｒｅｇｉｏｎ",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=range(len(HOSTILE_NAMES)))
def test_parameter_name(name):
    with pytest.raises(ParameterError) as err:
        validate_parameters("hotspot_map", {name: "1"})
    assert "\n" not in str(err.value)


HOSTILE_VALUES = {
    "region": ["ZZZ", "ESP,ZZZ", "ES", "Spain", "esp;drop", ",", "ESP,,ITA", "ALL,ESP", 5, True, ["ESP"],
               "ESP\n", "'; import os; '"],
    "audience": ["press", "Public", "PUBLIC ", "", None, ["public"], {"a": 1}, 1, "public;x", "law enforcement"],
    "exploitation_type": ["forced_labor", "ALL;", "sexual exploitation", 3, None, ["forced_labour"]],
    "period_start": ["2025-02-30", "yesterday", "2025/01/01", "01/02/2025", "2025-1-1", "0000-01-01", "9999-12-31",
                     "2025-01-01T00:00:00", 20250101, True, "", "2099-01-01"],
    "h3_resolution": ["seven", "7.5", "-1", "16", "1e3", True, None, [5], "0x7"],
    "alpha": ["nan", "inf", "-inf", "0", "2", "1e-300", "abc", True, None],
}
VALUE_CASES = [(k, v) for k, vs in HOSTILE_VALUES.items() for v in vs]


@pytest.mark.parametrize("name, value", VALUE_CASES, ids=[f"{k}-{i}" for i, (k, _) in enumerate(VALUE_CASES)])
def test_parameter_value(name, value):
    with pytest.raises(ParameterError) as err:
        validate_parameters("hotspot_map", {name: value})
    assert "\n" not in str(err.value) and "hotspot_map" in str(err.value)


# -- plans ------------------------------------------------------------------------------------------

PLANS = {
    "not_a_mapping": ["a", "b"], "no_reports": {"name": "x"}, "empty_reports": {"reports": []},
    "reports_not_list": {"reports": "hotspot_map"}, "item_not_mapping": {"reports": ["hotspot_map"]},
    "no_notebook": {"reports": [{"title": "x"}]}, "unknown_notebook": {"reports": [{"notebook": "hotspt_map"}]},
    "path_notebook": {"reports": [{"notebook": "../notebooks/hotspot_map"}]},
    "audiences_string": {"reports": [{"notebook": "hotspot_map", "audiences": "public"}]},
    "audience_list_in_list": {"reports": [{"notebook": "hotspot_map", "audiences": [["public"]]}]},
    "audience_unknown": {"reports": [{"notebook": "hotspot_map", "audiences": ["press"]}]},
    "parameters_list": {"reports": [{"notebook": "hotspot_map", "parameters": ["region", "ESP"]}]},
    "parameter_code_key": {"reports": [{"notebook": "hotspot_map", "parameters": {"__import__('os')": 1}}]},
    "parameter_bad_value": {"reports": [{"notebook": "hotspot_map", "parameters": {"region": "ZZZ"}}]},
    "parameter_sets_not_list": {"reports": [{"notebook": "hotspot_map", "parameter_sets": {"region": "ESP"}}]},
    "parameter_set_code_key": {"reports": [{"notebook": "hotspot_map", "parameter_sets": [{"x;y": 1}]}]},
    "reversed_period": {"reports": [{"notebook": "hotspot_map", "parameters": {"period_start": "2026-12-01",
                                                                               "period_end": "2026-01-01"}}]},
    "audience_in_parameters": {"reports": [{"notebook": "hotspot_map", "parameters": {"audience": "press"}}]},
    "region_list_public": {"reports": [{"notebook": "hotspot_map", "audiences": ["public"],
                                        "parameters": {"region": "GBR,UKR"}}]},
    "numeric_notebook": {"reports": [{"notebook": 5}]},
}


@pytest.mark.parametrize("case", list(PLANS), ids=list(PLANS))
def test_plan(case):
    with pytest.raises(ValueError) as err:
        RunPlan.from_dict(PLANS[case])
    assert "\n" not in str(err.value)


PLAN_FILES = {
    "missing": None, "empty": "", "invalid_yaml": "reports: [\n  - {", "tabs": "reports:\n\t- notebook: x",
    "python_tag": "reports: !!python/object/apply:os.system ['touch K']", "binary": "\x00\x01\x02",
    "anchors_bomb": "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
                    "reports: [*c]",
}


@pytest.mark.parametrize("case", list(PLAN_FILES), ids=list(PLAN_FILES))
def test_plan_file(tmp_path, case, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "plan.yaml"
    if PLAN_FILES[case] is not None:
        path.write_text(PLAN_FILES[case], encoding="utf-8")
    with no_hang():
        with pytest.raises(ValueError) as err:
            RunPlan.load(path)
    assert "\n" not in str(err.value) and str(path) in str(err.value)
    assert not (tmp_path / "K").exists()


# -- paths --------------------------------------------------------------------------------------------

PATHS = ["../outside.jsonl", "../../etc/passwd", "/etc/passwd", "link_out", "loop", "fifo", "folder",
         "/dev/zero", "/proc/self/environ", "missing.jsonl"]


@pytest.mark.parametrize("case", PATHS)
def test_path(tmp_path, case):
    import os

    from workbench.collect.files import confined_path

    root = tmp_path / "ws"
    root.mkdir()
    (tmp_path / "outside.jsonl").write_text(GOOD_LINE)
    target = {"link_out": root / "link_out", "loop": root / "loop", "fifo": root / "fifo",
              "folder": root / "folder"}.get(case, root / case)
    if case == "link_out":
        target.symlink_to(tmp_path / "outside.jsonl")
    elif case == "loop":
        target.symlink_to(target)
    elif case == "fifo":
        os.mkfifo(target)
    elif case == "folder":
        target.mkdir()
    elif case.startswith("/"):
        target = Path(case)
    with no_hang():
        with pytest.raises(SourceFileError) as err:
            confined_path(target, root)
    assert "\n" not in str(err.value)


# -- the CLI (a few cases through the command itself) ----------------------------------------------------

CLI_CASES = [
    (["run", "hotspot_map", "-p", "__import__('pathlib').Path('K').touch();x=1"], 2),
    (["run", "hotspot_map", "-p", "audiance=public"], 2),
    (["run", "hotspot_map", "-p", "region=ZZZ"], 2),
    (["run", "hotspot_map", "-p", "period_start=2026-02-01", "-p", "period_end=2026-01-01"], 2),
    (["run", "hotspt_map"], 2),
    (["run", "--plan", "nope.yaml"], 2),
    (["demo-data", "--scale", "-1"], 2),
    (["run", "hotspot_map", "-p", "region=GBR,UKR", "-p", "audience=public"], 2),
]


@pytest.mark.parametrize("args, code", CLI_CASES, ids=range(len(CLI_CASES)))
def test_cli(tmp_path, monkeypatch, args, code):
    import papermill
    from typer.testing import CliRunner

    from workbench import catalog
    from workbench.cli import app

    def refuse(*a, **k):  # pragma: no cover - reaching it is the failure
        raise AssertionError("a notebook was executed")

    monkeypatch.setattr(papermill, "execute_notebook", refuse)
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    catalog.clear_cache()
    result = CliRunner().invoke(app, args)
    catalog.clear_cache()
    assert result.exit_code == code and "Traceback" not in result.output
    assert len([line for line in result.output.splitlines() if line.strip()]) == 1
    assert not (tmp_path / "K").exists() and not (tmp_path / "reports" / "runs").exists()


# -- property: any bytes at all are framed without a crash, every non-blank line accounted for ---------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.binary(max_size=60) | st.text(max_size=40).map(lambda t: t.encode("utf-8")), max_size=8))
def test_any_bytes_are_framed_without_loss(chunks):
    from workbench.collect.files import frame_json_records

    data = b"\n".join(c.replace(b"\n", b" ") for c in chunks)
    with no_hang():
        framed = frame_json_records(data, "hypothesis.jsonl")
    plain = not data.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")) and b"\x00" not in data
    if plain and not any(f.position.startswith("item") for f in framed):
        # every line holding anything but JSON whitespace (or a BOM) is at least one record
        lines = [c for c in data.split(b"\n") if c.replace(b"\xef\xbb\xbf", b"").strip(b" \t\r")]
        assert len({f.position.split(",")[0] for f in framed}) == len(lines)
    assert all(f.problem is None or f.value is None for f in framed)
