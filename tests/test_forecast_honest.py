"""Issue 13 items 1-2: conformal intervals that keep their promise, a guarded selection,
yearly and quarterly series, windows that adapt, partial scores not ranked."""

import numpy as np
import pandas as pd
import pytest

from workbench.analyse.forecast import MODELS, ForecastModel, Forecaster, ladder_table
from workbench.analyse.forecast.intervals import calibrate, conformal_quantile, scores_needed
from workbench.analyse.forecast.ladder import _Ladder, season_length_for


def poisson_series(n_series, n, freq, start, seed=0, m=12):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    frames = []
    for i in range(n_series):
        level = rng.uniform(8, 80)
        season = 1 + (0.3 * np.sin(2 * np.pi * t / m) if m > 1 else 0)
        frames.append(pd.DataFrame({"unique_id": f"s{i}", "ds": pd.date_range(start, periods=n, freq=freq),
                                    "y": rng.poisson(level * season).astype(float)}))
    return pd.concat(frames, ignore_index=True)


@pytest.mark.parametrize("level, lo, hi", [(80, 0.75, 0.85), (95, 0.90, 0.98)])
def test_conformal_intervals_cover_what_they_promise_on_known_noise(level, lo, hi):
    series = poisson_series(40, 48, "MS", "2021-01-01", seed=level)
    res = Forecaster(models=("naive",), horizon=6, level=level).fit(series)
    coverage = res.selection["coverage"].mean()
    assert lo <= coverage <= hi, coverage
    assert res.selection["interval"].str.startswith("conformal").all()
    # and on data the ladder never saw: the last 6 months held out
    last = series.groupby("unique_id").cumcount(ascending=False) < 6
    held = Forecaster(models=("naive",), horizon=6, level=level).fit(series[~last])
    joined = series[last].merge(held.forecasts, on=["unique_id", "ds"])
    inside = ((joined["y"] >= joined["yhat_lower"]) & (joined["y"] <= joined["yhat_upper"])).mean()
    assert lo - 0.07 <= inside <= min(hi + 0.07, 1.0), inside


def test_conformal_quantile_needs_enough_scores():
    assert scores_needed(80) == 4 and scores_needed(95) == 19
    assert conformal_quantile(np.arange(1.0, 5.0), 80) == (4.0, True)  # ceil(5 * 0.8) = 4th of 4
    q, ok = conformal_quantile(np.arange(1.0, 4.0), 80)
    assert q == 3.0 and not ok
    errors = pd.DataFrame({"unique_id": "a", "window": np.repeat([0, 1], 3), "step": np.tile([1, 2, 3], 2),
                           "abs_error": [1.0, 2, 3, 1, 2, 3], "scale": 1.0})
    cal = calibrate(errors, 95)  # 6 scores: too few for a 95% quantile (19)
    assert "too few" in cal.loc["a", "interval"] and 0 <= cal.loc["a", "coverage"] <= 1


def test_the_baseline_is_kept_unless_beaten_by_a_margin_on_most_windows():
    ladder = _Ladder(("seasonal_naive", "ets"), 12, 6, 80, 3, "MS")
    lucky = {"seasonal_naive": np.array([1.0, 1.0, 1.0]), "ets": np.array([0.2, 1.1, 1.2])}  # 17% better on average
    chosen, row = ladder.select(lucky)
    assert chosen == "seasonal_naive" and not row["beats_baseline"]
    assert "on 1 of 3 windows (needs 2)" in row["note"] and "baseline kept" in row["note"]
    slim = {"seasonal_naive": np.array([1.0, 1.0, 1.0]), "ets": np.array([0.98, 0.97, 0.99])}
    chosen, row = ladder.select(slim)
    assert chosen == "seasonal_naive" and "under the 5% margin" in row["note"]
    steady = {"seasonal_naive": np.array([1.0, 1.0, 1.0]), "ets": np.array([0.8, 0.9, 1.05])}
    chosen, row = ladder.select(steady)
    assert chosen == "ets" and row["beats_baseline"] and row["wins"] == 2


def test_yearly_and_quarterly_series_flow_through_with_stated_windows():
    assert season_length_for("YS-JAN") == 1 and season_length_for("QS-OCT") == 4 and season_length_for("MS") == 12
    rng = np.random.default_rng(4)
    yearly = pd.DataFrame({"unique_id": "NGA", "ds": pd.date_range("2011-01-01", periods=14, freq="YS"),
                           "y": rng.poisson(np.linspace(40, 90, 14)).astype(float)})
    res = Forecaster(horizon=3).fit(yearly)  # season length 1 inferred from the yearly stamps
    assert res.skipped.empty
    row = res.selection.iloc[0]
    assert row.windows == 3 and "arima (needs 8 training observations; the first window has 5)" in row.note
    assert (res.forecasts["ds"].dt.month == 1).all() and len(res.forecasts) == 3
    short = yearly.head(7)  # 7 years: 2 + 3 * w observations allow one window only: skipped at min_windows=2
    assert Forecaster(horizon=3).fit(short).skipped["reason"].iloc[0] == "7 observations; needs 8"
    eight = yearly.head(8)
    assert Forecaster(horizon=3).fit(eight).selection["windows"].iloc[0] == 2  # fewer windows, said so
    quarterly = poisson_series(1, 28, "QS", "2019-01-01", m=4)
    res = Forecaster(horizon=4).fit(quarterly)
    assert res.selection["windows"].iloc[0] == 3 and res.forecasts["ds"].iloc[0] == pd.Timestamp("2026-01-01")


def test_a_model_scored_on_fewer_windows_is_flagged_not_ranked(request):
    class Picky(ForecastModel):
        name = "picky"

        def fit(self, y, ds=None):
            if y.size < 30:
                raise RuntimeError("too short for me")
            self.last = float(y[-1])
            return self

        def predict(self, h, level):
            from workbench.analyse.forecast import Prediction
            mean = np.repeat(self.last, h)
            return Prediction(mean, mean - 1, mean + 1)

    MODELS.register("picky", Picky)
    request.addfinalizer(lambda: MODELS.unregister("picky"))
    series = poisson_series(1, 40, "MS", "2022-01-01")
    res = Forecaster(models=("picky",), horizon=4, n_windows=3).fit(series)
    assert res.selection["model"].iloc[0] == "seasonal_naive"
    assert "scored on only some windows, not ranked: picky" in res.selection["note"].iloc[0]
    assert np.isnan(res.mase_table()["picky"].iloc[0])
    cell = ladder_table(res)["picky MASE"].iloc[0]
    assert "(2 of 3 windows; not ranked)" in cell


def test_periods_without_data_are_left_out_not_forecast_as_zero():
    series = poisson_series(1, 48, "MS", "2022-01-01")
    series.loc[series.index[-5:], "y"] = np.nan  # the only source stopped reporting
    res = Forecaster(models=("naive",), horizon=3).fit(series)
    assert res.one_step["ds"].iloc[0] == series["ds"].iloc[-6]  # the last period with data
    assert "no data after" in res.selection["note"].iloc[0]
    assert res.forecasts["ds"].iloc[0] == series["ds"].iloc[-5]
