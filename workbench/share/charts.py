"""Static charts for reports (matplotlib, embedded as PNG: they work offline)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from workbench.places.gazetteer import country_name
from workbench.share.disclosure import DisclosurePolicy


def _mask(values: pd.Series, policy: DisclosurePolicy) -> pd.Series:
    """Values below the policy's k become gaps (never drawn) for suppressed audiences."""
    values = pd.to_numeric(values, errors="coerce").astype(float)
    return values.where(values >= policy.k) if policy.suppress else values


def _series_title(uid: object) -> str:
    """A series id (``"ESP"``, ``"ESP/forced_labour"``) in words."""
    parts = str(uid).split("/")
    head = country_name(parts[0]) if len(parts[0]) == 3 and parts[0].isupper() and parts[0] != "ALL" else parts[0]
    return " / ".join([head, *[p.replace("_", " ") for p in parts[1:]]])


def _monthly(series: pd.DataFrame) -> bool:
    ds = pd.to_datetime(series["ds"]).drop_duplicates().sort_values()
    return len(ds) > 1 and ds.diff().dropna().dt.days.median() < 40


def _quarters(frame: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """Monthly rows summed to calendar quarters (bounds summed too: a wider, conservative band)."""
    if frame.empty:
        return frame
    out = frame.assign(ds=pd.to_datetime(frame["ds"]).dt.to_period("Q").dt.to_timestamp())
    return out.groupby("ds", as_index=False)[cols].sum(min_count=1)


def forecast_grid(series: pd.DataFrame, results, policy: DisclosurePolicy, columns: int = 2):  # -> Figure
    """Small multiples: each series' history, its chosen model's forecast and interval.

    Parameters
    ----------
    series : pandas.DataFrame
        Long ``unique_id, ds, y`` history.
    results : ForecastResults or None
        Forecasts (``forecasts`` frame) and model choice (``selection``); None when
        nothing was in scope.
    policy : DisclosurePolicy
        The audience's policy: for suppressed audiences no value below k is drawn (history
        points, forecast means and interval bounds below k are left as gaps).
    columns : int
        Panels per row.

    Returns
    -------
    matplotlib.figure.Figure or IPython.display.HTML
        The figure (displayed inline by notebooks), or a sentence when there is nothing
        to draw.
    """
    import matplotlib.pyplot as plt

    if results is None or results.selection.empty:
        from IPython.display import HTML

        return HTML("<p>No series in scope to forecast.</p>")
    ids = list(results.selection["unique_id"])
    rows = max(1, math.ceil(len(ids) / columns))
    fig, axes = plt.subplots(rows, columns, figsize=(6 * columns, 2.6 * rows), squeeze=False, sharex=True)
    chosen = dict(zip(results.selection["unique_id"], results.selection["model"]))
    coarse = policy.audience == "public" and _monthly(series)
    for ax, uid in zip(axes.flat, ids):
        hist = series[series["unique_id"] == uid].sort_values("ds")
        fc = results.forecasts[(results.forecasts["unique_id"] == uid) & (results.forecasts["model"] == chosen[uid])]
        if coarse:  # the public sees quarters, not months
            hist, fc = _quarters(hist, ["y"]), _quarters(fc, ["yhat", "yhat_lower", "yhat_upper"])
        shown = _mask(hist["y"], policy)
        ax.plot(hist["ds"], shown, color="#333333", lw=1.2, marker="o", ms=2.5, label="observed")
        if policy.suppress:  # withheld months drawn as a hatched band up to k, never as a gap
            hidden = shown.isna() & pd.to_numeric(hist["y"], errors="coerce").gt(0)
            if hidden.any():
                ax.bar(hist.loc[hidden, "ds"], policy.k, width=80 if coarse else 25, color="#eeeeee", edgecolor="#aaaaaa",
                       hatch="///", lw=0.4, label=f"withheld (1-{policy.k - 1})")
        if len(fc):
            ax.plot(fc["ds"], _mask(fc["yhat"], policy), color="#c0392b", lw=1.5, label=f"forecast ({chosen[uid]})")
            lo, hi = _mask(fc["yhat_lower"], policy), _mask(fc["yhat_upper"], policy)
            ax.fill_between(fc["ds"], lo.to_numpy(), hi.to_numpy(), where=~(np.isnan(lo) | np.isnan(hi)),
                            color="#e74c3c", alpha=0.2, label=f"{results.level}% interval")
        ax.set_title(_series_title(uid), fontsize=10)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(ids):]:
        ax.axis("off")
    if ids:
        handles = {}
        for ax in list(axes.flat)[:len(ids)]:
            for h, lab in zip(*ax.get_legend_handles_labels()):
                handles.setdefault(lab, h)
        fig.legend(list(handles.values()), list(handles), fontsize=8, loc="upper center", ncol=len(handles),
                   frameon=False, bbox_to_anchor=(0.5, 1.0))
    if policy.suppress:
        fig.text(0.01, 0.005, f"Values below {policy.k} are withheld (hatched), not drawn (disclosure control)."
                 + (" Quarterly totals for the public audience." if coarse else ""), fontsize=8)
    fig.tight_layout(rect=(0, 0.02, 1, 0.96))
    plt.close(fig)
    return fig
