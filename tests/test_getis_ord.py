import h3
import numpy as np
import pandas as pd
import pytest

from workbench.analyse.getis_ord import CLASSES, GetisOrdHotspots, hotspot_classes

CENTRE = h3.latlng_to_cell(40.0, -3.0, 6)
AREA = sorted(h3.grid_disk(CENTRE, 12))  # 469 cells


def field(seed, rate=2.0, planted=True):
    """Poisson counts on a disk of 469 cells; optionally +10 in the centre cell and its ring."""
    rng = np.random.default_rng(seed)
    counts = pd.Series(rng.poisson(rate, len(AREA)), index=AREA)
    hot = sorted(h3.grid_disk(CENTRE, 1))
    if planted:
        counts[hot] += 10
    df = counts[counts > 0].rename("count").rename_axis("h3_cell").reset_index()
    return df, set(hot)


def test_planted_hotspot_is_found():
    df, hot = field(1)
    res = GetisOrdHotspots(alpha=0.05, seed=1).fit(df)
    assert hot <= set(res.hot["h3_cell"])  # every planted cell is significant and hot
    classes = res.table.set_index("h3_cell").loc[sorted(hot), "hotspot_class"]
    assert classes.isin(["hot_99", "hot_95"]).all()
    assert res.n_cells == len(res.table) > len(df)  # the ring of zeros is part of the study area
    assert 0 < res.fdr_threshold < 0.05 and res.note == ""
    assert set(res.table["hotspot_class"]) <= set(CLASSES)
    assert {"h3_cell", "count", "gi_z", "p_value", "q_value", "significant", "hotspot_class", "p_sim"} <= set(
        res.table.columns)
    assert (res.table.set_index("h3_cell").loc[sorted(hot), "p_sim"] <= 0.01).all()  # permutations agree


def test_noise_yields_no_hotspot_after_fdr():
    # Under a homogeneous Poisson field every null hypothesis is true, so Benjamini-Hochberg
    # at alpha = 0.05 bounds P(any significant cell) by 0.05 per field (Gi* z-scores of
    # overlapping neighbourhoods are positively dependent, where BH still holds). Over 20
    # seeded fields we expect 1; P(Binomial(20, 0.05) >= 4) = 1.6%, so we allow at most 3,
    # and the few false discoveries come as a small clump of neighbouring cells.
    fields_with_any, most = 0, 0
    for seed in range(20):
        df, _ = field(seed, rate=5.0, planted=False)
        n = int(GetisOrdHotspots(permutations=0).fit(df).table["significant"].sum())
        fields_with_any += n > 0
        most = max(most, n)
    assert fields_with_any <= 3 and most <= 7


def test_without_fdr_noise_would_show_spurious_cells():
    # the reason for FDR: raw p < 0.05 flags about 5% of the cells of pure noise
    df, _ = field(5, planted=False)
    res = GetisOrdHotspots(permutations=0).fit(df)
    assert (res.table["p_value"] < 0.05).sum() > 10 > res.table["significant"].sum()


def test_explicit_study_area():
    df, hot = field(2, rate=5.0)
    res = GetisOrdHotspots(permutations=0).fit(df, study_area=AREA)
    assert res.n_cells == len(AREA) and hot <= set(res.hot["h3_cell"])
    with pytest.raises(ValueError, match="outside study_area"):
        GetisOrdHotspots().fit(df, study_area=AREA[:10])


def test_classes_bin_by_q_and_sign():
    z = np.array([3.0, 2.0, 1.5, 1.0, -1.5, -2.0, -3.0])
    q = np.array([0.005, 0.03, 0.08, 0.5, 0.08, 0.03, 0.005])
    assert list(hotspot_classes(z, q)) == ["hot_99", "hot_95", "hot_90", "not_significant", "cold_90", "cold_95",
                                           "cold_99"]


def test_geodataframe_carries_the_table():
    df, _ = field(3)
    res = GetisOrdHotspots(permutations=0).fit(df)
    gdf = res.to_geodataframe()
    assert len(gdf) == res.n_cells and gdf.crs.to_epsg() == 4326 and "hotspot_class" in gdf


def test_edge_cases_are_clear():
    with pytest.raises(ValueError, match="no located incidents"):
        GetisOrdHotspots().fit(pd.DataFrame(columns=["h3_cell", "count"]))
    with pytest.raises(ValueError, match="lacks column"):
        GetisOrdHotspots().fit(pd.DataFrame({"cell": ["x"], "count": [1]}))
    with pytest.raises(ValueError, match="row 1.*not a valid H3 cell"):
        GetisOrdHotspots().fit(pd.DataFrame({"h3_cell": [CENTRE, "nonsense"], "count": [1, 2]}))
    mixed = pd.DataFrame({"h3_cell": [h3.latlng_to_cell(0, 0, 5), h3.latlng_to_cell(0, 0, 6)], "count": [1, 2]})
    with pytest.raises(ValueError, match="resolutions"):
        GetisOrdHotspots().fit(mixed)
    one = GetisOrdHotspots().fit(pd.DataFrame({"h3_cell": [CENTRE], "count": [40]}))
    assert not one.table["significant"].any() and "fewer than two cells" in one.note and one.n_cells == 7
    flat = GetisOrdHotspots().fit(pd.DataFrame({"h3_cell": AREA, "count": 3}), study_area=AREA)
    assert not flat.table["significant"].any() and "same count" in flat.note


def test_planted_demo_hotspots_are_found(use_home):
    import json

    from workbench import catalog
    from workbench.analyse.hexbin import hex_counts

    truth = json.loads((use_home / "data" / "demo" / "ground_truth.json").read_text())
    res = GetisOrdHotspots().fit(hex_counts(catalog.load("incidents"), resolution=5))
    hot = set(res.hot["h3_cell"])
    for spot in truth["planted_hotspots"]:
        centre = h3.latlng_to_cell(spot["lat"], spot["lon"], 5)
        assert set(h3.grid_disk(centre, 1)) & hot, spot["name"]
