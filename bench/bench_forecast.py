"""Benchmark: the forecasting ladder (without Prophet) on many synthetic monthly count series.

Half the series are smooth (seasonal Poisson counts with a trend), half intermittent
(Bernoulli occurrence times a Poisson size); 48 months each. ``Forecaster(models="auto")``
routes them (naive, ETS, ARIMA / naive, Croston, TSB, plus the seasonal naive baseline),
backtests every candidate on 3 rolling origins of 6 months, forecasts 6 months and makes
the one-step surge check. Then the country/type hierarchy of the first 60 series is
reconciled (MinT shrink). Prints total seconds, series per second, peak memory and a
peak memory, beside the plain-library baseline doing the backtest (statsforecast
``AutoETS`` cross-validation on the same series) with the ratio, and the machine's cores
and load. The two sides run alternately (``--repeats`` each), each in its own process
(``bench/common.py``: wall time and peak memory from ``os.wait4``); the ratio compares the
medians of the fits themselves (and, beside it, of the whole processes).

Run: ``.venv/bin/python bench/bench_forecast.py [--small] [--series N] [--jobs J] [--repeats R]
[--speedup] [--profile]`` (``--small``: 100 series). ``--speedup`` runs the ladder with 1
job and with ``--jobs`` (default 2) alternately on the same series and prints the
speed-up (issue 17: series are dealt out by cost, dearest first, from a shared queue;
target >= 1.8x with 2 jobs on an otherwise idle 2-core machine), the load-independent
bound the split allows (from the workers' CPU seconds), and whether both chose the same
models. ``--profile`` adds a cProfile top-10 of a serial run on 100 series.
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
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import alternate, machine, median, ratio_line, side_result  # noqa: E402
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


def run_ladder(n: int, jobs: int) -> None:
    """One side: the ladder on ``n`` series with ``jobs`` workers, then a reconciled hierarchy (prints JSON).

    Parameters
    ----------
    n : int
        Number of series.
    jobs : int
        Worker processes.
    """
    series = synthetic(n)
    Forecaster(horizon=6).fit(series[series["unique_id"] == series["unique_id"].iloc[0]])  # warm the imports
    cpu0 = _cpu_seconds()
    start = time.perf_counter()
    model = Forecaster(models="auto", season_length=12, horizon=6, n_jobs=jobs, n_windows=3)
    results = model.fit(series)
    seconds, cpu = time.perf_counter() - start, _cpu_seconds() - cpu0
    sel = results.selection
    # reconcile a 6-country slice of the hierarchy (60 bottom series, 6 country totals, 1 grand total)
    ids = sorted(series["unique_id"].unique())[:60]
    bottom = series[series["unique_id"].isin(ids)]
    country = bottom.assign(unique_id=bottom["unique_id"].str.split("/").str[0] + "/ALL")
    country = country.groupby(["unique_id", "ds"], as_index=False)["y"].sum()
    grand = bottom.groupby("ds", as_index=False)["y"].sum().assign(unique_id="ALL")
    tree = pd.concat([bottom, country, grand], ignore_index=True)
    t0 = time.perf_counter()
    rec = Reconciler("mint_shrink").fit(Forecaster(models="auto", horizon=6, n_windows=3).fit(tree))
    side_result(seconds=seconds, cpu=cpu, intermittent=int((sel["pattern"] == "intermittent").sum()),
                models=sel["model"].value_counts().to_dict(), chosen="|".join(sel["model"].tolist()),
                beats=float(sel["beats_baseline"].mean()), coverage=float(sel["coverage"].mean()),
                worker_seconds=list(getattr(model, "worker_seconds_", []) or []),
                reconcile_seconds=time.perf_counter() - t0, nodes=len(rec.S), coherence=float(rec.coherence_error),
                shrinkage=float(rec.shrinkage))


def run_statsforecast(n: int, jobs: int) -> None:
    """One side: the statsforecast AutoETS cross-validation baseline on the same series (prints JSON).

    Parameters
    ----------
    n : int
        Number of series.
    jobs : int
        Worker processes.
    """
    side_result(seconds=statsforecast_baseline(synthetic(n), jobs))


def main() -> None:
    """Run the sides alternately, each in its own process, and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="100 series instead of 1,000")
    parser.add_argument("--series", type=int, default=None, help="number of series (default 1,000)")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes for the ladder (default 1)")
    parser.add_argument("--repeats", type=int, default=1, help="alternating runs per side (medians compared)")
    parser.add_argument("--speedup", action="store_true", help="time 1 job against --jobs (default 2) and stop")
    parser.add_argument("--no-baseline", action="store_true", help="skip the statsforecast AutoETS baseline")
    parser.add_argument("--profile", action="store_true", help="add a cProfile top-10 of a serial run (100 series)")
    parser.add_argument("--side", choices=("ladder", "statsforecast"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    n = args.series or (100 if args.small else 1000)
    if args.side == "ladder":
        return run_ladder(n, args.jobs)
    if args.side == "statsforecast":
        return run_statsforecast(n, args.jobs)
    script = str(Path(__file__).resolve())
    print(f"forecast ladder, {n:,} series x 48 months, 3 backtest windows x 6 months; {machine()}", flush=True)
    if args.speedup:
        jobs = max(args.jobs, 2)
        runs = alternate({f"{j} job{'s' if j > 1 else ''}": [script, "--side", "ladder", "--series", str(n),
                                                              "--jobs", str(j)] for j in (1, jobs)}, args.repeats)
        one, many = runs.values()
        t1, tj = median([r.result["seconds"] for r in one]), median([r.result["seconds"] for r in many])
        busy = many[-1].result["worker_seconds"]
        bound = sum(busy) / max(busy) if busy else float("nan")  # the speed-up the split allows on idle cores
        same = all(r.result["chosen"] == one[0].result["chosen"] for r in one + many)
        print(f"ladder with 1 job {t1:.1f} s, with {jobs} jobs {tj:.1f} s (medians of the fits themselves): speed-up "
              f"{t1 / tj:.2f}x (target >= 1.8x with 2 jobs on 2 otherwise idle cores); same models chosen: {same}")
        print(f"work split by cost: worker CPU seconds {', '.join(f'{b:.1f}' for b in busy)}; balance bound on the "
              f"speed-up {bound:.2f}x of {jobs} (load-independent; the static i::n split gave 1.24x, issue 17)")
        print(f"machine at the end: {machine()}")
        return None
    sides = {"workbench": [script, "--side", "ladder", "--series", str(n), "--jobs", str(args.jobs)]}
    if not args.no_baseline:
        sides["statsforecast"] = [script, "--side", "statsforecast", "--series", str(n), "--jobs", str(args.jobs)]
    runs = alternate(sides, args.repeats)
    ours = runs["workbench"]
    last = ours[-1].result
    ladder_s = median([r.result["seconds"] for r in ours])
    print(f"series: {n} ({last['intermittent']} intermittent), jobs={args.jobs}; ladder {ladder_s:.1f} s (median, the "
          f"fit itself), {n / ladder_s:.1f} series/s, CPU {last['cpu']:.1f} s (this process and its workers)")
    print("chosen models: " + ", ".join(f"{k} {v}" for k, v in last["models"].items()))
    print(f"beats seasonal naive: {last['beats']:.0%} of series; mean backtest coverage of the 80% conformal "
          f"intervals {last['coverage']:.1%}")
    print(f"hierarchy of {last['nodes']} nodes: forecast + MinT reconcile {last['reconcile_seconds']:.1f} s, "
          f"coherence error {last['coherence']:.1e}, shrinkage {last['shrinkage']:.2f}")
    print(f"peak memory (max RSS, own process): workbench {median([r.peak_mb for r in ours]):,.0f} MB"
          + (f" | statsforecast {median([r.peak_mb for r in runs['statsforecast']]):,.0f} MB" if len(runs) > 1 else ""))
    if len(runs) > 1:
        base = runs["statsforecast"]
        print(ratio_line(f"ladder, {n:,} series, n_jobs={args.jobs} (median of {args.repeats}, the fit itself)",
                         ladder_s, median([r.result["seconds"] for r in base]), baseline_name="statsforecast AutoETS "
                         "cross-validation (same series and windows)")
              + " (the ladder fits and backtests 3-5 models per series, the baseline one)")
        print(ratio_line("  whole process (start, imports, data, work)", median([r.seconds for r in ours]),
                         median([r.seconds for r in base]), baseline_name="statsforecast"))
    print(f"machine at the end: {machine()}")
    if args.profile:
        series = synthetic(100)
        profile = cProfile.Profile()
        profile.enable()
        Forecaster(models="auto", season_length=12, horizon=6, n_windows=3).fit(series)
        profile.disable()
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(10)
        print("cProfile top 10 (cumulative) of a serial ladder run on 100 series:")
        print(out.getvalue().split("\n", 6)[-1].strip())
    return None


if __name__ == "__main__":
    main()
