"""The ladder: backtest every candidate per series, select, forecast (:class:`Forecaster`)."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from workbench.analyse.forecast.registry import BASELINE, MODELS
from workbench.analyse.forecast.models import Prediction
from workbench.analyse.forecast.results import (_BACKTEST_COLUMNS, _ERROR_COLUMNS, _FORECAST_COLUMNS,
                                                _ONE_STEP_COLUMNS, _SELECTION_COLUMNS, ForecastResults)
from workbench.analyse.forecast.intervals import SCORE_COLUMNS, calibrate, conformal_bounds, training_scale
from workbench.analyse.forecast.scoring import AUTO_MODELS, adi, demand_pattern, mase, min_history


#: Default season length per frequency prefix (pandas offset aliases).
SEASON_LENGTHS = {"Y": 1, "A": 1, "Q": 4, "M": 12, "W": 52, "D": 7}


def season_length_for(freq: str) -> int:
    """Observations per year-long season for a pandas frequency (1 for yearly data).

    Parameters
    ----------
    freq : str
        Pandas frequency, e.g. ``"YS"``, ``"QS-JAN"``, ``"MS"``, ``"W-MON"``.

    Returns
    -------
    int
        1 (yearly), 4 (quarterly), 12 (monthly), 52 (weekly) or 7 (daily).

    Raises
    ------
    ValueError
        On a frequency with no yearly season (e.g. hourly).
    """
    key = str(freq).upper().lstrip("0123456789")[:1]
    if key not in SEASON_LENGTHS:
        raise ValueError(f"no default season length for frequency {freq!r}; pass season_length")
    return SEASON_LENGTHS[key]


class _Ladder:
    """The per-series work of :class:`Forecaster` (picklable, so it can run in worker processes)."""

    def __init__(self, models: tuple[str, ...], m: int, h: int, level: float, n_windows: int, freq: str,
                 min_windows: int = 2, margin: float = 0.05, min_win_share: float = 0.5) -> None:
        self.models, self.m, self.h, self.level, self.n_windows, self.freq = models, m, h, level, n_windows, freq
        self.min_windows, self.margin, self.min_win_share = min_windows, margin, min_win_share

    def windows_for(self, n: int) -> int:
        """Backtest windows a series of ``n`` observations gets (at most ``n_windows``)."""
        return max(0, min(self.n_windows, (n - MODELS[BASELINE].min_train(self.m)) // self.h))

    def candidates(self, y: np.ndarray, train: int) -> tuple[tuple[str, ...], list[str]]:
        """Models offered to ``y`` (``"auto"`` expanded, baseline first) and those too
        demanding for a first training window of ``train`` observations."""
        names: list[str] = [BASELINE]
        for name in self.models:
            names.extend(AUTO_MODELS[demand_pattern(y)] if name == "auto" else (name,))
        offered, dropped = [], []
        for name in dict.fromkeys(names):
            need = MODELS[name].min_train(self.m)
            if name == BASELINE or need <= train:
                offered.append(name)
            else:
                dropped.append(f"{name} (needs {need} training observations; the first window has {train})")
        return tuple(offered), dropped

    def predict(self, name: str, y: np.ndarray, ds: pd.DatetimeIndex, h: int) -> Prediction:
        """Fit ``name`` on ``y`` and forecast ``h`` steps; refuse non-finite output."""
        pred = MODELS[name](season_length=self.m, freq=self.freq).fit(y, ds).predict(h, self.level)
        if not all(np.isfinite(a).all() and len(a) == h for a in (pred.mean, pred.lower, pred.upper)):
            raise ValueError(f"{name} gave a non-finite forecast")
        return pred

    def run(self, uid: str, y: np.ndarray, ds: pd.DatetimeIndex, note: str = "") -> dict[str, list]:
        """Backtest, select and forecast one series; rows for each results frame.

        The forecast rows carry the point forecast and ``scale`` (the history's
        :func:`~workbench.analyse.forecast.intervals.training_scale`); their interval is
        set afterwards from the pooled backtest errors (:meth:`Forecaster.fit`).
        """
        out: dict[str, list] = {"back": [], "sel": [], "fc": [], "steps": [], "errors": [], "scores": []}
        windows = self.windows_for(y.size)
        models, dropped = self.candidates(y, y.size - windows * self.h)
        scores = self.backtest(uid, y, ds, models, windows, out)
        chosen, row = self.select(scores)
        notes = [note] if note else []
        notes += [f"not offered: {', '.join(dropped)}"] if dropped else []
        extra = row.pop("note")
        if extra:
            notes.append(extra)
        try:
            final = self.predict(chosen, y, ds, self.h)
        except Exception as exc:  # the baseline always forecasts: fall back rather than lose the series
            notes.append(f"{chosen} failed on the full history ({type(exc).__name__}: {exc}); baseline kept")
            chosen, row["mase"], row["beats_baseline"] = BASELINE, row["baseline_mase"], False
            final = self.predict(chosen, y, ds, self.h)
        out["scores"] = [s for s in out["scores"] if s[1] == chosen]
        out["sel"].append({"unique_id": uid, "model": chosen, **row, "note": "; ".join(n for n in notes if n),
                           "pattern": demand_pattern(y), "adi": adi(y), "candidates": ",".join(models),
                           "windows": windows})
        future = pd.date_range(ds[-1], periods=self.h + 1, freq=self.freq)[1:]
        out["fc"].append(pd.DataFrame({"unique_id": uid, "ds": future, "model": chosen,
                                       "yhat": np.clip(final.mean, 0, None),
                                       "scale": training_scale(y, self.m)}))
        try:
            step = self.predict(chosen, y[:-1], ds[:-1], 1)
            out["steps"].append({"unique_id": uid, "ds": ds[-1], "y": y[-1], "yhat": max(step.mean[0], 0.0),
                                 "scale": training_scale(y[:-1], self.m)})
        except Exception:  # no one-step check for this series; surges() simply cannot flag it
            pass
        return out

    def backtest(self, uid: str, y: np.ndarray, ds: pd.DatetimeIndex, models: tuple[str, ...], windows: int,
                 out: dict[str, list]) -> dict[str, np.ndarray]:
        """Score every model on every window; append rows; return MASE per model and window (NaN = failed)."""
        scores = {name: np.full(windows, np.nan) for name in models}
        for w in range(windows):
            cut = y.size - self.h * (windows - w)
            train, test = y[:cut], y[cut:cut + self.h]
            scale = training_scale(train, self.m)
            for name in models:
                error = None
                try:
                    mean = np.clip(self.predict(name, train, ds[:cut], self.h).mean, 0, None)
                    score = mase(test, mean, train, self.m)
                    mae = float(np.mean(np.abs(test - mean)))
                    out["errors"].append((uid, name, w, ds[cut:cut + self.h], test, mean))
                    out["scores"].extend((uid, name, w, j + 1, abs(float(test[j] - mean[j])), scale)
                                         for j in range(test.size))
                except Exception as exc:  # a model failing on one series must not stop the ladder
                    score, mae, error = np.nan, np.nan, f"{type(exc).__name__}: {exc}"
                scores[name][w] = score
                out["back"].append({"unique_id": uid, "model": name, "window": w, "cutoff": ds[cut - 1],
                                    "mase": score, "mae": mae, "error": error})
        return scores

    def select(self, scores: dict[str, np.ndarray]) -> tuple[str, dict]:
        """Choose a model, guarding against optimism.

        Only models scored on every window where the baseline's MASE is defined are
        ranked (the others are named in the note). The best of them replaces seasonal
        naive only when its mean MASE is at least ``margin`` below the baseline's and it
        wins (lower MASE) on more than ``min_win_share`` of those windows, and on at
        least ``min_windows`` (no win count is required when ``min_win_share`` is 0);
        otherwise the baseline is kept and the note says why.
        """
        defined = np.isfinite(scores[BASELINE])  # the scale is undefined only on a constant training window
        if not defined.any():
            return BASELINE, {"mase": np.nan, "baseline_mase": np.nan, "beats_baseline": False, "wins": 0,
                              "note": "MASE undefined (constant history in every window); baseline kept"}
        nd = int(defined.sum())
        means = {name: float(s[defined].mean()) for name, s in scores.items() if np.isfinite(s[defined]).all()}
        baseline = means[BASELINE]
        partial = sorted(n for n, s in scores.items() if n not in means and np.isfinite(s[defined]).any())
        failed = sorted(set(scores) - set(means) - set(partial))
        notes = [f"failed in backtest: {', '.join(failed)}"] if failed else []
        notes += [f"scored on only some windows, not ranked: {', '.join(partial)}"] if partial else []
        rivals = {n: v for n, v in means.items() if n != BASELINE}
        if not rivals:
            if len(scores) > 1:
                notes.append("no model beat seasonal naive in the backtest; baseline kept")
            return BASELINE, {"mase": baseline, "baseline_mase": baseline, "beats_baseline": False, "wins": 0,
                              "note": "; ".join(notes)}
        best = min(rivals, key=lambda n: (rivals[n], n))
        wins = int((scores[best][defined] < scores[BASELINE][defined]).sum())
        need = max(self.min_windows, int(np.floor(self.min_win_share * nd)) + 1) if self.min_win_share else 0
        better = rivals[best] < baseline and not np.isclose(rivals[best], baseline)
        beats = better and rivals[best] <= (1 - self.margin) * baseline and wins >= need
        if not better:
            notes.append("no model beat seasonal naive in the backtest; baseline kept")
        elif not beats:
            gain = 1 - rivals[best] / baseline if baseline else 0.0
            why = []
            if rivals[best] > (1 - self.margin) * baseline:
                why.append(f"by {gain:.0%}, under the {self.margin:.0%} margin")
            if wins < need:
                why.append(f"on {wins} of {nd} windows (needs {need})")
            notes.append(f"{best} beat seasonal naive only {' and '.join(why)}; baseline kept")
        chosen = best if beats else BASELINE
        return chosen, {"mase": means[chosen], "baseline_mase": baseline, "beats_baseline": bool(beats),
                        "wins": wins if beats else 0, "note": "; ".join(notes)}


def _error_frame(parts: list[tuple]) -> pd.DataFrame:
    """Backtest errors ``(uid, model, window, ds, y, yhat)`` pieces as one frame (built once: fast)."""
    if not parts:
        return pd.DataFrame(columns=_ERROR_COLUMNS)
    sizes = [len(p[4]) for p in parts]
    return pd.DataFrame({
        "unique_id": np.repeat([p[0] for p in parts], sizes),
        "model": np.repeat([p[1] for p in parts], sizes),
        "window": np.repeat([p[2] for p in parts], sizes),
        "ds": np.concatenate([np.asarray(p[3]) for p in parts]),
        "y": np.concatenate([p[4] for p in parts]),
        "yhat": np.concatenate([p[5] for p in parts]),
    })


_KEYS = ("back", "sel", "fc", "steps", "errors", "scores", "cpu")


def _run_chunk(ladder: _Ladder, items: list[tuple]) -> dict[str, list]:
    """Run :meth:`_Ladder.run` on several series ``(uid, y, ds, note)`` (one worker's share)."""
    import os
    import time

    out: dict[str, list] = {key: [] for key in _KEYS}
    started = time.process_time()
    for uid, y, ds, note in items:
        for key, rows in ladder.run(uid, y, ds, note).items():
            out[key].extend(rows)
    out["cpu"].append((os.getpid(), time.process_time() - started))
    return out


def _series_cost(ladder: _Ladder, y: np.ndarray) -> float:
    """Rough relative cost of one series: windows x model fits, smooth series' fits dearer."""
    smooth = demand_pattern(y) == "smooth"
    fits = sum(8.0 if smooth and name in ("auto", "ets", "arima", "auto_arima", "prophet") else 1.0
               for name in ladder.models)
    return (ladder.windows_for(y.size) + 2) * fits * (1 + y.size / 100)


def _run_parallel(ladder: _Ladder, items: list[tuple], n_jobs: int) -> dict[str, list]:
    """Run the ladder in ``n_jobs`` processes, balanced by cost.

    Series are sorted by :func:`_series_cost`, dearest first, and dealt out in small
    batches from a shared queue (dynamic scheduling: a worker that finishes early takes
    the next batch), so one worker is not left with all the expensive series. The
    results come back in the sorted series order, whatever the schedule.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    order = sorted(range(len(items)), key=lambda i: -_series_cost(ladder, items[i][1]))
    size = max(1, min(8, len(items) // (8 * n_jobs)))
    batches = [[items[i] for i in order[k:k + size]] for k in range(0, len(order), size)]
    with ProcessPoolExecutor(n_jobs, mp_context=multiprocessing.get_context("fork")) as pool:
        parts = list(pool.map(_run_chunk, [ladder] * len(batches), batches))
    out = {key: [row for part in parts for row in part[key]] for key in _KEYS}
    rank = {item[0]: i for i, item in enumerate(items)}  # back to the sorted series order
    for key in ("sel", "back", "steps"):  # stable: windows and models keep their order
        out[key].sort(key=lambda r: rank[r["unique_id"]])
    out["errors"].sort(key=lambda f: rank[f[0]])
    out["scores"].sort(key=lambda f: rank[f[0]])
    out["fc"].sort(key=lambda f: rank[f["unique_id"].iloc[0]])
    return out


class Forecaster:
    """Backtest a ladder of models per series and forecast with the best.

    Settings go to the constructor, the series to :meth:`fit`, which returns a
    :class:`ForecastResults`.

    Each series is backtested on up to ``n_windows`` rolling origins (fewer when it is
    short, down to ``min_windows``; the selection records ``windows``). A model whose
    minimum training length (``Model.min_train``) exceeds the first window's training
    part is not offered, and the note says so. Intervals are conformal, from the chosen
    model's own backtest errors (:mod:`~workbench.analyse.forecast.intervals`), and the
    selection reports their backtest ``coverage``.

    Parameters
    ----------
    models : str or sequence of str
        Names from :data:`MODELS`, or ``"auto"`` (the default): per series, smooth
        series get ``naive, ets, arima`` and intermittent ones (ADI >=
        :data:`INTERMITTENT_ADI`) ``naive, croston, tsb`` (:data:`AUTO_MODELS`).
        ``"auto"`` may be combined with names (``("auto", "prophet")``). Seasonal naive
        is always added as the baseline.
    season_length : int, optional
        Season length; default from the frequency (:func:`season_length_for`: 1 for
        yearly, 4 quarterly, 12 monthly, 52 weekly).
    horizon : int
        Steps forecast at each backtest origin and at the end.
    level : float
        Prediction interval level in percent (e.g. 80; a fraction like 0.8 is refused).
    n_windows : int
        Most backtest origins: consecutive, non-overlapping horizons ending at the last
        observation.
    freq : str, optional
        Frequency of ``ds`` (``"YS"``, ``"QS"``, ``"MS"``, ``"W-MON"``...); inferred
        from the stamps when None.
    on_short : {"skip", "raise"}
        What to do with a series shorter than :attr:`min_length`: record it in
        ``skipped``, or raise ``ValueError``.
    n_jobs : int
        Worker processes (series are dealt out by cost; 1 runs in this process).
    min_windows : int
        Fewest backtest windows a series may have (capped at ``n_windows``).
    margin : float
        Relative MASE improvement a model needs over seasonal naive to replace it.
    min_win_share : float
        Share of the windows a model must win (lower MASE than seasonal naive) to
        replace it: more than this share, and at least ``min_windows``. 0 drops the
        requirement (the margin alone decides).

    Examples
    --------
    >>> res = Forecaster().fit(incident_series(incidents, by=("country_iso3",)))  # doctest: +SKIP
    >>> res.selection, res.mase_table(), res.surges()  # doctest: +SKIP
    """

    def __init__(self, models: str | tuple[str, ...] = "auto", season_length: int | None = None,
                 horizon: int = 6, level: float = 80, n_windows: int = 3, freq: str | None = None,
                 on_short: Literal["skip", "raise"] = "skip", n_jobs: int = 1, min_windows: int = 2,
                 margin: float = 0.05, min_win_share: float = 0.5) -> None:
        if isinstance(models, str):
            models = (models,)
        unknown = [m for m in models if m not in MODELS and m != "auto"]
        if unknown:
            raise ValueError(f"unknown model(s) {unknown}; registered: {sorted(MODELS)} or 'auto'")
        for name, value in (("season_length", 1 if season_length is None else season_length),
                            ("horizon", horizon), ("n_windows", n_windows), ("n_jobs", n_jobs),
                            ("min_windows", min_windows)):
            if int(value) != value or value < 1:
                raise ValueError(f"{name} must be a whole number >= 1, got {value}")
        if not 1 < level < 100:
            raise ValueError(f"level is a percentage in (1, 100), e.g. 80; got {level}")
        if not 0 <= margin < 1:
            raise ValueError(f"margin is a fraction in [0, 1), e.g. 0.05; got {margin}")
        if not 0 <= min_win_share < 1:
            raise ValueError(f"min_win_share is a fraction in [0, 1), e.g. 0.5; got {min_win_share}")
        if on_short not in ("skip", "raise"):
            raise ValueError(f"on_short must be 'skip' or 'raise', got {on_short!r}")
        self.models = tuple(dict.fromkeys((BASELINE, *models)))
        self.season_length = None if season_length is None else int(season_length)
        self.m = self.season_length if self.season_length is not None else 12
        self.h = int(horizon)
        self.level = float(level)
        self.n_windows = int(n_windows)
        self.min_windows = min(int(min_windows), self.n_windows)
        self.margin = float(margin)
        self.min_win_share = float(min_win_share)
        self.freq = freq
        self.on_short = on_short
        self.n_jobs = int(n_jobs)

    @staticmethod
    def _check_series(series: pd.DataFrame) -> None:
        """Refuse a frame that is not a long ``unique_id, ds, y`` table (y may be NaN: no data)."""
        missing = {"unique_id", "ds", "y"} - set(series.columns)
        if missing:
            raise ValueError(f"series lacks column(s) {sorted(missing)} (need unique_id, ds, y)")
        if len(series) == 0:
            raise ValueError("series is empty: nothing to forecast")
        bad = series["ds"].isna()
        if bad.any():
            row = series[bad].iloc[0]
            raise ValueError(f"series {row['unique_id']!r}: missing ds at row {series.index[bad][0]}")
        dup = series.duplicated(["unique_id", "ds"])
        if dup.any():
            row = series[dup].iloc[0]
            raise ValueError(f"series {row['unique_id']!r}: ds {row['ds']} appears more than once")

    @staticmethod
    def _infer_freq(series: pd.DataFrame) -> str:
        for uid, group in series.groupby("unique_id", sort=True):
            if len(group) >= 3:
                freq = pd.infer_freq(pd.DatetimeIndex(group["ds"].sort_values()))
                if freq is None:
                    raise ValueError(f"series {uid!r}: ds is not on a regular grid; pass freq or fill the gaps")
                return freq
        return "MS"

    @property
    def min_length(self) -> int:
        """Shortest history that can be backtested on ``min_windows`` windows (:func:`min_history`)."""
        return min_history(self.m, self.h, self.min_windows)

    @staticmethod
    def _observed_run(y: np.ndarray, ds: pd.DatetimeIndex) -> tuple[np.ndarray, pd.DatetimeIndex, str]:
        """The last unbroken run of periods with data (NaN = no data), and a note when cut."""
        known = np.isfinite(y)
        if known.all():
            return y, ds, ""
        if not known.any():
            return y[:0], ds[:0], "no period with data"
        last = int(np.flatnonzero(known)[-1])
        gaps = np.flatnonzero(~known[:last + 1])
        first = int(gaps[-1]) + 1 if gaps.size else int(np.flatnonzero(known)[0])
        notes = []
        if last < y.size - 1:
            notes.append(f"no data after {ds[last]:%Y-%m-%d} ({y.size - 1 - last} period(s)): forecast from there")
        if first > 0:
            notes.append(f"{first} earlier period(s) left out (no data before {ds[first]:%Y-%m-%d})")
        return y[first:last + 1], ds[first:last + 1], "; ".join(notes)

    def _items(self, series: pd.DataFrame, freq: str) -> tuple[list[tuple], list[dict]]:
        """Series ``(uid, y, ds, note)`` to run, and the skipped ones with their reason."""
        skipped, items = [], []
        for uid, group in series.sort_values("ds").groupby("unique_id", sort=True):
            y = group["y"].to_numpy(dtype=float)
            ds = pd.DatetimeIndex(group["ds"])
            if not ds.equals(pd.date_range(ds[0], periods=len(ds), freq=freq)):
                raise ValueError(f"series {uid!r}: ds is not a complete {freq} grid (gaps or off-grid stamps)")
            y, ds, note = self._observed_run(y, ds)
            if y.size < self.min_length:
                reason = f"{y.size} observations; needs {self.min_length}" + (f" ({note})" if note else "")
                if self.on_short == "raise":
                    raise ValueError(f"series {uid!r}: {reason} (season_length + 1 + horizon * min_windows)")
                skipped.append({"unique_id": uid, "reason": reason})
                continue
            items.append((uid, y, ds, note))
        return skipped, items

    def fit(self, series: pd.DataFrame) -> ForecastResults:
        """Run the backtest, select a model per series, and forecast.

        Parameters
        ----------
        series : pandas.DataFrame
            Long frame ``unique_id, ds, y`` (e.g. from
            :func:`~workbench.analyse.series.incident_series`), each series on a
            complete, regular grid. ``y`` is NaN for periods with no data (no source
            reporting): a series is forecast from its last unbroken run of periods with
            data, and the note says what was left out.

        Returns
        -------
        ForecastResults
            Forecasts, backtest scores, selection, skipped series and one-step checks.

        Raises
        ------
        ValueError
            With ``on_short="raise"``, on the first series shorter than
            :attr:`min_length`; on a series whose stamps are not on the ``freq`` grid.
        """
        self._check_series(series)
        freq = self.freq or self._infer_freq(series)
        if self.season_length is None:
            self.m = season_length_for(freq)
        skipped, items = self._items(series, freq)
        ladder = _Ladder(self.models, self.m, self.h, self.level, self.n_windows, freq, self.min_windows,
                         self.margin, self.min_win_share)
        if self.n_jobs > 1 and len(items) > 1:
            out = _run_parallel(ladder, items, self.n_jobs)
        else:
            out = _run_chunk(ladder, items)
        busy: dict[int, float] = {}
        for pid, seconds in out["cpu"]:
            busy[pid] = busy.get(pid, 0.0) + seconds
        #: CPU seconds each worker process spent on the ladder (how evenly the work was shared).
        self.worker_seconds_ = sorted(busy.values(), reverse=True)
        return self._results(out, skipped)

    def _results(self, out: dict[str, list], skipped: list[dict]) -> ForecastResults:
        """Calibrate the conformal intervals on the pooled backtest errors and assemble the results."""
        scores = pd.DataFrame([s[:1] + s[2:] for s in out["scores"]], columns=SCORE_COLUMNS)
        cal = calibrate(scores, self.level)
        sel = pd.DataFrame(out["sel"], columns=_SELECTION_COLUMNS[:-3] + ["windows"])
        sel = sel.astype({"mase": float, "baseline_mase": float, "beats_baseline": bool, "adi": float})
        sel["coverage"] = sel["unique_id"].map(cal["coverage"]) if len(cal) else np.nan
        sel["interval"] = sel["unique_id"].map(cal["interval"]) if len(cal) else None
        sel["interval"] = sel["interval"].fillna("no backtest errors: interval of zero width")
        q = cal["q"].to_dict() if len(cal) else {}
        fc = []
        for frame in out["fc"]:
            lower, upper = conformal_bounds(frame["yhat"].to_numpy(), q.get(frame["unique_id"].iloc[0], 0.0),
                                            float(frame["scale"].iloc[0]))
            fc.append(frame.drop(columns="scale").assign(yhat_lower=lower, yhat_upper=upper))
        steps = pd.DataFrame(out["steps"], columns=["unique_id", "ds", "y", "yhat", "scale"])
        steps = steps.astype({"ds": "datetime64[ns]", "y": float, "yhat": float, "scale": float})
        steps["yhat_upper"] = steps["yhat"] + steps["unique_id"].map(q).fillna(0.0) * steps["scale"]
        return ForecastResults(
            forecasts=(pd.concat(fc, ignore_index=True) if fc else pd.DataFrame(columns=_FORECAST_COLUMNS).astype(
                {"ds": "datetime64[ns]", "yhat": float, "yhat_lower": float, "yhat_upper": float})),
            backtest=pd.DataFrame(out["back"], columns=_BACKTEST_COLUMNS),
            selection=sel.reindex(columns=_SELECTION_COLUMNS),
            skipped=pd.DataFrame(skipped, columns=["unique_id", "reason"]),
            level=self.level,
            one_step=steps.reindex(columns=_ONE_STEP_COLUMNS),
            errors=_error_frame(out["errors"]),
        )
