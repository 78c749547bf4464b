"""Transaction typology screening: planted traffickers, rules, explanations, streaming, calibration."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
import yaml

from workbench.apply.calibration import calibrate, precision_at_budget
from workbench.apply.screening import (
    TypologyScreen,
    high_risk_countries,
    load_rules,
    screen_file,
    validate_transactions,
)

END = pd.Timestamp("2026-10-31")


def tx(account, amount, n=1, *, channel="card", mcc="", city="Madrid", counterparty="M1", country="ESP",
       hour=12, day0=0, step=1, counterparties=None, cities=None):
    """``n`` transactions of one account, one every ``step`` days back from END."""
    rows = []
    for i in range(n):
        ts = END - pd.Timedelta(days=day0 + (i * step) % 28) + pd.Timedelta(hours=hour, minutes=i % 60)
        rows.append({"account": account, "counterparty": counterparties[i] if counterparties else counterparty,
                     "amount": amount, "currency": "EUR", "timestamp": ts.strftime("%Y-%m-%dT%H:%M:%S"),
                     "channel": channel, "merchant_category": str(mcc), "city": cities[i] if cities else city,
                     "country_iso3": country})
    return pd.DataFrame(rows)


RULES = load_rules()
T = {r.id: r.condition for r in RULES.rules}
CITIES = ["Madrid", "Barcelona", "Valencia", "Sevilla", "Bilbao", "Murcia", "Palma", "Zaragoza", "Málaga", "Almería"]


def who(k):
    return [f"P{j}" for j in range(k)]


#: rule id -> (suspicious account's transactions, benign look-alike's transactions)
CASES = {
    "classified_ads": lambda n=int(T["classified_ads"]["count"]): (
        tx("S", -12.5, n, mcc=7311), tx("B", -12.5, n, mcc=5411)),
    "hotel_stays": lambda n=int(T["hotel_stays"]["count"]): (
        tx("S", -80, n, mcc=7011), tx("B", -80, n - 1, mcc=7011)),
    "travel_bookings": lambda n=int(T["travel_bookings"]["count"]): (
        tx("S", -60, n, mcc=4131), tx("B", 60, n, mcc=4131)),  # refunds are credits
    "late_night_cash": lambda n=int(T["late_night_cash"]["count"]): (
        tx("S", 300, n, channel="atm", hour=23), tx("B", 300, n, channel="atm", hour=14)),
    "funnel_account": lambda k=int(T["funnel_account"]["distinct_city"]): (
        tx("S", 500, k, channel="cash", cities=CITIES[:k]), tx("B", 500, k, channel="cash")),
    "pooled_wages": lambda k=int(T["pooled_wages"]["distinct_counterparty"]): (
        tx("S", 1100, k, channel="payroll", counterparties=who(k)), tx("B", 1100, k, channel="payroll")),
    "wages_to_many": lambda k=int(T["wages_to_many"]["distinct_counterparty"]): (
        tx("S", -900, k, channel="payroll", counterparties=who(k)),
        tx("B", -900, k - 1, channel="payroll", counterparties=who(k - 1))),
    "multiple_rents": lambda k=int(T["multiple_rents"]["distinct_counterparty"]): (
        tx("S", -700, k, channel="transfer", mcc=6513, counterparties=who(k)),
        tx("B", -700, k, channel="transfer", mcc=6513)),
    "high_risk_corridor": lambda n=int(T["high_risk_corridor"]["count"]): (
        tx("S", -400, n, channel="transfer", country="NGA"), tx("B", -400, n, channel="transfer", country="FRA")),
}


def test_every_rule_has_a_test_case_and_the_rule_file_is_versioned_and_sourced():
    assert set(CASES) == {r.id for r in RULES.rules} and len(RULES.rules) >= 8
    assert RULES.version == "2026.1"
    assert {r.source for r in RULES.rules} == {"fincen_2020_a008", "fatf_apg_2018", "fintrac_project_protect"}
    assert "FIN-2020-A008" in RULES.sources["fincen_2020_a008"]
    corridor = next(r for r in RULES.rules if r.id == "high_risk_corridor")
    assert corridor.where["country_iso3"] == {"param": "high_risk_countries"}  # not hard-coded


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_each_rule_fires_on_its_typology_and_not_on_a_benign_look_alike(rule_id):
    bad, good = CASES[rule_id]()
    res = TypologyScreen(high_risk_countries=("NGA", "ROU")).fit(pd.concat([bad, good], ignore_index=True))
    fired = res.hits.groupby("account")["typology"].apply(set).to_dict()
    assert fired.get("S") == {rule_id}
    assert "B" not in fired
    weight = next(r.weight for r in RULES.rules if r.id == rule_id)
    scores = res.scores.set_index("account")["score"]
    assert scores["S"] == pytest.approx(weight) and scores["B"] == 0.0
    assert res.scores.iloc[0]["account"] == "S" and res.n_rows_rejected == 0


def test_corridor_rule_uses_the_run_time_country_list():
    bad, _ = CASES["high_risk_corridor"]()
    assert TypologyScreen(high_risk_countries=("NGA",)).fit(bad).hits["typology"].tolist() == ["high_risk_corridor"]
    off = TypologyScreen(high_risk_countries=()).fit(bad)
    assert off.hits.empty and "cannot fire" in off.note
    assert TypologyScreen(high_risk_countries=("VNM",)).fit(bad).hits.empty


def test_window_excludes_old_transactions():
    old = tx("S", -12.5, int(T["classified_ads"]["count"]), mcc=7311, day0=40)  # 40+ days before the last day
    recent = tx("Z", -5, 1, mcc=5411)
    res = TypologyScreen(window_days=30).fit(pd.concat([old, recent], ignore_index=True))
    assert res.hits.empty and res.window_end == END.normalize()
    assert TypologyScreen(window_days=90).fit(pd.concat([old, recent])).hits["account"].tolist() == ["S"]


def test_explanations_name_the_account_numbers():
    frame = tx("S", -10.0, 14, mcc=7311)
    frame.loc[0, "amount"] = -100.0  # total 230
    frame = pd.concat([frame, tx("S", 500, 5, channel="cash", cities=CITIES[:5])], ignore_index=True)
    res = TypologyScreen().fit(frame)
    hits = res.hits.set_index("typology")
    ads = hits.loc["classified_ads"]
    assert ads["count"] == 14 and ads["amount"] == pytest.approx(230.0)
    text = ads["explanation"]
    assert text.startswith("14 payments") and "230 EUR" in text and "30 days" in text and "(threshold 8)" in text
    assert "7311/5967/5969/7273" in text
    assert "5 different cities" in hits.loc["funnel_account", "explanation"]
    assert "2,500 EUR" in hits.loc["funnel_account", "explanation"]
    story = res.explain("S")
    assert "rank #1" in story and "14 payments" in story and "FIN-2020-A008" in story
    assert len(res.explain("S", frame=True)) == 2
    with pytest.raises(KeyError, match="NOPE"):
        res.explain("NOPE")


@pytest.fixture(scope="module")
def bank(tmp_path_factory):
    from workbench.synthetic.demo import DemoConfig, simulate_incidents
    from workbench.synthetic.transactions import write_transactions

    out = tmp_path_factory.mktemp("bank")
    world = simulate_incidents(DemoConfig(seed=11, scale=0.2))
    truth = write_transactions(world, out, seed=11)
    frame = pd.read_csv(out / "bank_transactions.csv", dtype=str, keep_default_na=False)
    labels = pd.read_csv(out / "bank_labels.csv", dtype={"account": str})
    results = TypologyScreen(high_risk_countries=truth["high_risk_countries"]).fit(frame)
    return results, truth, frame, labels, world


def test_planted_traffickers_rank_at_the_top_and_noisy_accounts_fire_one_flag(bank):
    res, truth, frame, labels, world = bank
    assert 50_000 <= len(frame) <= 100_000 and labels["account"].nunique() >= 2000
    risk = high_risk_countries(world.rename(columns={"origin_iso3": "origin_country_iso3"}), top=3, exclude=("ESP",))
    assert list(risk) == truth["high_risk_countries"] == list(res.high_risk_countries)
    planted = [p["account"] for p in truth["planted_accounts"]]
    assert res.scores["account"].iloc[0] == planted[0]
    assert set(res.scores["account"].head(len(planted))) == set(planted)
    by_account = res.scores.set_index("account")
    for p in truth["planted_accounts"]:
        assert set(by_account.loc[p["account"], "typologies"].split(", ")) == set(p["typologies"])
    for q in truth["noisy_accounts"]:
        assert by_account.loc[q["account"], "typologies"] == q["typology"], q
    assert set(labels.loc[labels["is_trafficking"] == 1, "account"]) == set(planted)
    assert res.n_rows_in == res.n_rows_scored + res.n_rows_rejected == len(frame)


def test_chunked_and_file_streaming_equal_in_memory(bank, tmp_path):
    _res, truth, frame, _labels, _world = bank
    planted = [p["account"] for p in truth["planted_accounts"]]
    keep = set(frame["account"].drop_duplicates().head(300)) | set(planted)
    frame = frame[frame["account"].isin(keep)].reset_index(drop=True)  # ~12,000 rows, planted ones included
    frame.loc[5, "amount"] = "not a number"  # rejects must be numbered the same way too
    frame.loc[8_001, "channel"] = "pigeon"
    screen = TypologyScreen(high_risk_countries=truth["high_risk_countries"])
    whole = screen.fit(frame)
    assert whole.scores["account"].iloc[0] == planted[0]
    cuts = [0, 1, 2_999, 5_000, 8_001, 8_002, 10_234, len(frame)]
    chunked = screen.fit_chunks(frame.iloc[a:b] for a, b in zip(cuts[:-1], cuts[1:]))
    frame.drop(columns="transaction_id").to_csv(tmp_path / "t.csv", index=False)
    from_csv = screen.screen_file(tmp_path / "t.csv", chunksize=1_700)
    for other in (chunked, from_csv):
        for name in ("scores", "hits", "evidence", "features"):
            pd.testing.assert_frame_equal(getattr(whole, name), getattr(other, name), check_dtype=False)
        assert (other.n_rows_in, other.n_rows_scored, other.n_rows_rejected) == (len(frame), len(frame) - 2, 2)
    pd.testing.assert_frame_equal(whole.rejects, chunked.rejects)
    assert from_csv.rejects["record"].tolist() == [5, 8_001]  # row numbers without transaction_id
    assert whole.rejects["record"].tolist() == [frame.loc[5, "transaction_id"], frame.loc[8_001, "transaction_id"]]
    typed = frame.drop(index=[5, 8_001]).assign(amount=lambda d: d["amount"].astype(float))
    typed.to_parquet(tmp_path / "t.parquet", index=False)
    from_parquet = screen_file(tmp_path / "t.parquet", chunksize=2_500, high_risk_countries=truth["high_risk_countries"])
    pd.testing.assert_frame_equal(whole.scores, from_parquet.scores, check_dtype=False)


def test_bad_rows_are_rejected_naming_record_and_field():
    good = tx("A", -10, 1, mcc=5411)
    rows = pd.concat([good] * 9, ignore_index=True).astype({"amount": object})
    rows.loc[1, "amount"] = "abc"
    rows.loc[2, "timestamp"] = "31/02/2026"
    rows.loc[3, "channel"] = "pigeon"
    rows.loc[4, "merchant_category"] = "54X1"
    rows.loc[5, "country_iso3"] = "XXX"
    rows.loc[6, "account"] = " "
    rows.loc[7, "currency"] = "USD"
    rows.loc[8, "amount"] = "0"
    res = TypologyScreen().fit(rows)
    rej = res.rejects.set_index("record")
    assert list(rej.index) == [1, 2, 3, 4, 5, 6, 7, 8]
    assert rej["field"].tolist() == ["amount", "timestamp", "channel", "merchant_category", "country_iso3",
                                     "account", "currency", "amount"]
    assert rej.loc[1, "reason"] == "record 1: field 'amount'='abc': expected a number (negative = money out)"
    assert "record 7: field 'currency'='USD': no exchange rate to EUR" in rej.loc[7, "reason"]
    assert res.n_rows_in == 9 and res.n_rows_scored == 1 and res.n_rows_rejected == 8
    converted = TypologyScreen(fx_rates={"USD": 0.5}).fit(rows.loc[[0, 7]])
    assert converted.n_rows_rejected == 0
    several = rows.loc[[1]].assign(channel="pigeon")
    _clean, rejects = validate_transactions(several)
    assert "field 'amount'" in rejects.loc[0, "reason"] and "field 'channel'" in rejects.loc[0, "reason"]
    with pytest.raises(ValueError, match=r"missing required column\(s\) \['amount'\]"):
        TypologyScreen().fit(rows.drop(columns="amount"))


def test_weights_and_thresholds_come_from_the_yaml(tmp_path):
    bad, _ = CASES["classified_ads"]()
    from importlib import resources

    raw = yaml.safe_load(resources.files("workbench").joinpath("resources/typologies.yaml").read_text("utf-8"))
    edited = copy.deepcopy(raw)
    rule = next(r for r in edited["rules"] if r["id"] == "classified_ads")
    rule["weight"] = 0.8
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(edited), encoding="utf-8")
    base = TypologyScreen().fit(bad).scores.set_index("account")["score"]["S"]
    changed = TypologyScreen(rules=path).fit(bad).scores.set_index("account")["score"]["S"]
    original = next(r for r in raw["rules"] if r["id"] == "classified_ads")["weight"]
    assert base == pytest.approx(original) and changed == pytest.approx(0.8)
    rule["condition"] = {"count": 100}
    assert TypologyScreen(rules=edited).fit(bad).hits.empty
    rule["weight"] = 1.5
    with pytest.raises(ValueError, match=r"rule 'classified_ads': field 'weight'=1.5"):
        load_rules(edited)
    rule["weight"], rule["explanation"] = 0.3, "{nope} payments"
    with pytest.raises(ValueError, match="rule 'classified_ads': field 'explanation'"):
        load_rules(edited)


def test_two_rules_combine_by_noisy_or():
    frame = pd.concat([CASES["classified_ads"]()[0], CASES["hotel_stays"]()[0]], ignore_index=True)
    res = TypologyScreen().fit(frame)
    w = {r.id: r.weight for r in RULES.rules}
    expected = 1 - (1 - w["classified_ads"]) * (1 - w["hotel_stays"])
    assert res.scores.set_index("account").loc["S", "score"] == pytest.approx(expected)
    assert res.scores.set_index("account").loc["S", "n_typologies"] == 2


def test_high_risk_countries_count_each_incident_once_per_country():
    incidents = pd.DataFrame({
        "country_iso3": ["ESP", "ESP", "ESP", "GBR", "GBR", "NGA", "THA"],
        "origin_country_iso3": ["NGA", "NGA", "ROU", "NGA", "GBR", None, "MMR"],
    })
    assert high_risk_countries(incidents, top=3, exclude=("ESP",)) == ("NGA", "GBR", "MMR")
    assert high_risk_countries(incidents, top=1) == ("NGA",)  # NGA 4, ESP 3


def test_precision_at_budget_on_a_toy_example():
    scores = pd.Series({"a": 0.9, "b": 0.8, "c": 0.8, "d": 0.1, "e": 0.0})
    labels = pd.Series({"a": 1, "b": 0, "c": 1, "d": 1, "e": 0})
    assert precision_at_budget(scores, labels, 1) == (1.0, 1 / 3, 1)
    assert precision_at_budget(scores, labels, 2) == (0.5, 1 / 3, 1)  # tie b/c broken by account id
    assert precision_at_budget(scores, labels, 3) == pytest.approx((2 / 3, 2 / 3, 2))
    assert precision_at_budget(scores, labels, 10) == pytest.approx((3 / 5, 1.0, 3))


def test_calibration_learns_the_informative_typology_on_a_toy_example():
    rng = np.random.default_rng(0)
    n = 200
    informative = np.r_[np.ones(10), rng.random(n - 10) < 0.05].astype(int)  # every case fires it, few others
    noise = (rng.random(n) < 0.5).astype(int)
    labels = pd.Series(np.r_[np.ones(10), np.zeros(n - 10)].astype(int), index=[f"A{i:03d}" for i in range(n)])
    features = pd.DataFrame({"good": informative, "noise": noise}, index=labels.index)
    cal = calibrate(features, labels, budget=10, weights={"good": 0.1, "noise": 0.9})
    w = cal.weights.set_index("typology")
    assert w.loc["good", "coefficient"] > 1 > abs(w.loc["noise", "coefficient"])
    table = cal.table.set_index("method")
    hand = table.loc["hand weights (YAML)"]
    noisy_or = pd.Series(1 - (1 - 0.1 * informative) * (1 - 0.9 * noise), index=labels.index)
    assert (hand["precision"], hand["recall"], hand["true_positives"]) == precision_at_budget(noisy_or, labels, 10)
    learned = table.drop(index="hand weights (YAML)").iloc[0]
    assert learned["precision"] > hand["precision"] and "out-of-fold" in table.index[1]
    assert cal.n_labelled == n and cal.n_positive == 10 and "labelled" in cal.note
    with pytest.raises(ValueError, match="both classes"):
        calibrate(features, pd.Series(0, index=labels.index))


def test_calibration_on_screening_results(bank):
    res, _truth, _frame, labels, _world = bank
    cal = calibrate(res, labels, budget=20)
    hand = cal.table.iloc[0]
    assert hand["method"] == "hand weights (YAML)"
    assert hand["true_positives"] == 5 and hand["precision"] == pytest.approx(5 / 20) and hand["recall"] == 1.0
    assert set(cal.weights["typology"]) == {r.id for r in RULES.rules}


def test_duckdb_engine_gives_identical_results_on_messy_parquet(tmp_path):
    """The DuckDB path (validation + one GROUP BY) equals the pandas path, rejects and all."""
    frame = pd.concat([
        tx("S", -20.0, int(T["classified_ads"]["count"]) + 1, mcc=7311),
        tx("S", 80.0, 6, channel="cash", hour=23, cities=CITIES[:6]),
        tx("P", 1500.0, 4, channel="payroll", counterparties=["E1", "E2", " E3", "E4\t"]),
        tx("Q", -300.0, 4, channel="transfer", country="NGA"),
        tx("N", -12.5, 30, mcc=5411),
    ], ignore_index=True).astype(str)
    frame.loc[0, "timestamp"] = "2026-10-30T10:00:00+02:00"  # offset: judged by pandas
    frame.loc[1, "timestamp"] = "2026-10-30"
    frame.loc[2, "channel"] = " CARD "  # padded and upper case: cleaned
    frame.loc[3, "amount"] = "twelve"  # rejected
    frame.loc[4, "merchant_category"] = "7311.0"
    frame.loc[5, "currency"] = "usd"  # no rate: rejected
    frame.loc[6, "city"] = "Málaga\u00a0"  # non-ASCII space at the edge
    frame.loc[7, "account"] = ""  # rejected
    frame.loc[8, "country_iso3"] = "XXX"  # rejected
    path = tmp_path / "tx.parquet"
    frame.to_parquet(path, index=False)
    screen = TypologyScreen(high_risk_countries=("NGA",))
    fast, slow = screen.screen_file(path, engine="duckdb"), screen.screen_file(path, engine="pandas")
    for name in ("scores", "hits", "evidence", "features", "rejects"):
        pd.testing.assert_frame_equal(getattr(fast, name), getattr(slow, name))
    assert (fast.n_rows_in, fast.n_rows_scored, fast.n_rows_rejected) == (slow.n_rows_in, slow.n_rows_scored, 4)
    assert fast.note == slow.note and not fast.hits.empty
    with pytest.raises(ValueError, match="duckdb engine reads .parquet"):
        screen.screen_file(tmp_path / "tx.csv", engine="duckdb")
