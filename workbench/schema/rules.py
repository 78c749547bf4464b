"""The rules a stored incident obeys: per column (vocabularies, ranges, patterns) and across fields."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable

import numpy as np
import pandas as pd

from workbench.schema.coerce import arrow_text_list
from workbench.schema.columns import COLUMNS, EARLIEST_DATE, MAX_TEXT, STORE_H3_RESOLUTION, iso3_codes, latest_date
from workbench.taxonomy import VOCABULARY_OF_COLUMN, load_taxonomy

#: Cross-field rules: (fields named in the reason, rule, function of the frame -> bool Series of passes).
RECORD_RULES: tuple[tuple[str, str, Any], ...] = (
    ("lat, lon", "both given or both missing", lambda d: d["lat"].isna() == d["lon"].isna()),
    (
        "occurred_on", "not after reported_at",
        lambda d: d["occurred_on"].isna()
        | (d["occurred_on"] <= d["reported_at"].dt.tz_localize(None) + pd.Timedelta(days=1)),
    ),
    ("occurred_on, occurred_precision", "both given or both missing",
     lambda d: d["occurred_on"].isna() == d["occurred_precision"].isna()),
    ("lat, lon, country_iso3", "a location: coordinates or a country",
     lambda d: d["lat"].notna() | d["country_iso3"].notna()),
    ("reported_at", "on or after 1990-01-01 and not after today + 1 day",
     lambda d: d["reported_at"].isna() | ((d["reported_at"] >= EARLIEST_DATE.tz_localize("UTC"))
                                          & (d["reported_at"] <= latest_date().tz_localize("UTC")))),
    ("occurred_on", "not after today + 1 day",
     lambda d: d["occurred_on"].isna() | (d["occurred_on"] <= latest_date())),
)



#: A rule on one column: (the rule as named in reasons, function of the column's non-null
#: values -> numpy bool array of passes). Names are pandera's own for its built-in checks.
Rule = tuple[str, Callable[[pd.Series], np.ndarray]]


def _isin(values: list[str] | frozenset[str], error: str | None = None) -> Rule:
    allowed = list(values)
    return (error or f"isin({allowed!r})",
            lambda s: s.isin(allowed).to_numpy(dtype=bool, na_value=False))


def _arrow_strings(s: pd.Series) -> Any:
    """The values as a pyarrow string array, or None when they cannot be (e.g. lone surrogates)."""
    import pyarrow as pa

    if isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow":  # no copy
        values = s.array.__arrow_array__()
        return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    try:
        return pa.array(s.to_numpy(dtype=object, na_value=None), type=pa.string())
    except (pa.ArrowException, UnicodeError, TypeError, ValueError):
        return None


def _once_if_constant(values: Any, compute: Callable[[Any], np.ndarray]) -> np.ndarray:
    """``compute`` over an Arrow text array, run on one value when every value is that one.

    Columns the ingest fills with one value (the source, the file's hash) are checked
    with a vectorised comparison instead of a regex or a length per row.
    """
    import pyarrow.compute as pc

    if len(values) > 1 and values.null_count == 0 and pc.all(pc.equal(values, values[0])).as_py():
        return np.repeat(compute(values.slice(0, 1)), len(values))
    return compute(values)


def _str_length(min_value: int | None = None, max_value: int | None = None, error: str | None = None) -> Rule:
    def passes(s: pd.Series) -> np.ndarray:
        import pyarrow.compute as pc

        values = _arrow_strings(s)
        if values is not None:  # code points, as Python's len
            n = _once_if_constant(values, lambda v: pc.utf8_length(v).to_numpy(zero_copy_only=False).astype(float))
        else:
            n = s.astype("string").str.len().to_numpy(dtype=float, na_value=np.nan)
        ok = np.ones(len(n), dtype=bool)
        if min_value is not None:
            ok &= n >= min_value
        if max_value is not None:
            ok &= n <= max_value
        return ok

    return error or f"str_length({min_value}, {max_value})", passes


def _str_matches(pattern: str, error: str | None = None) -> Rule:
    # as pandera's Series.str.match (Python re.match): anchored at the start, and a final "$"
    # also matches before a trailing newline; RE2 (pyarrow) needs that spelled out
    re2 = pattern[:-1] + r"\n?$" if pattern.endswith("$") else pattern

    def passes(s: pd.Series) -> np.ndarray:
        import pyarrow.compute as pc

        values = _arrow_strings(s)
        if values is not None:
            return _once_if_constant(
                values, lambda v: pc.match_substring_regex(v, re2).to_numpy(zero_copy_only=False).astype(bool))
        return s.astype("string").str.match(pattern, na=False).to_numpy(dtype=bool, na_value=False)

    return error or f"str_matches('{pattern}')", passes


def _in_range(low: float, high: float) -> Rule:
    return f"in_range({low}, {high})", lambda s: ((s >= low) & (s <= high)).to_numpy(dtype=bool, na_value=False)


def _ge(value: Any, error: str) -> Rule:
    return error, lambda s: (s >= value).to_numpy(dtype=bool, na_value=False)


def _list_of(allowed: frozenset[str], non_empty: bool) -> Rule:
    listish = (list, tuple, np.ndarray)

    def passes(s: pd.Series) -> np.ndarray:
        arrow = arrow_text_list(s)
        if arrow is not None:  # vectorised: lengths, then every item against the vocabulary at once
            import pyarrow as pa
            import pyarrow.compute as pc

            lengths = pc.fill_null(pc.list_value_length(arrow), -1).to_numpy(zero_copy_only=False)
            ok = lengths > 0 if non_empty else lengths >= 0
            inside = pc.fill_null(pc.is_in(arrow.flatten(), value_set=pa.array(sorted(allowed), pa.string())), False)
            parents = pc.list_parent_indices(arrow).to_numpy(zero_copy_only=False)
            ok[np.unique(parents[~inside.to_numpy(zero_copy_only=False)])] = False
            return ok
        values = s.to_numpy(dtype=object)
        # one pass: the length of each list, -1 for a value that is not a list
        lengths = np.fromiter((len(v) if type(v) in listish or isinstance(v, listish) else -1 for v in values),
                              dtype=np.int64, count=len(values))
        ok = lengths > 0 if non_empty else lengths >= 0
        filled = lengths > 0
        items = pd.Series(values[filled], index=np.flatnonzero(filled), dtype=object).explode()
        outside = items.index[~items.isin(list(allowed)).to_numpy(dtype=bool)]
        ok[np.unique(outside.to_numpy())] = False
        return ok

    rule = "a non-empty list" if non_empty else "a list"
    return f"{rule} of codes from the taxonomy", passes


def _h3_cells(resolution: int) -> Rule:
    def passes(s: pd.Series) -> np.ndarray:
        import h3

        codes, uniques = pd.factorize(s.astype(object), use_na_sentinel=True)
        ok = np.array([isinstance(c, str) and h3.is_valid_cell(c) and h3.get_resolution(c) == resolution
                       for c in uniques], dtype=bool)
        return np.append(ok, False)[codes]  # code -1 (missing) -> False

    return f"a valid H3 cell at resolution {resolution}", passes


@lru_cache(maxsize=1)
def column_rules() -> dict[str, tuple[Rule, ...]]:
    """The value rules of each column, in the order they are checked and reported.

    Each rule is ``(name, passes)``: the name as written in reasons (pandera's own name for
    its built-in checks, e.g. ``isin([...])``, ``in_range(-90, 90)``) and a vectorised
    function of the column's non-null values returning a numpy bool array of passes.
    Nulls are checked separately (``not_nullable`` for a required column).
    :func:`validate_incidents` applies them directly; :func:`incident_schema` wraps the
    same functions as pandera checks.

    Returns
    -------
    dict
        Column name -> tuple of rules (columns without value rules map to ``()``).
    """
    taxonomy = load_taxonomy()
    iso3 = iso3_codes()

    def vocab(column: str) -> list[str]:
        return taxonomy.codes(VOCABULARY_OF_COLUMN[column])

    def text(column: str) -> Rule:
        return _str_length(max_value=MAX_TEXT[column], error=f"at most {MAX_TEXT[column]} characters")

    iso = _isin(iso3, error="an ISO 3166-1 alpha-3 country code")
    rules: dict[str, tuple[Rule, ...]] = {
        "incident_id": (_str_matches(r"^[0-9a-f]{16}$"),),
        "source_type": (_isin(vocab("source_type")),),
        "source_name": (text("source_name"), _str_length(min_value=1)),
        "source_record_id": (text("source_record_id"), _str_length(min_value=1)),
        "occurred_on": (_ge(EARLIEST_DATE, "on or after 1990-01-01"),),
        "occurred_precision": (_isin(vocab("occurred_precision")),),
        "lat": (_in_range(-90, 90),),
        "lon": (_in_range(-180, 180),),
        "location_precision": (_isin(vocab("location_precision")),),
        "place_name": (text("place_name"),),
        "country_iso3": (iso,),
        "h3_cell": (_h3_cells(STORE_H3_RESOLUTION),),
        "exploitation_types": (_list_of(frozenset(vocab("exploitation_types")), non_empty=True),),
        "recruitment_method": (_isin(vocab("recruitment_method")),),
        "means_of_control": (_list_of(frozenset(vocab("means_of_control")), non_empty=False),),
        "sector": (_isin(vocab("sector")),),
        "transport": (_isin(vocab("transport")),),
        "origin_country_iso3": (iso,),
        "transit_country_iso3": (iso,),
        "victim_gender": (_isin(vocab("victim_gender")),),
        "victim_age_band": (_isin(vocab("victim_age_band")),),
        "victim_nationality_iso3": (iso,),
        "victim_count": (_in_range(1, 10_000),),
        "language": (_str_matches(r"^[a-z]{2}$", error="an ISO 639-1 code"),),
        "source_reliability": (_isin(vocab("source_reliability")),),
        "info_credibility": (_isin(vocab("info_credibility")),),
        "summary": (text("summary"),),
        "url": (_str_matches(r"^https?://", error="an http(s) URL"), text("url")),
        "mention_count": (_ge(1, "at least 1"),),
        "source_file_sha256": (_str_matches(r"^[0-9a-f]{64}$"),),
    }
    return {name: rules.get(name, ()) for name in COLUMNS}


@lru_cache(maxsize=1)
def incident_schema():  # -> pandera.pandas.DataFrameSchema
    """Build the pandera schema of a stored incident.

    The same rules as :func:`column_rules` (vectorised checks with the same names), for
    tools that speak pandera; :func:`validate_incidents` applies the rules directly, which
    is much faster on large batches and reports the same reasons.

    Returns
    -------
    pandera.pandas.DataFrameSchema
        Column types, controlled vocabularies, ranges and cross-field rules.
    """
    import pandera.pandas as pa

    def check(rule: Rule) -> "pa.Check":
        name, passes = rule
        return pa.Check(lambda s: pd.Series(passes(s), index=s.index), error=name)

    columns = {
        name: pa.Column(dtype, [check(r) for r in column_rules()[name]], nullable=nullable)
        for name, (dtype, nullable, _) in COLUMNS.items()
    }
    return pa.DataFrameSchema(columns, strict=True, ordered=True, coerce=False)

