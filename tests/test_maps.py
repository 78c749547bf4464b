import geopandas as gpd
import h3
import pandas as pd
import pytest

from tests.browser import open_offline
from workbench.analyse.hexbin import cell_polygons
from workbench.share import maps
from workbench.share.export import external_references

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def countries():
    from tests.workspace import REPO

    frame = gpd.read_file(REPO / "data" / "reference" / "ne_110m_admin_0_countries.geojson")
    return frame.rename(columns={"NAME": "name"})[["name", "geometry"]]


def test_map_draws_offline_with_cells_and_points(tmp_path, browser, countries):
    centre = h3.latlng_to_cell(36.78, -2.61, 5)
    cells = cell_polygons(sorted(h3.grid_disk(centre, 1)))
    cells["hotspot_class"] = ["hot_99"] + ["hot_95"] * 6
    cells["count"] = "<10"
    m = maps.offline_map(countries)
    maps.add_hotspot_cells(m, cells)
    maps.add_points(m, pd.DataFrame({"lat": [40.4], "lon": [-3.7], "n": [5]}), radius_col="n")
    html = maps.map_html(m)
    assert not [u for kind, u in external_references(html) if kind == "resource"]
    assert "cdn.jsdelivr" not in html and "jquery" not in html.lower()
    path = tmp_path / "map.html"
    path.write_text(html, encoding="utf-8")
    page = open_offline(browser, path)
    assert page.count_in_frames(".leaflet-pane") >= 5
    assert page.count_in_frames("path.leaflet-interactive") >= len(countries) + 7
    assert page.count_in_frames(".wb-legend") == 1
    assert page.console_errors == [] and page.page_errors == [] and page.blocked == []


def test_text_from_outside_is_shown_as_text(tmp_path, browser, countries):
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    m = maps.offline_map(countries.assign(name=[evil] + list(countries["name"][1:])))
    maps.add_points(m, pd.DataFrame({"lat": [10.0], "lon": [10.0], "place": [evil]}), popup_cols=["place"])
    path = tmp_path / "evil.html"
    path.write_text(maps.map_html(m), encoding="utf-8")
    page = open_offline(browser, path)
    page.page.hover("path.leaflet-interactive >> nth=-1")
    page.page.wait_for_timeout(200)
    assert page.dialogs == [] and page.page_errors == []
    assert evil in " ".join(page.page.locator(".leaflet-tooltip").all_inner_texts())
