"""Static charts for reports (matplotlib, embedded as PNG: they work offline)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from workbench.places.gazetteer import country_name
from workbench.share.disclosure import DisclosurePolicy
from workbench.share.formatting import model_words, series_words


def _mask(values: pd.Series, policy: DisclosurePolicy) -> pd.Series:
    """Values below the policy's k become gaps (never drawn) for suppressed audiences."""
    values = pd.to_numeric(values, errors="coerce").astype(float)
    return values.where(values >= policy.k) if policy.suppress else values


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
            ax.plot(fc["ds"], _mask(fc["yhat"], policy), color="#c0392b", lw=1.5, label=f"forecast ({model_words(chosen[uid])})")
            lo, hi = _mask(fc["yhat_lower"], policy), _mask(fc["yhat_upper"], policy)
            ax.fill_between(fc["ds"], lo.to_numpy(), hi.to_numpy(), where=~(np.isnan(lo) | np.isnan(hi)),
                            color="#e74c3c", alpha=0.2, label=f"{results.level}% interval")
        ax.set_title(series_words(uid), fontsize=10)
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


def bars(labels: list[str], values: list[int | None], title: str, xlabel: str, k: int, room: float = 1.15,
         integer: bool = False):  # -> matplotlib Figure
    """Horizontal bars, largest on top, each labelled with its number; a withheld value drawn
    as a hatched bar up to k, labelled "withheld" (never as a gap or a zero).

    The one bar chart of the reports (countries, typologies, changes).

    Parameters
    ----------
    labels : list of str
        Bar labels, first on top.
    values : list of int or None
        Values, same order; None for a withheld value.
    title : str
        Chart title.
    xlabel : str
        Axis label.
    k : int
        Smallest count shown (a withheld bar is drawn up to it).
    room : float
        Axis length as a multiple of the largest value (room for the labels).
    integer : bool
        Whole-number ticks only.

    Returns
    -------
    matplotlib.figure.Figure
        The chart.
    """
    import matplotlib.pyplot as plt

    labels, values = list(labels)[::-1], list(values)[::-1]
    scale = max([v for v in values if v is not None] or [k])
    fig, ax = plt.subplots(figsize=(7.5, 0.38 * len(labels) + 1.0))
    for i, v in enumerate(values):
        if v is None:
            ax.barh(i, k, color="white", edgecolor="#888888", hatch="///")
            ax.text(k + scale * 0.01, i, f"withheld (fewer than {k}, or would reveal one)", va="center", fontsize=8,
                    color="#666666")
        else:
            ax.barh(i, v, color="#1f4e79")
            ax.text(v + scale * 0.01, i, f"{v:,}", va="center", fontsize=8)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_title(title, fontsize=11, loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    if xlabel:
        ax.set_xlabel(xlabel)
    ax.set_xlim(0, max(scale, 1) * room)
    if integer:
        ax.xaxis.get_major_locator().set_params(integer=True)
    fig.tight_layout()
    plt.close(fig)
    return fig


def country_bars(counts: pd.Series, ledger: Any, total_name: str | None, sid: str, title: str,
                 top: int = 12):  # -> matplotlib Figure or IPython HTML
    """Horizontal bars of counts by country; withheld counts drawn as hatched, labelled "[c]".

    The shown counts and the total are related in the ledger (countries sum to the
    total), so a lone withheld bar cannot be worked out by subtraction: settling
    withholds another one.

    Parameters
    ----------
    counts : pandas.Series
        Counts indexed by ISO3 code (all countries, not only the top ones).
    ledger : DisclosureLedger
        The report's ledger (settled here).
    total_name : str or None
        Name of the total the countries sum to (already in the ledger), if shown.
    sid : str
        Name prefix.
    title : str
        Chart title.
    top : int
        Bars drawn (largest first).

    Returns
    -------
    matplotlib.figure.Figure or IPython.display.HTML
        The chart, or a sentence when nothing is in scope.
    """
    counts = counts[counts > 0].sort_values(ascending=False)
    if counts.empty:
        from IPython.display import HTML

        return HTML("<p>Nothing in scope to chart.</p>")
    names = {iso: ledger.add(f"{sid}|country|{iso}", int(v), where="chart") for iso, v in counts.items()}
    if total_name is not None and ledger.items[total_name].value == int(counts.sum()):
        ledger.relate(total_name, list(names.values()))
    ledger.settle()
    shown = counts.head(top)
    return bars([country_name(iso) for iso in shown.index], [ledger.value(names[iso]) for iso in shown.index],
                title, "incidents", ledger.k)


def typology_chart(counts: pd.DataFrame, policy: Any):  # -> matplotlib Figure
    """Bars of accounts per typology; withheld counts drawn hatched and labelled "[c]".

    Parameters
    ----------
    counts : pandas.DataFrame
        ``title, accounts`` (withheld counts missing), from :func:`screening_view`.
    policy : DisclosurePolicy
        The audience's policy.

    Returns
    -------
    matplotlib.figure.Figure
        The chart.
    """
    values = [None if pd.isna(v) else int(v) for v in counts["accounts"]]
    return bars(list(counts["title"]), values, "Accounts firing each typology", "accounts", policy.k, room=1.3)


def change_chart(counts: dict[str, int], title: str):  # -> matplotlib Figure
    """Bars of how many things changed, by kind (counts of places and corridors, not of people).

    Parameters
    ----------
    counts : dict
        Kind -> number of changes.
    title : str
        Chart title.

    Returns
    -------
    matplotlib.figure.Figure
        The chart.
    """
    return bars(list(counts), [int(v) for v in counts.values()], title, "", 1, room=1.2, integer=True)
