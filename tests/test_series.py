import pandas as pd
import pytest

from workbench.analyse.series import incident_series


def incidents():
    return pd.DataFrame({
        "occurred_on": pd.to_datetime(["2024-01-05", "2024-01-20", "2024-03-02", "2024-03-03", None]),
        "country_iso3": ["ESP", "ESP", "NGA", "ESP", "ESP"],
        "exploitation_types": [["forced_labour"], ["forced_labour", "sexual_exploitation"], ["forced_labour"],
                               ["sexual_exploitation"], ["forced_labour"]],
    })


def test_complete_monthly_grid_with_zeros():
    s = incident_series(incidents(), by=("country_iso3",), start="2023-12-01", end="2024-04-01")
    assert set(s.columns) >= {"unique_id", "ds", "y"}
    assert s.groupby("unique_id").size().to_dict() == {"ESP": 5, "NGA": 5}
    esp = s[s.unique_id == "ESP"].set_index("ds")["y"]
    assert esp.to_dict() == {pd.Timestamp("2023-12-01"): 0, pd.Timestamp("2024-01-01"): 2,
                             pd.Timestamp("2024-02-01"): 0, pd.Timestamp("2024-03-01"): 1,
                             pd.Timestamp("2024-04-01"): 0}


def test_types_explode_and_totals_add_up():
    s = incident_series(incidents(), totals=True)
    by_id = s.groupby("unique_id")["y"].sum()
    assert by_id["ESP/forced_labour"] == 2 and by_id["ESP/sexual_exploitation"] == 2
    assert by_id["ESP/ALL"] == 3 and by_id["ALL"] == 4  # totals count incidents, not type tags


def test_weekly_and_bad_freq():
    s = incident_series(incidents(), freq="W-MON", by=("country_iso3",))
    assert (s["ds"].dt.dayofweek == 0).all()
    with pytest.raises(ValueError, match="freq"):
        incident_series(incidents(), freq="D")
