import itertools

import numpy as np
import pandas as pd
import pytest

from workbench.share.disclosure import (
    check_table, coarsen_cells, display_count, policy_for, sanitise_incidents, suppress_counts, suppress_table,
)


def crosstab(values, rows="xyz", cols="ab"):
    t = pd.DataFrame(values, index=list(rows), columns=list(cols))
    t["Total"] = t.sum(axis=1)
    t.loc["Total"] = t.sum()
    return t


def recoverable(original: pd.DataFrame, safe: pd.DataFrame) -> list:
    """Cells an attacker recovers exactly by subtraction along a row or column."""
    found = []
    for axis_lines in (safe.index, safe.columns):
        for line in axis_lines:
            cells = safe.loc[line] if line in safe.index else safe[line]
            hidden = cells[cells.isna()]
            if len(hidden) == 1:
                found.append((line, hidden.index[0]))
    return found


def test_primary_suppression_hides_small_counts_only():
    out = suppress_counts(pd.DataFrame({"n": [0, 3, 9, 10, 250]}), ["n"], 10)
    assert out["n"].isna().tolist() == [False, True, True, False, False]
    assert out["n"].dropna().tolist() == [0, 10, 250]


def test_secondary_suppression_blocks_subtraction():
    table = crosstab([[3, 15], [20, 25], [30, 0]])
    safe = suppress_table(table, 10)
    assert pd.isna(safe.loc["x", "a"])
    assert not recoverable(table, safe)
    check_table(safe.reset_index(drop=True), None, 10)  # nothing small left


@pytest.mark.parametrize("seed", range(20))
def test_secondary_suppression_on_random_tables(seed):
    rng = np.random.default_rng(seed)
    table = crosstab(rng.choice([0, 2, 5, 9, 12, 30, 80], size=(4, 3)), rows="wxyz", cols="abc")
    safe = suppress_table(table, 10)
    assert not recoverable(table, safe)
    shown = safe.to_numpy(dtype="float", na_value=np.nan)
    assert not ((shown > 0) & (shown < 10)).any()


def test_small_total_is_hidden_and_protected():
    table = crosstab([[2, 3], [40, 50], [30, 20]])
    safe = suppress_table(table, 10)
    assert pd.isna(safe.loc["x", "Total"])  # 5 < k
    assert not recoverable(table, safe)


def test_check_table_refuses_small_counts():
    with pytest.raises(ValueError, match="below 10"):
        check_table(pd.DataFrame({"n": [12, 4]}), ["n"], 10)


def test_policies_by_audience():
    assert policy_for("public").h3_resolution < policy_for("partner").h3_resolution < policy_for(
        "law_enforcement").h3_resolution
    assert policy_for("public").suppress and not policy_for("law_enforcement").suppress
    assert policy_for("partner", k=20).k == 20
    with pytest.raises(ValueError, match="audience"):
        policy_for("press")


def test_sanitise_drops_text_and_sources_and_coarsens():
    import h3

    cell = h3.latlng_to_cell(40, -3, 7)
    frame = pd.DataFrame({"summary": ["x"], "url": ["https://e.org"], "source_name": ["HLA"], "place_name": ["y"],
                          "source_record_id": ["1"], "h3_cell": [cell], "lat": [40.0], "lon": [-3.0], "n": [1]})
    out = sanitise_incidents(frame, policy_for("public"))
    assert list(out.columns) == ["h3_cell", "n"]
    assert h3.get_resolution(out.loc[0, "h3_cell"]) == 4
    assert display_count(pd.NA, 10) == "<10" and display_count(3, 10) == "<10" and display_count(1234, 10) == "1,234"
    assert coarsen_cells(pd.DataFrame({"c": [None]}), "c", 4).loc[0, "c"] is None
