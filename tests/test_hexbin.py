import h3
import pandas as pd
import pytest

from workbench.analyse.hexbin import cell_polygons, hex_counts


def frame(points, stored=True):
    return pd.DataFrame({
        "incident_id": [f"i{n}" for n in range(len(points))],
        "lat": [p[0] for p in points], "lon": [p[1] for p in points],
        "h3_cell": [h3.latlng_to_cell(a, b, 7) if a is not None and stored else None for a, b in points],
    })


def test_counts_use_parents_and_report_unlocated():
    inc = frame([(40.0, -3.0), (40.0001, -3.0001), (10.0, 10.0), (None, None)])
    out = hex_counts(inc, resolution=5)
    assert out["count"].sum() == 3 and out.attrs["unlocated"] == 1
    assert out.iloc[0]["count"] == 2 and h3.get_resolution(out.iloc[0]["h3_cell"]) == 5
    assert list(out.columns) == ["h3_cell", "count"]


def test_stored_resolution_keeps_the_stored_cell():
    inc = frame([(40.0, -3.0)])
    assert hex_counts(inc)["h3_cell"].tolist() == inc["h3_cell"].tolist()


def test_rows_without_a_stored_cell_fall_back_on_coordinates():
    inc = frame([(40.0, -3.0), (40.0, -3.0)])
    inc.loc[1, "h3_cell"] = None
    out = hex_counts(inc, resolution=6)
    assert out["count"].tolist() == [2] and out.attrs["unlocated"] == 0


def test_finer_resolution_reindexes_coordinates():
    out = hex_counts(frame([(40.0, -3.0), (None, None)]), resolution=9)
    assert h3.get_resolution(out.iloc[0]["h3_cell"]) == 9 and out.attrs["unlocated"] == 1


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="0-15"):
        hex_counts(frame([(40.0, -3.0)]), resolution=16)
    with pytest.raises(ValueError, match="incident i0"):
        hex_counts(frame([(140.0, -3.0)], stored=False), resolution=9)
    with pytest.raises(ValueError, match="h3_cell column or lat and lon"):
        hex_counts(pd.DataFrame({"incident_id": ["a"]}))


def test_polygons_are_lon_lat():
    cell = h3.latlng_to_cell(40.0, -3.0, 6)
    gdf = cell_polygons([cell])
    poly = gdf.geometry.iloc[0]
    assert gdf.crs.to_epsg() == 4326 and len(poly.exterior.coords) == 7  # six corners, closed
    assert abs(poly.centroid.x - -3.0) < 0.2 and abs(poly.centroid.y - 40.0) < 0.2
