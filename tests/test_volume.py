"""Reporting-volume correction: OSINT counts that rise with the news volume are not a rise."""

import h3
import numpy as np
import pandas as pd
import pytest

from workbench.analyse.emerging import EmergingHotspots
from workbench.analyse.volume import normalise_by_media_volume, osint_counts

CENTRE = h3.latlng_to_cell(40.0, -3.0, 5)
AREA = sorted(h3.grid_disk(CENTRE, 6))  # 127 cells
CLUSTER = set(h3.grid_disk(CENTRE, 1))
T = 16
STEPS = pd.date_range("2026-01-05", periods=T, freq="W-MON")
ITEMS = 2000  # media items per cell and week
RATE = 5 / 1000  # OSINT incidents per item


def world(item_factor, rate_factor, seed=0):
    """Counts and volume; the cluster's items and per-item rate multiplied in the last 4 weeks."""
    rng = np.random.default_rng(seed)
    items = np.full((len(AREA), T), float(ITEMS))
    rate = np.full((len(AREA), T), RATE)
    rows = [i for i, c in enumerate(AREA) if c in CLUSTER]
    items[np.ix_(rows, range(T - 4, T))] *= item_factor
    rate[np.ix_(rows, range(T - 4, T))] *= rate_factor
    counts = rng.poisson(items * rate)
    frame = lambda col, v: pd.DataFrame({"h3_cell": np.repeat(AREA, T), "ds": np.tile(STEPS, len(AREA)),
                                         col: v.ravel()})
    return frame("count", counts), frame("items", items.astype(int))


def pattern(counts, col):
    res = EmergingHotspots(count_col=col, min_count=0 if col != "count" else 3).fit(counts, study_area=AREA)
    return res.table.set_index("h3_cell").loc[CENTRE, "pattern"]


def test_more_media_is_not_more_trafficking():
    counts, volume = world(item_factor=3.0, rate_factor=1.0)
    assert pattern(counts, "count") == "consecutive hot spot"  # raw OSINT counts: a new cluster
    rates = normalise_by_media_volume(counts, volume, place_col="h3_cell")
    assert pattern(rates, "rate_eb") == "no pattern detected"  # per 1,000 items: nothing changed
    late = rates[rates["h3_cell"].eq(CENTRE) & rates["ds"].ge(STEPS[-4])]
    assert late["rate_eb"].mean() == pytest.approx(5.0, rel=0.2)


def test_a_real_rise_survives_normalisation():
    counts, volume = world(item_factor=1.0, rate_factor=3.0)
    rates = normalise_by_media_volume(counts, volume, place_col="h3_cell")
    assert pattern(rates, "rate_eb") == "consecutive hot spot"


def test_small_volume_guard():
    counts = pd.DataFrame({"country_iso3": ["AAA", "BBB", "CCC", "DDD"], "ds": pd.Timestamp("2026-01-01"),
                           "count": [2, 40, 10, 0]})
    volume = pd.DataFrame({"country_iso3": ["AAA", "BBB", "CCC", "BBB"],
                           "ds": pd.to_datetime(["2026-01-01", "2026-01-01", "2026-01-01", "2026-01-20"]),
                           "items": [3, 5000, 3000, 3000]})
    with pytest.raises(ValueError, match="record AAA 2026-01-20: field 'items' missing"):  # dates must match
        normalise_by_media_volume(counts.assign(ds=pd.Timestamp("2026-01-20")), volume)
    out = normalise_by_media_volume(counts, volume, freq="MS").set_index("country_iso3")
    pooled = out.attrs["pooled_rate"]
    assert out.loc["AAA", "low_volume"] and np.isnan(out.loc["AAA", "rate"])  # 2 in 3 items: no raw rate
    assert abs(out.loc["AAA", "rate_eb"] - pooled) < abs(2 / 3 * 1000 - pooled) / 10  # pulled to the pool
    assert out.loc["BBB", "items"] == 8000 and out.loc["BBB", "rate"] == pytest.approx(5.0)
    assert out.loc["DDD", "items"] == 0 and out.loc["DDD", "rate_eb"] == pytest.approx(pooled)
    assert out.loc["BBB", "weight"] > out.loc["AAA", "weight"]


def test_bad_input_and_osint_only():
    counts = pd.DataFrame({"country_iso3": ["AAA"], "ds": [pd.Timestamp("2026-01-01")], "count": [3]})
    with pytest.raises(ValueError, match="no media volume"):
        normalise_by_media_volume(counts, counts.rename(columns={"count": "items"}).assign(country_iso3="ZZZ"))
    with pytest.raises(ValueError, match=r"volume row 0 .*field 'items'"):
        normalise_by_media_volume(counts, counts.rename(columns={"count": "items"}).assign(items=-1))
    incidents = pd.DataFrame({"occurred_on": pd.to_datetime(["2026-01-03", "2026-02-10", "2026-02-11"]),
                              "country_iso3": ["ESP", "ESP", "PRT"], "source_type": ["osint", "app", "osint"]})
    out = osint_counts(incidents, freq="MS")
    assert out["count"].sum() == 2 and len(out) == 4  # two countries x two months, zeros included


def test_media_rate_table_withholds_small_counts_and_the_rates_that_would_reveal_them():
    from workbench.share.disclosure import policy_for
    from workbench.share.tables import media_rates

    day = pd.Timestamp("2026-05-03")
    osint = pd.DataFrame({"country_iso3": ["ESP"] * 40 + ["POL"] * 4 + ["ITA"] * 12,
                          "occurred_on": day, "source_type": "osint"})
    volume = pd.DataFrame({"country_iso3": ["ESP", "POL", "ITA", "FRA"], "ds": day,
                           "items": [2000, 100, 30, 500]})
    table = media_rates(osint, volume, policy_for("partner")).set_index("country")
    assert table.loc["Spain", "per 1,000 items"] == "20.0" and table.loc["Spain", "OSINT incidents"] == 40
    assert pd.isna(table.loc["Poland", "OSINT incidents"]) and pd.isna(table.loc["Poland", "per 1,000 items"])
    assert pd.isna(table.loc["Poland", "shrunk rate"])
    assert table.loc["Italy", "per 1,000 items"] == "400.0"
    # Italy's 12 stories in 30 items is shrunk towards the pooled rate far more than Spain's
    assert float(table.loc["Italy", "shrunk rate"]) < 400.0
    assert "France" not in table.index  # no OSINT incidents there
    missing = media_rates(osint, volume[volume["country_iso3"] != "ITA"], policy_for("partner"))
    assert "Italy" not in set(missing["country"]) and "left out" in missing.attrs["note"]
