"""Areas are named after a well-known place in their own country and first-level area."""

from pathlib import Path

import pytest

from workbench.places.naming import area_city, area_name, place_of_cell
from workbench.share.formatting import human_header

REFERENCE = Path(__file__).resolve().parent.parent / "data" / "reference"


@pytest.mark.parametrize(("lat", "lon", "country", "not_named"), [
    (32.58, -117.03, "USA", "Tijuana"),      # Chula Vista / San Ysidro, north of the border
    (32.52, -117.00, "MEX", "San Diego"),    # Tijuana, south of it
    (48.573, 7.816, "DEU", "Strasbourg"),    # Kehl, across the Rhine from Strasbourg
    (48.58, 7.75, "FRA", "Offenburg"),       # Strasbourg
])
def test_a_cell_near_a_border_is_named_in_its_own_country(lat, lon, country, not_named):
    city = area_city(lat, lon, reference=REFERENCE)
    assert city["country_iso3"] == country
    assert city["name"] != not_named


def test_the_first_level_area_is_named_where_the_polygons_name_it():
    assert area_name(32.58, -117.03, reference=REFERENCE) == "San Diego, California, United States"
    assert area_name(-33.9, 18.6, reference=REFERENCE).endswith("Western Cape, South Africa")
    assert area_name(36.84, -2.46, reference=REFERENCE) == "Almería, Spain"  # no admin-1 names for Spain


def test_a_cell_is_named_never_by_its_id():
    import h3

    cell = h3.latlng_to_cell(6.45, 3.39, 5)
    assert place_of_cell(cell).endswith("Nigeria") and cell not in place_of_cell(cell)


def test_headers_read_as_words():
    assert human_header("seasonal_naive MASE") == "Seasonal naive (MASE)"
    assert human_header("seasonal naive MASE") == "Seasonal naive (MASE)"
    assert human_header("gi_z") == "Gi* z-score" and human_header("incidents_out") == "Incidents out"
