"""Writes the bad-input corpus beside this file (run once; the files are committed).

Every file is a way real partners' data goes wrong. tests/test_bad_inputs.py holds what
each must lead to: a clear error naming the file, or quarantine with named reasons.
"""

import json
from pathlib import Path

HERE = Path(__file__).parent


def app(i, **over):
    rec = {"report_id": f"B{i}", "submitted_at": "2025-03-01T10:00:00Z", "language": "en",
           "incident_date": "2025-02-10", "location": {"lat": 51.5, "lon": -0.12}, "country": "GB",
           "exploitation": ["forced_labour"], "control": [], "victims": {"count": 1}, "description": "seen"}
    rec.update(over)
    return json.dumps(rec, ensure_ascii=False)


HEADER = ("CaseRef,DateReported,DateOfIncident,Town,CountryName,Latitude,Longitude,CaseType,Industry,HowRecruited,"
          "ControlMethods,NoOfVictims,VictimSex,VictimAge,Nationality,OriginCountry,Notes")
ROW = "H{i},03/02/2025,01/02/2025,Lagos,Nigeria,,,Sex Trafficking,Online,Boyfriend,Juju,1,F,18-24,Nigeria,Nigeria,{notes}"


def main():
    (HERE / "app_latin1.jsonl").write_bytes(
        (app(1) + "\n" + app(2, description="café près de la gare") + "\n").encode("latin-1"))
    (HERE / "app_utf16_bom.jsonl").write_bytes((app(1) + "\n" + app(2) + "\n").encode("utf-16"))
    (HERE / "app_utf8_bom.jsonl").write_bytes(b"\xef\xbb\xbf" + (app(1) + "\n").encode("utf-8"))
    full = app(2)
    (HERE / "app_truncated.jsonl").write_text(app(1) + "\n" + full[: len(full) // 2], encoding="utf-8")
    bad = [
        app(1),
        app(2, incident_date="2024-13-45"),
        app(3, location={"lat": 123.0, "lon": 0.0}),
        app(4, location={"lat": "abc", "lon": "x"}),
        app(5, exploitation=["people_smuggling"]),
        app(6, exploitation=[]),
        app(1, description="same id again"),
        app(7, description="x" * 100_000),
        app("8" * 500),
        app(9, victims=[1, 2]),
        app(10, victims={"count": "many"}),
        app(11, submitted_at="yesterday"),
        app(12, incident_date="2031-01-01"),
        app(13, country="Narnia"),
        app(14, location={"lat": 51.5, "lon": None}),
        json.dumps([1, 2, 3]),
        json.dumps("just a string"),
        "{" + '"a":' * 50 + "1",
    ]
    (HERE / "app_bad_values.jsonl").write_text("\n".join(bad) + "\n", encoding="utf-8")
    (HERE / "app_not_json.jsonl").write_text("<html><body>502 Bad Gateway</body></html>\n", encoding="utf-8")

    rows = [ROW.format(i=i, notes="ok") for i in range(1, 4)]
    (HERE / "partner_semicolon.csv").write_text(
        HEADER.replace(",", ";") + "\n" + "\n".join(r.replace(",", ";") for r in rows) + "\n", encoding="utf-8")
    (HERE / "partner_missing_columns.csv").write_text("CaseRef,DateReported\nH1,03/02/2025\n", encoding="utf-8")
    (HERE / "partner_extra_columns.csv").write_text(
        HEADER + ",Extra\n" + "\n".join(r + ",more" for r in rows) + "\n", encoding="utf-8")
    formulas = [ROW.format(i=1, notes='"=HYPERLINK(""http://evil.example"",""click"")"'),
                ROW.format(i=2, notes="+1+1").replace("Sex Trafficking", "=cmd|' /C calc'!A0"),
                ROW.format(i=3, notes="@SUM(A1:A9)")]
    (HERE / "partner_formulas.csv").write_text(HEADER + "\n" + "\n".join(formulas) + "\n", encoding="utf-8")
    (HERE / "partner_latin1.csv").write_bytes(
        (HEADER + "\n" + ROW.format(i=1, notes='"réfugiée, São Tomé"') + "\n").encode("latin-1"))
    (HERE / "partner_utf16.csv").write_bytes((HEADER + "\n" + "\n".join(rows) + "\n").encode("utf-16"))
    (HERE / "partner_truncated.csv").write_text(
        HEADER + "\n" + rows[0] + "\n" + ROW.format(i=9, notes='"an open quote that never ends'), encoding="utf-8")
    (HERE / "partner_ragged.csv").write_text(
        HEADER + "\n" + rows[0] + "\n" + rows[1] + ",surplus,fields\n" + rows[2] + "\n", encoding="utf-8")
    (HERE / "partner_dates_and_places.csv").write_text(HEADER + "\n" + "\n".join([
        ROW.format(i=1, notes="ok").replace("01/02/2025", "31/02/2024"),
        ROW.format(i=2, notes="ok").replace(",,,Sex", ",91.0,200.0,Sex"),
        ROW.format(i=3, notes="ok").replace("Nigeria,,,", "Atlantis,,,"),
        ROW.format(i=4, notes="ok").replace(",1,F,", ",lots,F,"),
        ROW.format(i=1, notes="duplicate id"),
    ]) + "\n", encoding="utf-8")
    (HERE / "partner_empty.csv").write_text("", encoding="utf-8")

    item = ("<item><title>Human trafficking: forced labour on farm in Almería</title><link>https://e.org/{i}</link>"
            "<pubDate>Mon, 03 Feb 2025 09:00:00 +0000</pubDate><description>Spain.</description></item>")
    feed = '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>' + item.format(i=1) + item.format(i=2)
    (HERE / "feed_truncated.rss").write_text(feed + item.format(i=3)[:60], encoding="utf-8")
    (HERE / "feed_not_xml.rss").write_bytes(bytes(range(256)) * 4)
    (HERE / "feed_script_injection.rss").write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item>'
        "<title>Human trafficking &lt;script&gt;alert(1)&lt;/script&gt; forced labour in Madrid</title>"
        "<link>javascript:alert(1)</link><guid>evil-1</guid>"
        "<pubDate>Mon, 03 Feb 2025 09:00:00 +0000</pubDate>"
        "<description>&lt;img src=x onerror=alert(1)&gt; Spain</description></item></channel></rss>",
        encoding="utf-8")


if __name__ == "__main__":
    main()
