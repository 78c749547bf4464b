"""The screen's per-account aggregation in DuckDB, for Parquet files.

:func:`duckdb_evidence` validates and aggregates a Parquet file of transactions in two
reads of the file and returns the same evidence the pandas path builds (identical results):

1. The distinct raw values of the text columns are read and judged in Python, once per
   value (what to strip and fold, which values are invalid).
2. One read computes each row's working columns (stripped text, amount in integer cents,
   day, hour, MCC...) together with the checks of
   :func:`~workbench.apply.screening.validate.validate_transactions`, and keeps, in a
   narrow in-memory table ``work``, the account, amount, day, each rule's predicate and
   the fields rules count distinct values of (only where such a rule matches). A row whose
   value SQL cannot judge with certainty (non-ASCII at the edges of a text, a number or
   timestamp outside the strict patterns) is *doubtful*.
3. Rows that fail a check or are doubtful (normally very few) are read back and run
   through the pandas validation, which writes the rejects (record, field, reason) and
   cleans the doubtful rows it accepts; those are added to ``work``.
4. A ``GROUP BY account`` over ``work`` gives the transactions in the window per account;
   the rows in the widest window that some rule looks at (a few percent) go into a small
   table ``matched`` with one flag per rule (predicate and the rule's window), over which
   small ``GROUP BY`` queries give each rule's count and amount (``FILTER`` clauses) and
   its distinct values (a ``GROUP BY`` over the distinct (account, rule, value) triples,
   much cheaper than ``count(DISTINCT ...) FILTER`` over every row).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench.apply.screening.rules import DISTINCT_FIELDS, Rule, RuleSet
from workbench.apply.screening.validate import CHANNELS, validate_transactions
from workbench.schema import iso3_codes

_ASCII_WS = " \t\n\x0b\x0c\r\x1c\x1d\x1e\x1f"  # what str.strip() removes from pure-ASCII text
_TRIM_CHARS = "||".join(f"chr({ord(c)})" for c in _ASCII_WS)
_NUMBER = r"^[-+]?[0-9]+(\.[0-9]+)?$"
_TEXT_COLUMNS = ("account", "counterparty", "city", "country_iso3", "currency", "channel")
_CASE = {"currency": "upper", "country_iso3": "upper", "channel": "lower"}


def _quote(value: Any) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _in_list(column: str, values: list[Any]) -> str:
    return f"{column} IN ({', '.join(_quote(v) for v in values)})" if values else "FALSE"


def rule_predicate(rule: Rule, params: Mapping[str, tuple[str, ...]]) -> str:
    """SQL condition selecting the transactions a rule looks at (as ``_rule_mask`` does).

    Parameters
    ----------
    rule : Rule
        The rule.
    params : mapping
        Run-time parameters (``high_risk_countries``).

    Returns
    -------
    str
        A boolean SQL expression over the working columns (``cents, hour, channel, mcc,
        country_iso3, city, currency``).
    """
    parts = ["TRUE"]
    for key, test in rule.where.items():
        if key == "direction":
            parts.append("cents < 0" if test == "debit" else "cents > 0")
        elif key == "hour":
            lo, hi = (int(x) for x in test["between"])
            parts.append(f"(hour >= {lo} AND hour <= {hi})" if lo <= hi else f"(hour >= {lo} OR hour <= {hi})")
        elif key == "merchant_category":
            negate = isinstance(test, Mapping) and "not" in test
            values = test["not"] if negate else (list(params.get(test["param"], ())) if isinstance(test, Mapping)
                                                  else test)
            hits = []
            for v in values if isinstance(values, list) else [values]:
                if isinstance(v, str) and "-" in v:
                    lo_s, hi_s = v.split("-", 1)
                    hits.append(f"(mcc >= {int(lo_s)} AND mcc <= {int(hi_s)})")
                else:
                    hits.append(f"mcc = {int(v)}")
            hit = "(" + " OR ".join(hits) + ")" if hits else "FALSE"
            parts.append(f"NOT {hit}" if negate else hit)
        else:
            if isinstance(test, Mapping) and "param" in test:
                parts.append(_in_list(key, [str(v) for v in params.get(test["param"], ())]))
            elif isinstance(test, Mapping):
                values = test["not"] if isinstance(test["not"], (list, tuple)) else [test["not"]]
                parts.append(f"NOT {_in_list(key, [str(v) for v in values])}")
            else:
                values = list(test) if isinstance(test, (list, tuple)) else [test]
                parts.append(_in_list(key, [str(v) for v in values]))
    return "(" + " AND ".join(parts) + ")"


def _judge_values(column: str, values: list[Any], rates: Mapping[str, float],
                  iso3: set[str]) -> tuple[list[Any], int]:
    """Judge a text column's distinct raw values once each, in Python (as the pandas path would).

    Returns the values SQL must not handle (invalid, or cleaned differently by SQL's ASCII
    trim than by ``str.strip``; None stands for NULL) and what SQL must do to the valid
    ones: 0 nothing (the raw column is used), 1 replace NULL by '', 2 also trim and fold case.
    """
    odd: list[Any] = []
    needs_clean = 0
    case = _CASE.get(column)
    if case is None and column != "merchant_category":  # a text with no space at either edge is valid as it is
        values = [v for v in values if not (isinstance(v, str) and v and not v[0].isspace() and not v[-1].isspace())]
    for raw in values:
        text = "" if raw is None else str(raw)
        clean = text.strip()
        if raw is not None and (text.strip(_ASCII_WS) != clean or (case and not clean.isascii())):
            odd.append(raw)
            continue
        clean = clean.upper() if case == "upper" else clean.lower() if case == "lower" else clean
        invalid = ((column == "account" and clean == "")
                   or (column == "currency" and clean not in rates)
                   or (column == "channel" and clean not in CHANNELS)
                   or (column == "country_iso3" and clean != "" and clean not in iso3)
                   or (column == "merchant_category" and clean != ""
                       and not (clean.isascii() and clean.isdigit() and len(clean) <= 4)))
        if invalid:
            odd.append(raw)
        elif raw is None:
            needs_clean = max(needs_clean, 1)
        elif clean != text:
            needs_clean = 2
    return odd, needs_clean


def _working_sql(types: Mapping[str, str], currency: str, fx_rates: Mapping[str, float],
                 judged: Mapping[str, tuple[list[Any], int]],
                 currencies: set[str]) -> tuple[list[str], list[str]]:
    """SQL select items for the working columns, and the tests that send a row to pandas."""
    rates = {str(k).upper(): float(v) for k, v in fx_rates.items()}
    rates[currency.upper()] = 1.0
    cols, odd = [], []
    text: dict[str, str] = {}
    for name in (*_TEXT_COLUMNS, "merchant_category"):
        if name not in types:
            text[name] = "''"
            continue
        values, needs_clean = judged.get(name, ([], 1))
        value = (f"trim(coalesce({name}, ''), {_TRIM_CHARS})" if needs_clean == 2
                 else f"coalesce({name}, '')" if needs_clean == 1 else name)
        text[name] = f"{_CASE[name]}({value})" if name in _CASE and needs_clean == 2 else value
        if any(v is None for v in values):
            odd.append(f"{name} IS NULL")
        listed = [v for v in values if v is not None]
        if listed:
            odd.append(f"{name} IN ({', '.join(_quote(v) for v in listed)})")
    cols += [f"{text[name]} AS {name}" for name in _TEXT_COLUMNS]
    if currencies <= {currency.upper()}:
        rate = "1.0"
    else:
        rate = ("CASE " + " ".join(f"WHEN {text['currency']} = {_quote(c)} THEN {r!r}" for c, r in rates.items())
                + " END")
    if types["amount"] == "VARCHAR":
        odd.append(f"amount IS NULL OR NOT regexp_full_match(amount, '{_NUMBER}')")
        amount = "TRY_CAST(amount AS DOUBLE)"
    else:
        amount = "CAST(amount AS DOUBLE)"
    odd.append(f"{amount} IS NULL OR NOT isfinite({amount}) OR {amount} = 0 OR abs({amount}) >= 1e12")
    cols.append(f"CASE WHEN abs({amount}) < 1e12 THEN CAST(round_even({amount} * {rate} * 100, 0) AS BIGINT) "
                "END AS cents")
    if types["timestamp"] == "VARCHAR":  # strict shapes only; anything else is judged by pandas
        parsed = ("CASE length(timestamp) WHEN 19 THEN TRY_STRPTIME(timestamp, ['%Y-%m-%dT%H:%M:%S', "
                  "'%Y-%m-%d %H:%M:%S']) WHEN 10 THEN TRY_STRPTIME(timestamp, '%Y-%m-%d') END")
        odd.append(f"({parsed}) IS NULL")
    elif types["timestamp"].startswith("TIMESTAMP") and "TIME ZONE" not in types["timestamp"]:
        parsed = "timestamp"
        odd.append("timestamp IS NULL")
    else:
        raise _Unsupported(f"timestamp column of type {types['timestamp']}")
    cols.append(f"CAST(date_diff('day', DATE '1970-01-01', CAST(({parsed}) AS DATE)) AS BIGINT) AS day")
    cols.append(f"CAST(hour({parsed}) AS INTEGER) AS hour")
    if "merchant_category" not in types:
        cols.append("-1 AS mcc")
    elif types["merchant_category"] == "VARCHAR":
        m = text["merchant_category"]
        cols.append(f"CASE WHEN {m} = '' THEN -1 ELSE TRY_CAST({m} AS INTEGER) END AS mcc")
    else:
        m = "CAST(merchant_category AS DOUBLE)"
        odd.append(f"{m} IS NOT NULL AND NOT (isfinite({m}) AND {m} >= 0 AND {m} <= 9999 AND {m} = floor({m}))")
        cols.append(f"coalesce(CAST({m} AS INTEGER), -1) AS mcc")
    for name, lo, hi in (("lat", -90, 90), ("lon", -180, 180)):
        if name in types:
            v = f"trim(coalesce(CAST({name} AS VARCHAR), ''), {_TRIM_CHARS})"
            odd.append(f"NOT ({v} = '' OR (regexp_full_match({v}, '{_NUMBER}') AND TRY_CAST({v} AS DOUBLE) "
                       f"BETWEEN {lo} AND {hi}))")
    return cols, odd


class _Unsupported(Exception):
    """The file has a layout the DuckDB path does not handle (the pandas path is used)."""


def duckdb_evidence(path: str | Path, rules: RuleSet, params: Mapping[str, tuple[str, ...]], window_days: int,
                    as_of: pd.Timestamp | None, currency: str,
                    fx_rates: Mapping[str, float]) -> dict[str, Any] | None:
    """Validate and aggregate a Parquet file in DuckDB.

    Two reads of the file (the distinct values of the text columns, judged in Python once
    per value; then the working columns into ``work``), the rows SQL cannot judge to
    pandas, then per-account aggregates over ``work`` (module docstring).

    Parameters
    ----------
    path : str or Path
        The Parquet file.
    rules : RuleSet
        The rules.
    params : mapping
        Run-time parameters of the rules.
    window_days : int
        Default window.
    as_of : Timestamp, optional
        Last day of the window (default: the latest valid day).
    currency : str
        Report currency.
    fx_rates : mapping
        Exchange rates.

    Returns
    -------
    dict or None
        ``parts`` (per-rule evidence frames), ``accounts`` (sorted names), ``n_tx``,
        ``end_day``, ``rejects``, ``n_in``, ``n_scored``; None when the file's layout
        needs the pandas path (non-text ids, a timestamp with a time zone...).
    """
    import duckdb

    con = duckdb.connect(config={"preserve_insertion_order": False})  # no result here depends on row order
    try:
        src = f"read_parquet({_quote(Path(path))}, file_row_number = true)"
        types = {row[0]: str(row[1]) for row in con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()}
        missing = [c for c in ("account", "amount", "currency", "timestamp", "channel") if c not in types]
        if missing or any(types.get(c, "VARCHAR") != "VARCHAR" for c in _TEXT_COLUMNS):
            return None  # the pandas path raises the documented error / handles non-text ids
        present = [c for c in (*_TEXT_COLUMNS, "merchant_category") if types.get(c) == "VARCHAR"]
        values = _distinct_values(con, src, present)
        rates = {str(k).upper() for k in fx_rates} | {currency.upper()}
        iso3 = set(iso3_codes())
        judged = {c: _judge_values(c, v, rates, iso3) for c, v in values.items()}
        currencies = {str(v).strip().upper() for v in values.get("currency", []) if v is not None}
        try:
            cols, odd = _working_sql(types, currency, fx_rates, judged, currencies)
        except _Unsupported:
            return None
        odd_sql = " OR ".join(f"coalesce({o}, TRUE)" for o in odd)
        kept = _kept_columns(rules, params)
        con.execute(f"CREATE TEMP TABLE work AS SELECT rn, odd, {kept} FROM (SELECT file_row_number AS rn, "
                    f"({odd_sql}) AS odd, {', '.join(cols)} FROM {src})").fetchall()
        n_in, max_day, odd_rn = con.execute("SELECT count(*), max(day) FILTER (WHERE NOT odd), "
                                            "list(rn) FILTER (WHERE odd) FROM work").fetchall()[0]
        odd_rn = np.sort(np.asarray(odd_rn or [], dtype="int64"))
        rejects = pd.DataFrame(columns=["record", "field", "value", "reason"])
        if len(odd_rn):
            bad, extra_day = _judge_in_pandas(con, src, odd_rn, currency, fx_rates)
            if len(bad):
                rejects = bad
            if extra_day is not None:
                max_day = extra_day if max_day is None else max(extra_day, max_day)
            con.execute(f"INSERT INTO work SELECT -1 AS rn, FALSE AS odd, {kept} FROM extra").fetchall()
        return _aggregate(con, rules, params, window_days, as_of, max_day, rejects, int(n_in),
                          int(n_in) - len(rejects))
    finally:
        con.close()


def _kept_columns(rules: RuleSet, params: Mapping[str, tuple[str, ...]]) -> str:
    """What ``work`` keeps of a row's working columns: account, amount, day, each rule's
    predicate (``p<i>``) and the distinct fields, only where a rule counting them matches."""
    items = ["account", "cents", "day"]
    items += [f"{rule_predicate(rule, params)} AS p{i}" for i, rule in enumerate(rules.rules)]
    for f in _distinct_fields(rules):
        col = _field_column(f)[0]
        uses = " OR ".join(rule_predicate(rule, params) for rule in rules.rules if f in rule.distinct_fields)
        items.append(f"CASE WHEN {uses} THEN {col} END AS {col}")
    return ", ".join(items)


def _distinct_fields(rules: RuleSet) -> list[str]:
    """The fields some rule counts distinct values of, in :data:`DISTINCT_FIELDS` order."""
    return sorted({f for rule in rules.rules for f in rule.distinct_fields}, key=DISTINCT_FIELDS.index)


def _distinct_values(con: Any, src: str, present: list[str]) -> dict[str, list[Any]]:
    """The distinct raw values of each text column of the file (None: NULL), judged once each in Python."""
    values: dict[str, list[Any]] = {c: [] for c in present}
    if present:
        union = " UNION ALL ".join(f"SELECT {i} AS c, {c} AS v FROM {src} GROUP BY {c}"
                                   for i, c in enumerate(present))
        for i, v in con.execute(union).fetchall():
            values[present[i]].append(v)
    return values


def _judge_in_pandas(con: Any, src: str, odd_rn: np.ndarray, currency: str,
                     fx_rates: Mapping[str, float]) -> tuple[pd.DataFrame, int | None]:
    """Run the rows SQL could not judge through the pandas validation.

    Registers the rows it accepts as the DuckDB table ``extra`` (working columns) and
    returns the rejects and the latest day among the accepted rows (None: none accepted).
    """
    con.register("odd_rn", pd.DataFrame({"rn": odd_rn}))
    raw = con.execute(f"SELECT * EXCLUDE (file_row_number) FROM {src} WHERE file_row_number IN "
                      "(SELECT rn FROM odd_rn) ORDER BY file_row_number").df()
    clean, bad = validate_transactions(raw, currency, fx_rates, record_ids=odd_rn)
    extra = clean.rename(columns={"merchant_category": "mcc"})[[*_TEXT_COLUMNS, "cents", "day", "hour", "mcc"]]
    con.register("extra", extra)
    return bad, (int(extra["day"].max()) if len(extra) else None)


def _field_column(field: str) -> tuple[str, str]:
    """The working column holding a distinct field, and its blank value (not counted)."""
    return ("mcc", "-1") if field == "merchant_category" else (field, "''")


def _aggregate(con: Any, rules: RuleSet, params: Mapping[str, tuple[str, ...]], window_days: int,
               as_of: pd.Timestamp | None, max_day: int | None, rejects: pd.DataFrame, n_in: int,
               n_scored: int) -> dict[str, Any]:
    """Per account and rule, over the valid rows of ``work``: count, amount and distinct values in the window."""
    if as_of is not None:
        end_day = int(np.datetime64(as_of.date(), "D").astype("int64"))
    elif max_day is not None:
        end_day = int(max_day)
    else:
        end_day = int(np.datetime64("today", "D").astype("int64"))

    def window(days: int) -> str:
        return f"day > {end_day - days} AND day <= {end_day}"

    # every account is scored (accounts whose transactions all fall outside the window get zeros,
    # as on the pandas path); the rules only look at rows in the widest window matching a rule
    totals = con.execute(f"SELECT account, count(*) FILTER (WHERE {window(window_days)}) AS n_tx FROM work "
                         "WHERE NOT odd GROUP BY account").df()
    names = totals["account"].to_numpy(dtype=object)
    order = np.argsort(names, kind="stable")
    accounts = names[order]
    widest = max([window_days, *(r.window_days or window_days for r in rules.rules)])
    flags = [f"(p{i} AND {window(rule.window_days or window_days)})" for i, rule in enumerate(rules.rules)]
    kept = ", ".join(["account", "cents", *(_field_column(f)[0] for f in _distinct_fields(rules)),
                      *(f"{flag} AS f{i}" for i, flag in enumerate(flags))])
    con.execute(f"CREATE TEMP TABLE matched AS SELECT {kept} FROM work WHERE NOT odd AND {window(widest)} "
                f"AND ({' OR '.join(flags) or 'FALSE'})").fetchall()  # the few rows some rule looks at
    items = [f"count(*) FILTER (WHERE f{i}) AS c{i}, CAST(coalesce(sum(abs(cents)) FILTER (WHERE f{i}), 0) "
             f"AS BIGINT) AS a{i}" for i in range(len(flags))]
    agg = con.execute(f"SELECT account, {', '.join(items)} FROM matched GROUP BY account").df()
    index = pd.Index(accounts)
    at = index.get_indexer(agg["account"])  # rows of agg -> positions in ``accounts``

    def spread(values: pd.Series, where: np.ndarray = at) -> np.ndarray:
        full = np.zeros(len(accounts), dtype="int64")
        full[where] = values.to_numpy(dtype="int64")
        return full

    distinct: dict[tuple[int, str], np.ndarray] = {}
    for f in _distinct_fields(rules):  # distinct values per (account, rule): a GROUP BY over the triples
        col, blank = _field_column(f)
        uses = [i for i, rule in enumerate(rules.rules) if f in rule.distinct_fields]
        triples = " UNION ALL ".join(f"SELECT account, {i} AS r, {col} AS v FROM matched WHERE f{i} AND "
                                     f"{col} <> {blank}" for i in uses)
        counts = con.execute(f"SELECT account, r, count(DISTINCT v) AS n FROM ({triples}) GROUP BY account, r").df()
        for i in uses:
            mine = counts[counts["r"].to_numpy() == i]
            distinct[(i, f)] = spread(mine["n"], index.get_indexer(mine["account"]))
    parts = []
    for i, rule in enumerate(rules.rules):
        count = spread(agg[f"c{i}"])
        present = count > 0
        if not present.any():
            continue
        ev = pd.DataFrame({"count": count[present], "amount": spread(agg[f"a{i}"])[present] / 100.0},
                          index=pd.Index(accounts[present], name="account"))
        for f in rule.distinct_fields:
            ev[f"distinct_{f}"] = distinct[(i, f)][present]
        parts.append(rule.mark_fired(ev, rule.window_days or window_days).reset_index())
    n_tx = totals["n_tx"].to_numpy(dtype="int64")[order]
    return {"parts": parts, "accounts": accounts, "n_tx": n_tx, "end_day": end_day,
            "rejects": rejects, "n_in": int(n_in), "n_scored": int(n_scored)}
