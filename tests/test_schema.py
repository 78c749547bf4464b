import pandas as pd
import pytest

from workbench.schema import SchemaError, coerce_incidents, incident_id, validate_incidents

NOW = pd.Timestamp("2025-01-10", tz="UTC")


def record(i: int, **over) -> dict:
    base = dict(
        incident_id=incident_id("app", str(i)), source_type="app", source_name="app", source_record_id=str(i),
        reported_at=NOW, occurred_on=pd.Timestamp("2025-01-02"), occurred_precision="day", lat=6.45, lon=3.39,
        location_precision="exact", country_iso3="NGA", h3_cell=None, exploitation_types=["forced_labour"],
        means_of_control=["debt_bondage"], language="en", source_reliability="C", info_credibility="3",
        catalog_entry="app_reports", source_file_sha256="a" * 64, ingested_at=NOW, batch_id="b1",
    )
    base.update(over)
    return base


def test_incident_id_is_stable_and_source_scoped():
    assert incident_id("app", "1") == incident_id("app", "1")
    assert incident_id("app", "1") != incident_id("partner", "1")
    assert len(incident_id("x", "y")) == 16


def test_valid_rows_pass_and_keep_canonical_types():
    valid, rejected = validate_incidents(pd.DataFrame([record(1), record(2, lat=None, lon=None)]))
    assert len(valid) == 2 and rejected.empty
    assert str(valid["reported_at"].dtype) == "datetime64[ns, UTC]"
    assert valid["exploitation_types"].iloc[0] == ["forced_labour"]


@pytest.mark.parametrize(
    "override, field",
    [
        ({"lat": 123.0}, "'lat'"),
        ({"exploitation_types": ["people_smuggling"]}, "'exploitation_types'"),
        ({"exploitation_types": []}, "'exploitation_types'"),
        ({"country_iso3": "XXX"}, "'country_iso3'"),
        ({"source_reliability": "G"}, "'source_reliability'"),
        ({"language": "English"}, "'language'"),
        ({"victim_count": 0}, "'victim_count'"),
        ({"lon": None}, "lat, lon"),
        ({"occurred_on": pd.Timestamp("2025-03-01")}, "occurred_on"),
        ({"occurred_on": pd.Timestamp("1850-01-01")}, "'occurred_on'"),
        ({"lat": None, "lon": None, "country_iso3": None}, "a location"),
        ({"url": "javascript:alert(1)"}, "'url'"),
        ({"h3_cell": "not-a-cell"}, "'h3_cell'"),
    ],
)
def test_each_rule_rejects_and_names_record_and_field(override, field):
    valid, rejected = validate_incidents(pd.DataFrame([record(1), record(2, **override)]))
    assert len(valid) == 1 and len(rejected) == 1
    reason = rejected["reason"].iloc[0]
    assert reason.startswith("record 2:") and field in reason


def test_duplicate_ids_in_a_batch_keep_the_first():
    valid, rejected = validate_incidents(pd.DataFrame([record(1), record(1, place_name="again")]))
    assert len(valid) == 1 and len(rejected) == 1
    assert "duplicate" in rejected["reason"].iloc[0]
    assert pd.isna(valid["place_name"].iloc[0])


def test_missing_required_column_is_a_batch_error():
    frame = pd.DataFrame([record(1)]).drop(columns=["source_name"])
    with pytest.raises(SchemaError, match="source_name"):
        coerce_incidents(frame)


def test_schema_has_no_personal_fields():
    from workbench.schema import COLUMNS

    assert not {"name", "victim_name", "age", "phone", "email", "address"} & set(COLUMNS)
