"""Validation of transaction tables and chunked reading of transaction files."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench.schema import iso3_codes

#: Transaction channels understood by the screen.
CHANNELS: tuple[str, ...] = ("card", "cash", "atm", "transfer", "payroll", "direct_debit")
#: Columns every input must have.
REQUIRED_COLUMNS: tuple[str, ...] = ("account", "amount", "currency", "timestamp", "channel")
#: Optional columns (missing ones are treated as blank).
OPTIONAL_COLUMNS: tuple[str, ...] = ("counterparty", "merchant_category", "city", "country_iso3", "lat", "lon")


def _text(series: pd.Series, case: str | None = None) -> tuple[pd.Series, np.ndarray]:
    """Stripped text (optionally upper/lower-cased) and a missing mask (None, NaN, blank).

    Works on the distinct values only (``pd.factorize``), so long columns with few
    distinct values (channel, currency, city) cost one hash pass.
    """
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    text = pd.Index(uniques, dtype="object").astype(str).str.strip()
    if case == "upper":
        text = text.str.upper()
    elif case == "lower":
        text = text.str.lower()
    values = np.append(np.asarray(text, dtype=object), "")  # code -1 (missing) -> ""
    out = values[codes]
    blank = np.append(np.asarray(text == "", dtype=bool), True)[codes]
    return pd.Series(out, index=series.index, dtype="object"), blank


def _on_distinct(values: pd.Series, fn: Any) -> np.ndarray:
    """Apply a vectorised ``fn`` (Series -> Series) to the distinct values, then broadcast."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return np.asarray(fn(pd.Series(uniques, dtype="object")))[codes]


def _parse_times(values: pd.Series) -> pd.Series:
    """ISO 8601 text -> naive local wall-clock times (a UTC offset, if any, is dropped); NaT if unparseable."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # mixed offsets: handled below
        ts = pd.to_datetime(values, errors="coerce", format="ISO8601")
    if not pd.api.types.is_datetime64_any_dtype(ts):  # mixed offsets: keep each row's wall-clock time
        bare = values.astype("object").str.replace(r"(?:Z|[+-]\d{2}:?\d{2})$", "", regex=True)
        ts = pd.to_datetime(bare, errors="coerce", format="ISO8601")
    if getattr(ts.dt, "tz", None) is not None:
        ts = ts.dt.tz_localize(None)
    return ts.astype("datetime64[ns]")


def _show(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else repr(value[:40])
    return text


def validate_transactions(frame: pd.DataFrame, currency: str = "EUR", fx_rates: Mapping[str, float] | None = None,
                          first_record: int = 0,
                          record_ids: np.ndarray | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Check transactions and turn them into the screen's working columns.

    Long on purpose: one pass over the input columns in schema order, each check adding
    its failures, then one frame of the valid rows; split further it would hand a dozen
    columns from function to function.

    Parameters
    ----------
    frame : pandas.DataFrame
        Transactions in the input schema (raw text, e.g. from CSV, or typed).
    currency : str
        Report currency; amounts are converted to it.
    fx_rates : mapping, optional
        Currency -> units of ``currency`` per unit (rows in other currencies are rejected).
    first_record : int
        Row number of the frame's first row (for record ids when there is no
        ``transaction_id`` column; chunked reads pass the running offset).
    record_ids : numpy.ndarray, optional
        Row number of each row (used instead of ``first_record`` when the rows are not
        consecutive, e.g. the doubtful rows the DuckDB path hands back).

    Returns
    -------
    clean : pandas.DataFrame
        Valid rows: ``record, account, counterparty, cents, day, hour, channel,
        merchant_category, city, country_iso3, currency`` (``cents``: signed amount in
        integer cents of ``currency``; ``day``: days since 1970-01-01; blank = "").
    rejects : pandas.DataFrame
        ``record, field, value, reason``, one row per rejected record (``field`` is the
        first failing field; ``reason`` lists every failure).

    Raises
    ------
    ValueError
        When a required column is missing (the whole input is unusable).
    """
    missing_cols = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing_cols:
        raise ValueError(f"transactions: missing required column(s) {missing_cols}; "
                         f"expected {list(REQUIRED_COLUMNS)} (+ optional {list(OPTIONAL_COLUMNS)})")
    n = len(frame)
    frame = frame.reset_index(drop=True)
    record = _record_ids(frame, first_record, record_ids)
    failures: list[tuple[str, np.ndarray, str]] = []  # (field, bad mask, expectation)

    account, acc_missing = _text(frame["account"])
    failures.append(("account", acc_missing, "expected a non-empty account id"))
    amount = _check_amount(frame["amount"], failures)
    cur, rate = _check_currency(frame["currency"], currency, fx_rates, failures)
    ts = _check_timestamp(frame["timestamp"], failures)
    channel, _ = _text(frame["channel"], "lower")
    failures.append(("channel", ~_on_distinct(channel, lambda u: u.isin(CHANNELS)),
                     f"expected one of {list(CHANNELS)}"))
    blank = pd.Series([""] * n, dtype="object")

    def optional(name: str, case: str | None = None) -> tuple[pd.Series, np.ndarray]:
        return _text(frame[name], case) if name in frame.columns else (blank, np.ones(n, dtype=bool))

    counterparty, _ = optional("counterparty")
    city, _ = optional("city")
    country, country_missing = optional("country_iso3", "upper")
    _check_country(country, country_missing, failures)
    mcc_int = _check_mcc(frame, failures)
    _check_lat_lon(frame, failures)

    bad_any = np.zeros(n, dtype=bool)
    for _f, bad, _why in failures:
        bad_any |= bad
    rejects = _rejects(frame, record, bad_any, failures)
    ok = ~bad_any
    ts_ok_vals = ts[ok]
    clean = pd.DataFrame({
        "record": record[ok],
        "account": account[ok].to_numpy(),
        "counterparty": counterparty[ok].to_numpy(),
        "cents": np.rint(amount[ok] * rate[ok] * 100).astype("int64"),
        "day": ts_ok_vals.to_numpy().astype("datetime64[D]").astype("int64"),
        "hour": ts_ok_vals.dt.hour.to_numpy().astype("int8"),
        "channel": channel[ok].to_numpy(),
        "merchant_category": mcc_int[ok],
        "city": city[ok].to_numpy(),
        "country_iso3": country[ok].to_numpy(),
        "currency": cur[ok].to_numpy(),
    })
    return clean, rejects


_Failures = list[tuple[str, np.ndarray, str]]


def _record_ids(frame: pd.DataFrame, first_record: int, record_ids: np.ndarray | None) -> np.ndarray:
    """Each row's record id: its ``transaction_id``, else its row number (see :func:`validate_transactions`)."""
    if "transaction_id" in frame.columns:
        return frame["transaction_id"].astype(str).to_numpy()
    if record_ids is not None:
        return np.asarray(record_ids, dtype="int64")
    return np.arange(first_record, first_record + len(frame))


def _check_lat_lon(frame: pd.DataFrame, failures: _Failures) -> None:
    """Optional coordinates: a number in range, or blank."""
    for name, lo, hi in (("lat", -90, 90), ("lon", -180, 180)):
        if name in frame.columns:
            text, miss = _text(frame[name])
            val = pd.to_numeric(text.where(~miss, None), errors="coerce").to_numpy(dtype="float64")
            with np.errstate(invalid="ignore"):
                bad = ~miss & ~((val >= lo) & (val <= hi))
            failures.append((name, bad, f"expected a number in [{lo}, {hi}] or blank"))


def _check_amount(raw_amount: pd.Series, failures: _Failures) -> np.ndarray:
    """Amounts as float64; non-numeric, zero and absurd amounts recorded as failures."""
    amount = pd.to_numeric(raw_amount, errors="coerce").to_numpy(dtype="float64")
    finite = np.isfinite(amount)
    failures.append(("amount", ~finite, "expected a number (negative = money out)"))
    failures.append(("amount", finite & (amount == 0), "expected a non-zero amount"))
    failures.append(("amount", finite & (np.abs(amount) >= 1e12), "expected an amount below 1e12"))
    return amount


def _check_currency(raw: pd.Series, currency: str, fx_rates: Mapping[str, float] | None,
                    failures: _Failures) -> tuple[pd.Series, np.ndarray]:
    """Upper-cased currency codes and the rate of each row to ``currency`` (NaN: no rate)."""
    rates = {str(k).upper(): float(v) for k, v in (fx_rates or {}).items()}
    rates[currency.upper()] = 1.0
    cur, cur_missing = _text(raw, "upper")
    cur_ok = _on_distinct(cur, lambda u: u.str.fullmatch(r"[A-Z]{3}").fillna(False).astype(bool)) & ~cur_missing
    failures.append(("currency", ~cur_ok, "expected a 3-letter ISO 4217 code"))
    rate = _on_distinct(cur, lambda u: u.map(rates).astype("float64"))
    failures.append(("currency", cur_ok & np.isnan(rate),
                     f"no exchange rate to {currency} (pass fx_rates)"))
    return cur, rate


def _check_timestamp(ts_raw: pd.Series, failures: _Failures) -> pd.Series:
    """Naive wall-clock timestamps (NaT where unparseable, recorded as failures)."""
    if pd.api.types.is_datetime64_any_dtype(ts_raw):
        ts = ts_raw.dt.tz_localize(None) if getattr(ts_raw.dt, "tz", None) is not None else ts_raw
    else:
        ts = _parse_times(ts_raw)
        retry = ts.isna().to_numpy() & ts_raw.notna().to_numpy()
        if retry.any():  # stray spaces: strip only the rows that failed
            text, _ = _text(ts_raw[retry])
            ts[retry] = _parse_times(text.where(text != "", None))
    ts_ok = ts.notna().to_numpy()
    failures.append(("timestamp", ~ts_ok, "expected an ISO 8601 date-time"))
    return ts


def _check_country(country: pd.Series, country_missing: np.ndarray, failures: _Failures) -> None:
    """Non-blank counterparty countries must be ISO 3166-1 alpha-3 codes."""
    if (~country_missing).any():
        codes = iso3_codes()
        bad_country = ~country_missing & ~_on_distinct(country, lambda u: u.isin(codes))
    else:
        bad_country = np.zeros(len(country), dtype=bool)
    failures.append(("country_iso3", bad_country, "expected an ISO 3166-1 alpha-3 code or blank"))


def _check_mcc(frame: pd.DataFrame, failures: _Failures) -> np.ndarray:
    """Merchant category codes as int32 (-1: blank or invalid; invalid ones recorded)."""
    n = len(frame)
    if "merchant_category" not in frame.columns:
        return np.full(n, -1, dtype="int32")
    mcc_raw = frame["merchant_category"]
    if pd.api.types.is_numeric_dtype(mcc_raw):
        mcc_missing = mcc_raw.isna().to_numpy()
        mcc = mcc_raw.to_numpy(dtype="float64")
    else:
        mcc_text, mcc_missing = _text(mcc_raw)
        mcc = _on_distinct(mcc_text, lambda u: pd.to_numeric(u.where(u != "", None), errors="coerce")
                           .astype("float64"))
    with np.errstate(invalid="ignore"):
        mcc_bad = ~mcc_missing & ~(np.isfinite(mcc) & (mcc >= 0) & (mcc <= 9999) & (np.mod(mcc, 1) == 0))
    failures.append(("merchant_category", mcc_bad, "expected a 4-digit merchant category code (MCC) or blank"))
    return np.where(mcc_missing | mcc_bad, -1, np.nan_to_num(mcc, nan=-1)).astype("int32")


def _rejects(frame: pd.DataFrame, record: np.ndarray, bad_any: np.ndarray, failures: _Failures) -> pd.DataFrame:
    """One row per rejected record: first failing field, its value, and every reason."""
    if not bad_any.any():
        return pd.DataFrame({"record": pd.Series(dtype=record.dtype), "field": pd.Series(dtype=str),
                             "value": pd.Series(dtype=str), "reason": pd.Series(dtype=str)})
    idx = np.flatnonzero(bad_any)
    first_field = pd.Series([""] * len(idx), dtype="object")
    reasons = pd.Series([""] * len(idx), dtype="object")
    for name, bad, why in failures:
        hit = bad[idx]
        if not hit.any():
            continue
        values = frame[name].iloc[idx[hit]]
        text = [f"record {r}: field {name!r}={_show(v)}: {why}" for r, v in zip(record[idx[hit]], values)]
        pos = np.flatnonzero(hit)
        first_field.iloc[pos] = first_field.iloc[pos].where(first_field.iloc[pos] != "", name)
        old = reasons.iloc[pos].to_numpy()
        reasons.iloc[pos] = [t if not o else f"{o}; {t}" for o, t in zip(old, text)]
    return pd.DataFrame({
        "record": record[idx],
        "field": first_field.to_numpy(),
        "value": [_show(frame.at[i, f]) for i, f in zip(idx, first_field)],
        "reason": reasons.to_numpy(),
    })


def iter_transactions(path: str | Path, chunksize: int = 250_000) -> Iterator[pd.DataFrame]:
    """Read a transactions file in chunks.

    Parameters
    ----------
    path : str or Path
        ``.csv`` (every column read as text, blanks kept as "") or ``.parquet``.
    chunksize : int
        Rows per chunk.

    Yields
    ------
    pandas.DataFrame
        Consecutive chunks.
    """
    path = Path(path)
    if chunksize < 1:
        raise ValueError(f"chunksize={chunksize!r}: expected a positive integer")
    if path.suffix.lower() in (".parquet", ".pq"):
        import pyarrow.parquet as pq

        for batch in pq.ParquetFile(path).iter_batches(batch_size=chunksize):
            yield batch.to_pandas()
    elif path.suffix.lower() == ".csv":
        yield from pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False, chunksize=chunksize)
    else:
        raise ValueError(f"{path.name}: expected a .csv or .parquet file")

