"""OSINT triage: lexicon, false friends, language, places, dates, classifier and evaluation."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench.collect.evaluation import (
    evaluate,
    haversine_km,
    load_labelled,
    score,
)
from workbench.collect.osint import tag_text
from workbench.collect.triage import (
    RelevanceClassifier,
    Triage,
    detect_language,
    extract_date,
    fold_text,
    geoparse_folded,
    lexicon_tags,
)
from workbench.places.gazetteer import fold
from workbench.synthetic.labelled_news import make_labelled_set

HAND = Path(__file__).parent / "data" / "osint_labelled.jsonl"
REF = pd.Timestamp("2026-03-15")


def test_fast_fold_is_the_gazetteer_fold():
    for text in ["Côte d’Ivoire", "Торгівля ЛЮДЬМИ  в Києві", "São Paulo\tÉTÉ", "İstanbul", "Przemyśl ﬁ"]:
        assert fold_text(text) == fold(text)


@pytest.mark.parametrize("text", [
    "Police arrest drug trafficking gang in Lagos",
    "Wildlife trafficking: ivory seized at the port",
    "Arms trafficking network dismantled, 20 rifles seized",
    "Traffic jam on the ring road after a crash",
    "Detenidos por tráfico de drogas en Sevilla",
    "Démantèlement d'un trafic de drogue à Marseille",
    "Polícia prende suspeitos de tráfico de drogas no Porto",
    "У Києві затримали наркоторговців",
    "В Москве пробки из-за снегопада",
    "Se trata de la Semana Santa con más visitantes",
])
def test_false_friends_are_not_relevant(text):
    assert not lexicon_tags(text)["relevant"]


def test_false_friend_next_to_human_trafficking_stays_relevant():
    tags = lexicon_tags("The drug trafficking gang also ran a sex trafficking ring in Madrid")
    assert tags["relevant"] and tags["exploitation_types"] == ["sexual_exploitation"]
    assert tag_text("Se trata de un caso de trata de personas con explotación sexual")["relevant"]


def test_weak_terms_need_support():
    assert not lexicon_tags("Trafficking figures discussed at the summit")["relevant"]
    assert lexicon_tags("Trafficking gang arrested; five victims freed")["relevant"]


@pytest.mark.parametrize("text, expected", [
    ("Поліція розслідує торгівлю людьми", True),     # accusative
    ("Справа про торгівлю людьми та примусову працю", True),
    ("Задержаны за торговлю людьми", True),           # Russian accusative
    ("Борьба с торговлей людьми", True),              # instrumental
    ("Торговля овощами выросла", False),              # the stem alone is not enough
])
def test_slavic_stems_cover_cases(text, expected):
    assert lexicon_tags(text)["relevant"] is expected


def test_every_tag_group_has_every_core_language():
    cases = {
        "es": "Liberadas víctimas de explotación sexual en un club nocturno; les quitaron el pasaporte, "
              "captadas con una oferta de trabajo",
        "fr": "Victimes d'exploitation sexuelle dans un salon de massage, passeport confisqué, "
              "recrutées par une offre d'emploi",
        "pt": "Vítimas de exploração sexual numa boate; passaporte retido, aliciadas com oferta de emprego",
        "uk": "Жертви сексуальної експлуатації у нічному клубі, відібрали паспорти, пропозиція роботи",
        "ru": "Жертвы сексуальной эксплуатации в ночном клубе, отобрали паспорта, предложение работы",
        "en": "Victims of sexual exploitation in a nightclub; passports confiscated after a fake job offer",
    }
    for lang, text in cases.items():
        tags = lexicon_tags(text)
        assert tags["relevant"], lang
        assert tags["exploitation_types"] == ["sexual_exploitation"], lang
        assert tags["sector"] == "entertainment", lang
        assert tags["recruitment_method"] == "false_job_offer", lang
        assert "document_confiscation" in tags["means_of_control"], lang


@pytest.mark.parametrize("text, lang", [
    ("The police said the victims were found in a farm near the town", "en"),
    ("La policía liberó a las víctimas en la ciudad según los investigadores", "es"),
    ("La police a libéré les victimes dans un atelier selon le parquet", "fr"),
    ("A polícia resgatou as vítimas em uma fazenda segundo os fiscais", "pt"),
    ("Поліція звільнила потерпілих, що працювали на фермі, повідомили у відомстві", "uk"),
    ("Полиция освободила пострадавших, что работали на ферме, сообщили в ведомстве", "ru"),
    ("La polizia ha liberato le vittime che lavoravano nei campi secondo la procura", "it"),
    ("Die Polizei hat die Opfer befreit, die auf dem Hof arbeiten mussten", "de"),
    ("Policja uwolniła ofiary, które pracowały na farmie przez wiele miesięcy", "pl"),
])
def test_language_identification(text, lang):
    assert detect_language(text) == lang
    assert detect_language(text, hint="es-ES") == "es"


@pytest.mark.parametrize("text, lang, expected", [
    ("Raid on 12 March 2026 freed 4 workers", "en", "2026-03-12"),
    ("Raid on March 12, 2026", "en", "2026-03-12"),
    ("It happened on the 3rd of March", "en", "2026-03-03"),
    ("Operación del 12/03/2026 en Madrid", "es", "2026-03-12"),
    ("Controle le 12.03.2026", "fr", "2026-03-12"),
    ("Published 2026-01-05", None, "2026-01-05"),
    ("Los hechos ocurrieron el 3 de marzo", "es", "2026-03-03"),
    ("Les faits remontent au 3 mars", "fr", "2026-03-03"),
    ("Interpellé le 1er mars 2025", "fr", "2025-03-01"),
    ("Resgate em 3 de março de 2026", "pt", "2026-03-03"),
    ("Затримання відбулося 3 березня", "uk", "2026-03-03"),
    ("Задержание произошло 3 марта", "ru", "2026-03-03"),
    ("Il blitz del 3 marzo", "it", "2026-03-03"),
    ("Die Razzia am 3. März", "de", "2026-03-03"),
    ("Akcja 3 marca", "pl", "2026-03-03"),
    ("Police said yesterday", "en", "2026-03-14"),
    ("La policía informó ayer", "es", "2026-03-14"),
    ("La police a indiqué hier", "fr", "2026-03-14"),
    ("A polícia informou ontem", "pt", "2026-03-14"),
    ("Полиция сообщила вчера", "ru", "2026-03-14"),
    ("Поліція повідомила вчора", "uk", "2026-03-14"),
    ("Police said today", "en", "2026-03-15"),
    ("Detenidos anteayer", "es", "2026-03-13"),
    ("Raid on 20 December", "en", "2025-12-20"),   # no year, would be in the future: last year
])
def test_every_supported_date_format(text, lang, expected):
    assert extract_date(text, lang, REF) == pd.Timestamp(expected)


def test_dates_that_are_not_dates():
    assert extract_date("Case 31/02/2026 and nothing else", "en", REF) is None
    assert extract_date("No date here", "en", REF) is None
    assert extract_date("Die Polizei war hier", "de", REF) is None  # German "hier" is "here"


@pytest.mark.parametrize("text, place, iso3", [
    ("Поліція у Києві викрила схему", "Kyiv", "UKR"),
    ("В Москве задержаны торговцы людьми", "Moscow", "RUS"),
    ("La police de Varsovie enquête", "Warsaw", "POL"),
    ("Boy found in a Birmingham cannabis factory had been trafficked through France", "Birmingham", "GBR"),
    ("Victims found in London, Ontario, Canada", "London", "CAN"),
    ("Imigrantes explorados em Beja", "Beja", "PRT"),   # the Portuguese Beja for Portuguese text
])
def test_geoparse_exonyms_cases_and_context(text, place, iso3):
    lang = detect_language(text)
    got = geoparse_folded(fold_text(text), lang)
    assert (got["place_name"], got["country_iso3"]) == (place, iso3)
    assert got["lat"] is not None


def test_common_words_are_not_places():
    got = geoparse_folded(fold_text("Police and the union met para discutir"))
    assert got["place_name"] is None


def test_triage_default_path_needs_no_model_and_flags_review():
    triage = Triage()
    strong = triage.triage("Police rescue 12 victims of forced labour on a farm in Almería yesterday",
                           reference=REF)
    assert strong.relevant and strong.confidence == "high" and strong.probability is None
    assert strong.tags["exploitation_types"] == ["forced_labour"] and strong.place_name == "Almería"
    assert strong.date == pd.Timestamp("2026-03-14") and strong.language == "en"
    weak = triage.triage("Traffickers arrested in Leeds; five victims freed")
    assert weak.relevant and weak.confidence == "low" and "weak_term_only" in weak.reasons
    none = triage.triage("Heavy rain expected in Lyon")
    assert not none.relevant and none.confidence == "high"


def test_classifier_fits_saves_loads_and_combines(tmp_path):
    train = make_labelled_set(160, seed=5)
    clf = RelevanceClassifier(max_features=20_000).fit(train["text"], train["relevant"])
    test = make_labelled_set(40, seed=6)
    probs = clf.predict_proba(test["text"])
    assert probs.shape == (40,) and ((probs >= 0.5) == test["relevant"]).mean() > 0.85
    path = clf.save(tmp_path / "models" / "relevance.joblib")
    again = RelevanceClassifier.load(path)
    assert np.allclose(again.predict_proba(test["text"]), probs)
    with pytest.raises(ValueError, match="both"):
        RelevanceClassifier().fit(["a b c", "d e f"], [True, True])

    class Fixed:  # a classifier that always says 0.5: uncertain, and it disagrees with "no"
        def predict_proba(self, texts):
            return np.full(len(texts), 0.5)

    out = Triage(Fixed()).triage_many(["Heavy rain expected in Lyon",
                                       "Police rescue victims of forced labour in Leeds"])
    assert list(out["confidence"]) == ["low", "low"]
    assert "classifier_uncertain" in out.loc[0, "reasons"] and "classifier_disagrees" in out.loc[0, "reasons"]
    assert list(out["relevant"]) == [False, True]  # a strong lexicon term keeps the decision


def test_score_computes_metrics_on_a_toy_set():
    labelled = pd.DataFrame({
        "text": ["a", "b", "c", "d", "e"],
        "language": ["en", "en", "en", "es", "es"],
        "relevant": [True, True, False, False, True],
        "exploitation_types": [["forced_labour"], ["sexual_exploitation"], [], [], ["forced_labour"]],
        "sector": ["agriculture", None, None, None, "construction"],
        "lat": [51.5, 51.5, np.nan, 40.0, 40.0], "lon": [0.0, 0.0, np.nan, -3.0, -3.0],
        "date": pd.to_datetime(["2026-01-01", None, None, "2026-01-02", "2026-01-03"]),
    })
    predicted = pd.DataFrame({
        "relevant": [True, False, True, False, True],          # en: tp 1, fn 1, fp 1; es: tp 1, tn 1
        "language": ["en", "en", "es", "es", "es"],
        "exploitation_types": [["forced_labour"], [], [], [], ["forced_labour", "child_exploitation"]],
        "sector": ["agriculture", None, None, None, "agriculture"],
        "lat": [51.8, 52.5, None, 40.0, None],                 # 33 km (in), 111 km (out), exact, missing
        "lon": [0.0, 0.0, None, -3.0, None],
        "date": pd.to_datetime(["2026-01-01", None, None, "2026-01-05", "2026-01-03"]),
    })
    res = score(labelled, predicted)
    rel = res.relevance.set_index("language")
    assert rel.loc["en", ["tp", "fp", "fn", "tn"]].tolist() == [1, 1, 1, 0]
    assert rel.loc["en", "precision"] == 0.5 and rel.loc["en", "recall"] == 0.5 and rel.loc["en", "f1"] == 0.5
    assert rel.loc["es", "f1"] == 1.0
    assert rel.loc["ALL", "precision"] == pytest.approx(2 / 3) and rel.loc["ALL", "recall"] == pytest.approx(2 / 3)
    tags = res.tags.set_index("tag")
    assert tags.loc["exploitation_types:forced_labour", ["tp", "fp", "fn"]].tolist() == [2, 0, 0]
    assert tags.loc["exploitation_types:sexual_exploitation", ["tp", "fp", "fn"]].tolist() == [0, 0, 1]
    assert tags.loc["exploitation_types:child_exploitation", ["tp", "fp", "fn"]].tolist() == [0, 1, 0]
    assert tags.loc["sector:agriculture", ["tp", "fp", "fn"]].tolist() == [1, 1, 0]
    lang = res.language.set_index("language")
    assert lang.loc["en", "accuracy"] == pytest.approx(2 / 3) and lang.loc["es", "accuracy"] == 1.0
    geo = res.geo.set_index("language")
    assert geo.loc["ALL", "n"] == 4 and geo.loc["ALL", "within_km"] == 2
    dates = res.dates.set_index("language")
    assert dates.loc["ALL", "n"] == 3 and dates.loc["ALL", "correct"] == 2
    assert haversine_km(51.5074, -0.1278, 48.8566, 2.3522)[0] == pytest.approx(344, abs=2)
    with pytest.raises(ValueError, match="rows"):
        score(labelled, predicted.iloc[:2])


def test_hand_labelled_set_meets_the_floor_per_language():
    hand = load_labelled(HAND)
    counts = hand["language"].value_counts()
    assert set(counts.index) >= {"en", "es", "fr", "pt", "uk", "ru"} and len(hand) >= 60
    res = evaluate(Triage(), hand)
    rel = res.relevance.set_index("language")
    for lang, n in counts.items():
        if n >= 8:
            assert rel.loc[lang, "f1"] >= 0.9, (lang, rel.loc[lang].to_dict())
    negatives = hand[hand["kind"] == "hard_negative"]
    assert len(negatives) >= 12
    assert not res.predictions.loc[negatives.index, "relevant"].any()
    assert (res.language["accuracy"] >= 0.9).all()
    assert res.geo.set_index("language").loc["ALL", "accuracy"] >= 0.85


def test_generated_set_is_seeded_and_has_hard_negatives():
    a, b = make_labelled_set(120, seed=3), make_labelled_set(120, seed=3)
    pd.testing.assert_frame_equal(a, b)
    assert set(a["kind"]) == {"relevant", "hard_negative", "unrelated"}
    assert set(a["language"]) == {"en", "es", "fr", "pt", "uk", "ru"}
    res = evaluate(Triage(), a)
    hard = a["kind"] == "hard_negative"
    assert not res.predictions.loc[hard, "relevant"].any()
    with pytest.raises(ValueError, match="languages"):
        make_labelled_set(5, languages=("xx",))


def test_load_labelled_names_the_bad_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "x", "language": "en", "relevant": true}\n{"text": "y", "language": "en"}\n',
                   encoding="utf-8")
    with pytest.raises(ValueError, match=r"line 2: field 'relevant'"):
        load_labelled(bad)


def _store_like(n_strong: int, n_weak: int) -> pd.DataFrame:
    import h3

    rows = []
    for i in range(n_strong + n_weak):
        weak = i >= n_strong
        rows.append({
            "source_type": "osint", "language": "en" if i % 2 else "es",
            "occurred_on": pd.Timestamp("2026-01-10") + pd.Timedelta(days=31 * (i % 3)),
            "reported_at": pd.Timestamp("2026-03-01", tz="UTC"),
            "summary": (f"Traffickers held <b>{i}</b> in Leeds" if weak
                        else f"Police free {i} victims of forced labour on a farm in Leeds"),
            "url": f"https://news.example.org/{i}", "exploitation_types": ["forced_labour"],
            "sector": "agriculture", "h3_cell": h3.latlng_to_cell(53.8, -1.55, 7),
        })
    rows.append({**rows[0], "source_type": "app", "summary": "not osint"})
    return pd.DataFrame(rows)


def test_report_tables_respect_the_audience():
    from workbench.share.osint_triage import osint_cells, osint_incidents, review_queue, top_tags, volume
    from workbench.share.disclosure import policy_for, round_count

    store = _store_like(n_strong=30, n_weak=4)
    osint = osint_incidents(store, "2026-01-01", "2026-12-31")
    assert len(osint) == 34 and (osint["source_type"] == "osint").all()
    assert len(osint_incidents(store, "", "", "es")) == 17
    with pytest.raises(ValueError, match="language"):
        osint_incidents(store, language="Spanish")
    partner, police = policy_for("partner"), policy_for("law_enforcement")

    by_month = volume(osint, partner, by="month")
    assert list(by_month.index) == ["2026-01", "2026-02", "2026-03", "Total"]
    shown = lambda n: round_count(n, partner.rounding, partner.k)  # noqa: E731 - partner counts are rounded to 5
    assert by_month.loc["Total", "incidents"] == shown(34) and by_month["incidents"].notna().all()  # 12/11/11
    by_lang = volume(osint.iloc[:25], partner, by="language")  # es 13, en 12
    assert by_lang["incidents"].tolist() == [shown(12), shown(13), shown(25)]
    lonely = volume(osint.iloc[:13], partner, by="language")  # es 7, en 6: both withheld, total shown
    assert lonely["incidents"].isna().tolist() == [True, True, False]
    with pytest.raises(ValueError, match="by="):
        volume(osint, partner, by="week")
    tags = top_tags(osint, partner)
    assert set(tags["group"]) == {"exploitation type", "sector"} and (tags["incidents"] == shown(34)).all()

    queue = review_queue(osint, partner)
    assert "summary" not in queue.columns and "url" not in queue.columns
    assert pd.isna(queue.loc["Total", "weak_term_only"])  # 4 weak items: withheld
    items = review_queue(osint, police)
    assert len(items) == 4 and set(items["reasons"].str.contains("weak_term_only")) == {True}
    assert items["url"].str.startswith("https://").all()

    cells = osint_cells(osint, partner)
    import h3

    assert len(cells) == 1 and h3.get_resolution(cells.loc[0, "h3_cell"]) == partner.h3_resolution
    assert cells.loc[0, "incidents"] == "34"
    few = osint_cells(osint.head(3), partner)
    assert few.loc[0, "incidents"] == "<10" and few.loc[0, "size"] == 10


# --------------------------------------------------------------------------- fast path = reference path
def _reference_find(words: list[str]) -> list[tuple]:
    """The matcher as first written: one Python pass over every word (kept to check the fast one)."""
    import re

    from workbench.collect.triage.lexicon import lexicon

    firsts: dict[str, list] = {}
    for group, table in lexicon().items():
        if group in ("place_names", "country_names", "not_places"):
            continue
        for key, terms in table.items():
            for term in terms:
                parts = tuple((w[:-1], True) if w.endswith("*") else (w, False) for w in re.findall(r"\w+\*?", term))
                if parts:
                    firsts.setdefault(parts[0], []).append((group, key, parts))
    found = []
    for i in range(len(words)):
        for n in range(1, len(words[i]) + 1):  # the word itself, or a stem it begins with
            entries = (firsts.get((words[i], False), []) if n == len(words[i]) else []) + firsts.get(
                (words[i][:n], True), [])
            for group, key, term in entries:
                if i + len(term) <= len(words) and all(
                        words[i + j].startswith(w) if s else words[i + j] == w for j, (w, s) in enumerate(term)):
                    found.append((group, key, i, i + len(term)))
    negatives = [(s, e) for g, _, s, e in found if g == "negatives"]
    return [h for h in found if h[0] == "negatives" or not any(h[2] < e and s < h[3] for s, e in negatives)]


def _some_texts() -> list[str]:
    texts = list(load_labelled(HAND)["text"]) + list(make_labelled_set(60, seed=11)["text"])
    return texts + ["anti-trafficking d'animaux: trafficking, in persons", "Trafic d’êtres humains à Lyon",
                    "ТОРГІВЛЯ людьми, примусова праця", "trafficking", ""]


def test_fast_matcher_finds_what_the_reference_finds():
    from collections import Counter

    from workbench.collect.triage.lexicon import WORDS, matcher, words_of

    lex = matcher()
    for text in _some_texts():
        folded = fold_text(text)
        words = WORDS.findall(folded)
        assert words_of(folded) == words
        reference = _reference_find(words)
        assert Counter(lex.scan(folded)) == Counter(reference)  # same hits (order within a word may differ)
        assert [(m.group, m.key, m.start, m.end) for m in lex.find(words)] == lex.scan(folded)


def test_fold_by_distinct_letters_is_the_per_character_fold():
    import random
    import unicodedata

    def per_character(text: str) -> str:
        out = "".join("".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
                      if ord(ch) > 127 else ch for ch in text.replace("\u2019", "'"))
        return " ".join(out.lower().split())

    rng = random.Random(3)
    texts = _some_texts() + ["".join(chr(rng.randrange(32, 0x2FFF)) for _ in range(rng.randrange(1, 60)))
                             for _ in range(3000)] + ["ǄǅǆΣΑΣ ὈΔΥΣΣΕΎΣ ﬁ İstanbul"]
    for text in texts:
        assert fold_text(text) == per_character(text)


def test_details_relevant_and_workers_keep_every_decision(monkeypatch):
    from workbench.collect.triage import pipeline

    monkeypatch.setattr(pipeline, "PARALLEL_MIN", 60)  # parallel from 120 articles: 4 chunks per worker
    labelled = make_labelled_set(300, seed=21)
    texts, refs = list(labelled["text"]), list(labelled["published"])
    full = Triage().triage_many(texts, None, refs)
    lean = Triage().triage_many(texts, None, refs, details="relevant")
    pd.testing.assert_frame_equal(full[full["relevant"]], lean[lean["relevant"]])
    other = ~lean["relevant"]
    assert other.any() and lean.loc[other, ["place_name", "country_iso3", "date"]].isna().all().all()
    same = [c for c in full.columns if c not in ("place_name", "country_iso3", "lat", "lon", "date",
                                                  "place_precision", "place_confidence", "reasons")]
    pd.testing.assert_frame_equal(full[same], lean[same])
    pd.testing.assert_frame_equal(Triage().triage_many(texts, None, refs, n_jobs=2), full)
    with pytest.raises(ValueError, match="details"):
        Triage().triage_many(texts[:2], details="some")


def test_balanced_chunks_cover_everything_in_equal_shares():
    from workbench.collect.triage.workers import balanced_chunks, map_balanced

    costs = [1] * 50 + [10] * 50
    cuts = balanced_chunks(costs, 5)
    assert [i for a, b in cuts for i in range(a, b)] == list(range(100))
    shares = [sum(costs[a:b]) for a, b in cuts]
    assert max(shares) - min(shares) <= 10 and len(cuts) == 5
    assert balanced_chunks([], 3) == [] and balanced_chunks([5], 3) == [(0, 1)]
    assert map_balanced(abs, [-3, 1, -2, 4], 2, costs=[1, 4, 2, 3]) == [3, 1, 2, 4]
    with pytest.raises(ValueError):
        balanced_chunks([1, -1], 2)


def _tricky_snippets() -> list[str]:
    import random

    rng = random.Random(4)
    bits = ["12/03/2026", "2026-03-12", "3 de marzo de 2026", "12 March", "March 12, 2026", "yesterday", "hier",
            "03/25/2026", "2026-13-45", "1234567", "12.03.2026", "x12 march", "31/02/2026", "вчера", "3 березня",
            "+44 20 7946 0958", "0161 496 0000", "(0)20 1234", "4111 1111 1111 1111", "a@b.co", "@handle_x",
            "GB82 WEST 1234 5698 7654 32", "The victim, Maria Lopez, 23,", "+1-202-555-0143", "٠١٢٣٤٥٦٧٨٩٠١٢",
            "word", "1", "0", "+", ",", "."]
    return [" ".join(rng.choice(bits) for _ in range(rng.randrange(1, 10))) for _ in range(600)] + _some_texts()


def test_date_scan_from_digits_is_finditer():
    from workbench.collect.triage.dates import _date_patterns, _from_digits

    for text in _tricky_snippets():
        folded = fold_text(text)
        for language in ("en", "es", "uk", None):
            pattern = _date_patterns(language)[0]
            assert [m.span() for m in _from_digits(pattern, folded)] == [m.span() for m in pattern.finditer(folded)]


def test_pii_prechecks_change_nothing(monkeypatch):
    from workbench.text import pii

    texts = _tricky_snippets()
    fast = [pii.scrub_text(t) for t in texts]
    monkeypatch.setattr(pii, "_NEEDS", {})
    assert [pii.scrub_text(t) for t in texts] == fast
    assert "[phone]" in pii.scrub_text("call +44 20 7946 0958") and "[email]" in pii.scrub_text("a.b@c.org")


def test_confidence_bands_cover_every_item_and_hide_small_bands():
    from workbench.share.disclosure import policy_for
    from workbench.share.osint_triage import confidence_bands, osint_incidents

    osint = osint_incidents(_store_like(n_strong=30, n_weak=4), "2026-01-01", "2026-12-31")
    from dataclasses import replace

    police = policy_for("law_enforcement")
    exact = confidence_bands(osint, replace(police, suppress=False)).set_index(["measure", "band"])
    for measure, block in exact.groupby(level="measure"):
        assert block["incidents"].sum() == len(osint) == 34, measure
    assert exact.loc[("story (articles per incident)", "1 article"), "incidents"] == 34
    for policy in (police, policy_for("partner")):
        shown = confidence_bands(osint, policy).set_index(["measure", "band"])
        assert shown.index.equals(exact.index)
        for _, block in shown.groupby(level="measure"):
            small = exact.loc[block.index, "incidents"] < policy.k
            assert block.loc[small.to_numpy(), "incidents"].isna().all()
            assert block["incidents"].isna().sum() != 1  # one withheld band would be the total minus the rest


def test_geoparser_letter_counts_and_sentence_starts_match_the_plain_loops():
    from workbench.collect.triage.places import _letter_counts, _sentence_start, _sentence_starts, _tokens

    for text in _tricky_snippets() + ["Sen. Blackburn said. “Paris” — Kyiv;\n\tLeeds", "𝐀bc İ ı ǅ", "", "  x"]:
        assert _letter_counts(text) == (sum(map(str.isalpha, text)), sum(map(str.isupper, text)))
        starts = _sentence_starts(text)
        assert all((start in starts) == _sentence_start(text, start) for _, start, _ in _tokens(text))


def test_cue_word_count_without_lookbehind_is_findall():
    import re

    from workbench.collect.triage.places import _count_matches, _country_cues

    patterns = [c.words for c in _country_cues() if c.words is not None]
    patterns.append(re.compile(r"(?<!\w)(?:policia federal|federal|ab|b)(?!\w)"))
    texts = [fold_text(t) for t in _tricky_snippets()] + ["xpolicia federal policia federal", "ab b xab _b", ""]
    for pattern in patterns:
        for text in texts:
            assert _count_matches(pattern, text) == len(pattern.findall(text))


def test_word_tfidf_counts_as_sklearn_does():
    from workbench.collect.triage.relevance import _word_tfidf, default_model

    vec = default_model().pipeline_["words"]
    docs = [fold_text(t) for t in _some_texts()] + ["", "x", "ТОРГІВЛЯ людьми", "trafficking_ring a_b 12 3"]
    ours, theirs = _word_tfidf(vec, docs), vec.transform(docs)
    assert ours.shape == theirs.shape and (ours != theirs).nnz == 0
