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


def sourced():
    """Two sources: A reports 2020-2023, B only 2020-2021 (then stops); one year-only record."""
    rows = []
    for year in range(2020, 2024):
        for month in range(1, 13):
            rows.append(("A", f"{year}-{month:02d}-10", "day", "NGA"))
            if year < 2022:
                rows.append(("B", f"{year}-{month:02d}-12", "day", "GHA"))
    rows.append(("C", "2021-01-01", "year", "NGA"))
    return pd.DataFrame(rows, columns=["source_name", "occurred_on", "occurred_precision", "country_iso3"]).assign(
        occurred_on=lambda d: pd.to_datetime(d["occurred_on"]), incident_id=[f"r{i}" for i in range(len(rows))])


def test_a_year_only_record_is_never_placed_in_a_month():
    with pytest.raises(ValueError, match=r"1 record\(s\) are dated only to the year .*'r\d+'.*freq='YS'"):
        incident_series(sourced(), freq="M", by=("country_iso3",))
    dropped = incident_series(sourced(), freq="M", by=("country_iso3",), coarse="drop")
    assert dropped.attrs["too_coarse"] == 1
    assert dropped.loc[(dropped.unique_id == "NGA") & (dropped.ds == "2021-01-01"), "y"].item() == 1  # no spike
    yearly = incident_series(sourced(), freq="auto", by=("country_iso3",))
    assert yearly.attrs["freq"] == "YS"
    assert yearly.loc[(yearly.unique_id == "NGA") & (yearly.ds == "2021-01-01"), "y"].item() == 13
    quarterly = incident_series(sourced().query("occurred_precision == 'day'"), freq="Q", by=("country_iso3",))
    assert (quarterly["ds"].dt.month.isin([1, 4, 7, 10])).all() and quarterly["y"].max() == 3


def test_a_source_that_stops_reporting_leaves_no_data_not_zeros():
    s = incident_series(sourced().query("source_name != 'C'"), freq="MS", by=("country_iso3",), totals=False)
    gha = s[s.unique_id == "GHA"].set_index("ds")["y"]
    assert gha[:"2021-12-01"].eq(1).all() and gha["2022-01-01":].isna().all()  # B stopped: no data, not 0
    assert s[s.unique_id == "NGA"]["y"].notna().all()
    assert s.attrs["no_data"] == 24
    spans = s.attrs["sources"].set_index("source_name")
    assert spans.loc["B", "last"] == pd.Timestamp("2021-12-01")


def test_growth_rates_only_where_both_periods_carry_them():
    from workbench.analyse.series import growth_text

    assert growth_text(20, 25, per=" a year") == "+25% a year"
    assert growth_text(2, 40) == "no rate: fewer than 10 events in one of the periods"
    assert growth_text(10, 400) == "more than tripled"
    assert growth_text(np.nan, 40).startswith("no rate")
