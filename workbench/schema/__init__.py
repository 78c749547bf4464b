"""The canonical incident schema: who, what, where, when, why, how.

Every row that enters the store passes :func:`validate_incidents`. Rows that fail are
returned with the reason (record and field named) for the quarantine; nothing is dropped
silently. Victims are described only by aggregate bands (gender, age band, nationality,
count); the schema has no field for a name or an exact age.
"""

from workbench.exceptions import SchemaError
from workbench.schema.coerce import (ISO_DATETIME, _as_list, _list_values, _strict_datetimes, _strict_numbers,
                                     arrow_text_list, coerce_incidents, is_canonical)
from workbench.schema.columns import (AGGREGATE_COLUMNS, COLUMNS, EARLIEST_DATE, FLOW_COLUMNS, LIST_COLUMNS, MAX_TEXT,
                                      STORE_H3_RESOLUTION, check_date_window, empty_incidents, incident_id,
                                      iso3_codes, latest_date)
from workbench.schema.rules import RECORD_RULES, Rule, column_rules, incident_schema
from workbench.schema.seen import SeenIds
from workbench.schema.validate import _short, _with_reason, repeated_ids, validate_incidents, \
    validate_incidents_detailed, validated_incidents

__all__ = ["AGGREGATE_COLUMNS", "COLUMNS", "EARLIEST_DATE", "FLOW_COLUMNS", "ISO_DATETIME", "LIST_COLUMNS",
           "MAX_TEXT", "RECORD_RULES", "SchemaError", "STORE_H3_RESOLUTION", "Rule", "SeenIds", "arrow_text_list",
           "check_date_window",
           "coerce_incidents", "column_rules", "empty_incidents", "incident_id", "incident_schema", "is_canonical",
           "iso3_codes", "latest_date", "repeated_ids", "validate_incidents", "validate_incidents_detailed",
           "validated_incidents"]
