"""Key Judgements: yardstick mapping, checks, computed probabilities and the report."""

from types import SimpleNamespace

import h3
import numpy as np
import pandas as pd
import pytest

from workbench.share import assessment, judgements
from workbench.share.disclosure import policy_for
from workbench.share.judgements import YARDSTICK, KeyJudgement, check_judgements, check_text, yardstick


@pytest.mark.parametrize("p, term, gap", [
    (0.0, "remote chance", False), (0.05, "remote chance", False), (0.15, "highly unlikely", False),
    (0.30, "unlikely", False), (0.45, "realistic possibility", False), (0.50, "realistic possibility", False),
    (0.55, "likely", False), (0.75, "likely", False), (0.85, "highly likely", False),
    (0.97, "almost certain", False), (1.0, "almost certain", False),
    (0.06, "remote chance", True), (0.09, "highly unlikely", True), (0.53, "likely", True),
    (0.77, "likely", True), (0.93, "almost certain", True),
    (0.075, "highly unlikely", True), (0.525, "realistic possibility", True), (0.925, "highly likely", True),
])
def test_probabilities_map_to_the_published_bands_and_gaps_to_the_nearer_one(p, term, gap):
    b, in_gap = yardstick(p)
    assert (b.term, in_gap) == (term, gap)


def test_every_band_is_the_published_one():
    assert [(b.term, b.label) for b in YARDSTICK] == [
        ("remote chance", "0-5%"), ("highly unlikely", "10-20%"), ("unlikely", "25-35%"),
        ("realistic possibility", "40-50%"), ("likely", "55-75%"), ("highly likely", "80-90%"),
        ("almost certain", "95-100%")]
    assert judgements.band("probably").term == "likely"


@pytest.mark.parametrize("bad", [-0.1, 1.2, float("nan"), "high", None])
def test_a_probability_that_is_not_one_is_refused(bad):
    with pytest.raises(ValueError, match="probability"):
        yardstick(bad)


def _kj(**kw):
    base = dict(kind="trend", subject="Testland", statement="incidents rose", probability=0.6, term="likely",
                confidence="moderate", basis="test")
    base.update(kw)
    return KeyJudgement(**base)


def test_the_check_flags_terms_without_probability_outside_their_band_or_off_the_yardstick():
    assert check_judgements([_kj()]) == []
    assert check_judgements([judgements.judgement("trend", "T", "x", 0.93, "low", "b")]) == []
    problems = check_judgements([
        _kj(subject="A", probability=None),
        _kj(subject="B", probability=0.30),
        _kj(subject="C", term="fairly likely"),
        _kj(subject="D", probability=0.53),  # in a gap, not marked
        _kj(subject="E", confidence="very high"),
    ])
    assert len(problems) == 5
    assert "'A'" in problems[0] and "no probability" in problems[0]
    assert "'B'" in problems[1] and "outside the band" in problems[1]
    assert "'C'" in problems[2] and "not a PHIA yardstick term" in problems[2]
    assert "'D'" in problems[3] and "gap" in problems[3]
    assert "'E'" in problems[4] and "confidence" in problems[4]


def test_check_text_finds_loose_yardstick_words():
    assert check_text("It is likely (55-75%; p = 0.60) that x. It is unlikely (25-35%) that y.") == []
    assert check_text("<p>It is <b>highly likely</b> (80-90%) that z.</p>") == []
    assert check_text("<td>remote chance (0-5%)</td><td>probably (55-75%)</td>") == []
    loose = check_text("Trafficking will probably rise. It is likely that it spreads.")
    assert len(loose) == 2 and "'probably' used without its band" in loose[0]
    wrong = check_text("It is highly likely (55-75%) that z.")
    assert len(wrong) == 1 and "wrong band" in wrong[0]
    assert check_text("unlikeliness and likelihood are not yardstick terms") == []


def test_rendering_escapes_suppresses_and_refuses_unsound_judgements():
    kj = judgements.judgement(
        "surge", "<script>alert(1)</script>", "the count <b>rose</b>", 0.97, "low", "model <x>",
        evidence={"count in the month": 3, "expected": "1.2"},
        sources={"incidents": 3, "well_graded_share": 0.5, "types": ["app", "<i>osint</i>"], "n_types": 2},
        assumptions=["<img src=x onerror=alert(1)>"], indicators=["a & b"])
    public = judgements.render_judgements([kj], policy_for("public"))
    assert "<script>" not in public and "<img" not in public and "<i>osint" not in public
    assert "&lt;script&gt;" in public and "count in the month: &lt;10" in public
    assert "3 incidents" not in public
    assert check_text(public) == []
    assert "Sources: &lt;10 incidents from app, &lt;i&gt;osint" in public
    kj.evidence["count in the month"] = 1234
    restricted = judgements.render_judgements([kj], policy_for("law_enforcement"))
    assert "count in the month: 1,234" in restricted and "&lt;10 incidents" in restricted
    with pytest.raises(ValueError, match="yardstick check"):
        judgements.render_judgements([_kj(probability=0.3)], policy_for("partner"))


def _incidents(rows):
    frame = pd.DataFrame(rows)
    frame["occurred_on"] = pd.to_datetime(frame["occurred_on"])
    frame["reported_at"] = (frame["occurred_on"] + pd.Timedelta(days=3)).dt.tz_localize("UTC")
    for col, value in (("source_type", "partner"), ("source_reliability", "B"), ("info_credibility", "2"),
                       ("origin_country_iso3", None), ("h3_cell", None)):
        if col not in frame:
            frame[col] = value
    return frame


def _monthly(rng, country, rates, months):
    rows = []
    for month, lam in zip(months, rates):
        for _ in range(rng.poisson(lam)):
            rows.append({"country_iso3": country, "occurred_on": month + pd.Timedelta(days=int(rng.integers(0, 27)))})
    return rows


def test_trend_judgements_state_the_direction_the_data_support():
    rng = np.random.default_rng(3)
    months = pd.date_range("2024-11-01", periods=24, freq="MS")
    t = np.arange(24) / 12
    rows = (_monthly(rng, "ESP", 20 * 1.4 ** t, months) + _monthly(rng, "ITA", 30 * 0.6 ** t, months)
            + _monthly(rng, "FRA", np.full(24, 25.0), months) + _monthly(rng, "PRT", np.full(24, 0.5), months))
    found = {j.subject: j for j in assessment.trend_judgements(_incidents(rows), months=24,
                                                               end=pd.Timestamp("2026-10-01"))}
    assert "rose" in found["Spain"].statement and found["Spain"].probability > 0.99
    assert "fell" in found["Italy"].statement and found["Italy"].probability > 0.99
    assert "Portugal" not in found  # too few incidents to judge
    assert "France" not in found or found["France"].probability < 0.99
    assert check_judgements(list(found.values())) == []
    assert found["Spain"].confidence == "moderate"  # one kind of source only


def test_corridor_growth_uses_both_windows():
    rng = np.random.default_rng(5)
    rows = []
    for origin, dest, before, now in (("NGA", "ITA", 10, 30), ("ROU", "GBR", 20, 20), ("VNM", "GBR", 30, 8)):
        for n, start in ((before, "2025-11-01"), (now, "2026-05-01")):
            for _ in range(n):
                day = pd.Timestamp(start) + pd.Timedelta(days=int(rng.integers(0, 180)))
                rows.append({"country_iso3": dest, "origin_country_iso3": origin, "occurred_on": day})
    found = {j.subject: j for j in assessment.corridor_judgements(_incidents(rows), 6, pd.Timestamp("2026-10-01"))}
    assert set(found) == {"Nigeria -> Italy", "Vietnam -> United Kingdom"}
    assert "grew" in found["Nigeria -> Italy"].statement and found["Nigeria -> Italy"].probability > 0.99
    assert "shrank" in found["Vietnam -> United Kingdom"].statement
    assert found["Nigeria -> Italy"].evidence == {"incidents, latest window": 30, "incidents, window before": 10}


def test_surge_probability_comes_from_the_one_step_forecast():
    results = SimpleNamespace(
        level=80.0,
        one_step=pd.DataFrame({"unique_id": ["POL", "ESP", "UKR"], "ds": pd.to_datetime(["2026-10-01"] * 3),
                               "y": [40.0, 21.0, 4.0], "yhat": [15.0, 20.0, 0.1], "yhat_upper": [20.0, 26.0, 1.0]}),
        selection=pd.DataFrame({"unique_id": ["POL", "ESP", "UKR"], "model": ["ets", "ets", "ets"],
                                "beats_baseline": [True, False, True]}))
    found = assessment.surge_judgements(results)
    assert [j.subject for j in found] == ["Poland"]  # Spain is within its interval; Ukraine's month is tiny
    assert found[0].probability > 0.999 and found[0].term == "almost certain"
    assert "October 2026" in found[0].statement and "ets" in found[0].basis


def _field(rng, centre, hot, base=1.0, boost=12.0):
    cells = h3.grid_disk(h3.latlng_to_cell(*centre, 5), 6)
    counts = {c: rng.poisson(base) for c in cells}
    if hot:
        for c in h3.grid_disk(h3.latlng_to_cell(*centre, 5), 1):
            counts[c] += rng.poisson(boost)
    return pd.DataFrame({"h3_cell": list(counts), "count": list(counts.values())}).query("count > 0")


def test_new_and_lasting_hotspots_are_told_apart():
    from workbench.analyse.getis_ord import GetisOrdHotspots

    rng = np.random.default_rng(11)
    almeria, benin = (36.84, -2.46), (6.34, 5.62)
    before = pd.concat([_field(rng, almeria, hot=False), _field(rng, benin, hot=True)])
    now = pd.concat([_field(rng, almeria, hot=True), _field(rng, benin, hot=True)])
    fit = lambda c: GetisOrdHotspots(permutations=0).fit(c)  # noqa: E731
    found = assessment.hotspot_judgements(fit(now), fit(before))
    by_place = {j.subject.split(" (")[0]: j for j in found}
    assert by_place["Almería"].kind == "new_hotspot" and "new hotspot" in by_place["Almería"].statement
    assert by_place["Benin City"].kind == "hotspot"
    assert all(j.probability > 0.95 for j in (by_place["Almería"], by_place["Benin City"]))
    assert assessment.hotspot_judgements(fit(now))[0].kind == "hotspot"  # no previous window: never "new"


def test_confidence_rules():
    assert assessment.confidence({"incidents": 150, "well_graded_share": 0.6, "n_types": 2}) == "high"
    assert assessment.confidence({"incidents": 150, "well_graded_share": 0.6, "n_types": 2}, cap="moderate") == "moderate"
    assert assessment.confidence({"incidents": 40, "well_graded_share": 0.1, "n_types": 2}) == "moderate"
    assert assessment.confidence({"incidents": 40, "well_graded_share": 0.1, "n_types": 1}) == "low"
    assert assessment.confidence({"incidents": 12, "well_graded_share": 1.0, "n_types": 3}) == "low"


@pytest.mark.slow
@pytest.mark.browser
def test_the_key_judgements_report_is_sound_for_every_audience(key_judgements_runs, browser):
    from tests.browser import open_all_offline

    results = key_judgements_runs  # executed once per session (tests/notebook_runs.py), each in its own folder
    assert list(results) == ["public", "partner", "law_enforcement"]
    pages = open_all_offline(browser, [r.html for r in results.values() if r.ok], settle_ms=500)
    for audience, result in results.items():
        assert result.ok, result.error
        html = result.html.read_text(encoding="utf-8")
        assert check_text(html) == [], (audience, check_text(html)[:3])
        assert html.count('class="wb-judgement"') >= 3
        assert "Poland" in html  # the planted Polish rise (a surge, or a rising trend at this small scale)
        page = pages.pop(0)
        assert page.console_errors == [] and page.page_errors == [] and page.blocked == []
        page.close()
