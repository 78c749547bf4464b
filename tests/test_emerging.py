"""Emerging hot spots: planted space-time patterns are classified as ArcGIS defines them."""

import h3
import numpy as np
import pandas as pd
import pytest

from workbench.analyse.emerging import (CLASSES, NO_PATTERN, EmergingHotspots, classify_patterns, mann_kendall,
                                        space_time_counts)
from workbench.analyse.getis_ord import GetisOrdHotspots

CENTRE = h3.latlng_to_cell(40.0, -3.0, 5)
AREA = sorted(h3.grid_disk(CENTRE, 8))  # 217 cells
CLUSTER = set(h3.grid_disk(CENTRE, 1))  # the centre and its six neighbours
T = 20  # 90% of the steps = 18 steps
STEPS = pd.date_range("2026-01-05", periods=T, freq="W-MON")
RATE = 8.0  # background incidents per cell and step


def at(steps, value, other=1.0):
    """Multipliers of the cluster's rate: ``value`` at ``steps``, ``other`` elsewhere."""
    f = np.full(T, other)
    f[list(steps)] = value
    return f


def cube(factors, seed=0, rate=RATE):
    """Poisson counts on AREA x STEPS; the cluster's rate multiplied by ``factors`` per step."""
    rng = np.random.default_rng(seed)
    lam = np.full((len(AREA), T), rate)
    lam[[i for i, c in enumerate(AREA) if c in CLUSTER], :] *= np.asarray(factors, dtype=float)[None, :]
    y = rng.poisson(lam)
    return pd.DataFrame({"h3_cell": np.repeat(AREA, T), "ds": np.tile(STEPS, len(AREA)), "count": y.ravel()})


LAST4 = range(T - 4, T)
PLANTED = {
    # hot: 3-4x the background in the cluster
    "new hot spot": at([T - 1], 3.5),
    "consecutive hot spot": at(LAST4, 3.5),
    "intensifying hot spot": np.linspace(1.8, 4.0, T),
    "persistent hot spot": np.full(T, 3.0),
    "diminishing hot spot": np.linspace(4.0, 2.0, T),
    "sporadic hot spot": at([3, 8, 12, T - 1], 3.5),
    "oscillating hot spot": at([2, 3, 4], 0.0) + at([10, T - 1], 2.5, 0.0),
    "historical hot spot": at(range(T - 1), 3.5),
    # cold: the cluster goes (nearly) quiet
    "new cold spot": at([T - 1], 0.0),
    "consecutive cold spot": at(LAST4, 0.0),
    "intensifying cold spot": np.linspace(0.45, 0.0, T),
    "persistent cold spot": np.full(T, 0.1),
    "diminishing cold spot": np.linspace(0.0, 0.45, T),
    "sporadic cold spot": at([3, 8, 12, T - 1], 0.0),
    "oscillating cold spot": at([2, 3, 4], 3.5) + at([10, T - 1], -1.0, 0.0),
    "historical cold spot": at(range(T - 1), 0.0),
}


@pytest.mark.parametrize("pattern", list(PLANTED))
def test_planted_pattern_is_classified(pattern):
    res = EmergingHotspots().fit(cube(PLANTED[pattern], seed=3), study_area=AREA)
    table = res.table.set_index("h3_cell")
    assert table.loc[CENTRE, "pattern"] == pattern
    # far from the cluster nothing is claimed: at most a handful of false discoveries
    far = [c for c in AREA if h3.grid_distance(CENTRE, c) > 2]
    assert (table.loc[far, "pattern"] == NO_PATTERN).mean() >= 0.95


def test_homogeneous_field_has_mostly_no_pattern():
    for seed in range(3):
        res = EmergingHotspots().fit(cube(np.ones(T), seed=seed), study_area=AREA)
        assert (res.table["pattern"] == NO_PATTERN).mean() >= 0.95
        assert res.patterns["places"].sum() == len(AREA) and list(res.patterns["pattern"]) == list(CLASSES)


def test_each_step_matches_the_single_map_model():
    # one step of the vectorised cube = GetisOrdHotspots on that step's counts (esda's Gi*)
    df = cube(PLANTED["persistent hot spot"], seed=1)
    res = EmergingHotspots().fit(df, study_area=AREA)
    step = STEPS[7]
    one = GetisOrdHotspots(permutations=0).fit(df[df["ds"] == step][["h3_cell", "count"]], study_area=AREA)
    mine = res.gi[res.gi["ds"] == step].set_index("h3_cell")
    theirs = one.table.set_index("h3_cell").loc[mine.index]
    np.testing.assert_allclose(mine["gi_z"], theirs["gi_z"], atol=1e-9)
    np.testing.assert_allclose(mine["q_value"], theirs["q_value"], atol=1e-12)  # BH within the step
    assert (mine["hotspot_class"] == theirs["hotspot_class"]).all()
    assert len(res.gi) == len(AREA) * T and res.steps.equals(STEPS)


def test_a_lone_report_in_a_quiet_week_is_not_a_cluster():
    y = np.zeros((len(AREA), T), dtype=int)
    y[AREA.index(CENTRE), -1] = 1  # one incident in the whole field, in the final week
    y[AREA.index(sorted(AREA)[0]), :-1] = 1  # a steady trickle elsewhere
    df = pd.DataFrame({"h3_cell": np.repeat(AREA, T), "ds": np.tile(STEPS, len(AREA)), "count": y.ravel()})
    naive = EmergingHotspots(min_count=0).fit(df, study_area=AREA)
    assert naive.gi.query("h3_cell == @CENTRE")["gi_z"].iloc[-1] > 5  # Gi* alone calls it a hot spot
    assert naive.table.set_index("h3_cell").loc[CENTRE, "pattern"] == "new hot spot"
    guarded = EmergingHotspots().fit(df, study_area=AREA)  # min_count=3
    assert guarded.table.set_index("h3_cell").loc[CENTRE, "pattern"] == NO_PATTERN
    assert guarded.gi.query("h3_cell == @CENTRE")["hotspot_class"].iloc[-1] == "not_significant"


def test_mann_kendall_by_hand():
    z, p = mann_kendall(np.arange(10.0))  # S = 45, var = 10*9*25/18 = 125
    assert z[0] == pytest.approx(44 / np.sqrt(125)) and p[0] < 0.001
    z, _ = mann_kendall(np.array([[1.0, 1.0, 1.0, 2.0], [3.0, 2.0, 1.0, 0.0]]))  # ties: var = (156 - 66) / 18
    assert z[0] == pytest.approx(2 / np.sqrt(5)) and z[1] < 0
    z, p = mann_kendall(np.zeros((1, 8)))
    assert z[0] == 0 and p[0] == 1


def test_precedence_of_overlapping_rules():
    n = 10
    hot, cold = np.zeros((3, n), bool), np.zeros((3, n), bool)
    cold[0, 2], hot[0, -1] = True, True  # cold once, then hot only in the final step: oscillating, not new
    hot[1, :] = True  # always hot, final too: persistent (no trend), never historical
    hot[2, :-1] = True  # hot 9 of 10 steps but not the final one: historical
    out = classify_patterns(hot, cold, np.zeros(3), np.ones(3))
    assert list(out) == ["oscillating hot spot", "persistent hot spot", "historical hot spot"]


def test_study_area_is_padded_and_geodataframe():
    df = cube(PLANTED["persistent hot spot"], seed=2)
    inner = df[df["h3_cell"].isin(h3.grid_disk(CENTRE, 6))]
    res = EmergingHotspots().fit(inner)  # default: places plus a ring of zero cells
    padded = set(h3.grid_disk(CENTRE, 7))
    assert set(res.table["h3_cell"]) == padded and not res.table.set_index("h3_cell").loc[
        sorted(padded - set(h3.grid_disk(CENTRE, 6))), "has_incidents"].any()
    assert res.table.set_index("h3_cell").loc[CENTRE, "pattern"] == "persistent hot spot"
    gdf = res.to_geodataframe()
    assert len(gdf) == len(padded) and gdf.crs.to_epsg() == 4326 and "pattern" in gdf


def test_bad_input_is_named():
    df = cube(np.ones(T)).head(5)
    with pytest.raises(ValueError, match="no counts"):
        EmergingHotspots().fit(df.iloc[:0])
    with pytest.raises(ValueError, match="lacks column"):
        EmergingHotspots().fit(df.rename(columns={"count": "n"}))
    bad = df.copy()
    bad.loc[2, "count"] = -1
    with pytest.raises(ValueError, match=r"row 2 .*field 'count'=-1"):
        EmergingHotspots().fit(bad)
    bad = df.copy()
    bad.loc[1, "h3_cell"] = "nonsense"
    with pytest.raises(ValueError, match="'h3_cell'='nonsense'"):
        EmergingHotspots().fit(bad)
    with pytest.raises(ValueError, match="outside study_area"):
        EmergingHotspots().fit(df, study_area=[AREA[-1]])


def test_space_time_counts_is_a_complete_cube():
    rng = np.random.default_rng(0)
    n = 300
    incidents = pd.DataFrame({
        "occurred_on": pd.Timestamp("2026-03-02") + pd.to_timedelta(rng.integers(0, 70, n), unit="D"),
        "lat": 40 + rng.normal(0, 0.3, n), "lon": -3 + rng.normal(0, 0.3, n),
        "country_iso3": rng.choice(["ESP", "PRT", None], n),
    })
    cells = space_time_counts(incidents, freq="W-MON", resolution=5, start="2026-02-25", end="2026-05-31")
    assert cells["ds"].min() == pd.Timestamp("2026-02-23") and cells["ds"].max() == pd.Timestamp("2026-05-25")
    n_steps, n_cells = cells["ds"].nunique(), cells["h3_cell"].nunique()
    assert len(cells) == n_steps * n_cells and cells["count"].sum() == n and (cells["count"] == 0).any()
    assert (cells["ds"].dt.dayofweek == 0).all() and cells.attrs["resolution"] == 5
    months = space_time_counts(incidents, freq="MS", by="country_iso3", places=["FRA"])
    assert set(months["country_iso3"]) == {"ESP", "PRT", "FRA"} and len(months) == 3 * 3
    assert months["count"].sum() + months.attrs["unlocated"] == n
    assert months.loc[months["country_iso3"] == "FRA", "count"].eq(0).all()
    assert space_time_counts(incidents.iloc[:0]).empty


def test_countries_queen_contiguity_with_island_fallback(use_home):
    from workbench import catalog

    countries = catalog.load("countries")
    iso = sorted(countries["iso3"].dropna())
    weeks = pd.date_range("2026-01-05", periods=12, freq="W-MON")
    rng = np.random.default_rng(4)
    y = rng.poisson(20, (len(iso), len(weeks)))
    hot = ["DEU", "POL", "CZE", "AUT", "CHE", "FRA", "BEL", "NLD", "DNK", "LUX"]  # Germany and its neighbours
    for c in hot:
        y[iso.index(c), -3:] += 80  # a consecutive hot spot over the last three weeks
    df = pd.DataFrame({"country_iso3": np.repeat(iso, len(weeks)), "ds": np.tile(weeks, len(iso)),
                       "count": y.ravel()})
    res = EmergingHotspots(space_col="country_iso3").fit(df)
    table = res.table.set_index("country_iso3")
    assert table.loc["DEU", "pattern"] == "consecutive hot spot"
    assert (table["pattern"] == NO_PATTERN).mean() > 0.8
    assert "ISL" in table.index and res.note == ""  # islands take their nearest countries as neighbours
    gdf = res.to_geodataframe()
    assert gdf.crs.to_epsg() == 4326 and len(gdf) == len(iso)
