import h3
import numpy as np
import pandas as pd
import pytest

from workbench.analyse.getis_ord import GetisOrdHotspots


def field(seed, planted=True):
    rng = np.random.default_rng(seed)
    centre = h3.latlng_to_cell(40.0, -3.0, 6)
    area = sorted(h3.grid_disk(centre, 12))
    counts = pd.Series(rng.poisson(2, len(area)), index=area)
    hot = sorted(h3.grid_disk(centre, 1))
    if planted:
        counts[hot] += 10
    df = counts[counts > 0].rename("count").rename_axis("h3_cell").reset_index()
    return df, set(hot)


def test_planted_hotspot_is_found():
    df, hot = field(1)
    res = GetisOrdHotspots(df, alpha=0.05).fit()
    found = set(res.hot["h3_cell"])
    assert hot <= found  # every planted cell is significant and hot
    classes = res.table.set_index("h3_cell").loc[sorted(hot), "hotspot_class"]
    assert classes.isin(["hot_99", "hot_95"]).all()
    assert res.fdr_threshold > 0 and res.n_cells >= len(df)


@pytest.mark.parametrize("seed", [2, 3, 4])
def test_noise_yields_no_hotspot_after_fdr(seed):
    df, _ = field(seed, planted=False)
    res = GetisOrdHotspots(df, alpha=0.05).fit()
    # homogeneous Poisson: with BH at 5% the expected number of false discoveries is ~0
    assert res.table["significant"].sum() <= 2


def test_without_fdr_noise_would_show_spurious_cells():
    # the reason for FDR: raw p < 0.05 flags cells in pure noise
    df, _ = field(5, planted=False)
    res = GetisOrdHotspots(df).fit()
    assert (res.table["p_value"] < 0.05).sum() > res.table["significant"].sum()


def test_permutation_p_values_are_added_when_asked():
    df, hot = field(6)
    res = GetisOrdHotspots(df, permutations=99, seed=1).fit()
    top = res.table.set_index("h3_cell").loc[sorted(hot), "p_sim"]
    assert (top <= 0.05).all()


def test_edge_cases_are_clear():
    with pytest.raises(ValueError, match="no located incidents"):
        GetisOrdHotspots(pd.DataFrame(columns=["h3_cell", "count"])).fit()
    one = pd.DataFrame({"h3_cell": [h3.latlng_to_cell(0, 0, 5)], "count": [4]})
    assert not GetisOrdHotspots(one).fit().table["significant"].any()
    mixed = pd.DataFrame({"h3_cell": [h3.latlng_to_cell(0, 0, 5), h3.latlng_to_cell(0, 0, 6)], "count": [1, 2]})
    with pytest.raises(ValueError, match="resolutions"):
        GetisOrdHotspots(mixed).fit()


def test_planted_demo_hotspots_are_found(use_home):
    import json

    from workbench import catalog
    from workbench.analyse.hexbin import hex_counts

    truth = json.loads((use_home / "data" / "demo" / "ground_truth.json").read_text())
    res = GetisOrdHotspots(hex_counts(catalog.load("incidents"), resolution=5)).fit()
    hot = set(res.hot["h3_cell"])
    for spot in truth["planted_hotspots"]:
        centre = h3.latlng_to_cell(spot["lat"], spot["lon"], 5)
        assert set(h3.grid_disk(centre, 1)) & hot, spot["name"]
