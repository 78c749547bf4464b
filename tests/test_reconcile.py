import numpy as np
import pandas as pd
import pytest

from workbench.analyse.forecast import Forecaster
from workbench.analyse.reconcile import (Reconciler, coherence_error, coherence_line, hierarchy_table,
                                        reconcile_or_none, shrunk_covariance, summing_matrix)
from workbench.analyse.series import incident_series

BOTTOM = ["GHA/forced_labour", "GHA/sexual", "NGA/forced_labour", "NGA/sexual", "NGA/domestic"]
STAMPS = pd.date_range("2026-01-01", periods=6, freq="MS")


def hierarchy_frame(bottom_values: dict[str, np.ndarray]) -> pd.DataFrame:
    """A coherent long frame (``yhat``) with country and grand totals added up from the bottom."""
    rows = dict(bottom_values)
    for country in ("GHA", "NGA"):
        rows[f"{country}/ALL"] = sum(v for k, v in bottom_values.items() if k.startswith(country + "/"))
    rows["ALL"] = sum(bottom_values.values())
    stamps = pd.date_range("2026-01-01", periods=len(next(iter(rows.values()))), freq="MS")
    return pd.concat([pd.DataFrame({"unique_id": uid, "ds": stamps, "yhat": np.asarray(v, dtype=float)})
                      for uid, v in rows.items()], ignore_index=True)


def noisy_base(seed=0, n=6):
    rng = np.random.default_rng(seed)
    truth = hierarchy_frame({b: rng.uniform(5, 40, n) for b in BOTTOM})
    base = truth.copy()
    base["yhat"] = base["yhat"] + rng.normal(0, 4, len(base))
    base["yhat_lower"], base["yhat_upper"] = base["yhat"] - 5, base["yhat"] + 5
    return truth, base


def test_summing_matrix_reads_the_ids_of_incident_series():
    S = summing_matrix(["NGA/sexual", "ALL", "GHA/ALL", "NGA/ALL", "GHA/forced_labour", "NGA/forced_labour"])
    assert list(S.index[:3]) == ["ALL", "GHA/ALL", "NGA/ALL"] and list(S.columns) == sorted(S.columns)
    assert S.loc["ALL"].sum() == 3 and S.loc["NGA/ALL"].to_dict() == {
        "GHA/forced_labour": 0, "NGA/forced_labour": 1, "NGA/sexual": 1}
    one_level = summing_matrix(["ALL", "NGA", "GHA"])
    assert one_level.loc["ALL"].tolist() == [1, 1]
    with pytest.raises(ValueError, match="'XYZ/ALL'"):
        summing_matrix(["ALL", "NGA/a", "XYZ/ALL"])
    assert list(summing_matrix(["ALL", "NGA/a", "XYZ/ALL"], orphans="drop").index) == ["ALL", "NGA/a"]


@pytest.mark.parametrize("method", ["ols", "wls_struct", "mint_shrink", "bottom_up"])
def test_reconciled_forecasts_add_up(method):
    _, base = noisy_base()
    base.loc[base["unique_id"] == "ALL", "yhat"] -= 200  # a total far below its parts: projections go negative
    rng = np.random.default_rng(3)
    residuals = pd.DataFrame([{"unique_id": u, "ds": t, "residual": rng.normal()}
                              for u in base["unique_id"].unique() for t in range(20)])
    res = Reconciler(method).fit(base, residuals=residuals)
    assert res.coherence_error_unclipped < 1e-8
    assert res.coherence_error < 1e-8  # still adds up after the non-negativity step
    assert (res.forecasts[["yhat", "yhat_lower", "yhat_upper"]] >= 0).all().all()
    assert (res.forecasts["yhat_lower"] <= res.forecasts["yhat"]).all()
    assert (res.forecasts["yhat"] <= res.forecasts["yhat_upper"]).all()
    if method != "bottom_up":
        assert (res.unclipped["yhat"] < 0).any() and "set to zero" in res.note
    assert coherence_error(base, res.S) > 1  # the base forecasts did not add up


def test_bottom_up_is_the_sum_of_the_bottom_forecasts():
    _, base = noisy_base(1)
    res = Reconciler("bottom_up").fit(base)
    got = res.forecasts.set_index(["unique_id", "ds"])["yhat"]
    bottom = base[base["unique_id"].isin(BOTTOM)].set_index(["unique_id", "ds"])["yhat"]
    pd.testing.assert_series_equal(got.loc[bottom.index], bottom, check_names=False)
    nga = bottom[bottom.index.get_level_values(0).str.startswith("NGA/")].groupby(level="ds").sum()
    np.testing.assert_allclose(got.xs("NGA/ALL").to_numpy(), nga.to_numpy())
    np.testing.assert_allclose(got.xs("ALL").to_numpy(), bottom.groupby(level="ds").sum().to_numpy())


@pytest.mark.parametrize("method", ["ols", "wls_struct", "mint_shrink"])
def test_a_coherent_set_comes_back_unchanged(method):
    truth, _ = noisy_base(2)
    rng = np.random.default_rng(4)
    residuals = pd.DataFrame([{"unique_id": u, "ds": t, "residual": rng.normal()}
                              for u in truth["unique_id"].unique() for t in range(20)])
    res = Reconciler(method).fit(truth, residuals=residuals)
    merged = truth.merge(res.forecasts, on=["unique_id", "ds"], suffixes=("", "_rec"))
    np.testing.assert_allclose(merged["yhat_rec"], merged["yhat"], atol=1e-8)


def test_reconciliation_improves_noisy_base_forecasts():
    """Planted truth; base forecasts with independent noise (larger on the totals)."""
    rng = np.random.default_rng(7)
    n = 24
    truth = hierarchy_frame({b: rng.uniform(5, 30) + rng.normal(0, 2, n) for b in BOTTOM})
    sd = truth["unique_id"].map(lambda u: 10.0 if "ALL" in u else 3.0)
    base = truth.assign(yhat=truth["yhat"] + rng.normal(0, 1, len(truth)) * sd)
    residuals = pd.DataFrame({"unique_id": np.repeat(truth["unique_id"].unique(), 40),
                              "ds": np.tile(np.arange(40), truth["unique_id"].nunique())})
    residuals["residual"] = rng.normal(0, 1, len(residuals)) * residuals["unique_id"].map(
        lambda u: 10.0 if "ALL" in u else 3.0)
    scale = truth.groupby("unique_id")["yhat"].mean()  # per-series scale so every node weighs alike

    def scaled_error(frame):
        merged = truth.merge(frame, on=["unique_id", "ds"], suffixes=("", "_f"))
        return float(((merged["yhat_f"] - merged["yhat"]).abs() / merged["unique_id"].map(scale)).mean())

    before = scaled_error(base)
    for method in ("ols", "wls_struct", "mint_shrink"):
        res = Reconciler(method).fit(base, residuals=residuals)
        assert scaled_error(res.forecasts) <= before, method
    mint = Reconciler("mint_shrink").fit(base, residuals=residuals)
    assert scaled_error(mint.forecasts) < 0.9 * before and 0 <= mint.shrinkage <= 1


def test_shrinkage_goes_to_the_diagonal_for_independent_noise():
    rng = np.random.default_rng(0)
    _, lam_indep = shrunk_covariance(rng.normal(size=(30, 4)))
    common = rng.normal(size=(30, 1))
    _, lam_corr = shrunk_covariance(common + 0.1 * rng.normal(size=(30, 4)))
    assert lam_indep > 0.5 and lam_corr < 0.1


def test_ladder_results_reconcile_end_to_end():
    rng = np.random.default_rng(5)
    months = pd.date_range("2022-01-01", periods=36, freq="MS")
    rows = []
    for country, types, lam in (("GHA", ["forced_labour", "sexual"], 4), ("NGA", ["forced_labour", "sexual"], 9)):
        for month in months:
            for _ in range(rng.poisson(lam)):
                rows.append({"occurred_on": month + pd.Timedelta(days=int(rng.integers(0, 27))),
                             "country_iso3": country, "exploitation_types": [types[int(rng.integers(0, 2))]]})
    series = incident_series(pd.DataFrame(rows), by=("country_iso3", "exploitation_type"), totals=True)
    results = Forecaster(models=("naive",), horizon=3, n_windows=2).fit(series)
    res = Reconciler("mint_shrink").fit(results)
    assert reconcile_or_none(results).forecasts.equals(res.forecasts)
    only_total = Forecaster(models=("naive",), horizon=3, n_windows=2).fit(series[series["unique_id"] == "ALL"])
    assert reconcile_or_none(only_total) is None and reconcile_or_none(None) is None
    assert set(res.forecasts["unique_id"]) == set(series["unique_id"])
    assert res.coherence_error < 1e-8 and np.isfinite(res.shrinkage) and "coherent" in res.coherence_line()
    assert (res.forecasts["model"].str.endswith("+mint_shrink")).all()
    with pytest.raises(ValueError, match="'NGA/ALL'.*no base forecast"):
        Reconciler("ols").fit(results.forecasts[results.forecasts["unique_id"] != "NGA/ALL"],
                              hierarchy=res.S)


def test_report_table_withholds_small_forecasts_and_what_would_reveal_them():
    base = hierarchy_frame({k: np.array(v, dtype=float) for k, v in {
        "GHA/a": [30, 30], "GHA/b": [3, 3], "NGA/a": [40, 40], "NGA/b": [20, 20],
        "NGA/c": [2, 2]}.items()})
    res = Reconciler("ols").fit(base)
    shown = hierarchy_table(res).set_index("series")
    assert list(shown.index[:2]) == ["ALL", "NGA/ALL"] and shown.loc["NGA/ALL", "reconciled forecast"] == 124
    hidden = hierarchy_table(res, k=10).set_index("series")
    assert np.isnan(hidden.loc["GHA/b", "first month"]) and np.isnan(hidden.loc["NGA/c", "first month"])
    # GHA/a (30) is withheld too, else GHA/ALL - GHA/a would give GHA/b back
    assert np.isnan(hidden.loc["GHA/a", "first month"]) and hidden.loc["GHA/ALL", "first month"] == 33
    assert np.isnan(hidden.loc["NGA/b", "first month"]) and hidden.loc["NGA/a", "first month"] == 40
    assert hierarchy_table(None).empty and "No hierarchy" in coherence_line(None)
