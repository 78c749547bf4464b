"""Unknown is data: complete candidate incidents whose source did not say something.

A record is not wrong because its source left a field blank or wrote "0" for "not
known". Such records are stored, with the taxonomy's unknown values, and counted in every
report's scope block; only records that are wrong or unreadable are quarantined.
"""

from __future__ import annotations

import pandas as pd

from workbench.places.countries import UNKNOWN_ISO3
from workbench.schema import arrow_text_list

#: Exploitation type of a record whose source did not record one.
NOT_RECORDED = "not_recorded"
#: Age band of a victim whose age the source gives as not known.
UNKNOWN_AGE_BAND = "unknown"


def complete_unknowns(candidates: pd.DataFrame) -> pd.DataFrame:
    """Fill the taxonomy's unknown values where a candidate has none.

    * ``exploitation_types`` empty or missing -> ``["not_recorded"]``;
    * no coordinates and no country -> ``country_iso3 = "UNK"`` (place not known).

    Parameters
    ----------
    candidates : pandas.DataFrame
        Candidate incidents (after :func:`workbench.places.gazetteer.locate`).

    Returns
    -------
    pandas.DataFrame
        A copy with the unknowns filled; other values untouched (a wrong value stays
        wrong, for the schema to quarantine).
    """
    out = candidates.copy()
    if out.empty:
        return out
    types = out["exploitation_types"] if "exploitation_types" in out.columns else pd.Series([None] * len(out),
                                                                                              index=out.index)
    out["exploitation_types"] = _types_or_not_recorded(types)
    lat = pd.to_numeric(out["lat"], errors="coerce") if "lat" in out.columns else pd.Series(float("nan"),
                                                                                              index=out.index)
    country = out["country_iso3"] if "country_iso3" in out.columns else pd.Series(pd.NA, index=out.index,
                                                                                    dtype="object")
    raw_lat = out["lat"] if "lat" in out.columns else pd.Series(None, index=out.index, dtype="object")
    nowhere = lat.isna() & raw_lat.isna() & country.isna()
    if isinstance(country.dtype, pd.StringDtype):  # text held as text (e.g. by Arrow) stays so
        out["country_iso3"] = country.mask(nowhere.to_numpy(dtype=bool), UNKNOWN_ISO3)
    else:
        out["country_iso3"] = country.astype("object").where(~nowhere, UNKNOWN_ISO3)
    return out


def _types_or_not_recorded(types: pd.Series) -> pd.Series | list:
    """Each value as a list, ``["not_recorded"]`` where it is missing or empty.

    An Arrow list column (as the bulk collector reads Parquet and splits CSV) is filled
    vectorised and stays Arrow; anything else value by value.
    """
    values = arrow_text_list(types)
    if values is not None:
        import pyarrow as pa
        import pyarrow.compute as pc

        empty = pc.fill_null(pc.equal(pc.list_value_length(values), 0), True)
        filled = pc.if_else(empty, pa.scalar([NOT_RECORDED], type=values.type), values)
        return pd.Series(pd.arrays.ArrowExtensionArray(filled), index=types.index)
    return [list(v) if _filled(v) else [NOT_RECORDED] for v in types.tolist()]


def _filled(value: object) -> bool:
    if value is None or value is pd.NA:
        return False
    if isinstance(value, float):
        return False  # NaN
    if isinstance(value, str):
        return bool(value)
    try:
        return len(value) > 0  # type: ignore[arg-type]
    except TypeError:
        return True  # not a list: left for the schema to reject
