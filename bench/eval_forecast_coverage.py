"""Coverage of the ladder's conformal intervals on simulated count series with known noise.

Usage: ``python bench/eval_forecast_coverage.py [--series 60] [--jobs 1]``

For yearly (season 1, 15 years, horizon 3), quarterly (season 4, 32 quarters, horizon
4) and monthly (season 12, 60 months, horizon 6) series of Poisson counts around a
level with a trend and (quarterly, monthly) a season, it prints, at 80% and 95%:

* **backtest coverage**: share of backtest actuals inside the cross-conformal interval
  (each window's interval calibrated without that window), the figure the ladder table
  reports per series;
* **held-out coverage**: the ladder fitted on all but the last ``horizon`` points, the
  share of those held-out points inside the final forecast interval;
* the share of series where a model replaced seasonal naive.

Targets (issue 13): 80% intervals cover 75-85% and 95% intervals 90-98% on the backtests.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workbench.analyse.forecast import Forecaster  # noqa: E402

SETTINGS = {  # frequency: (pandas freq, periods, season length, horizon, start)
    "yearly": ("YS", 15, 1, 3, "2010-01-01"),
    "quarterly": ("QS", 32, 4, 4, "2017-01-01"),
    "monthly": ("MS", 60, 12, 6, "2021-01-01"),
}


def simulate(kind: str, n_series: int, seed: int = 0) -> pd.DataFrame:
    """Poisson counts around ``level * (1 + trend * t) * season``, levels 5-200."""
    freq, n, m, _, start = SETTINGS[kind]
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    frames = []
    for i in range(n_series):
        level = float(np.exp(rng.uniform(np.log(5), np.log(200))))
        trend = rng.normal(0, 0.02) * (12 / max(m, 1) if m > 1 else 1)
        season = 1 + (rng.uniform(0.1, 0.4) * np.sin(2 * np.pi * t / m + rng.uniform(0, 6)) if m > 1 else 0)
        mean = np.clip(level * (1 + trend * t / max(m, 1)) * season, 0.5, None)
        frames.append(pd.DataFrame({"unique_id": f"{kind[0]}{i:04d}", "ds": pd.date_range(start, periods=n, freq=freq),
                                    "y": rng.poisson(mean).astype(float)}))
    return pd.concat(frames, ignore_index=True)


def held_out(series: pd.DataFrame, model: Forecaster, h: int) -> float:
    """Share of the last ``h`` points of each series inside the interval forecast without them."""
    series = series.sort_values(["unique_id", "ds"])
    from_end = series.groupby("unique_id").cumcount(ascending=False)
    train, test = series[from_end >= h], series[from_end < h]
    res = model.fit(train)
    joined = test.merge(res.forecasts, on=["unique_id", "ds"], how="inner")
    return float(((joined["y"] >= joined["yhat_lower"]) & (joined["y"] <= joined["yhat_upper"])).mean())


def main() -> None:
    """Print the coverage table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=60, help="series per frequency")
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    print(f"{'frequency':<10} {'level':>5} {'backtest coverage':>18} {'held-out coverage':>18} "
          f"{'model replaced baseline':>24} {'seconds':>8}")
    for kind, (freq, n, m, h, _) in SETTINGS.items():
        series = simulate(kind, args.series, seed=len(kind))
        for level in (80, 95):
            t0 = time.perf_counter()
            model = Forecaster(models="auto", season_length=m, horizon=h, level=level, n_windows=3, freq=freq,
                               n_jobs=args.jobs)
            res = model.fit(series)
            back = float(res.selection["coverage"].mean())
            out = held_out(series, model, h)
            replaced = float(res.selection["beats_baseline"].mean())
            print(f"{kind:<10} {level:>4}% {back:>18.1%} {out:>18.1%} {replaced:>24.0%} "
                  f"{time.perf_counter() - t0:>8.1f}", flush=True)


if __name__ == "__main__":
    main()
