"""Surges of the ledger: the forecasting ladder on monthly country series, a surge when the
latest month is above its one-step forecast interval."""

from __future__ import annotations

import inspect
from typing import Any

import pandas as pd

from workbench.analyse.forecast import Forecaster
from workbench.analyse.series import incident_series
from workbench.findings.ledger import _COLUMNS, SURGE_HISTORY_MONTHS, Findings, Period
from workbench.places.gazetteer import country_name


def surge_findings(out: Findings, dated: pd.DataFrame, period: Period, judge: Any, withheld: list) -> list:
    """Fill ``out.forecast`` and ``out.surges``; return the surge judgements.

    Parameters
    ----------
    out : Findings
        The ledger being computed.
    dated : pandas.DataFrame
        Dated incidents in scope.
    period : Period
        The judged period (no month is checked for a surge when it is yearly).
    judge : module-like or None
        The judgement builders (see :func:`workbench.findings.compute_findings`).
    withheld : list
        Collects the candidates the artefact checks withheld.

    Returns
    -------
    list
        Key Judgements (empty without ``judge``).
    """
    end = period.end
    first = (end.to_period("M") - (SURGE_HISTORY_MONTHS - 1)).to_timestamp()
    series = incident_series(dated, freq="MS", by=("country_iso3",), start=str(first.date()), end=str(end.date()),
                             **_coarse_drop(incident_series))  # year-dated records never placed in January
    series = series[~series["unique_id"].astype(str).str.contains("ALL")]
    ladder = Forecaster(season_length=12, horizon=3).fit(series) if len(series) and not period.yearly else None
    surge_judgements = (judge.surge_judgements(ladder, dated, month=end, withheld=withheld)
                        if judge and ladder is not None else [])
    out.forecast, out.surges = _forecast_rows(ladder)
    return surge_judgements


def _coarse_drop(builder: Any) -> dict[str, str]:
    """``coarse="drop"`` when the series builder takes it (records dated more coarsely than a month left out)."""
    return {"coarse": "drop"} if "coarse" in inspect.signature(builder).parameters else {}


def _forecast_rows(ladder: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ladder's model choice per series and the months above their one-step interval."""
    if ladder is None:
        return pd.DataFrame(columns=_COLUMNS["forecast"]), pd.DataFrame(columns=_COLUMNS["surges"])
    sel = ladder.selection
    forecast = pd.DataFrame({
        "series": sel["unique_id"].astype(str), "country": [country_name(u) for u in sel["unique_id"]],
        "model": sel["model"], "mase": sel["mase"].astype(float).round(3),
        "baseline_mase": sel["baseline_mase"].astype(float).round(3), "beats_baseline": sel["beats_baseline"].astype(bool),
    })
    steps = ladder.one_step
    hit = steps[steps["y"] > steps["yhat_upper"]]
    chosen = dict(zip(sel["unique_id"], sel["model"]))
    beats = dict(zip(sel["unique_id"], sel["beats_baseline"]))
    surges = pd.DataFrame({
        "series": hit["unique_id"].astype(str), "country": [country_name(u) for u in hit["unique_id"]],
        "month": pd.to_datetime(hit["ds"]).dt.strftime("%Y-%m"), "observed": hit["y"].astype(int),
        "expected": hit["yhat"].astype(float).round(1), "upper": hit["yhat_upper"].astype(float).round(1),
        "model": [chosen.get(u, "") for u in hit["unique_id"]],
        "beats_baseline": [bool(beats.get(u, False)) for u in hit["unique_id"]],
    })
    return forecast.reset_index(drop=True), surges.sort_values("observed", ascending=False).reset_index(drop=True)
