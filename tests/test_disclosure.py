import h3
import numpy as np
import pandas as pd
import pytest

from workbench.share.disclosure import (
    check_table, coarsen_cells, display_count, policy_for, recoverable_cells, sanitise_incidents, suppress_counts,
    suppress_table,
)


def crosstab(values, rows="xyz", cols="ab"):
    t = pd.DataFrame(values, index=list(rows), columns=list(cols))
    t["Total"] = t.sum(axis=1)
    t.loc["Total"] = t.sum()
    return t


def attack(safe: pd.DataFrame) -> dict:
    """What an attacker recovers: solve "rows and columns add up to their totals" for the
    withheld cells and keep those the equations pin down (independent of the library)."""
    hidden = [(r, c) for r in safe.index for c in safe.columns if pd.isna(safe.at[r, c])]
    if not hidden:
        return {}
    col = {cell: i for i, cell in enumerate(hidden)}
    rows = [r for r in safe.index if r != "Total"]
    cols = [c for c in safe.columns if c != "Total"]
    lines = [[(r, c, 1) for c in cols] + [(r, "Total", -1)] for r in safe.index]
    lines += [[(r, c, 1) for r in rows] + [("Total", c, -1)] for c in safe.columns]
    a, b = np.zeros((len(lines), len(hidden))), np.zeros(len(lines))
    for i, line in enumerate(lines):
        for r, c, sign in line:
            if (r, c) in col:
                a[i, col[(r, c)]] = sign
            else:
                b[i] -= sign * float(safe.at[r, c])
    x, *_ = np.linalg.lstsq(a, b, rcond=None)
    _, s, vt = np.linalg.svd(a)
    null = vt[int((s > 1e-9).sum()):]
    return {cell: round(x[i]) for cell, i in col.items() if np.abs(null[:, i]).max(initial=0) < 1e-9}


def test_primary_suppression_hides_small_counts_only():
    out = suppress_counts(pd.DataFrame({"n": [0, 3, 9, 10, 250], "label": list("abcde")}), ["n"], 10)
    assert out["n"].isna().tolist() == [False, True, True, False, False]
    assert out["n"].dropna().tolist() == [0, 10, 250] and str(out["n"].dtype) == "Int64"
    assert out["label"].tolist() == list("abcde")
    assert [display_count(v, 10) for v in out["n"]] == ["0", "<10", "<10", "10", "250"]
    assert display_count(1234, 10) == "1,234" and display_count(None, 5) == "<5"


def test_a_lone_withheld_cell_gets_a_complement():
    table = crosstab([[3, 15], [20, 25], [30, 0]])
    safe = suppress_table(table, 10)
    # 3 is withheld; row x then protects it with 15, column a with 20; column b now has
    # 15 alone, so 25 goes too (not the 0 below it: zeros never serve as complements)
    assert safe.isna().to_numpy().tolist() == [[True, True, False], [True, True, False], [False, False, False],
                                                [False, False, False]]
    assert attack(safe) == {} and recoverable_cells(safe) == []
    check_table(safe.reset_index(drop=True), None, 10)


def test_shown_cells_keep_their_values():
    table = crosstab([[3, 15, 40], [20, 25, 60], [30, 0, 90]], cols="abc")
    safe = suppress_table(table, 10)
    assert safe.isna().any().any() and safe.notna().any().any()
    assert (safe.fillna(-1) == table.where(safe.notna(), -1)).all().all()


def test_single_line_suppression_is_not_enough_and_the_audit_knows():
    # withheld totals link blocks of the table: no row or column has a lone withheld
    # cell, yet (u, a) and (u, f) follow from combining several rows and columns
    table = crosstab([[9, 0, 12, 30, 0, 9], [5, 30, 30, 0, 0, 0], [30, 0, 200, 200, 12, 2],
                      [2, 12, 80, 200, 0, 30]], rows="uvwx", cols="abcdef")
    naive = table.astype("Int64").copy()
    for cell in [("u", "a"), ("u", "f"), ("v", "a"), ("v", "b"), ("w", "e"), ("w", "f"), ("x", "a"), ("x", "b"),
                 ("Total", "e"), ("Total", "f")]:
        naive.at[cell] = pd.NA
    assert attack(naive) == {("u", "a"): 9, ("u", "f"): 9}  # the attack is real
    assert sorted(recoverable_cells(naive)) == [("u", "a"), ("u", "f")]
    safe = suppress_table(table, 10)
    assert attack(safe) == {} and recoverable_cells(safe) == []


@pytest.mark.parametrize("seed", range(25))
def test_random_tables_leak_nothing(seed):
    rng = np.random.default_rng(seed)
    nr, nc = rng.integers(2, 7, size=2)
    table = crosstab(rng.choice([0, 0, 2, 5, 9, 12, 30, 80, 200], size=(nr, nc)), rows="uvwxyz"[:nr],
                     cols="abcdef"[:nc])
    safe = suppress_table(table, 10)
    shown = safe.to_numpy(dtype="float", na_value=np.nan)
    assert not ((shown > 0) & (shown < 10)).any()
    assert attack(safe) == {}


def test_small_total_is_withheld_and_protected():
    table = crosstab([[2, 3], [40, 50], [30, 20]])
    safe = suppress_table(table, 10)
    assert pd.isna(safe.at["x", "Total"])  # 5 < k
    assert attack(safe) == {}


def test_table_without_margins_gets_primary_suppression_only():
    safe = suppress_table(pd.DataFrame({"a": [3, 40], "b": [50, 60]}), 10)
    assert safe.isna().sum().sum() == 1


def test_check_table_refuses_small_counts():
    with pytest.raises(ValueError, match=r"below 10, e\.g\. 4 in row 1"):
        check_table(pd.DataFrame({"n": [12, 4]}), ["n"], 10)
    check_table(pd.DataFrame({"n": pd.array([12, None, 0], dtype="Int64"), "z": [0.5, 1.5, 2.0]}), ["n"], 10)


def test_policies_by_audience():
    public, partner, police = (policy_for(a) for a in ("public", "partner", "law_enforcement"))
    assert public.h3_resolution < partner.h3_resolution < police.h3_resolution
    assert public.suppress and partner.suppress and police.suppress  # DEVELOPERS.md: never below k in a file
    assert public.drop_free_text and partner.drop_source_names and not police.drop_free_text
    assert policy_for("partner", k=20).k == 20 and policy_for("partner").k == 10
    with pytest.raises(ValueError, match="audience"):
        policy_for("press")
    with pytest.raises(ValueError, match="at least 2"):
        policy_for("public", k=1)


def test_sanitise_drops_text_and_sources_and_coarsens():
    cell = h3.latlng_to_cell(40, -3, 7)
    frame = pd.DataFrame({"incident_id": ["0123456789abcdef"], "summary": ["x"], "url": ["https://e.org"],
                          "source_name": ["HLA"], "place_name": ["y"], "source_record_id": ["1"],
                          "batch_id": ["b"], "catalog_entry": ["c"], "h3_cell": [cell], "lat": [40.0],
                          "lon": [-3.0], "victim_count": [1]})
    public = sanitise_incidents(frame, policy_for("public"))
    assert list(public.columns) == ["h3_cell", "victim_count"]
    assert h3.get_resolution(public.at[0, "h3_cell"]) == 4
    police = sanitise_incidents(frame, policy_for("law_enforcement"))
    assert list(police.columns) == list(frame.columns) and police.at[0, "h3_cell"] == cell
    assert coarsen_cells(pd.DataFrame({"c": [None]}), "c", 4).at[0, "c"] is None
