"""The schema gate: candidates split into valid rows and rejected rows with the reason for each."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pandas as pd

from workbench.exceptions import SchemaError
from workbench.schema.coerce import _coerce_column, coerce_incidents, is_canonical
from workbench.schema.columns import COLUMNS, LIST_COLUMNS, empty_incidents
from workbench.schema.rules import RECORD_RULES, column_rules
from workbench.schema.seen import SeenIds

def validate_incidents(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split candidate incidents into valid rows and rejected rows with reasons.

    Parameters
    ----------
    frame : pandas.DataFrame
        Candidate incidents (see :func:`coerce_incidents`).

    Returns
    -------
    valid : pandas.DataFrame
        Rows that pass every rule, in canonical form.
    rejected : pandas.DataFrame
        The other rows, in canonical form, with a ``reason`` column naming the record
        (``source_record_id``) and each failing field, value and rule (in the schema's
        column order, then the cross-field rules).
        ``len(valid) + len(rejected) == len(frame)`` always.
    """
    valid, rejected, _, _ = validate_incidents_detailed(frame)
    return valid, rejected


def validate_incidents_detailed(
    frame: pd.DataFrame, arrow: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, list[str]]:
    """:func:`validate_incidents`, also telling where the rejected rows were.

    Every rule is applied to whole columns at once (vocabularies with ``isin``, list
    columns exploded, H3 cells checked once per distinct cell); only failing rows cost
    Python work, to write their reasons.

    Parameters
    ----------
    frame : pandas.DataFrame
        Candidate incidents.
    arrow : bool
        Keep Arrow-held text and lists as they are (:func:`coerce_incidents`).

    Returns
    -------
    valid, rejected : pandas.DataFrame
        As :func:`validate_incidents`.
    positions : numpy.ndarray
        Position in ``frame`` of each rejected row (in the order of ``rejected``).
    field_reasons : list of str
        Each rejected row's reason without the leading ``record <id>: `` label.
    """
    if len(frame) == 0:
        empty = empty_incidents()
        return empty, _with_reason(empty, []), np.zeros(0, dtype=np.int64), []
    original = frame.reset_index(drop=True)
    data = coerce_incidents(original, arrow=arrow)
    found_rows: list[np.ndarray] = []
    found_messages: list[list[str]] = []

    def found(rows: np.ndarray, messages: list[str]) -> None:
        if len(rows):
            found_rows.append(np.asarray(rows, dtype=np.int64))
            found_messages.append(messages)

    _find_lost_values(original, data, found)
    _find_column_failures(data, found)
    for fields, rule, passes in RECORD_RULES:
        rows = np.flatnonzero(~passes(data).fillna(False).to_numpy(dtype=bool))
        found(rows, [f"fields {fields}: {rule}"] * len(rows))
    # rows whose id repeats inside the batch: the first stays, later ones are rejected
    rows = np.flatnonzero(data["incident_id"].duplicated(keep="first").to_numpy())
    found(rows, ["field 'incident_id': duplicate of an earlier record in this batch"] * len(rows))
    if not found_rows:
        return data, _with_reason(data.iloc[0:0], []), np.zeros(0, dtype=np.int64), []
    return _split_by_failures(data, found_rows, found_messages)


def _find_lost_values(original: pd.DataFrame, data: pd.DataFrame,
                      found: Callable[[np.ndarray, list[str]], None]) -> None:
    """Report values that were given but could not take their column's type (an error, not a blank)."""
    for name, (dtype, _, _) in COLUMNS.items():
        typed = dtype in ("float64", "Int64") or dtype.startswith("datetime64")
        if not typed or name not in original.columns:
            continue
        lost = np.flatnonzero(original[name].notna().to_numpy() & data[name].isna().to_numpy())
        kind = "a date" if dtype.startswith("datetime64") else "a number"
        found(lost, [f"field {name!r}={_short(v)}: not {kind}" for v in original[name].iloc[lost].tolist()])


def _find_column_failures(data: pd.DataFrame, found: Callable[[np.ndarray, list[str]], None]) -> None:
    """Report missing required values and values failing their column's rules, column by column."""
    rules = column_rules()
    for name, (dtype, nullable, _) in COLUMNS.items():
        col = data[name]
        null = col.isna().to_numpy(dtype=bool)
        if not nullable and null.any():
            rows = np.flatnonzero(null)
            value = "NaT" if dtype.startswith("datetime64") else "nan"
            found(rows, [f"field {name!r}={value}: expected not_nullable"] * len(rows))
        if not rules[name]:
            continue
        for check, passes in rules[name]:
            # every rule fails a missing value, which is checked above: the rule runs on the whole
            # column (no copy of the present values) and its result counts where a value is present
            ok = np.asarray(passes(col), dtype=bool) | null
            if ok.all():
                continue
            bad = np.flatnonzero(~ok)
            found(bad, [f"field {name!r}={_short(v)}: expected {check}" for v in col.iloc[bad].tolist()])


def _split_by_failures(data: pd.DataFrame, found_rows: list[np.ndarray], found_messages: list[list[str]],
                       ) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, list[str]]:
    """Valid rows, rejected rows with reasons, their positions and field reasons, from the failures found."""
    rows = np.concatenate(found_rows)
    messages = [m for part in found_messages for m in part]
    order = np.argsort(rows, kind="stable")  # by row, each row's reasons in the order found
    rows = rows[order]
    bad, starts = np.unique(rows, return_index=True)
    ends = np.append(starts[1:], len(rows))
    field_reasons = ["; ".join(dict.fromkeys(messages[i] for i in order[s:e])) for s, e in zip(starts, ends)]
    ids = data["source_record_id"].iloc[bad].tolist()
    reasons = [f"record {_short(r, quote=False)}: {text}" for r, text in zip(ids, field_reasons)]
    keep = np.ones(len(data), dtype=bool)
    keep[bad] = False
    valid = data.iloc[np.flatnonzero(keep)].reset_index(drop=True)
    return valid, _with_reason(data.iloc[bad], reasons), bad, field_reasons


def validated_incidents(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`validate_incidents` for rows already validated in parts (e.g. chunk by chunk).

    Each part passed every rule; what is left to check across the parts is that an id
    does not repeat: a later row with the id of an earlier one is rejected with the same
    reason :func:`validate_incidents` gives. Columns are put in the store's order; a
    column not in its canonical dtype (e.g. the provenance just added) is coerced.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows that each passed :func:`validate_incidents` (list columns as lists or Arrow
        lists), with the provenance columns.

    Returns
    -------
    valid, rejected : pandas.DataFrame
        As :func:`validate_incidents`.
    """
    data, rejected, keep = repeated_ids(frame)
    return (data if keep.all() else data.iloc[np.flatnonzero(keep)].reset_index(drop=True)), rejected


def repeated_ids(frame: pd.DataFrame, seen: SeenIds | None = None) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """:func:`validated_incidents` without taking the kept rows out (a writer can skip the others).

    Parameters
    ----------
    frame : pandas.DataFrame
        As :func:`validated_incidents`.
    seen : SeenIds, optional
        The ids of the batch's earlier parts (a batch checked part by part): a row whose
        id is among them is rejected too, and this part's ids are added.

    Returns
    -------
    data : pandas.DataFrame
        Every row, canonical columns in order (no copy under copy-on-write).
    rejected : pandas.DataFrame
        The rows whose id repeats an earlier row's, with their reason.
    keep : numpy.ndarray
        Boolean mask of the rows of ``data`` that are valid.
    """
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise SchemaError(f"validated incidents lack column(s) {missing}")
    data = frame.reset_index(drop=True)
    odd = [c for c in COLUMNS
           if not (is_canonical(c, data[c], arrow=True) or (c in LIST_COLUMNS and data[c].dtype == object))]
    data = data.assign(**{c: _coerce_column(c, data[c], arrow=True) for c in odd})[list(COLUMNS)]
    repeated = data["incident_id"].duplicated(keep="first").to_numpy()
    if seen is not None:
        repeated = repeated | seen.add(data["incident_id"])
    if not repeated.any():
        return data, _with_reason(data.iloc[0:0], []), ~repeated
    bad = np.flatnonzero(repeated)
    reasons = [f"record {_short(r, quote=False)}: field 'incident_id': duplicate of an earlier record in this batch"
               for r in data["source_record_id"].iloc[bad].tolist()]
    return data, _with_reason(data.iloc[bad], reasons), ~repeated


def _with_reason(frame: pd.DataFrame, reasons: list[str]) -> pd.DataFrame:
    out = frame.reset_index(drop=True).copy()
    out["reason"] = pd.Series(reasons, dtype="string")
    return out


def _short(value: Any, limit: int = 60, quote: bool = True) -> str:
    text = repr(value) if quote else " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."

