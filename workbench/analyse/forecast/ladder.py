"""The ladder: backtest every candidate per series, select, forecast (:class:`Forecaster`)."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from workbench.analyse.forecast.registry import BASELINE, MODELS
from workbench.analyse.forecast.models import Prediction
from workbench.analyse.forecast.results import (_BACKTEST_COLUMNS, _ERROR_COLUMNS, _FORECAST_COLUMNS,
                                                _ONE_STEP_COLUMNS, _SELECTION_COLUMNS, ForecastResults)
from workbench.analyse.forecast.scoring import AUTO_MODELS, adi, demand_pattern, mase, min_history


class _Ladder:
    """The per-series work of :class:`Forecaster` (picklable, so it can run in worker processes)."""

    def __init__(self, models: tuple[str, ...], m: int, h: int, level: float, n_windows: int, freq: str) -> None:
        self.models, self.m, self.h, self.level, self.n_windows, self.freq = models, m, h, level, n_windows, freq

    def candidates(self, y: np.ndarray) -> tuple[str, ...]:
        """The models offered to ``y``: ``"auto"`` expands by demand pattern, baseline first."""
        names: list[str] = [BASELINE]
        for name in self.models:
            names.extend(AUTO_MODELS[demand_pattern(y)] if name == "auto" else (name,))
        return tuple(dict.fromkeys(names))

    def predict(self, name: str, y: np.ndarray, ds: pd.DatetimeIndex, h: int) -> Prediction:
        """Fit ``name`` on ``y`` and forecast ``h`` steps; refuse non-finite output."""
        pred = MODELS[name](season_length=self.m, freq=self.freq).fit(y, ds).predict(h, self.level)
        if not all(np.isfinite(a).all() and len(a) == h for a in (pred.mean, pred.lower, pred.upper)):
            raise ValueError(f"{name} gave a non-finite forecast")
        return pred

    def run(self, uid: str, y: np.ndarray, ds: pd.DatetimeIndex) -> dict[str, list]:
        """Backtest, select and forecast one series; rows for each results frame."""
        out: dict[str, list] = {"back": [], "sel": [], "fc": [], "steps": [], "errors": []}
        models = self.candidates(y)
        scores = self.backtest(uid, y, ds, models, out)
        chosen, row = self.select(scores)
        note = row.pop("note")
        try:
            final = self.predict(chosen, y, ds, self.h)
        except Exception as exc:  # the baseline always forecasts: fall back rather than lose the series
            note = f"{chosen} failed on the full history ({type(exc).__name__}: {exc}); baseline kept"
            chosen, row["mase"], row["beats_baseline"] = BASELINE, row["baseline_mase"], False
            final = self.predict(chosen, y, ds, self.h)
        out["sel"].append({"unique_id": uid, "model": chosen, **row, "note": note, "pattern": demand_pattern(y),
                           "adi": adi(y), "candidates": ",".join(models)})
        future = pd.date_range(ds[-1], periods=self.h + 1, freq=self.freq)[1:]
        out["fc"].append(pd.DataFrame({"unique_id": uid, "ds": future, "model": chosen,
                                       "yhat": np.clip(final.mean, 0, None),
                                       "yhat_lower": np.clip(final.lower, 0, None),
                                       "yhat_upper": np.clip(final.upper, 0, None)}))
        try:
            step = self.predict(chosen, y[:-1], ds[:-1], 1)
            out["steps"].append({"unique_id": uid, "ds": ds[-1], "y": y[-1], "yhat": max(step.mean[0], 0.0),
                                 "yhat_upper": max(step.upper[0], 0.0)})
        except Exception:  # no one-step check for this series; surges() simply cannot flag it
            pass
        return out

    def backtest(self, uid: str, y: np.ndarray, ds: pd.DatetimeIndex, models: tuple[str, ...],
                 out: dict[str, list]) -> dict[str, np.ndarray]:
        """Score every model on every window; append rows; return MASE per model (NaN = failed)."""
        scores = {name: np.full(self.n_windows, np.nan) for name in models}
        failed = {name: False for name in models}
        for w in range(self.n_windows):
            cut = y.size - self.h * (self.n_windows - w)
            train, test = y[:cut], y[cut:cut + self.h]
            for name in models:
                error = None
                try:
                    mean = np.clip(self.predict(name, train, ds[:cut], self.h).mean, 0, None)
                    score = mase(test, mean, train, self.m)
                    mae = float(np.mean(np.abs(test - mean)))
                    out["errors"].append((uid, name, w, ds[cut:cut + self.h], test, mean))
                except Exception as exc:  # a model failing on one series must not stop the ladder
                    score, mae, error = np.nan, np.nan, f"{type(exc).__name__}: {exc}"
                    failed[name] = True
                scores[name][w] = score
                out["back"].append({"unique_id": uid, "model": name, "window": w, "cutoff": ds[cut - 1],
                                    "mase": score, "mae": mae, "error": error})
        return {name: (np.full(self.n_windows, np.nan) if failed[name] else s) for name, s in scores.items()}

    @staticmethod
    def select(scores: dict[str, np.ndarray]) -> tuple[str, dict]:
        """Lowest mean MASE over the windows where MASE is defined; the baseline on ties."""
        defined = np.isfinite(scores[BASELINE])  # the scale is undefined only on a constant training window
        if not defined.any():
            return BASELINE, {"mase": np.nan, "baseline_mase": np.nan, "beats_baseline": False,
                              "note": "MASE undefined (constant history in every window); baseline kept"}
        means = {name: float(s[defined].mean()) for name, s in scores.items() if np.isfinite(s[defined]).all()}
        baseline = means[BASELINE]
        best = min(means, key=lambda n: (means[n], n != BASELINE))
        beats = best != BASELINE and means[best] < baseline and not np.isclose(means[best], baseline)
        chosen = best if beats else BASELINE
        failed = sorted(set(scores) - set(means))
        notes = [f"failed in backtest: {', '.join(failed)}"] if failed else []
        if not beats and len(scores) > 1:
            notes.append("no model beat seasonal naive in the backtest; baseline kept")
        return chosen, {"mase": means[chosen], "baseline_mase": baseline, "beats_baseline": bool(beats),
                        "note": "; ".join(notes)}


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


def _run_chunk(ladder: _Ladder, items: list[tuple[str, np.ndarray, pd.DatetimeIndex]]) -> dict[str, list]:
    """Run :meth:`_Ladder.run` on several series (one worker's share)."""
    out: dict[str, list] = {"back": [], "sel": [], "fc": [], "steps": [], "errors": []}
    for uid, y, ds in items:
        for key, rows in ladder.run(uid, y, ds).items():
            out[key].extend(rows)
    return out


class Forecaster:
    """Backtest a ladder of models per series and forecast with the best.

    Settings go to the constructor, the series to :meth:`fit`, which returns a
    :class:`ForecastResults`.

    Parameters
    ----------
    models : str or sequence of str
        Names from :data:`MODELS`, or ``"auto"`` (the default): per series, smooth
        series get ``naive, ets, arima`` and intermittent ones (ADI >=
        :data:`INTERMITTENT_ADI`) ``naive, croston, tsb`` (:data:`AUTO_MODELS`).
        ``"auto"`` may be combined with names (``("auto", "prophet")``). Seasonal naive
        is always added as the baseline.
    season_length : int
        Season length (12 for monthly data, 52 for weekly).
    horizon : int
        Steps forecast at each backtest origin and at the end.
    level : float
        Prediction interval level in percent (e.g. 80; a fraction like 0.8 is refused).
    n_windows : int
        Backtest origins: consecutive, non-overlapping horizons ending at the last
        observation.
    freq : str, optional
        Frequency of ``ds`` (``"MS"``, ``"W-MON"``...); inferred from the stamps when None.
    on_short : {"skip", "raise"}
        What to do with a series shorter than :func:`min_history`: record it in
        ``skipped``, or raise ``ValueError``.
    n_jobs : int
        Worker processes (series are split between them; 1 runs in this process).

    Examples
    --------
    >>> res = Forecaster().fit(incident_series(incidents, by=("country_iso3",)))  # doctest: +SKIP
    >>> res.selection, res.mase_table(), res.surges()  # doctest: +SKIP
    """

    def __init__(self, models: str | tuple[str, ...] = "auto", season_length: int = 12, horizon: int = 6,
                 level: float = 80, n_windows: int = 3, freq: str | None = None,
                 on_short: Literal["skip", "raise"] = "skip", n_jobs: int = 1) -> None:
        if isinstance(models, str):
            models = (models,)
        unknown = [m for m in models if m not in MODELS and m != "auto"]
        if unknown:
            raise ValueError(f"unknown model(s) {unknown}; registered: {sorted(MODELS)} or 'auto'")
        for name, value in (("season_length", season_length), ("horizon", horizon), ("n_windows", n_windows),
                            ("n_jobs", n_jobs)):
            if int(value) != value or value < 1:
                raise ValueError(f"{name} must be a whole number >= 1, got {value}")
        if not 1 < level < 100:
            raise ValueError(f"level is a percentage in (1, 100), e.g. 80; got {level}")
        if on_short not in ("skip", "raise"):
            raise ValueError(f"on_short must be 'skip' or 'raise', got {on_short!r}")
        self.models = tuple(dict.fromkeys((BASELINE, *models)))
        self.m = int(season_length)
        self.h = int(horizon)
        self.level = float(level)
        self.n_windows = int(n_windows)
        self.freq = freq
        self.on_short = on_short
        self.n_jobs = int(n_jobs)

    @staticmethod
    def _check_series(series: pd.DataFrame) -> None:
        """Refuse a frame that is not a long ``unique_id, ds, y`` table without gaps in values."""
        missing = {"unique_id", "ds", "y"} - set(series.columns)
        if missing:
            raise ValueError(f"series lacks column(s) {sorted(missing)} (need unique_id, ds, y)")
        if len(series) == 0:
            raise ValueError("series is empty: nothing to forecast")
        bad = series["y"].isna() | series["ds"].isna()
        if bad.any():
            row = series[bad].iloc[0]
            raise ValueError(f"series {row['unique_id']!r}: missing ds or y at row {series.index[bad][0]}")
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
        """Shortest history that can be backtested (see :func:`min_history`)."""
        return min_history(self.m, self.h, self.n_windows)

    def fit(self, series: pd.DataFrame) -> ForecastResults:
        """Run the backtest, select a model per series, and forecast.

        Parameters
        ----------
        series : pandas.DataFrame
            Long frame ``unique_id, ds, y`` (e.g. from
            :func:`~workbench.analyse.series.incident_series`), each series on a
            complete, regular grid.

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
        skipped, items = [], []
        for uid, group in series.sort_values("ds").groupby("unique_id", sort=True):
            y = group["y"].to_numpy(dtype=float)
            ds = pd.DatetimeIndex(group["ds"])
            if not ds.equals(pd.date_range(ds[0], periods=len(ds), freq=freq)):
                raise ValueError(f"series {uid!r}: ds is not a complete {freq} grid (gaps or off-grid stamps)")
            if y.size < self.min_length:
                reason = f"{y.size} observations; needs {self.min_length}"
                if self.on_short == "raise":
                    raise ValueError(f"series {uid!r}: {reason} (season_length + 1 + horizon * n_windows)")
                skipped.append({"unique_id": uid, "reason": reason})
                continue
            items.append((uid, y, ds))
        ladder = _Ladder(self.models, self.m, self.h, self.level, self.n_windows, freq)
        if self.n_jobs > 1 and len(items) > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            chunks = [items[i::self.n_jobs] for i in range(self.n_jobs)]
            with ProcessPoolExecutor(self.n_jobs, mp_context=multiprocessing.get_context("fork")) as pool:
                parts = list(pool.map(_run_chunk, [ladder] * len(chunks), chunks))
            out = {key: [row for part in parts for row in part[key]] for key in parts[0]}
            order = {uid: i for i, (uid, _, _) in enumerate(items)}  # back to the sorted series order
            out["sel"].sort(key=lambda r: order[r["unique_id"]])
            out["back"].sort(key=lambda r: order[r["unique_id"]])  # stable: windows and models keep their order
            out["steps"].sort(key=lambda r: order[r["unique_id"]])
            out["errors"].sort(key=lambda f: order[f[0]])
            out["fc"].sort(key=lambda f: order[f["unique_id"].iloc[0]])
        else:
            out = _run_chunk(ladder, items)
        back, sel, fc, steps, errors = out["back"], out["sel"], out["fc"], out["steps"], out["errors"]
        return ForecastResults(
            forecasts=pd.concat(fc, ignore_index=True) if fc else pd.DataFrame(columns=_FORECAST_COLUMNS),
            backtest=pd.DataFrame(back, columns=_BACKTEST_COLUMNS),
            selection=pd.DataFrame(sel, columns=_SELECTION_COLUMNS),
            skipped=pd.DataFrame(skipped, columns=["unique_id", "reason"]),
            level=self.level,
            one_step=pd.DataFrame(steps, columns=_ONE_STEP_COLUMNS),
            errors=_error_frame(errors),
        )
