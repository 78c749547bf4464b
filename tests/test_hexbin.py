import h3
import numpy as np
import pandas as pd

from workbench.analyse.hexbin import cell_polygons, hex_counts


def frame(points):
    return pd.DataFrame({
        "lat": [p[0] for p in points], "lon": [p[1] for p in points],
        "h3_cell": [h3.latlng_to_cell(a, b, 7) if a is not None else None for a, b in points],
    })


def test_counts_use_parents_and_report_unlocated():
    inc = frame([(40.0, -3.0), (40.0001, -3.0001), (10.0, 10.0), (None, None)])
    out = hex_counts(inc, resolution=5)
    assert out["count"].sum() == 3 and out.attrs["unlocated"] == 1
    assert out.iloc[0]["count"] == 2 and h3.get_resolution(out.iloc[0]["h3_cell"]) == 5


def test_finer_resolution_reindexes_coordinates():
    out = hex_counts(frame([(40.0, -3.0)]), resolution=9)
    assert h3.get_resolution(out.iloc[0]["h3_cell"]) == 9


def test_polygons_are_lon_lat():
    cell = h3.latlng_to_cell(40.0, -3.0, 6)
    poly = cell_polygons([cell]).geometry.iloc[0]
    assert abs(poly.centroid.x - -3.0) < 0.2 and abs(poly.centroid.y - 40.0) < 0.2
