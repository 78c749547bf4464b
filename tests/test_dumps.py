"""Article dumps: reading, accounting, syndicated copies merged into stories, PII."""

import json

import pandas as pd
import pytest

from workbench.collect import collect
from workbench.store import Store


def article(i, **over):
    rec = {"id": f"a{i}", "url": f"https://news{i}.example.net/{i}", "outlet": f"Outlet {i}",
           "published": "2026-03-02T09:00:00Z", "language": "en",
           "title": f"Police free {i + 2} victims of forced labour in Almería",
           "body": "Workers on a farm in Spain had their passports confiscated, police said."}
    rec.update(over)
    return rec


def ingest(store, path, entry, meta=None):
    meta = meta or {"collector": "osint_dump", "source_name": "monitor"}
    result = collect(path, meta)
    return store.ingest(result.candidates, result.rejects, catalog_entry=entry,
                        source_file_sha256=result.source_file_sha256, rows_in=result.rows_in,
                        not_relevant=result.notes["not_relevant"], media_items=result.notes["media_volume"]), result


def test_jsonl_dump_accounts_for_every_line_and_names_fields(tmp_path):
    lines = [json.dumps(article(1)), "{broken", json.dumps(article(2, id="")),
             json.dumps(article(3, published="last tuesday")), json.dumps(article(4, title="", body="")),
             json.dumps(article(5, title="Metro line opens", body="Trains run on time in Madrid.")),
             json.dumps({"guid": "a6", "link": "https://x.example.net/6", "source": "Wire", "date": "2026-03-03",
                         "headline": "Human trafficking: the victim, Maria Lopez, 23, was freed in Lagos",
                         "text": "Sexual exploitation in a brothel, police said."})]
    path = tmp_path / "dump.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = collect(path, {"collector": "osint_dump", "source_name": "monitor"})
    assert result.notes["items"] == 7 and result.notes["not_relevant"] == 1
    assert result.rows_in + result.notes["not_relevant"] == 7
    assert sorted(result.candidates["source_record_id"]) == ["a1", "a6"]
    reasons = " | ".join(result.rejects["reason"])
    assert "line 2: invalid JSON" in reasons
    assert "line 3: field 'link'/'id' is missing" in reasons
    assert "line 4 (a3): field 'published'='last tuesday'" in reasons
    assert "line 5 (a4): fields 'title', 'body': both empty" in reasons
    a6 = result.candidates.set_index("source_record_id").loc["a6"]
    assert a6.country_iso3 == "NGA" and a6.url == "https://x.example.net/6" and a6.outlet == "Wire"
    assert "Maria" not in a6.summary and "[name]" in a6.summary
    assert "sexual_exploitation" in a6.exploitation_types
    # what is stored for an article: scrubbed title, tags, place, link; never the body
    assert not any("brothel" in str(v) for v in result.candidates.drop(columns="minhash").to_numpy().ravel())


def test_csv_dump_is_read_like_jsonl(tmp_path):
    path = tmp_path / "dump.csv"
    pd.DataFrame([article(1), article(2, language="es", title="Liberan a víctimas de trabajo forzoso en Almería",
                                      body="La policía liberó a trabajadores en España.")]).to_csv(path, index=False)
    result = collect(path, {"collector": "osint_dump", "source_name": "monitor"})
    assert len(result.candidates) == 2 and result.rejects.empty
    assert sorted(result.candidates["language"]) == ["en", "es"]


def test_syndicated_copies_merge_within_and_across_batches(tmp_path):
    body = ("Officers in Almería said twelve people were held in greenhouses for months; operation Amber Falcon "
            "began six weeks ago after a tip, passports were confiscated and wages withheld, and four suspects "
            "were arrested at three addresses, the prosecutor said on Tuesday.")
    other = ("A cannabis farm run by a gang in Manchester, England, held three teenagers in forced labour; "
             "detectives said the boys were recruited online and moved between houses in the north.")
    day1 = [article(1, body=body), article(2, title="UPDATE: " + article(1)["title"], body=body[:200] + " Follow us."),
            article(3, title="Cannabis farm forced labour in Manchester", body=other),
            article(4, title="Exclusive: " + article(1)["title"], body=body + " Read more at Outlet 4.")]
    day2 = [article(5, published="2026-03-04T10:00:00Z", body=body[:180] + " Subscribe."),
            article(6, published="2026-04-20T10:00:00Z", body=body)]  # same words 7 weeks later: a new event
    store = Store(tmp_path / "store")
    p1, p2 = tmp_path / "d1.jsonl", tmp_path / "d2.jsonl"
    p1.write_text("\n".join(json.dumps(a) for a in day1), encoding="utf-8")
    p2.write_text("\n".join(json.dumps(a) for a in day2), encoding="utf-8")
    r1, _ = ingest(store, p1, "dump")
    assert (r1.new, r1.merged, r1.rows_in, r1.items) == (2, 2, 2, 4)
    assert "rows in 4 = stored 2 (new 2, already stored 0) + quarantined 0 + not relevant 0 + merged duplicates 2" \
        in str(r1)
    r2, _ = ingest(store, p2, "dump")
    assert (r2.new, r2.merged) == (1, 1)
    incidents = store.incidents().set_index("source_record_id")
    assert incidents.loc["a1", "mention_count"] == 4 and incidents.loc["a3", "mention_count"] == 1
    assert incidents.loc["a6", "mention_count"] == 1 and len(incidents) == 3
    mentions = store.mentions()
    story = incidents.loc["a1", "incident_id"]
    assert set(mentions.loc[mentions["incident_id"] == story, "source_record_id"]) == {"a1", "a2", "a4", "a5"}
    assert set(mentions["outlet"]) >= {"Outlet 1", "Outlet 5"}
    # the same articles again in another file: already stored, no mention counted twice
    p3 = tmp_path / "d3.jsonl"
    p3.write_text("\n".join(json.dumps(a) for a in day1 + day2) + "\n", encoding="utf-8")
    r3, _ = ingest(store, p3, "dump")
    assert (r3.new, r3.merged, r3.already_stored) == (0, 0, 6)
    assert len(store.mentions()) == 6 and store.incidents().set_index("source_record_id").loc["a1", "mention_count"] == 4
    # media volume counts each item once, however many files carried it
    volume = store.media_volume()
    assert volume["items"].sum() == 6 and volume["relevant"].sum() == 6
    assert set(volume["country_iso3"]) == {"ESP", "GBR"}


def test_orphan_files_of_the_new_tables_are_cleaned(tmp_path):
    store = Store(tmp_path / "store")
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps(article(1)) + "\n", encoding="utf-8")
    ingest(store, path, "dump")
    orphan = tmp_path / "store" / "mentions" / "part-orphan.parquet"
    store.mentions().to_parquet(orphan)
    assert len(store.mentions()) == 1  # the manifest does not list it: invisible
    path.write_text(json.dumps(article(2)) + "\n", encoding="utf-8")
    ingest(store, path, "dump")
    assert not orphan.exists()


@pytest.fixture(scope="module")
def demo_dump(tmp_path_factory):
    from workbench.synthetic.demo import DemoConfig, simulate_incidents
    from workbench.synthetic.osint import write_article_dump

    out = tmp_path_factory.mktemp("dump")
    truth = write_article_dump(simulate_incidents(DemoConfig(seed=5, scale=0.3)), out, 5)
    store = Store(out / "store")
    reports = [ingest(store, out / name, name)[0] for name in ("media_dump_1.jsonl", "media_dump_2.csv")]
    return out, truth, store, reports


def test_demo_dump_clusters_match_the_planted_stories(demo_dump):
    out, truth, store, reports = demo_dump
    assert sum(r.items for r in reports) == truth["articles"] + truth["broken_records"]
    assert sum(r.quarantined for r in reports) == truth["broken_records"]
    mentions = store.mentions()
    found = mentions.assign(story=mentions["source_record_id"].map(truth["stories"]))
    assert found["story"].notna().all() and len(found) == truth["relevant_articles"]
    # every planted story is one incident, and no incident mixes two stories
    assert (found.groupby("story")["incident_id"].nunique() == 1).all()
    assert (found.groupby("incident_id")["story"].nunique() == 1).all()
    assert store.counts()["incidents"] == truth["n_stories"]
    big = found.loc[found["story"] == truth["big_story"]["story"], "incident_id"].iloc[0]
    incidents = store.incidents().set_index("incident_id")
    assert incidents.loc[big, "mention_count"] == truth["big_story"]["outlets"] == 40
    assert reports[1].merged > 0 and mentions.loc[mentions["incident_id"] == big, "batch_id"].nunique() == 2


def test_demo_dump_stores_no_victim_names_and_reconciles(demo_dump):
    from workbench.doctor import check_store

    out, truth, store, reports = demo_dump
    assert truth["victim_names"]
    stored = " ".join(store.incidents()["summary"].dropna()) + " ".join(store.quarantine()["raw"].dropna())
    assert not any(name in stored for name in truth["victim_names"])
    for r in reports:
        assert r.rows_in == r.new + r.already_stored + r.quarantined
        assert r.items == r.new + r.already_stored + r.quarantined + r.not_relevant + r.merged
    assert all(f.ok for f in check_store(store.root) if not f.warning)


def test_rewritten_reports_of_one_event_are_one_incident(tmp_path):
    # the same indictment told in three outlets' own words (MinHash alone keeps them apart) and one other event
    arts = [
        article(1, title="Andrew Tate indicted in Romania for human trafficking",
                body="Prosecutors in Bucharest charged Andrew Tate and his brother Tristan with trafficking and "
                     "forming a gang to sexually exploit seven women."),
        article(2, title="Andrew Tate to stand trial in Romania over human trafficking, sex crimes",
                body="Romanian prosecutors sent Andrew Tate, his brother Tristan and two women to trial in Bucharest."),
        article(3, published="2026-03-03T08:00:00Z", title="Tate brothers charged with trafficking in Bucharest",
                body="Andrew and Tristan Tate face trial for human trafficking of women, Romanian prosecutors said."),
        article(4, title="Police free 12 victims of forced labour on a farm in Almería",
                body="Workers on a farm in Spain had their passports confiscated, police said."),
    ]
    path = tmp_path / "d.jsonl"
    path.write_text("\n".join(json.dumps(a) for a in arts), encoding="utf-8")
    store = Store(tmp_path / "store")
    report, result = ingest(store, path, "dump")
    assert result.candidates["story_key"].nunique() == 2
    assert (report.new, report.merged, report.items) == (2, 2, 4)
    incidents = store.incidents().set_index("source_record_id")
    assert incidents.loc["a1", "mention_count"] == 3 and incidents.loc["a4", "mention_count"] == 1
    mentions = store.mentions()
    tate = incidents.loc["a1", "incident_id"]
    assert set(mentions.loc[mentions["incident_id"] == tate, "source_record_id"]) == {"a1", "a2", "a3"}
