import logging

import numpy as np
import pandas as pd
import pytest

from workbench.analyse.forecast import MODELS, ForecastModel, Forecaster, adi, demand_pattern, mase, min_history


def monthly(uid, values, start="2021-01-01", freq="MS"):
    return pd.DataFrame({"unique_id": uid, "ds": pd.date_range(start, periods=len(values), freq=freq),
                         "y": np.asarray(values, dtype=float)})


def seasonal_trend(seed=0, n=60):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return rng.poisson(30 + 0.6 * t + 8 * np.sin(2 * np.pi * t / 12))


def test_registry_lists_the_ladder():
    assert {"naive", "seasonal_naive", "ets", "arima", "auto_arima", "croston", "tsb", "prophet"} <= set(MODELS)
    with pytest.raises(ValueError, match="unknown model"):
        Forecaster(models=("arima_of_dreams",))


@pytest.mark.parametrize("name", ["naive", "seasonal_naive", "ets", "arima", "auto_arima", "croston", "tsb"])
def test_every_rung_has_the_same_interface(name):
    y = seasonal_trend(n=40).astype(float)
    pred = MODELS[name](season_length=12, freq="MS").fit(y).predict(5, 80)
    assert all(len(a) == 5 for a in (pred.mean, pred.lower, pred.upper))
    assert (pred.lower <= pred.mean).all() and (pred.mean <= pred.upper).all()
    wider = MODELS[name](season_length=12, freq="MS").fit(y).predict(5, 95)
    assert (wider.upper - wider.lower >= pred.upper - pred.lower - 1e-9).all()


def test_mase_scales_by_seasonal_naive_and_falls_back():
    history = np.tile([1.0, 2, 3, 4], 6)
    assert mase([1, 2], [2, 3], history + np.arange(24), 4) == pytest.approx(1 / 4)  # seasonal MAE = 4
    assert mase([5], [6], np.tile([5.0, 7, 5, 7], 3), 4) == pytest.approx(1 / 2)  # seasonal MAE 0 -> naive MAE 2
    assert np.isnan(mase([1, 2], [1, 2], np.ones(10), 4))  # constant: undefined


def test_trend_and_season_beat_seasonal_naive():
    res = Forecaster(models=("seasonal_naive", "ets"), horizon=6).fit(monthly("s", seasonal_trend()))
    row = res.selection.iloc[0]
    assert row.model == "ets" and row.beats_baseline and row.mase < row.baseline_mase
    assert len(res.forecasts) == 6 and (res.forecasts["model"] == "ets").all()
    assert res.forecasts["ds"].min() == pd.Timestamp("2026-01-01")  # the month after the last observation
    assert set(res.backtest["model"]) == {"seasonal_naive", "ets"} and res.backtest["window"].nunique() == 3
    means = res.backtest.groupby("model")["mase"].mean()
    assert row.mase == pytest.approx(means["ets"]) and row.baseline_mase == pytest.approx(means["seasonal_naive"])


def test_white_noise_record_is_honest():
    rng = np.random.default_rng(11)
    res = Forecaster(models=("seasonal_naive", "naive", "ets")).fit(monthly("w", rng.poisson(20, 60)))
    row = res.selection.iloc[0]
    means = res.backtest.groupby("model")["mase"].mean()
    assert row.baseline_mase == pytest.approx(means["seasonal_naive"])
    assert row.mase == pytest.approx(means[row.model]) and row.mase == pytest.approx(means.min())
    assert row.beats_baseline == (row.model != "seasonal_naive") == (row.mase < row.baseline_mase)


def test_a_ladder_that_cannot_beat_the_baseline_says_so():
    rng = np.random.default_rng(1)
    season = np.tile([5, 40, 5, 40, 5, 40, 5, 40, 5, 40, 5, 40], 5).astype(float)
    res = Forecaster(models=("naive",)).fit(monthly("n", season + rng.normal(0, 0.01, season.size)))
    row = res.selection.iloc[0]
    assert row.model == "seasonal_naive" and not row.beats_baseline and row.mase == row.baseline_mase


def test_a_failing_model_is_recorded_not_chosen(request):
    class Broken(ForecastModel):
        name = "broken"

        def fit(self, y, ds=None):
            raise RuntimeError("no convergence")

    MODELS.register("broken", Broken)
    request.addfinalizer(lambda: MODELS.unregister("broken"))
    res = Forecaster(models=("broken",)).fit(monthly("b", seasonal_trend(n=40)))
    errors = res.backtest.loc[res.backtest["model"] == "broken", "error"]
    assert errors.str.contains("no convergence").all()
    row = res.selection.iloc[0]
    assert row.model == "seasonal_naive" and "broken" in row.note


def test_sparse_counts_never_go_negative():
    rng = np.random.default_rng(2)
    sparse = rng.poisson(0.3, 48)
    res = Forecaster(models=("seasonal_naive", "ets", "naive"), level=95).fit(monthly("z", sparse))
    assert (res.forecasts[["yhat", "yhat_lower", "yhat_upper"]] >= 0).all().all()
    assert (res.forecasts["yhat_lower"] <= res.forecasts["yhat"]).all()
    assert (res.forecasts["yhat"] <= res.forecasts["yhat_upper"]).all()
    assert (res.one_step[["yhat", "yhat_upper"]] >= 0).all().all()


def test_all_zero_series_keeps_the_baseline():
    res = Forecaster(models=("seasonal_naive", "ets")).fit(monthly("0", np.zeros(40)))
    row = res.selection.iloc[0]
    assert row.model == "seasonal_naive" and np.isnan(row.mase) and not row.beats_baseline and row.note
    assert (res.forecasts[["yhat", "yhat_lower", "yhat_upper"]] == 0).all().all()


def test_short_series_are_skipped_with_a_reason():
    assert min_history(12, 6, 3) == 31
    series = pd.concat([monthly("short", range(10)), monthly("ok", seasonal_trend(n=40))])
    res = Forecaster(models=("seasonal_naive",), min_windows=3).fit(series)
    assert res.skipped.to_dict("records") == [{"unique_id": "short", "reason": "10 observations; needs 31"}]
    assert list(res.selection["unique_id"]) == ["ok"]
    with pytest.raises(ValueError, match="'short': 10 observations; needs 31"):
        Forecaster(models=("seasonal_naive",), on_short="raise", min_windows=3).fit(series)


def test_bad_series_are_refused():
    gappy = monthly("g", seasonal_trend(n=40)).drop(index=[5])
    with pytest.raises(ValueError, match="'g'.*grid"):
        Forecaster(models=("seasonal_naive",), freq="MS").fit(gappy)
    twice = pd.concat([monthly("d", range(40)), monthly("d", range(40)).tail(1)])
    with pytest.raises(ValueError, match="'d'.*more than once"):
        Forecaster().fit(twice)
    with pytest.raises(ValueError, match="empty"):
        Forecaster().fit(monthly("e", []))
    with pytest.raises(ValueError, match="level"):
        Forecaster(level=0.8)  # a fraction, not a percentage


def test_weekly_series_infer_their_frequency():
    rng = np.random.default_rng(5)
    t = np.arange(60)
    weekly = monthly("wk", rng.poisson(10 + 3 * np.sin(2 * np.pi * t / 4)), start="2024-01-01", freq="W-MON")
    res = Forecaster(models=("seasonal_naive", "ets"), season_length=4, horizon=4).fit(weekly)
    assert (res.forecasts["ds"].dt.dayofweek == 0).all()
    assert res.forecasts["ds"].iloc[0] == weekly["ds"].iloc[-1] + pd.Timedelta(days=7)


def test_surge_in_the_latest_month_is_flagged():
    values = seasonal_trend(3, 48).astype(float)
    drop, surge = values.copy(), values.copy()
    drop[-1], surge[-1] = 0, 3 * values[-1]
    res = Forecaster(models=("seasonal_naive", "ets")).fit(pd.concat([monthly("drop", drop), monthly("s", surge)]))
    surges = res.surges()
    assert list(surges.columns) == ["unique_id", "ds", "y", "yhat_upper"]
    assert list(surges["unique_id"]) == ["s"] and surges.iloc[0]["y"] > surges.iloc[0]["yhat_upper"]


def test_prophet_rung_fits_offline_and_quietly():
    res = Forecaster(models=("prophet",), horizon=3, n_windows=1).fit(monthly("p", seasonal_trend(4, 40)))
    assert set(res.backtest["model"]) == {"seasonal_naive", "prophet"}
    assert np.isfinite(res.backtest["mase"]).all() and res.backtest["error"].isna().all()
    assert logging.getLogger("cmdstanpy").propagate is False
    assert logging.getLogger("cmdstanpy").getEffectiveLevel() >= logging.WARNING


def test_demo_series_beat_seasonal_naive(use_home):
    from workbench import catalog
    from workbench.analyse.series import incident_series

    series = incident_series(catalog.load("incidents"), by=("country_iso3",), start="2022-11-01",
                             end="2026-10-01")
    res = Forecaster(models=("seasonal_naive", "ets")).fit(series)
    sel = res.selection
    assert len(sel) == 12 and res.skipped.empty
    # the ladder beats seasonal naive on most of the demo's country series, and never reports worse
    assert sel["beats_baseline"].mean() > 0.5
    assert (sel["mase"] <= sel["baseline_mase"]).all()
    assert sel.loc[sel["beats_baseline"], "mase"].lt(sel.loc[sel["beats_baseline"], "baseline_mase"]).all()


def intermittent(seed, n=48):
    rng = np.random.default_rng(seed)
    return rng.binomial(1, 0.3, n) * (1 + rng.poisson(2, n))


def ar1(seed, n, phi=0.6, mu=30.0):
    rng = np.random.default_rng(seed)
    y, e = np.zeros(n), rng.normal(0, 3, n)
    for t in range(1, n):
        y[t] = phi * y[t - 1] + e[t]
    return y + mu


def test_adi_splits_smooth_from_intermittent():
    assert adi([0, 0, 3, 0, 1, 0]) == 3 and demand_pattern([0, 0, 3, 0, 1, 0]) == "intermittent"
    assert adi([4, 2, 0, 5]) == pytest.approx(4 / 3) and demand_pattern([4, 2, 0, 5]) == "intermittent"  # 1.33
    assert demand_pattern([4, 2, 1, 5, 0, 3]) == "smooth" and adi(np.zeros(5)) == np.inf


def test_a_seasonal_series_picks_a_seasonal_model_over_naive():
    rng = np.random.default_rng(0)
    t = np.arange(48)
    res = Forecaster().fit(monthly("s", rng.poisson(20 + 12 * np.sin(2 * np.pi * t / 12))))  # models="auto"
    row = res.selection.iloc[0]
    assert row.pattern == "smooth" and row.candidates == "seasonal_naive,naive,ets,arima"
    table = res.mase_table().iloc[0]
    assert row.model != "naive" and table["naive"] > 1.5 * table[row.model]
    assert table["chosen"] == row.model and row.mase == pytest.approx(table[row.model])


def test_intermittent_series_are_routed_to_croston_and_tsb():
    series = pd.concat([monthly(f"i{seed}", intermittent(seed)) for seed in range(6)])
    res = Forecaster(horizon=6, n_windows=3, margin=0.0, min_win_share=0.0).fit(series)  # routing, unguarded
    sel = res.selection.set_index("unique_id")
    assert (sel["pattern"] == "intermittent").all()
    assert (sel["candidates"] == "seasonal_naive,naive,croston,tsb").all()
    assert not res.backtest["model"].isin(["ets", "arima"]).any()
    means = res.backtest.groupby(["unique_id", "model"])["mase"].mean().unstack()
    for uid, row in sel.iterrows():  # the best candidate is chosen when it beats the baseline
        best = means.loc[uid].idxmin()
        assert row.model == (best if row.beats_baseline else "seasonal_naive")
    assert sel["model"].isin(["croston", "tsb"]).sum() >= 2  # and the intermittent rungs do win
    fc = res.forecasts[res.forecasts["model"].isin(["croston", "tsb"])]
    assert (fc["yhat_lower"] >= 0).all() and (fc["yhat_lower"] <= fc["yhat"]).all()
    assert (fc["yhat"] < fc["yhat_upper"]).all()


def test_intermittent_intervals_come_from_the_residual_quantiles():
    y = intermittent(3).astype(float)
    model = MODELS["croston"](season_length=12).fit(y)
    pred = model.predict(3, 80)
    lo, hi = np.quantile(model.residuals, [0.1, 0.9])
    np.testing.assert_allclose(pred.upper, pred.mean + hi)
    np.testing.assert_allclose(pred.lower, pred.mean + min(lo, 0))
    with pytest.raises(ValueError, match="non-zero"):
        MODELS["tsb"](season_length=12).fit(np.zeros(20))


def test_pure_noise_says_when_nothing_beats_the_baseline():
    series = pd.concat([monthly(f"w{seed}", np.random.default_rng(seed).poisson(20, 48)) for seed in range(4)])
    sel = Forecaster().fit(series).selection
    kept = sel[~sel["beats_baseline"]]
    assert len(kept) >= 1  # on noise, some series find no model better than seasonal naive...
    assert (kept["model"] == "seasonal_naive").all() and kept["note"].str.contains("baseline kept").all()
    assert (kept["mase"] == kept["baseline_mase"]).all()
    beat = sel[sel["beats_baseline"]]  # ...and those that do, really scored lower
    assert (beat["mase"] < beat["baseline_mase"]).all()


def test_arima_recovers_an_ar1_and_beats_naive():
    model = MODELS["arima"](season_length=1).fit(ar1(0, 400))
    assert model.order["d"] == 0 and model.order["p"] >= 1 and model.a[0] == pytest.approx(0.6, abs=0.1)
    assert model.c / (1 - model.a.sum()) == pytest.approx(30, abs=1.5)  # the process mean
    series = pd.concat([monthly(f"a{seed}", ar1(seed, 48)) for seed in range(6)])
    res = Forecaster(models=("naive", "arima"), season_length=1, horizon=3, n_windows=4).fit(series)
    means = res.backtest.groupby("model")["mase"].mean()
    assert means["arima"] < 0.9 * means["naive"]


def test_worker_processes_give_the_same_results():
    series = pd.concat([monthly("a", ar1(1, 40)), monthly("i", intermittent(1, 40)),
                        monthly("s", seasonal_trend(n=40))])
    one = Forecaster(horizon=3, n_windows=2).fit(series)
    two = Forecaster(horizon=3, n_windows=2, n_jobs=2).fit(series)
    pd.testing.assert_frame_equal(one.selection, two.selection)
    pd.testing.assert_frame_equal(one.forecasts, two.forecasts)
