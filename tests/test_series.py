import numpy as np
import pandas as pd
import pytest

from workbench.analyse.series import incident_series


def incidents():
    return pd.DataFrame({
        "occurred_on": pd.to_datetime(["2024-01-05", "2024-01-20", "2024-03-02", "2024-03-03", None, "2024-02-10"]),
        "country_iso3": ["ESP", "ESP", "NGA", "ESP", "ESP", None],
        "exploitation_types": [["forced_labour"], np.array(["forced_labour", "sexual_exploitation"]),
                               ["forced_labour"], ["sexual_exploitation"], ["forced_labour"], []],
    })


def test_complete_monthly_grid_with_zeros():
    s = incident_series(incidents(), by=("country_iso3",), start="2023-12-01", end="2024-04-01")
    assert list(s.columns) == ["unique_id", "ds", "y", "country_iso3"]
    assert s.groupby("unique_id").size().to_dict() == {"ESP": 5, "NGA": 5}
    esp = s[s.unique_id == "ESP"].set_index("ds")["y"]
    assert esp.to_dict() == {pd.Timestamp("2023-12-01"): 0, pd.Timestamp("2024-01-01"): 2,
                             pd.Timestamp("2024-02-01"): 0, pd.Timestamp("2024-03-01"): 1,
                             pd.Timestamp("2024-04-01"): 0}


def test_types_explode_and_totals_add_up():
    s = incident_series(incidents(), totals=True)
    assert s.groupby("unique_id").size().nunique() == 1  # every series on the full grid (Jan-Mar)
    by_id = s.groupby("unique_id")["y"].sum()
    assert by_id["ESP/forced_labour"] == 2 and by_id["ESP/sexual_exploitation"] == 2
    assert by_id["NGA/forced_labour"] == 1
    # totals count incidents, not type tags; the incident without a country or type is in the grand total only
    assert by_id["ESP/ALL"] == 3 and by_id["NGA/ALL"] == 1 and by_id["ALL"] == 5
    grand = s[s.unique_id == "ALL"]
    assert (grand[["country_iso3", "exploitation_type"]] == "ALL").all().all()


def test_range_outside_the_data_gives_zero_series():
    s = incident_series(incidents(), by=("country_iso3",), start="2025-01-01", end="2025-03-01", totals=True)
    assert s["unique_id"].unique().tolist() == ["ALL"] and (s["y"] == 0).all() and len(s) == 3
    empty = incident_series(incidents().iloc[:0])
    assert empty.empty and list(empty.columns) == ["unique_id", "ds", "y", "country_iso3", "exploitation_type"]


def test_weekly_and_bad_input():
    s = incident_series(incidents(), freq="W-MON", by=("country_iso3",))
    assert (s["ds"].dt.dayofweek == 0).all()
    assert s.groupby("unique_id")["ds"].apply(lambda d: d.diff().dropna().eq(pd.Timedelta(days=7)).all()).all()
    assert s["y"].sum() == 4  # four incidents with both a date and a country
    with pytest.raises(ValueError, match="freq"):
        incident_series(incidents(), freq="D")
    with pytest.raises(ValueError, match="region"):
        incident_series(incidents(), by=("region",))
