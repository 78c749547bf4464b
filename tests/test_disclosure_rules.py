"""Cross-run disclosure rules: withheld cells are at least 1, no percentages of small totals, rounding."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.share.disclosure import (
    percentage,
    policy_for,
    recoverable_cells,
    round_count,
    round_counts,
    suppress_table,
)


def _table(rows: dict) -> pd.DataFrame:
    table = pd.DataFrame(rows).T
    table["Total"] = table.sum(axis=1)
    table.loc["Total"] = table.sum(axis=0)
    return table


def test_two_withheld_cells_that_must_sum_to_2_are_not_both_printed_open():
    # row B: 1 + 1 + 30 + 40 = 72; A and C large. Withholding the two 1s alone leaves their sum 2,
    # so with "withheld >= 1" both are 1: secondary suppression must withhold more.
    table = _table({"A": {"x": 50, "y": 60, "z": 30, "w": 40}, "B": {"x": 1, "y": 1, "z": 30, "w": 40},
                    "C": {"x": 70, "y": 80, "z": 30, "w": 40}})
    naive = table.astype(float).copy()
    naive.loc[["A", "B"], ["x", "y"]] = float("nan")  # each withheld cell shares its row and column with another
    assert recoverable_cells(naive, least=None) == []          # the equations alone pin down nothing...
    assert {("B", "x"), ("B", "y")} <= set(recoverable_cells(naive))  # ...but withheld >= 1 does (and so A)
    safe = suppress_table(table, k=10)
    assert recoverable_cells(safe.astype("Float64").astype(float)) == []
    assert safe.isna().sum().sum() > 2


@pytest.mark.parametrize("seed", range(8))
def test_suppressed_random_tables_rebuild_nothing(seed):
    import numpy as np

    rng = np.random.default_rng(seed)
    raw = rng.choice([0, 1, 2, 3, 5, 8, 12, 30, 60], size=(5, 4), p=[.15, .15, .1, .1, .1, .1, .1, .1, .1])
    table = _table({f"r{i}": {f"c{j}": int(raw[i, j]) for j in range(4)} for i in range(5)})
    safe = suppress_table(table, k=10)
    assert recoverable_cells(safe.astype("Float64").astype(float)) == []
    shown = safe.stack().dropna()
    assert not ((shown > 0) & (shown < 10)).any()


def test_no_percentage_of_a_small_total_or_a_small_complement():
    assert percentage(5, 23, 10) is None          # "23 incidents; 22% graded B2" gives 5 away
    assert percentage(18, 23, 10) is None         # complement 5
    assert percentage(3, 100, 10) is None         # numerator small
    assert percentage(9, 9, 10) is None           # denominator small
    assert percentage(None, 100, 10) is None      # a withheld count
    assert percentage(40, 100, 10) == "40%"
    assert percentage(0, 100, 10) == "0%" and percentage(100, 100, 10) == "100%"


def test_counts_are_rounded_for_public_and_partner_only():
    assert policy_for("public").rounding == policy_for("partner").rounding == 5
    assert policy_for("law_enforcement").rounding == 1
    assert [round_count(v, 5, 10) for v in (10, 11, 12, 13, 88, 93, 1351, 1349)] == [10, 10, 10, 15, 90, 95, 1350, 1350]
    assert round_count(3, 5, 10) == 3 and pd.isna(round_count(pd.NA, 5, 10))
    out = round_counts(pd.DataFrame({"n": [pd.NA, 12, 47]}, dtype="Int64"), ["n"], 5, 10)
    assert out["n"].isna().tolist() == [True, False, False] and out["n"].tolist()[1:] == [10, 45]


def test_differencing_by_period_rebuilds_nothing():
    # period_start one day apart: 1351 and 1349 incidents; snapped to whole months they are the same
    # query, and even when two allowed queries differ the rounded counts do not pin the difference
    from workbench.parameters import validate_parameters

    a = validate_parameters("intelligence_report", {"period_start": "2025-11-01"})
    b = validate_parameters("intelligence_report", {"period_start": "2025-11-02"})
    assert a == b
    assert round_count(1351, 5, 10) == round_count(1349, 5, 10)
    # a group of 1-9 added to a count near 88: every difference of rounded counts an attacker may
    # see is consistent with several different group sizes, so none is rebuilt
    seen: dict[int, set[int]] = {}
    for small in range(1, 10):
        for base in range(85, 95):
            seen.setdefault(round_count(base + small, 5, 10) - round_count(base, 5, 10), set()).add(small)
    assert all(len(sizes) > 1 for sizes in seen.values()), seen


def test_judgement_sources_never_give_a_small_graded_count_away():
    from workbench.share.judgements import graded_share

    assert "22%" not in graded_share({"incidents": 23, "well_graded_share": 5 / 23}, 10)
    assert "withheld" in graded_share({"incidents": 23, "well_graded_share": 5 / 23}, 10)
    assert graded_share({"incidents": 100, "well_graded_share": 0.4}, 10) == "40% graded B2 or better"
    assert graded_share({"incidents": 23, "well_graded_share": 5 / 23}, 1) == "22% graded B2 or better"


def test_outside_text_showing_a_url_or_escaped_markup_never_blocks_a_report():
    from workbench.share.export import external_references

    cells = ('<table><tr><td>https://news.example/story?id=1</td><td>&lt;img src="https://evil.example/x.png"&gt;</td>'
             '<td>Acme url(https://acme.example/logo.png) Ltd</td><td>@import "https://x.example/a.css"</td></tr></table>')
    assert external_references(cells) == []
    assert external_references('<img src="https://evil.example/x.png">') == [("resource", "https://evil.example/x.png")]
