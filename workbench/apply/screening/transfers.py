"""Input side of the transaction-level screen: column aliases, types, countries, validation.

Real transaction files (bank extracts, the public synthetic AML sets) have one row per
transfer between two accounts: ``transaction id, timestamp, from account, to account,
amount, currency, type, country, counterparty country``, with no merchant category code
or city, and most accounts appear only once. :func:`validate_transfers` maps the column
names of common layouts onto the canonical ones (:data:`TRANSFER_ALIASES`, or an explicit
``columns`` mapping), normalises payment types (:data:`TYPE_SYNONYMS`) and countries
(ISO 3166-1 alpha-3 via :func:`workbench.places.countries.to_iso3`; names and alpha-2
codes are looked up), and rejects rows it cannot use with their record and field:
rows in = rows screened + rows rejected.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.apply.screening.validate import _check_currency, _on_distinct, _parse_times, _rejects, _text
from workbench.places.countries import to_iso3

#: Canonical payment types of the transaction-level screen.
TRANSFER_TYPES: tuple[str, ...] = ("cash_deposit", "cash_withdrawal", "transfer", "wire", "card", "cheque", "other")
#: Canonical columns (``transaction_id``, ``from_country`` and ``to_country`` optional).
TRANSFER_COLUMNS: tuple[str, ...] = ("transaction_id", "timestamp", "from_account", "to_account", "amount",
                                     "currency", "type", "from_country", "to_country")
#: Column names seen in real and public files (folded: lower case, non-alphanumerics as ``_``).
TRANSFER_ALIASES: dict[str, tuple[str, ...]] = {
    "transaction_id": ("transaction_id", "txn_id", "tx_id", "transaction", "id", "reference"),
    "timestamp": ("timestamp", "datetime", "date_time", "time_stamp", "booking_date", "value_date"),
    "from_account": ("from_account", "sender_account", "account_from", "nameorig", "originator_account",
                     "sender", "payer", "source_account", "account"),
    "to_account": ("to_account", "receiver_account", "account_to", "namedest", "beneficiary_account",
                   "receiver", "payee", "destination_account", "account_1", "counterparty_account"),
    "amount": ("amount", "amount_paid", "value", "transaction_amount"),
    "currency": ("currency", "payment_currency", "ccy"),
    "type": ("type", "payment_type", "payment_format", "transaction_type", "channel", "method"),
    "from_country": ("from_country", "country", "sender_bank_location", "origin_country", "sender_country"),
    "to_country": ("to_country", "counterparty_country", "receiver_bank_location", "beneficiary_country",
                   "destination_country", "receiver_country"),
}
#: Payment type synonyms (folded) -> canonical type; anything else becomes ``other``.
TYPE_SYNONYMS: dict[str, str] = {
    **dict.fromkeys(("cash_deposit", "cash_in", "deposit", "cash", "cash_credit", "branch_deposit"), "cash_deposit"),
    **dict.fromkeys(("cash_withdrawal", "cash_out", "withdrawal", "atm", "atm_withdrawal", "cash_debit"),
                    "cash_withdrawal"),
    **dict.fromkeys(("transfer", "ach", "bank_transfer", "sepa", "faster_payment", "giro", "debit", "payment",
                     "standing_order", "p2p", "mobile", "mobile_payment"), "transfer"),
    **dict.fromkeys(("wire", "cross_border", "swift", "international", "international_transfer", "remittance",
                     "money_transfer"), "wire"),
    **dict.fromkeys(("card", "credit_card", "debit_card", "pos", "card_payment"), "card"),
    **dict.fromkeys(("cheque", "check"), "cheque"),
}


def _fold(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", str(name).strip().lower()).strip("_")


def resolve_columns(columns: list[str], mapping: Mapping[str, str] | None = None) -> dict[str, str]:
    """Map canonical column names to the file's own names.

    Parameters
    ----------
    columns : list of str
        The file's column names.
    mapping : mapping, optional
        Canonical name -> file column, overriding the aliases.

    Returns
    -------
    dict
        Canonical name -> file column, for the columns found.

    Raises
    ------
    ValueError
        When a mapped column is not in the file, or a required one cannot be found.
    """
    mapping = dict(mapping or {})
    bad = {k: v for k, v in mapping.items() if k not in TRANSFER_COLUMNS or v not in columns}
    if bad:
        raise ValueError(f"transfers: columns {bad}: expected canonical names from {list(TRANSFER_COLUMNS)} "
                         f"mapped to columns of the file {columns}")
    folded: dict[str, str] = {}
    for c in columns:
        folded.setdefault(_fold(c), c)
    out = dict(mapping)
    taken = set(out.values())
    for canon, aliases in TRANSFER_ALIASES.items():
        if canon in out:
            continue
        found = next((folded[a] for a in aliases if a in folded and folded[a] not in taken), None)
        if found is not None:
            out[canon] = found
            taken.add(found)
    missing = [c for c in ("amount", "currency") if c not in out]
    if "timestamp" not in out and not {"date", "time"} <= set(folded):
        missing.append("timestamp")
    if "from_account" not in out and "to_account" not in out:
        missing.append("from_account/to_account")
    if missing:
        raise ValueError(f"transfers: missing required column(s) {missing}; found {columns}; pass "
                         "columns={canonical: file column} (canonical names: " + ", ".join(TRANSFER_COLUMNS) + ")")
    return out


def is_transfer_layout(columns: list[str]) -> bool:
    """Whether a table is a transfers file (from/to accounts) rather than the account-statement layout.

    Parameters
    ----------
    columns : list of str
        The file's column names.

    Returns
    -------
    bool
        True when the statement layout's ``account`` or ``channel`` column is missing and
        :func:`resolve_columns` finds the transfer columns.
    """
    if {"account", "channel"} <= set(columns):
        return False
    try:
        resolve_columns(list(columns))
    except ValueError:
        return False
    return True


def transfer_file_columns(path: str | Path) -> list[str]:
    """Column names of a CSV or Parquet file (header or schema only).

    Parameters
    ----------
    path : str or Path
        ``.csv`` or ``.parquet`` file.

    Returns
    -------
    list of str
        The column names.
    """
    path = Path(path)
    if path.suffix.lower() in (".parquet", ".pq"):
        import pyarrow.parquet as pq

        return list(pq.read_schema(path).names)
    return list(pd.read_csv(path, dtype=str, nrows=0).columns)


def _countries(series: pd.Series) -> tuple[np.ndarray, int]:
    """Country codes (``""`` when blank, ``UNK`` when not recognised) and the number unrecognised."""
    text, missing = _text(series)
    codes = _on_distinct(text, lambda u: u.map(lambda v: "" if v == "" else (to_iso3(v) or "UNK")))
    unknown = int(((codes == "UNK") & ~missing).sum())
    return np.asarray(codes, dtype=object), unknown


def validate_transfers(frame: pd.DataFrame, currency: str = "EUR", fx_rates: Mapping[str, float] | None = None,
                       columns: Mapping[str, str] | None = None,
                       first_record: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
    """Check a transfers table and turn it into the screen's working columns.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per transfer, in any layout :func:`resolve_columns` recognises.
    currency : str
        Report currency; amounts are converted to it.
    fx_rates : mapping, optional
        Currency -> units of ``currency`` per unit.
    columns : mapping, optional
        Canonical name -> file column.
    first_record : int
        Row number of the frame's first row (record ids without ``transaction_id``).

    Returns
    -------
    clean : pandas.DataFrame
        ``record, ts, from_account, to_account, amount, type, from_country, to_country``
        (``amount`` positive, in ``currency``; blank accounts/countries as ``""``).
    rejects : pandas.DataFrame
        ``record, field, value, reason`` per rejected row.
    counts : dict
        ``other_types`` (types not recognised, kept as ``other``) and
        ``unknown_countries`` (country values not recognised, kept as ``UNK``).
    """
    names = resolve_columns(list(frame.columns), columns)
    frame = frame.reset_index(drop=True)
    n = len(frame)
    if "timestamp" not in names:  # separate date and time columns (e.g. SAML-D)
        folded = {_fold(c): c for c in frame.columns}
        frame = frame.assign(timestamp=frame[folded["date"]].astype(str) + "T" + frame[folded["time"]].astype(str))
        names["timestamp"] = "timestamp"
    view = pd.DataFrame({canon: frame[col] for canon, col in names.items()})
    record = (view["transaction_id"].astype(str).to_numpy() if "transaction_id" in view.columns
              else np.arange(first_record, first_record + n))
    failures: list[tuple[str, np.ndarray, str]] = []
    amount = pd.to_numeric(view["amount"], errors="coerce").to_numpy(dtype="float64")
    failures.append(("amount", ~np.isfinite(amount), "expected a number"))
    failures.append(("amount", np.isfinite(amount) & (amount <= 0), "expected a positive amount"))
    _cur, rate = _check_currency(view["currency"], currency, fx_rates, failures)
    raw_ts = view["timestamp"]
    ts = raw_ts if pd.api.types.is_datetime64_any_dtype(raw_ts) else _parse_times(raw_ts.astype("object"))
    failures.append(("timestamp", ts.isna().to_numpy(), "expected an ISO 8601 date-time"))
    blank = pd.Series([""] * n, dtype="object")
    src, src_missing = _text(view["from_account"]) if "from_account" in view.columns else (blank, np.ones(n, bool))
    dst, dst_missing = _text(view["to_account"]) if "to_account" in view.columns else (blank, np.ones(n, bool))
    failures.append(("from_account", src_missing & dst_missing, "expected a from_account or a to_account"))
    kind_text, _ = _text(view["type"]) if "type" in view.columns else (blank, np.ones(n, bool))
    kind = _on_distinct(kind_text, lambda u: u.map(lambda v: TYPE_SYNONYMS.get(_fold(v), "other")))
    from_country, unk_from = (_countries(view["from_country"]) if "from_country" in view.columns
                              else (np.full(n, "", dtype=object), 0))
    to_country, unk_to = (_countries(view["to_country"]) if "to_country" in view.columns
                          else (np.full(n, "", dtype=object), 0))
    bad_any = np.zeros(n, dtype=bool)
    for _f, bad, _why in failures:
        bad_any |= bad
    rejects = _rejects(view.reindex(columns=sorted(set(view.columns) | {f for f, _b, _w in failures})), record,
                       bad_any, failures)
    ok = ~bad_any
    clean = pd.DataFrame({
        "record": record[ok],
        "ts": ts[ok].to_numpy(),
        "from_account": src[ok].to_numpy(),
        "to_account": dst[ok].to_numpy(),
        "amount": np.round(amount[ok] * rate[ok], 2),
        "type": np.asarray(kind, dtype=object)[ok],
        "from_country": from_country[ok],
        "to_country": to_country[ok],
    })
    counts = {"other_types": int((clean["type"] == "other").sum()), "unknown_countries": unk_from + unk_to}
    return clean, rejects, counts
