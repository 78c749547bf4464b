"""Robustness to source grading: a hot spot made only of the weakest reports does not survive."""

import h3
import numpy as np
import pandas as pd

from workbench.analyse.robustness import RobustnessCheck, weak_grading

CENTRE = h3.latlng_to_cell(40.0, -3.0, 5)
AREA = sorted(h3.grid_disk(CENTRE, 6))  # 127 cells
STRONG = sorted(h3.grid_ring(CENTRE, 4))[0]
WEEKS = pd.date_range("2026-01-05", periods=12, freq="W-MON")


def incidents(seed=0, late_only=False):
    """B2 background everywhere; one cluster of F6 reports, one of B2 reports."""
    rng = np.random.default_rng(seed)
    weak_spot = sorted(h3.grid_disk(CENTRE, 1))
    strong_spot = sorted(h3.grid_disk(STRONG, 1))
    rows = []
    for w, week in enumerate(WEEKS):
        for cell in AREA:
            n = rng.poisson(4)
            rows += [(cell, week, "B", "2")] * n
            if not late_only or w >= len(WEEKS) - 4:
                rows += [(cell, week, "F", "6")] * (8 * (cell in weak_spot))
                rows += [(cell, week, "B", "2")] * (8 * (cell in strong_spot))
    frame = pd.DataFrame(rows, columns=["cell", "occurred_on", "source_reliability", "info_credibility"])
    frame["h3_cell"] = [h3.cell_to_center_child(c, 7) for c in frame["cell"]]
    return frame.drop(columns="cell")


def test_weak_only_hotspot_does_not_survive_gi():
    res = RobustnessCheck(method="gi").fit(incidents())
    table = res.table.set_index("h3_cell")
    assert table.loc[CENTRE, "hotspot_class"].startswith("hot") and not table.loc[CENTRE, "robust"]
    assert table.loc[STRONG, "hotspot_class"].startswith("hot") and table.loc[STRONG, "robust"]
    assert res.n_dropped == 7 * 8 * len(WEEKS) and len(res.robust) < len(res.table)
    assert table.loc[CENTRE, "count_graded"] < table.loc[CENTRE, "count"]


def test_weak_only_pattern_does_not_survive_emerging():
    res = RobustnessCheck(method="emerging").fit(incidents(1, late_only=True))
    table = res.table.set_index("h3_cell")
    assert table.loc[CENTRE, "pattern"] == "consecutive hot spot" and not table.loc[CENTRE, "robust"]
    assert table.loc[STRONG, "pattern"] == "consecutive hot spot" and table.loc[STRONG, "robust"]
    assert table.loc[STRONG, "same_pattern"]


def test_weak_grading_rule():
    frame = pd.DataFrame({"source_reliability": ["A", "E", "B", "f", None, "C"],
                          "info_credibility": ["1", "2", "5", "3", "2", 6]})
    assert weak_grading(frame).tolist() == [False, True, True, True, True, True]


def test_all_weak_is_a_note():
    frame = incidents().assign(source_reliability="F")
    res = RobustnessCheck().fit(frame)
    assert res.graded is None and not res.table["robust"].any() and "weakly graded" in res.note
