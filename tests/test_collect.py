import json

import pandas as pd
import pytest

from workbench.collect import collect
from workbench.text.dates import DateParseError, parse_partial_date
from workbench.places.gazetteer import country_to_iso3, locate, resolve_city
from workbench.collect.osint import detect_language, geoparse, tag_text
from workbench.text.pii import scrub_text
from workbench.store import Store


def app_line(i, **over):
    rec = {"report_id": f"A{i}", "submitted_at": "2025-03-01T10:00:00Z", "language": "es",
           "incident_date": "2025-02", "location": None, "place": "Medellín", "country": "CO",
           "exploitation": ["forced_labour"], "control": [], "victims": {"count": 2, "nationality": "VE"},
           "description": "Llamar al +57 300 123 4567", "grading": "C2"}
    rec.update(over)
    return json.dumps(rec, ensure_ascii=False)


def test_app_collector_parses_locates_scrubs_and_rejects_by_line(tmp_path):
    path = tmp_path / "app.jsonl"
    lines = [app_line(1), app_line(2, incident_date="2025-13-45"), "{not json", app_line(3, victims=[1]),
             app_line(4, location={"lat": 4.6, "lon": -74.1})]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = collect(path, {"collector": "app", "source_name": "app"})
    assert result.rows_in == 5 and len(result.candidates) == 2 and len(result.rejects) == 3
    first = result.candidates.iloc[0]
    assert first.country_iso3 == "COL" and first.location_precision == "city" and first.h3_cell
    assert first.occurred_precision == "month" and first.victim_nationality_iso3 == "VEN"
    assert "[phone]" in first.summary and "300" not in first.summary
    assert result.candidates.iloc[1].location_precision == "exact"
    reasons = " | ".join(result.rejects["reason"])
    assert "line 2 (A2)" in reasons and "'incident_date'" in reasons
    assert "line 3" in reasons and "invalid JSON" in reasons
    assert "line 4 (A3)" in reasons and "'victims'" in reasons


def test_app_report_without_exploitation_type_is_stored_as_not_recorded(tmp_path):
    path = tmp_path / "app.jsonl"
    missing = json.loads(app_line(3))
    del missing["exploitation"]
    lines = [app_line(1, exploitation=[]), app_line(2, exploitation=None), json.dumps(missing),
             app_line(4, exploitation=["forced_labour", "people_smuggling"])]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = collect(path, {"collector": "app", "source_name": "app"})
    assert result.rows_in == 4 and len(result.rejects) == 0
    store = Store(tmp_path / "store")  # the schema gate at ingest decides what is wrong
    report = store.ingest(result.candidates, result.rejects, catalog_entry="app", rows_in=result.rows_in,
                          source_file_sha256=result.source_file_sha256)
    assert (report.rows_in, report.new, report.quarantined) == (4, 3, 1)
    stored = store.incidents().set_index("source_record_id")["exploitation_types"]
    assert {k: list(v) for k, v in stored.items()} == {"A1": ["not_recorded"], "A2": ["not_recorded"],
                                                      "A3": ["not_recorded"]}
    reject = store.quarantine().iloc[0]  # an unknown code is wrong, not incomplete: quarantined, record + field
    assert reject.record == "A4" and "field 'exploitation_types'=" in reject.reason
    assert "people_smuggling" in reject.reason


def test_partner_collector_uses_crosswalk_and_quarantines_unmapped(tmp_path):
    path = tmp_path / "p.csv"
    pd.DataFrame([
        {"CaseRef": "H1", "DateReported": "03/02/2025", "DateOfIncident": "01/02/2025", "Town": "Lagos",
         "CountryName": "Nigeria", "Latitude": "", "Longitude": "", "CaseType": "Sex Trafficking",
         "Industry": "Online", "HowRecruited": "Boyfriend", "ControlMethods": "Juju", "NoOfVictims": "1",
         "VictimSex": "F", "VictimAge": "18-24", "Nationality": "Nigeria", "OriginCountry": "Nigeria",
         "Notes": "mail x@example.org"},
        {"CaseRef": "H2", "DateReported": "03/02/2025", "DateOfIncident": "", "Town": "", "CountryName": "Narnia",
         "Latitude": "", "Longitude": "", "CaseType": "Sex Trafficking", "Industry": "", "HowRecruited": "",
         "ControlMethods": "", "NoOfVictims": "", "VictimSex": "", "VictimAge": "", "Nationality": "",
         "OriginCountry": "", "Notes": ""},
        {"CaseRef": "H3", "DateReported": "03/02/2025", "DateOfIncident": "", "Town": "", "CountryName": "Ghana",
         "Latitude": "", "Longitude": "", "CaseType": "Wildlife Crime", "Industry": "", "HowRecruited": "",
         "ControlMethods": "", "NoOfVictims": "", "VictimSex": "", "VictimAge": "", "Nationality": "",
         "OriginCountry": "", "Notes": ""},
    ]).to_csv(path, index=False)
    meta = {"collector": "partner", "source_name": "HLA", "crosswalk": "harbour_light", "date_format": "%d/%m/%Y"}
    result = collect(path, meta)
    assert result.rows_in == 3 and len(result.candidates) == 1
    row = result.candidates.iloc[0]
    assert row.exploitation_types == ["sexual_exploitation"] and row.means_of_control == ["juju_or_ritual_oath"]
    assert row.recruitment_method == "romance_lover_boy" and row.country_iso3 == "NGA"
    assert row.summary == "mail [email]"
    reasons = " | ".join(result.rejects["reason"])
    assert "row 3 (H2)" in reasons and "'Narnia'" in reasons
    assert "row 4 (H3)" in reasons and "'Wildlife Crime'" in reasons
    assert result.notes["unmapped"].to_dict("records") == [{"field": "CaseType", "value": "Wildlife Crime", "records": 1}]


def test_osint_triage_tags_geoparses_and_counts_irrelevant(tmp_path):
    path = tmp_path / "feed.rss"
    path.write_text("""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>Police free 12 victims of forced labour on a farm in Almería</title><link>https://e.org/1</link>
<pubDate>Mon, 03 Feb 2025 09:00:00 +0000</pubDate><description>Passports confiscated, Spain.</description></item>
<item><title>Football club wins cup in Lagos</title><link>https://e.org/2</link>
<pubDate>Mon, 03 Feb 2025 09:00:00 +0000</pubDate><description>Nigeria.</description></item>
<item><title>Human trafficking ring dismantled</title><link>https://e.org/3</link><description>x</description></item>
</channel></rss>""", encoding="utf-8")
    result = collect(path, {"collector": "osint", "source_name": "wire"})
    assert {k: result.notes[k] for k in ("not_relevant", "items")} == {"not_relevant": 1, "items": 3}
    volume = result.notes["media_volume"].set_index("country_iso3")  # the two dated items, relevant or not
    assert len(volume) == 2 and bool(volume.loc["ESP", "relevant"]) and not bool(volume.loc["NGA", "relevant"])
    assert len(result.candidates) == 1 and len(result.rejects) == 1
    row = result.candidates.iloc[0]
    assert row.exploitation_types == ["forced_labour"] and row.sector == "agriculture"
    assert row.country_iso3 == "ESP" and row.place_name == "Almería" and row.url == "https://e.org/1"
    assert "published" in result.rejects["reason"].iloc[0]


def test_lexicon_is_multilingual():
    assert tag_text("Rescatan víctimas de trata de personas y explotación sexual")["exploitation_types"] == [
        "sexual_exploitation"]
    assert tag_text("Поліція: торгівля людьми, примусова праця")["exploitation_types"] == ["forced_labour"]
    assert not tag_text("The weather is nice")["relevant"]
    assert detect_language("La policía liberó a las víctimas en la ciudad") == "es"
    assert detect_language("anything", hint="pt-BR") == "pt"


def test_gazetteer_resolves_ambiguity_by_country_then_population():
    assert resolve_city("London")["country_iso3"] == "GBR"
    assert resolve_city("London", "CAN")["country_iso3"] == "CAN"
    assert geoparse("Victims found in London, Ontario, Canada")["country_iso3"] == "CAN"
    assert country_to_iso3("Côte d’Ivoire") == "CIV" and country_to_iso3("gb") == "GBR"
    assert country_to_iso3("Narnia") is None
    located = locate(pd.DataFrame({"lat": [None], "lon": [None], "place_name": ["Atlantis"], "country_iso3": ["GRC"]}))
    assert located.loc[0, "location_precision"] == "country" and pd.isna(located.loc[0, "h3_cell"])


def test_dates_keep_their_precision():
    assert parse_partial_date("2024") == (pd.Timestamp("2024-01-01"), "year")
    assert parse_partial_date("2024-05") == (pd.Timestamp("2024-05-01"), "month")
    assert parse_partial_date("12/05/2024", "%d/%m/%Y") == (pd.Timestamp("2024-05-12"), "day")
    assert parse_partial_date("") == (None, None)
    with pytest.raises(DateParseError):
        parse_partial_date("31/02/2024", "%d/%m/%Y")


def test_scrub_removes_contact_details_but_keeps_dates_and_numbers():
    text = scrub_text("Call +44 7700 900123 or 0803 123 4567, mail a.b@example.org, IBAN GB33BUKB20201555555555, "
                      "@handle1; 12 workers on 05.05.2024")
    for secret in ("7700", "0803", "example.org", "GB33", "handle1"):
        assert secret not in text
    assert "12 workers on 05.05.2024" in text


@pytest.mark.parametrize("text, name", [
    ("The victim, Maria Lopez, 23, told police she was never paid", "Maria Lopez"),
    ("Victim named as Joy Okafor after raid in Lagos", "Joy Okafor"),
    ("A woman identified as Ana de la Cruz was freed", "Ana de la Cruz"),
    ("La víctima, Elena Ruiz, de 19 años, fue rescatada", "Elena Ruiz"),
    ("La victime, Amina Diallo, a été libérée", "Amina Diallo"),
    ("A vítima, Lucia Ferreira, foi resgatada em Belém", "Lucia Ferreira"),
    ("Жертва, Марія Коваленко, 23 роки, розповіла поліції", "Марія Коваленко"),
    ("Женщина по имени Анна Петрова была освобождена", "Анна Петрова"),
])
def test_named_victims_are_scrubbed(text, name):
    out = scrub_text(text)
    assert "[name]" in out
    assert not any(part in out for part in name.split() if part not in ("de", "la"))


def test_names_without_a_lead_and_places_are_kept():
    text = "Victims freed in New York City; the victim, police said, was 19. Police named as suspects two men."
    assert scrub_text(text) == text
