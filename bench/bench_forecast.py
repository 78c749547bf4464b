"""Benchmark: the forecasting ladder (without Prophet) on many synthetic monthly count series.

Half the series are smooth (seasonal Poisson counts with a trend), half intermittent
(Bernoulli occurrence times a Poisson size); 48 months each. ``Forecaster(models="auto")``
routes them (naive, ETS, ARIMA / naive, Croston, TSB, plus the seasonal naive baseline),
backtests every candidate on 3 rolling origins of 6 months, forecasts 6 months and makes
the one-step surge check. Then the country/type hierarchy of the first 60 series is
reconciled (MinT shrink). Prints total seconds, series per second, peak memory and a
cProfile top-10 of the ladder run, beside the plain-library baseline doing the backtest
(statsforecast ``AutoETS`` cross-validation on the same series) with the ratio, and the
machine's cores and load.

Run: ``.venv/bin/python bench/bench_forecast.py [--small] [--series N] [--jobs J] [--speedup]``
(``--small``: 100 series). ``--speedup`` runs the ladder once with 1 job and once with
``--jobs`` (default 2) on the same series and prints the speed-up (issue 17: series are
dealt out by cost, dearest first, from a shared queue; target >= 1.8x with 2 jobs on an
otherwise idle 2-core machine), checking that both runs chose the same models.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workbench.analyse.forecast import Forecaster  # noqa: E402
from workbench.analyse.reconcile import Reconciler  # noqa: E402


def synthetic(n_series: int, months: int = 48, seed: int = 0) -> pd.DataFrame:
    """``n_series`` monthly count series, alternately smooth-seasonal and intermittent.

    Parameters
    ----------
    n_series : int
        Number of series.
    months : int
        Length of each series.
    seed : int
        Random seed.

    Returns
    -------
    pandas.DataFrame
        Long ``unique_id, ds, y`` frame; ids ``"C<k>/T<j>"`` (10 types per country) so
        they form a two-level hierarchy.
    """
    rng = np.random.default_rng(seed)
    t = np.arange(months)
    ds = pd.date_range("2022-01-01", periods=months, freq="MS")
    frames = []
    for i in range(n_series):
        if i % 2 == 0:
            level = rng.uniform(5, 60)
            season = 1 + rng.uniform(0.1, 0.5) * np.sin(2 * np.pi * t / 12 + rng.uniform(0, 2 * np.pi))
            trend = 1 + rng.uniform(-0.01, 0.02) * t
            y = rng.poisson(level * season * trend)
        else:
            y = rng.binomial(1, rng.uniform(0.1, 0.5), months) * (1 + rng.poisson(rng.uniform(0.5, 4), months))
        frames.append(pd.DataFrame({"unique_id": f"C{i // 10:03d}/T{i % 10}", "ds": ds, "y": y.astype(float)}))
    return pd.concat(frames, ignore_index=True)


def _cpu_seconds() -> float:
    """User + system CPU seconds of this process and of its finished worker processes."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def statsforecast_baseline(series: pd.DataFrame, jobs: int) -> float:
    """Seconds of the plain-library baseline: statsforecast AutoETS cross-validation on the same series.

    Parameters
    ----------
    series : pandas.DataFrame
        Long ``unique_id, ds, y`` frame.
    jobs : int
        Worker processes (as the ladder's ``n_jobs``).

    Returns
    -------
    float
        Wall seconds of ``StatsForecast.cross_validation`` (3 windows of 6 months, step 6).
    """
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS

    first = series[series["unique_id"] == series["unique_id"].iloc[0]]
    StatsForecast(models=[AutoETS(season_length=12)], freq="MS").cross_validation(df=first, h=6, n_windows=3,
                                                                                   step_size=6)  # warm numba
    start = time.perf_counter()
    StatsForecast(models=[AutoETS(season_length=12)], freq="MS", n_jobs=jobs).cross_validation(
        df=series, h=6, n_windows=3, step_size=6)
    return time.perf_counter() - start


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="100 series instead of 1,000")
    parser.add_argument("--series", type=int, default=None, help="number of series (default 1,000)")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes for the ladder (default 1)")
    parser.add_argument("--speedup", action="store_true", help="time 1 job against --jobs (default 2) and stop")
    parser.add_argument("--no-baseline", action="store_true", help="skip the statsforecast AutoETS baseline")
    args = parser.parse_args()
    n = args.series or (100 if args.small else 1000)
    series = synthetic(n)
    Forecaster(horizon=6).fit(series[series["unique_id"] == series["unique_id"].iloc[0]])  # warm the imports
    if args.speedup:
        jobs = max(args.jobs, 2)
        timings, chosen = {}, {}
        for j in (1, jobs):
            start = time.perf_counter()
            model = Forecaster(models="auto", season_length=12, horizon=6, n_windows=3, n_jobs=j)
            res = model.fit(series)
            timings[j], chosen[j] = time.perf_counter() - start, res.selection["model"].tolist()
        busy = model.worker_seconds_
        bound = sum(busy) / max(busy)  # the speed-up the split allows with idle cores (load-independent)
        print(f"series: {n}; ladder with 1 job {timings[1]:.1f} s, with {jobs} jobs {timings[jobs]:.1f} s (wall): "
              f"speed-up {timings[1] / timings[jobs]:.2f}x (target >= 1.8x with 2 jobs on 2 idle cores); "
              f"same models chosen: {chosen[1] == chosen[jobs]}")
        print(f"work split by cost: worker CPU seconds {', '.join(f'{b:.1f}' for b in busy)}; "
              f"balance bound on the speed-up {bound:.2f}x of {jobs} (static i::n split gave 1.24x, issue 17)")
        return

    profile = cProfile.Profile()
    cpu0 = _cpu_seconds()
    start = time.perf_counter()
    if args.jobs == 1:
        profile.enable()
    results = Forecaster(models="auto", season_length=12, horizon=6, n_windows=3, n_jobs=args.jobs).fit(series)
    profile.disable()
    ladder_s = time.perf_counter() - start
    ladder_cpu = _cpu_seconds() - cpu0
    if args.jobs > 1:  # the workers are not profiled: profile a serial run on the first 100 series
        first = series[series["unique_id"].isin(series["unique_id"].unique()[:100])]
        profile.enable()
        Forecaster(models="auto", season_length=12, horizon=6, n_windows=3).fit(first)
        profile.disable()

    # reconcile a 6-country slice of the hierarchy (60 bottom series, 6 country totals, 1 grand total)
    ids = sorted(series["unique_id"].unique())[:60]
    bottom = series[series["unique_id"].isin(ids)]
    country = bottom.assign(unique_id=bottom["unique_id"].str.split("/").str[0] + "/ALL")
    country = country.groupby(["unique_id", "ds"], as_index=False)["y"].sum()
    grand = bottom.groupby("ds", as_index=False)["y"].sum().assign(unique_id="ALL")
    tree = pd.concat([bottom, country, grand], ignore_index=True)
    start = time.perf_counter()
    tree_fit = Forecaster(models="auto", horizon=6, n_windows=3).fit(tree)
    rec = Reconciler("mint_shrink").fit(tree_fit)
    reconcile_s = time.perf_counter() - start

    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    baseline_s = None if args.no_baseline else statsforecast_baseline(series, args.jobs)
    sel = results.selection
    print(f"series: {n} ({(sel['pattern'] == 'intermittent').sum()} intermittent), 48 months, "
          f"3 backtest windows x 6 months, jobs={args.jobs}")
    print(f"ladder: {ladder_s:.1f} s total (wall), {n / ladder_s:.1f} series/s; "
          f"CPU {ladder_cpu:.1f} s (this process and its workers; wall time grows when the machine is shared)")
    print("chosen models: " + ", ".join(f"{k} {v}" for k, v in sel["model"].value_counts().items()))
    print(f"beats seasonal naive: {sel['beats_baseline'].mean():.0%} of series; mean backtest coverage of the "
          f"80% conformal intervals {sel['coverage'].mean():.1%}")
    print(f"hierarchy of {len(rec.S)} nodes: forecast + MinT reconcile {reconcile_s:.1f} s, "
          f"coherence error {rec.coherence_error:.1e}, shrinkage {rec.shrinkage:.2f}")
    print(f"peak memory (max RSS, this process): {peak_mib:.0f} MiB")
    if baseline_s is not None:
        print(f"ladder: workbench {ladder_s:.1f} s | statsforecast AutoETS cross-validation (same series, 3 windows x "
              f"6 months, n_jobs={args.jobs}) {baseline_s:.1f} s | ratio {ladder_s / baseline_s:.2f}x "
              f"(the ladder fits and backtests 3-5 models per series, the baseline one)")
    print(f"machine: cores {os.cpu_count()}, load {' / '.join(f'{x:.2f}' for x in os.getloadavg())} (1 / 5 / 15 min)")
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(10)
    print("cProfile top 10 (cumulative) of the ladder run" + (" (serial, first 100 series):" if args.jobs > 1 else ":"))
    print(out.getvalue().split("\n", 6)[-1].strip())


if __name__ == "__main__":
    main()
