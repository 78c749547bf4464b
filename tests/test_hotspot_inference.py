"""Issue 13 item 5: valid hotspot inference in sparse data; no hot spot without incidents."""

import h3
import numpy as np
import pandas as pd

from workbench.analyse.emerging import NO_PATTERN, EmergingHotspots, space_time_counts
from workbench.analyse.getis_ord import GetisOrdHotspots

CENTRE = h3.latlng_to_cell(10.0, 8.0, 6)
AREA = sorted(h3.grid_disk(CENTRE, 12))  # 469 cells
CLUSTER = sorted(h3.grid_disk(CENTRE, 2))  # 19 cells


def sparse_field(seed, planted=True, rate=0.3, extra=3):
    rng = np.random.default_rng(seed)
    counts = pd.Series(rng.poisson(rate, len(AREA)), index=AREA)
    if planted:
        counts[CLUSTER] += extra
    return counts[counts > 0].rename("count").rename_axis("h3_cell").reset_index()


def test_sparse_planted_hotspot_is_found_by_permutation_and_noise_is_not():
    res = GetisOrdHotspots(permutations=999, seed=1).fit(sparse_field(2), study_area=AREA)
    assert res.inference == "permutation" and "permutation" in res.inference_note
    assert "per 7-cell neighbourhood, below 5" in res.inference_note
    inner = set(h3.grid_disk(CENTRE, 1))
    assert inner <= set(res.hot["h3_cell"])  # the core of the planted cluster
    assert set(res.hot["h3_cell"]) <= set(h3.grid_disk(CENTRE, 3))  # and nothing far from it
    for seed in range(3):
        noise = GetisOrdHotspots(permutations=999, seed=seed).fit(sparse_field(seed + 10, planted=False),
                                                                  study_area=AREA)
        assert noise.inference == "permutation" and noise.table["significant"].sum() == 0


def test_dense_counts_keep_the_normal_approximation_and_say_so():
    rng = np.random.default_rng(0)
    dense = pd.DataFrame({"h3_cell": AREA, "count": rng.poisson(8, len(AREA))})
    res = GetisOrdHotspots(permutations=0).fit(dense, study_area=AREA)
    assert res.inference == "normal" and "Normal-approximation" in res.inference_note
    sparse = GetisOrdHotspots(permutations=0).fit(sparse_field(1), study_area=AREA)
    assert sparse.inference == "normal" and "may be overstated" in sparse.inference_note


def test_a_cell_without_incidents_is_only_next_to_a_hot_spot():
    counts = pd.Series(0, index=AREA)
    counts[CLUSTER] = 12
    hole = sorted(h3.grid_ring(CENTRE, 1))[0]
    counts[hole] = 0  # an empty cell inside a dense cluster: its neighbourhood is hot, it is not
    df = counts[counts > 0].rename("count").rename_axis("h3_cell").reset_index()
    res = GetisOrdHotspots(permutations=0).fit(df, study_area=AREA)
    row = res.table.set_index("h3_cell").loc[hole]
    assert row["gi_z"] > 3 and not row["significant"] and row["next_to_hotspot"]
    assert row["hotspot_class"] == "not_significant" and hole not in set(res.hot["h3_cell"])


def test_a_zero_record_neighbour_never_gets_a_hot_pattern():
    steps = pd.date_range("2015-01-01", periods=10, freq="YS")
    hole = sorted(h3.grid_ring(CENTRE, 1))[0]
    rows = []
    rng = np.random.default_rng(5)
    for step in steps:
        for cell in AREA[::3] + CLUSTER:
            if cell != hole:
                rows.append((cell, step, int(rng.poisson(15 if cell in CLUSTER else 1))))
    cube = pd.DataFrame(rows, columns=["h3_cell", "ds", "count"])
    res = EmergingHotspots().fit(cube, study_area=AREA)
    row = res.table.set_index("h3_cell").loc[hole]
    assert row["count"] == 0 and row["next_to_hotspot"] and "hot" not in row["pattern"]
    assert res.table.set_index("h3_cell").loc[CENTRE, "pattern"] != NO_PATTERN  # the cluster itself is found


def test_emerging_hot_spots_run_on_yearly_cubes_and_never_put_a_year_in_a_month():
    cells = [h3.latlng_to_cell(10.0 + 0.01 * i, 8.0, 5) for i in range(3)]
    incidents = pd.DataFrame({
        "occurred_on": pd.to_datetime(["2019-01-01", "2020-01-01", "2020-06-14", "2021-01-01"]),
        "occurred_precision": ["year", "year", "day", "year"],
        "h3_cell": [cells[0], cells[1], cells[1], cells[2]],
    })
    yearly = space_time_counts(incidents, freq="YS", resolution=5)
    assert yearly.attrs["too_coarse"] == 0 and yearly["count"].sum() == 4
    assert sorted(yearly["ds"].dt.year.unique()) == [2019, 2020, 2021]
    monthly = space_time_counts(incidents, freq="MS", resolution=5)
    assert monthly.attrs["too_coarse"] == 3 and monthly["count"].sum() == 1  # only the day-dated record
