import numpy as np
import pandas as pd
import pytest

from workbench.analyse.forecast import MODELS, Forecaster, mase


def monthly(uid, values, start="2021-01-01"):
    return pd.DataFrame({"unique_id": uid, "ds": pd.date_range(start, periods=len(values), freq="MS"),
                         "y": np.asarray(values, dtype=float)})


def seasonal_trend(seed=0, n=60):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    mean = 30 + 0.6 * t + 8 * np.sin(2 * np.pi * t / 12)
    return rng.poisson(mean)


def test_registry_lists_the_ladder():
    assert {"naive", "seasonal_naive", "ets", "prophet"} <= set(MODELS)
    with pytest.raises(ValueError, match="unknown model"):
        Forecaster(monthly("a", range(40)), models=("arima_of_dreams",))


def test_mase_scales_by_seasonal_naive_and_falls_back():
    history = np.tile([1.0, 2, 3, 4], 6)
    assert np.isnan(mase([1, 2], [1, 2], np.ones(10), 4))
    flat_season = np.tile([5.0, 5, 5, 5], 3)
    assert np.isnan(mase([5], [6], flat_season, 4))
    assert mase([1, 2], [2, 3], history + np.arange(24), 4) == pytest.approx(1 / 4)


def test_trend_and_season_beat_seasonal_naive():
    res = Forecaster(monthly("s", seasonal_trend()), models=("seasonal_naive", "ets"), horizon=6).fit()
    row = res.selection.iloc[0]
    assert row.model == "ets" and row.beats_baseline and row.mase < row.baseline_mase
    assert len(res.forecasts) == 6 and (res.forecasts["model"] == "ets").all()
    assert set(res.backtest["model"]) == {"seasonal_naive", "ets"} and res.backtest["window"].nunique() == 3


def test_a_ladder_that_cannot_beat_the_baseline_says_so():
    rng = np.random.default_rng(1)
    season = np.tile([5, 40, 5, 40, 5, 40, 5, 40, 5, 40, 5, 40], 5).astype(float)
    res = Forecaster(monthly("n", season + rng.normal(0, 0.01, season.size)), models=("naive",)).fit()
    row = res.selection.iloc[0]
    assert row.model == "seasonal_naive" and not row.beats_baseline


def test_sparse_counts_never_go_negative():
    rng = np.random.default_rng(2)
    sparse = rng.poisson(0.3, 48)
    res = Forecaster(monthly("z", sparse), models=("seasonal_naive", "ets", "naive"), level=95).fit()
    assert (res.forecasts[["yhat", "yhat_lower", "yhat_upper"]] >= 0).all().all()


def test_short_series_are_skipped_with_a_reason():
    res = Forecaster(pd.concat([monthly("short", range(10)), monthly("ok", seasonal_trend(n=40))]),
                     models=("seasonal_naive",)).fit()
    assert res.skipped.to_dict("records") == [{"unique_id": "short", "reason": "10 observations; needs 31"}]
    assert list(res.selection["unique_id"]) == ["ok"]


def test_surge_in_the_latest_month_is_flagged():
    values = seasonal_trend(3, 48).astype(float)
    values[-1] *= 3
    res = Forecaster(monthly("s", values), models=("seasonal_naive", "ets")).fit()
    surges = res.surges()
    assert list(surges["unique_id"]) == ["s"] and surges.iloc[0]["y"] > surges.iloc[0]["yhat_upper"]


def test_prophet_rung_fits_offline():
    res = Forecaster(monthly("p", seasonal_trend(4, 40)), models=("prophet",), horizon=3, n_windows=1).fit()
    assert set(res.backtest["model"]) == {"seasonal_naive", "prophet"}
    assert np.isfinite(res.backtest["mase"]).all() and res.backtest["error"].isna().all()


def test_demo_series_beat_seasonal_naive(use_home):
    from workbench import catalog
    from workbench.analyse.series import incident_series

    series = incident_series(catalog.load("incidents"), by=("country_iso3",), start="2022-11-01",
                             end="2026-10-01")
    res = Forecaster(series, models=("seasonal_naive", "ets")).fit()
    sel = res.selection
    assert len(sel) == 12 and res.skipped.empty
    # the ladder beats seasonal naive on most of the demo's country series, and never reports worse
    assert sel["beats_baseline"].mean() > 0.5
    assert (sel["mase"] <= sel["baseline_mase"]).all()
    assert sel.loc[sel["beats_baseline"], "mase"].lt(sel.loc[sel["beats_baseline"], "baseline_mase"]).all()
