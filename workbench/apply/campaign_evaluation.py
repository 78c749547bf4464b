"""Did a prevention campaign change reporting? An interrupted time series.

:class:`CampaignEvaluation` fits a segmented regression to the app reports of the
campaign area (and optionally a control area), before and after the campaign start.

Model choice: counts are modelled with a **Poisson GLM (log link)**, so effects are rate
ratios ("reports were 35% higher than expected"), with seasonality as Fourier terms
(two harmonics of the year) and a linear trend. Standard errors are **Newey-West (HAC)**:
they are robust both to overdispersion (the Poisson variance assumption is not used for
inference) and to autocorrelation, the two usual failures of naive ITS. Without a
control::

    log E[y_t] = a + b t + season(t) + c post_t + d post_t (t - t0)

``exp(c)`` is the level change at the start (the effect reported), ``exp(d)`` the change
of the yearly trend. With a control series (difference in differences), both series
are fitted together, with their own intercept and trend and a shared season and a shared
post-start shift; the effect is then the treated area's extra level change::

    log E[y_it] = a + a_T T_i + (b + b_T T_i) t + season(t) + c post_t + d post_t (t - t0)
                  + e T_i post_t + f T_i post_t (t - t0)

``exp(e)`` is the effect; HAC errors are computed per series (``hac-panel``). The control
absorbs shocks common to both areas (a national news story, a change of the app), which
the single-series design would credit to the campaign.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Seasonal period (in observations) by spacing of the series.
PERIODS = {"W": 52.18, "MS": 12.0, "D": 365.25}


@dataclass
class CampaignEvaluationResults:
    """Results of :class:`CampaignEvaluation`.

    Attributes
    ----------
    table : pandas.DataFrame
        ``term, rate_ratio, ci_low, ci_high, p_value`` for the level change
        (``level_change``) and the trend change per year (``slope_change``).
    effect : float
        Rate ratio of the level change at the campaign start (1 = no change).
    ci : tuple of float
        Its confidence interval.
    p_value : float
        Two-sided p-value of the level change.
    fitted : pandas.DataFrame
        ``unique_id, ds, y, fitted, counterfactual`` (the counterfactual of the treated
        series leaves out the campaign's terms) for charts.
    design : str
        ``its`` (single series) or ``did`` (with a control).
    note : str
        The result in plain language.
    alpha : float
        1 - confidence level of the intervals.
    """

    table: pd.DataFrame
    effect: float
    ci: tuple[float, float]
    p_value: float
    fitted: pd.DataFrame
    design: str
    note: str = ""
    alpha: float = 0.05

    def plot(self, policy=None, ax=None):  # -> matplotlib Figure
        """Draw observed reports, the fit and the counterfactual, with the start marked.

        Parameters
        ----------
        policy : DisclosurePolicy, optional
            For suppressing audiences, observed counts below k are not drawn.
        ax : matplotlib.axes.Axes, optional
            Where to draw (a new figure by default).

        Returns
        -------
        matplotlib.figure.Figure
            The figure (displayed inline by notebooks).
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(9, 3.6))
        f = self.fitted
        treated = f.attrs.get("treated")
        order = sorted(f["unique_id"].unique(), key=lambda uid: uid != treated)
        for uid, colour in zip(order, ("#b2182b", "#4d4d4d")):
            s = f[f["unique_id"] == uid]
            name = "campaign area" if uid == treated else "control area"
            y = s["y"].where(s["y"] >= policy.k) if policy is not None and policy.suppress else s["y"]
            ax.plot(s["ds"], y, ".", color=colour, alpha=0.45, label=f"{name}: reports")
            ax.plot(s["ds"], s["fitted"], "-", color=colour, lw=1.4, label=f"{name}: fitted")
            if s["counterfactual"].notna().any():
                ax.plot(s["ds"], s["counterfactual"], "--", color=colour, lw=1.2, label=f"{name}: without campaign")
        start = f.attrs.get("campaign_start")
        if start is not None:
            ax.axvline(pd.Timestamp(start), color="#2166ac", lw=1, ls=":")
        ax.set_ylabel("app reports")
        ax.set_title("App reports before and after the campaign start (dotted line)", fontsize=10)
        ax.legend(fontsize=7, ncol=2, loc="upper left")
        ax.figure.tight_layout()
        plt.close(ax.figure)  # shown once, as the cell's value
        return ax.figure

    def summary(self) -> pd.DataFrame:
        """The estimates formatted for a report.

        Returns
        -------
        pandas.DataFrame
            ``estimate, change, CI low, CI high, p-value`` as text (percent changes).
        """
        names = {"level_change": "level change at the start", "slope_change": "change of yearly trend"}
        level = int(round(100 * (1 - self.alpha)))
        return pd.DataFrame({
            "estimate": self.table["term"].map(names),
            "change": self.table["rate_ratio"].map(lambda r: f"{100 * (r - 1):+.1f}%"),
            f"{level}% CI low": self.table["ci_low"].map(lambda r: f"{100 * (r - 1):+.1f}%"),
            f"{level}% CI high": self.table["ci_high"].map(lambda r: f"{100 * (r - 1):+.1f}%"),
            "p-value": self.table["p_value"].map(lambda p: f"{p:.3g}"),
        })


def _step(ds: pd.Series) -> str:
    gap = pd.Series(pd.to_datetime(ds).sort_values().unique()).diff().dt.days.median()
    if gap is None or pd.isna(gap):
        raise ValueError("series needs at least two periods")
    return "D" if gap < 3 else ("W" if gap < 15 else "MS")


class CampaignEvaluation:
    """Interrupted time series (optionally with a control) of reports around a campaign.

    Parameters
    ----------
    series : pandas.DataFrame
        Long frame ``unique_id, ds, y`` (counts per period, no gaps).
    campaign_start : str or Timestamp
        First day of the campaign; periods from it on are "post".
    treated : str, optional
        ``unique_id`` of the campaign area (default: the only series, or the one whose id
        ends with ``treated``).
    control : str, optional
        ``unique_id`` of a control area (default: the one ending with ``control`` when
        present; pass ``""`` for none).
    harmonics : int
        Fourier harmonics of the yearly season (0 for none).
    slope_change : bool
        Also estimate a change of trend after the start.
    alpha : float
        1 - confidence level of the intervals.
    maxlags : int, optional
        HAC lags (default ``floor(4 (n / 100) ^ (2/9))``).

    Examples
    --------
    >>> res = CampaignEvaluation(reports, "2026-01-26").fit()  # doctest: +SKIP
    >>> res.effect, res.ci, res.p_value  # doctest: +SKIP
    """

    def __init__(self, series: pd.DataFrame, campaign_start: str | pd.Timestamp, treated: str | None = None,
                 control: str | None = None, harmonics: int = 2, slope_change: bool = True, alpha: float = 0.05,
                 maxlags: int | None = None) -> None:
        missing = {"unique_id", "ds", "y"} - set(series.columns)
        if missing:
            raise ValueError(f"series lacks column(s) {sorted(missing)} (need unique_id, ds, y)")
        ids = list(pd.unique(series["unique_id"]))
        if treated is None:
            ends = [i for i in ids if str(i).endswith("treated")]
            if len(ids) == 1:
                treated = ids[0]
            elif len(ends) == 1:
                treated = ends[0]
            else:
                raise ValueError(f"several series {ids}: name the treated one (treated=...)")
        if treated not in ids:
            raise ValueError(f"treated series {treated!r} not in series; known: {ids}")
        if control is None:
            ends = [i for i in ids if str(i).endswith("control") and i != treated]
            control = ends[0] if len(ends) == 1 else ""
        if control and control not in ids:
            raise ValueError(f"control series {control!r} not in series; known: {ids}")
        y = pd.to_numeric(series["y"], errors="coerce")
        bad = y.isna() | (y < 0)
        if bad.any():
            row = bad.idxmax()
            uid, value = series.at[row, "unique_id"], _plain(series.at[row, "y"])
            raise ValueError(f"series row {row} ({uid}): field 'y'={value}: "
                             "expected a count >= 0")
        if not 0 < alpha < 1:
            raise ValueError(f"alpha must be in (0, 1), got {alpha}")
        self.series = series
        self.start = pd.Timestamp(campaign_start)
        self.treated, self.control = treated, control or None
        self.harmonics, self.slope_change, self.alpha, self.maxlags = int(harmonics), bool(slope_change), alpha, maxlags

    def _frame(self) -> tuple[pd.DataFrame, str]:
        keep = [self.treated] + ([self.control] if self.control else [])
        df = self.series[self.series["unique_id"].isin(keep)][["unique_id", "ds", "y"]].copy()
        df["ds"] = pd.to_datetime(df["ds"])
        df["y"] = pd.to_numeric(df["y"]).astype(float)
        step = _step(df.loc[df["unique_id"] == self.treated, "ds"])
        df = df.sort_values(["unique_id", "ds"]).reset_index(drop=True)
        for uid, s in df.groupby("unique_id"):
            pre, post = (s["ds"] < self.start).sum(), (s["ds"] >= self.start).sum()
            if pre < 8 or post < 4:
                raise ValueError(f"series {uid!r}: {pre} period(s) before and {post} after the start "
                                 f"{self.start.date()}; need at least 8 before and 4 after")
        return df, step

    def fit(self) -> CampaignEvaluationResults:
        """Fit the segmented Poisson regression with HAC errors.

        Returns
        -------
        CampaignEvaluationResults
            Level and slope changes as rate ratios with intervals and p-values.
        """
        from statsmodels.genmod import families
        from statsmodels.genmod.generalized_linear_model import GLM
        from scipy.stats import norm

        df, step = self._frame()
        origin = df["ds"].min()
        days = (df["ds"] - origin).dt.days.to_numpy(float)
        t = days / 365.25  # years
        t0 = (self.start - origin).days / 365.25
        post = (df["ds"] >= self.start).to_numpy(float)
        X = pd.DataFrame({"const": 1.0, "trend": t}, index=df.index)
        phase = 2 * np.pi * days / 365.25
        for h in range(1, self.harmonics + 1):
            X[f"sin{h}"], X[f"cos{h}"] = np.sin(h * phase), np.cos(h * phase)
        X["post"] = post
        if self.slope_change:
            X["post_trend"] = post * (t - t0)
        if self.control:
            T = (df["unique_id"] == self.treated).to_numpy(float)
            X["treated"], X["treated_trend"] = T, T * t
            X["effect"] = T * post
            if self.slope_change:
                X["effect_trend"] = T * post * (t - t0)
            level, slope, design = "effect", "effect_trend", "did"
        else:
            level, slope, design = "post", "post_trend", "its"
        n_per = int((df["unique_id"] == self.treated).sum())
        lags = self.maxlags if self.maxlags is not None else int(np.floor(4 * (n_per / 100) ** (2 / 9)))
        model = GLM(df["y"], X, family=families.Poisson())
        if self.control:
            groups = pd.factorize(df["unique_id"])[0]
            fit = model.fit(cov_type="hac-panel", cov_kwds={"groups": groups, "maxlags": lags})
        else:
            fit = model.fit(cov_type="HAC", cov_kwds={"maxlags": lags})
        zcrit = norm.ppf(1 - self.alpha / 2)
        rows = []
        for term, name in ((level, "level_change"), (slope, "slope_change")):
            if term not in fit.params.index:
                continue
            b, se = float(fit.params[term]), float(fit.bse[term])
            rows.append({"term": name, "rate_ratio": np.exp(b), "ci_low": np.exp(b - zcrit * se),
                         "ci_high": np.exp(b + zcrit * se), "p_value": float(2 * norm.sf(abs(b / se)))})
        table = pd.DataFrame(rows)
        cf_X = X.copy()
        campaign_terms = [level] + ([slope] if self.slope_change else [])
        is_treated = (df["unique_id"] == self.treated).to_numpy()
        for term in campaign_terms:
            cf_X.loc[is_treated, term] = 0.0
        fitted = df.assign(fitted=fit.predict(X), counterfactual=np.where(is_treated, fit.predict(cf_X), np.nan))
        fitted.attrs["campaign_start"] = self.start
        fitted.attrs["treated"] = self.treated
        lvl = table.iloc[0]
        effect, ci, p = float(lvl["rate_ratio"]), (float(lvl["ci_low"]), float(lvl["ci_high"])), float(lvl["p_value"])
        return CampaignEvaluationResults(table=table, effect=effect, ci=ci, p_value=p, fitted=fitted, design=design,
                                         note=self._note(effect, ci, p, design), alpha=self.alpha)

    def _note(self, effect: float, ci: tuple[float, float], p: float, design: str) -> str:
        pct = lambda r: f"{100 * (r - 1):+.0f}%"  # noqa: E731
        level = int(round(100 * (1 - self.alpha)))
        basis = ("the trend, the season and the control area" if design == "did" else "the trend and the season")
        if p < self.alpha:
            direction = "higher" if effect > 1 else "lower"
            return (f"After the campaign started on {self.start.date()}, app reports in the campaign area were "
                    f"{abs(100 * (effect - 1)):.0f}% {direction} than expected from {basis} "
                    f"({level}% CI {pct(ci[0])} to {pct(ci[1])}; p = {p:.3g}). Awareness campaigns are "
                    "meant to raise reporting, so a rise is the expected sign of success; it shows more "
                    "reports, not more (or less) exploitation.")
        return (f"No clear change in app reports after the campaign started on {self.start.date()}: the level "
                f"change was {pct(effect)} ({level}% CI {pct(ci[0])} to {pct(ci[1])}; p = {p:.3g}), compared "
                f"with {basis}. The data cannot tell a small effect from none.")


def campaign_info(log: pd.DataFrame, campaign_id: str) -> pd.DataFrame:
    """One campaign's entry of the campaign log, as text for a report.

    Parameters
    ----------
    log : pandas.DataFrame
        The campaign log (``campaign_id, area, country_iso3, radius_km, start,
        language``, optionally ``control_area``).
    campaign_id : str
        The campaign.

    Returns
    -------
    pandas.DataFrame
        ``field, value`` rows (all text).

    Raises
    ------
    ValueError
        When the campaign is not in the log (the known ids are listed).
    """
    row = _log_row(log, campaign_id)
    fields = [("campaign", "campaign_id"), ("area", "area"), ("country", "country_iso3"), ("start", "start"),
              ("language", "language"), ("control area", "control_area")]
    out = [(label, str(row[col])) for label, col in fields if col in row.index and pd.notna(row[col])]
    if "radius_km" in row.index and pd.notna(row["radius_km"]):
        out.append(("radius", f"{float(row['radius_km']):g} km"))
    return pd.DataFrame(out, columns=["field", "value"])


def _log_row(log: pd.DataFrame, campaign_id: str) -> pd.Series:
    hit = log[log["campaign_id"] == campaign_id]
    if hit.empty:
        raise ValueError(f"campaign {campaign_id!r} not in the campaign log; known: {sorted(log['campaign_id'])}")
    return hit.iloc[0]


def evaluate_campaign(log: pd.DataFrame, reports: pd.DataFrame, campaign_id: str,
                      **kwargs) -> CampaignEvaluationResults:
    """Evaluate one logged campaign on its report series.

    Parameters
    ----------
    log : pandas.DataFrame
        The campaign log (``campaign_id, start``).
    reports : pandas.DataFrame
        ``campaign_id, unique_id, ds, y`` report counts (the treated series' id ends
        with ``treated``, the control's with ``control``).
    campaign_id : str
        The campaign.
    **kwargs
        Passed to :class:`CampaignEvaluation`.

    Returns
    -------
    CampaignEvaluationResults
        The fit.
    """
    row = _log_row(log, campaign_id)
    series = reports[reports["campaign_id"] == campaign_id]
    if series.empty:
        raise ValueError(f"campaign {campaign_id!r}: no report series in campaign_reports")
    return CampaignEvaluation(series, row["start"], **kwargs).fit()


def _plain(value: object) -> str:
    """A value as written in an error message (numpy scalars as plain numbers)."""
    if isinstance(value, (np.floating, float)) and float(value).is_integer():
        return repr(int(value))
    return repr(value.item() if isinstance(value, np.generic) else value)
