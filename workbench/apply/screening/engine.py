"""The screen: per-account sufficient statistics (streamed by chunk) and rule evaluation."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench.apply.screening.duck import duckdb_evidence
from workbench.apply.screening.results import ScreeningResults
from workbench.apply.screening.rules import (
    DISTINCT_FIELDS, Rule, RuleSet, _as_list, _explanation, _explanation_fixed, load_rules,
)
from workbench.apply.screening.validate import iter_transactions, validate_transactions

_ISO3 = re.compile(r"^[A-Z]{3}$")


def high_risk_countries(incidents: pd.DataFrame, top: int = 6,
                        columns: tuple[str, ...] = ("country_iso3", "origin_country_iso3"),
                        exclude: Iterable[str] = ()) -> tuple[str, ...]:
    """Countries of exploitation or origin with the most incidents in the store.

    Parameters
    ----------
    incidents : pandas.DataFrame
        Store incidents (the route columns ``country_iso3`` and ``origin_country_iso3``).
    top : int
        Number of countries returned.
    columns : tuple of str
        Route columns counted; an incident counts once per distinct country it names.
    exclude : iterable of str
        Countries left out (e.g. the bank's home country, where most payments go anyway).

    Returns
    -------
    tuple of str
        ISO3 codes, most incidents first (ties by code).
    """
    missing = [c for c in columns if c not in incidents.columns]
    if missing:
        raise ValueError(f"incidents: missing route column(s) {missing}")
    if top < 1:
        raise ValueError(f"high_risk_countries: top={top!r}: expected a positive integer")
    long = pd.concat([pd.DataFrame({"row": np.arange(len(incidents)), "iso3": incidents[c].astype("object")})
                      for c in columns], ignore_index=True)
    long = long.dropna().drop_duplicates()
    long = long[~long["iso3"].isin(set(exclude))]
    counts = long.groupby("iso3").size().reset_index(name="n").sort_values(["n", "iso3"], ascending=[False, True])
    return tuple(counts["iso3"].head(top).astype(str))



def _codes(values: Any) -> tuple[list[int], list[tuple[int, int]]]:
    singles, ranges = [], []
    for v in values if isinstance(values, list) else [values]:
        if isinstance(v, str) and "-" in v:
            lo, hi = v.split("-", 1)
            ranges.append((int(lo), int(hi)))
        else:
            singles.append(int(v))
    return singles, ranges


def _rule_mask(rule: Rule, chunk: pd.DataFrame, params: Mapping[str, tuple[str, ...]]) -> np.ndarray:
    """Which of the chunk's transactions the rule looks at (vectorised)."""
    mask = np.ones(len(chunk), dtype=bool)
    for key, test in rule.where.items():
        if key == "direction":
            cents = chunk["cents"].to_numpy()
            mask &= cents < 0 if test == "debit" else cents > 0
        elif key == "hour":
            lo, hi = (int(x) for x in test["between"])
            hour = chunk["hour"].to_numpy()
            mask &= ((hour >= lo) & (hour <= hi)) if lo <= hi else ((hour >= lo) | (hour <= hi))
        elif key == "merchant_category":
            negate = isinstance(test, Mapping) and "not" in test
            values = test["not"] if negate else (list(params.get(test["param"], ())) if isinstance(test, Mapping)
                                                  else test)
            singles, ranges = _codes(values)
            mcc = chunk["merchant_category"].to_numpy()
            hit = np.isin(mcc, singles)
            for lo, hi in ranges:
                hit |= (mcc >= lo) & (mcc <= hi)
            mask &= ~hit if negate else hit
        else:
            column = chunk[key]
            if isinstance(test, Mapping) and "param" in test:
                mask &= column.isin([str(v) for v in params.get(test["param"], ())]).to_numpy()
            elif isinstance(test, Mapping):
                mask &= ~column.isin([str(v) for v in _as_list(test["not"])]).to_numpy()
            else:
                mask &= column.isin([str(v) for v in _as_list(test)]).to_numpy()
    return mask




class _Statistics:
    """Sufficient statistics per account (and rule, and day), merged across chunks."""

    def __init__(self, rules: RuleSet, params: Mapping[str, tuple[str, ...]]):
        self.rules, self.params = rules, params
        self.base: list[pd.DataFrame] = []
        self.counts: dict[str, list[pd.DataFrame]] = {r.id: [] for r in rules.rules}
        self.distinct: dict[tuple[str, str], list[pd.DataFrame]] = {
            (r.id, f): [] for r in rules.rules for f in r.distinct_fields}
        self.n_rows = 0
        self.ids: dict[str, int] = {}  # account -> global integer id (partial statistics hold ids)

    def add(self, chunk: pd.DataFrame) -> None:
        self.n_rows += len(chunk)
        if not len(chunk):
            return
        acode, uniques = pd.factorize(chunk["account"])
        ids = self.ids
        accounts = np.fromiter((ids.setdefault(u, len(ids)) for u in uniques), dtype="int64", count=len(uniques))
        day = chunk["day"].to_numpy()
        dmin = int(day.min())
        span = int(day.max()) - dmin + 1
        key = acode.astype("int64") * span + (day - dmin)  # one int per (account, day)
        cents = np.abs(chunk["cents"].to_numpy())

        def decode(keys: np.ndarray) -> dict[str, np.ndarray]:
            return {"account": accounts[keys // span], "day": keys % span + dmin}

        uniq, inv = np.unique(key, return_inverse=True)
        self.base.append(pd.DataFrame({**decode(uniq), "n": np.bincount(inv).astype("int64")}))
        for rule in self.rules.rules:
            mask = _rule_mask(rule, chunk, self.params)
            if not mask.any():
                continue
            uniq, inv = np.unique(key[mask], return_inverse=True)
            self.counts[rule.id].append(pd.DataFrame({
                **decode(uniq), "count": np.bincount(inv).astype("int64"),
                "cents": np.bincount(inv, weights=cents[mask]).round().astype("int64")}))
            for f in rule.distinct_fields:
                values = chunk[f].to_numpy()[mask]
                keep = values != (-1 if f == "merchant_category" else "")
                fcode, funiq = pd.factorize(values[keep])
                pair = np.unique(key[mask][keep] * max(len(funiq), 1) + fcode)
                self.distinct[(rule.id, f)].append(pd.DataFrame({
                    **decode(pair // max(len(funiq), 1)), f: np.asarray(funiq)[pair % max(len(funiq), 1)]}))
        if len(self.base) >= 16:
            self.compact()

    def compact(self) -> None:
        self.base = [_merge_counts(self.base, {"n": "sum"})]
        for key, parts in self.counts.items():
            if len(parts) > 1:
                self.counts[key] = [_merge_counts(parts, {"count": "sum", "cents": "sum"})]
        for key, parts in self.distinct.items():
            if len(parts) > 1:
                self.distinct[key] = [pd.concat(parts, ignore_index=True).drop_duplicates()]


def _merge_counts(parts: list[pd.DataFrame], how: dict[str, str]) -> pd.DataFrame:
    return pd.concat(parts, ignore_index=True).groupby(["account", "day"], sort=False).agg(how).reset_index()



class TypologyScreen:
    """Screen accounts' transactions against the typology rules.

    Parameters
    ----------
    rules : None, str, Path, mapping or RuleSet
        The rules (see :func:`load_rules`); None: the packaged ``typologies.yaml``.
    high_risk_countries : iterable of str
        Run-time list for rules testing ``{param: high_risk_countries}`` (derive it from
        the incident store with :func:`high_risk_countries`); empty: those rules cannot fire.
    window_days : int
        Screening window, in days, ending on ``as_of`` (inclusive).
    as_of : str or Timestamp, optional
        Last day of the window; default: the day of the latest valid transaction.
    currency : str
        Report currency.
    fx_rates : mapping, optional
        Currency -> units of ``currency`` per unit.

    Examples
    --------
    >>> results = TypologyScreen(high_risk_countries=("NGA",)).fit(transactions)  # doctest: +SKIP
    >>> print(results.explain(results.scores.account.iloc[0]))  # doctest: +SKIP
    """

    def __init__(self, rules: None | str | Path | Mapping[str, Any] | RuleSet = None,
                 high_risk_countries: Iterable[str] = (), window_days: int = 30,
                 as_of: str | pd.Timestamp | None = None, currency: str = "EUR",
                 fx_rates: Mapping[str, float] | None = None):
        self.rules = load_rules(rules)
        self.high_risk_countries = tuple(str(c).upper() for c in high_risk_countries)
        bad = [c for c in self.high_risk_countries if not _ISO3.match(c)]
        if bad:
            raise ValueError(f"high_risk_countries: {bad}: expected ISO 3166-1 alpha-3 codes")
        if not isinstance(window_days, (int, np.integer)) or window_days < 1:
            raise ValueError(f"window_days={window_days!r}: expected a positive integer")
        self.window_days = int(window_days)
        self.as_of = None if as_of is None else pd.Timestamp(as_of).normalize()
        self.currency = currency.upper()
        self.fx_rates = dict(fx_rates or {})

    @property
    def params(self) -> dict[str, tuple[str, ...]]:
        """Run-time parameters the rules may reference.

        Returns
        -------
        dict
            ``{"high_risk_countries": (...)}``.
        """
        return {"high_risk_countries": self.high_risk_countries}

    def fit(self, transactions: pd.DataFrame) -> ScreeningResults:
        """Screen an in-memory table of transactions.

        Parameters
        ----------
        transactions : pandas.DataFrame
            Transactions in the input schema (module docstring).

        Returns
        -------
        ScreeningResults
            Scores, hits, explanations and rejects.
        """
        return self.fit_chunks([transactions])

    def fit_chunks(self, chunks: Iterable[pd.DataFrame]) -> ScreeningResults:
        """Screen transactions arriving in chunks (same result as :meth:`fit` on them all).

        Parameters
        ----------
        chunks : iterable of pandas.DataFrame
            Consecutive pieces of the input; an account may appear in any of them.

        Returns
        -------
        ScreeningResults
            As :meth:`fit` on the concatenation.
        """
        stats = _Statistics(self.rules, self.params)
        rejects: list[pd.DataFrame] = []
        offset = 0
        for chunk in chunks:
            clean, bad = validate_transactions(chunk, self.currency, self.fx_rates, first_record=offset)
            offset += len(chunk)
            stats.add(clean)
            if len(bad):
                rejects.append(bad)
        reject_frame = (pd.concat(rejects, ignore_index=True) if rejects else
                        pd.DataFrame(columns=["record", "field", "value", "reason"]))
        return self._finish(stats, reject_frame, offset)

    def screen_file(self, path: str | Path, chunksize: int = 250_000, engine: str = "auto") -> ScreeningResults:
        """Screen a CSV or Parquet file, streaming it in chunks or aggregating it in DuckDB.

        Parameters
        ----------
        path : str or Path
            ``.csv`` (read as text, then validated) or ``.parquet``.
        chunksize : int
            Rows per chunk (pandas engine).
        engine : {"auto", "duckdb", "pandas"}
            ``duckdb``: validate and aggregate a Parquet file in one DuckDB pass
            (:mod:`workbench.apply.screening.duck`); ``pandas``: stream chunks;
            ``auto``: DuckDB for Parquet files whose layout it handles, else pandas.

        Returns
        -------
        ScreeningResults
            Identical to :meth:`fit` on the whole file, whichever the engine.
        """
        if engine not in ("auto", "duckdb", "pandas"):
            raise ValueError(f"engine={engine!r}: expected 'auto', 'duckdb' or 'pandas'")
        is_parquet = Path(path).suffix.lower() in (".parquet", ".pq")
        if engine == "duckdb" and not is_parquet:
            raise ValueError(f"{Path(path).name}: the duckdb engine reads .parquet files; use engine='pandas'")
        if engine != "pandas" and is_parquet:
            out = duckdb_evidence(path, self.rules, self.params, self.window_days, self.as_of, self.currency,
                                  self.fx_rates)
            if out is not None:
                return self._results(_assemble_evidence(out["parts"]), out["accounts"], out["n_tx"], out["end_day"],
                                     out["rejects"], out["n_in"], out["n_scored"])
            if engine == "duckdb":
                raise ValueError(f"{Path(path).name}: layout not handled by the duckdb engine; use engine='pandas'")
        return self.fit_chunks(iter_transactions(path, chunksize))

    def _finish(self, stats: _Statistics, rejects: pd.DataFrame, n_in: int) -> ScreeningResults:
        """Apply the rules to the merged statistics and assemble the results."""
        base = _joined(stats.base) if stats.base else pd.DataFrame({"account": pd.Series(dtype="int64"),
                                                                     "day": pd.Series(dtype="int64"),
                                                                     "n": pd.Series(dtype="int64")})
        if self.as_of is not None:
            end_day = int(np.datetime64(self.as_of.date(), "D").astype("int64"))
        elif len(base):
            end_day = int(base["day"].max())
        else:
            end_day = int(np.datetime64("today", "D").astype("int64"))
        accounts = _AccountIndex(stats.ids, end_day)
        n_tx = accounts.total(accounts.in_window(base, self.window_days), "n")
        evidence = self._evidence(stats, accounts)
        return self._results(evidence, accounts.names, n_tx, end_day, rejects, n_in, stats.n_rows)

    def _results(self, evidence: pd.DataFrame, accounts: np.ndarray, n_tx: np.ndarray, end_day: int,
                 rejects: pd.DataFrame, n_in: int, n_scored: int) -> ScreeningResults:
        """Scores, hits and notes from the evidence (shared by the pandas and DuckDB paths)."""
        fired = evidence[evidence["fired"]]
        features, scores = self._scores(fired, accounts, n_tx)
        hits = self._hits(fired, scores)

        notes = [f"Score = 1 - prod(1 - weight) over the typologies an account fires (noisy-OR; rules "
                 f"{self.rules.version}); window {self.window_days} days ending "
                 f"{pd.Timestamp(np.datetime64(end_day, 'D')):%Y-%m-%d}."]
        needs_param = [r.id for r in self.rules.rules
                       if any(isinstance(t, Mapping) and "param" in t and not self.params.get(t["param"])
                              for t in r.where.values())]
        if needs_param:
            notes.append(f"Rule(s) {needs_param} cannot fire: no high_risk_countries given.")
        n_rej = len(rejects)
        if n_rej:
            notes.append(f"{n_rej:,} row(s) rejected (see rejects).")
        return ScreeningResults(
            scores=scores, hits=hits, evidence=evidence, features=features, rejects=rejects.reset_index(drop=True),
            rules=self.rules, rules_version=self.rules.version, high_risk_countries=self.high_risk_countries,
            window_start=pd.Timestamp(np.datetime64(end_day - self.window_days + 1, "D")),
            window_end=pd.Timestamp(np.datetime64(end_day, "D")), window_days=self.window_days,
            currency=self.currency, n_rows_in=n_in, n_rows_scored=n_scored, n_rows_rejected=n_rej,
            note=" ".join(notes))

    def _evidence(self, stats: _Statistics, accounts: _AccountIndex) -> pd.DataFrame:
        """Every (account, typology) with a matching transaction: measures, ratio, fired."""
        parts = [part for rule in self.rules.rules
                 if (part := _rule_evidence(rule, rule.window_days or self.window_days, stats, accounts)) is not None]
        return _assemble_evidence(parts)

    def _scores(self, fired: pd.DataFrame, accounts: np.ndarray,
                n_tx: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Fired-typology features (accounts x rules) and the ranked noisy-OR scores."""
        rule_ids = [r.id for r in self.rules.rules]
        matrix = np.zeros((len(accounts), len(rule_ids)), dtype="int8")  # accounts are sorted by name
        column = {rid: j for j, rid in enumerate(rule_ids)}
        matrix[np.searchsorted(accounts, fired["account"].to_numpy(dtype=object)),
               fired["typology"].map(column).to_numpy(dtype="int64")] = 1
        features = pd.DataFrame(matrix, index=pd.Index(accounts, name="account", dtype=object),
                                columns=pd.Index(rule_ids, dtype=object))
        weights = np.array([r.weight for r in self.rules.rules])
        log_keep = (features.to_numpy(dtype="float64") * np.log1p(-weights)).sum(axis=1)
        score = 0.0 - np.expm1(log_keep)  # 1 - prod(1 - w_i), computed stably (0.0 - : no -0.0)
        n_typ = features.sum(axis=1).to_numpy()
        id_order = np.array(rule_ids, dtype=object)
        typ_text = ["" if k == 0 else ", ".join(id_order[row.astype(bool)]) for k, row in
                    zip(n_typ, features.to_numpy())]
        scores = pd.DataFrame({"account": accounts, "score": score, "n_typologies": n_typ.astype("int64"),
                               "typologies": typ_text, "n_transactions": n_tx})
        scores = scores.sort_values(["score", "n_typologies", "account"], ascending=[False, False, True],
                                    kind="mergesort").reset_index(drop=True)
        scores.insert(2, "rank", np.arange(1, len(scores) + 1, dtype="int64"))
        return features, scores

    def _hits(self, fired: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
        """One row per fired (account, typology) with its source and explanation, by rank."""
        distinct_cols = [f"distinct_{f}" for f in DISTINCT_FIELDS]
        rank_of = dict(zip(scores["account"], scores["rank"]))
        by_id = {r.id: r for r in self.rules.rules}
        hits = fired.copy()
        hits["rank"] = hits["account"].map(rank_of).astype("int64")
        hits["title"] = hits["typology"].map(lambda t: by_id[t].title)
        hits["source"] = hits["typology"].map(lambda t: self.rules.sources[by_id[t].source])
        hits["weight"] = hits["typology"].map(lambda t: by_id[t].weight)
        order = {r.id: i for i, r in enumerate(self.rules.rules)}
        hits = hits.assign(_o=hits["typology"].map(order)).sort_values(["rank", "_o"]).drop(columns="_o")
        columns = {c: hits[c].to_numpy(dtype=object) for c in ("typology", "count", "amount", *distinct_cols)}
        windows = hits["window_days"].to_numpy(dtype="int64")
        fixed: dict[tuple[str, int], dict[str, Any]] = {}
        params = self.params
        fields = {rid: rule.distinct_fields for rid, rule in by_id.items()}
        keys = {rid: ("count", "amount", *(f"distinct_{f}" for f in fields[rid])) for rid in by_id}
        text = []
        for i, (rid, window) in enumerate(zip(columns["typology"], windows)):
            rule = by_id[rid]
            if (rid, window) not in fixed:
                fixed[(rid, window)] = _explanation_fixed(rule, int(window), self.currency, params)
            evidence = {k: columns[k][i] for k in keys[rid]}
            text.append(_explanation(rule, {k: (0 if pd.isna(v) else v) for k, v in evidence.items()}, int(window),
                                     self.currency, params, fixed[(rid, window)], fields[rid]))
        hits["explanation"] = text
        return hits[["account", "rank", "typology", "title", "source", "weight", "count", "amount", *distinct_cols,
                     "explanation"]].reset_index(drop=True)


def _assemble_evidence(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Per-rule evidence frames -> one table with fixed columns and dtypes, by account and typology."""
    distinct_cols = [f"distinct_{f}" for f in DISTINCT_FIELDS]
    ev_cols = ["account", "typology", "count", "amount", *distinct_cols, "ratio", "fired", "window_days"]
    if not parts:
        evidence = pd.DataFrame(columns=ev_cols)
        for c in ["count", *distinct_cols, "window_days"]:
            evidence[c] = evidence[c].astype("Int64")
        evidence["fired"] = evidence["fired"].astype(bool)
        return evidence
    typed = []
    for part in parts:  # nullable integers per part (absent distinct fields: <NA>), then one concat
        n = len(part)
        columns = {}
        for c in ev_cols:
            if c in ("count", *distinct_cols, "window_days"):
                present = c in part.columns
                columns[c] = pd.arrays.IntegerArray(np.asarray(part[c], dtype="int64") if present else
                                                    np.zeros(n, dtype="int64"), np.full(n, not present))
            elif c == "fired":
                columns[c] = np.asarray(part[c], dtype=bool)
            else:
                columns[c] = part[c].to_numpy()
        typed.append(pd.DataFrame(columns))
    evidence = pd.concat(typed, ignore_index=True)
    # one row per (account, typology): sorted by the two keys' ranks (same order as sort_values)
    account_code = pd.factorize(evidence["account"], sort=True)[0]
    typology_code = pd.factorize(evidence["typology"], sort=True)[0]
    return evidence.take(np.lexsort((typology_code, account_code))).reset_index(drop=True)


def _joined(parts: list[pd.DataFrame]) -> pd.DataFrame:
    return parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)


class _AccountIndex:
    """Accounts sorted by name, the map from global integer id to position, and the window end."""

    def __init__(self, ids: Mapping[str, int], end_day: int):
        names = np.array(list(ids), dtype=object)  # by global id
        perm = np.argsort(names, kind="stable")
        self.names = names[perm]  # sorted by name
        self.position = np.empty(len(names), dtype="int64")  # global id -> position in ``names``
        self.position[perm] = np.arange(len(names))
        self.n = len(names)
        self.end_day = end_day

    def in_window(self, frame: pd.DataFrame, days: int) -> pd.DataFrame:
        """Rows whose ``day`` lies in the ``days`` days ending on the window end."""
        day = frame["day"].to_numpy()
        return frame[(day > self.end_day - days) & (day <= self.end_day)]

    def total(self, frame: pd.DataFrame, column: str) -> np.ndarray:
        """Sum of a column per account (in name order)."""
        code = self.position[frame["account"].to_numpy()]
        return np.bincount(code, weights=frame[column].to_numpy(), minlength=self.n).round().astype("int64")

    def n_distinct(self, frame: pd.DataFrame, field: str) -> np.ndarray:
        """Distinct values of ``field`` per account (in name order)."""
        fcode, funiq = pd.factorize(frame[field])
        width = max(len(funiq), 1)
        pairs = np.unique(self.position[frame["account"].to_numpy()] * width + fcode)
        return np.bincount(pairs // width, minlength=self.n)


def _rule_evidence(rule: Rule, window: int, stats: _Statistics, accounts: _AccountIndex) -> pd.DataFrame | None:
    """One rule's measures for the accounts with a matching transaction in its window (None: none)."""
    if not stats.counts[rule.id]:
        return None
    counts = accounts.in_window(_joined(stats.counts[rule.id]), window)
    count = accounts.total(counts, "count")
    present = count > 0
    if not present.any():
        return None
    ev = pd.DataFrame({"count": count[present], "amount": accounts.total(counts, "cents")[present] / 100.0},
                      index=pd.Index(accounts.names[present], name="account"))
    for f in rule.distinct_fields:
        n_distinct = np.zeros(accounts.n, dtype="int64")
        if stats.distinct[(rule.id, f)]:
            n_distinct = accounts.n_distinct(accounts.in_window(_joined(stats.distinct[(rule.id, f)]), window), f)
        ev[f"distinct_{f}"] = n_distinct[present]
    return rule.mark_fired(ev, window).reset_index()


def screen_file(path: str | Path, chunksize: int = 250_000, **kwargs: Any) -> ScreeningResults:
    """Screen a transactions file in chunks (shortcut for :meth:`TypologyScreen.screen_file`).

    Parameters
    ----------
    path : str or Path
        CSV or Parquet file.
    chunksize : int
        Rows per chunk.
    **kwargs
        :class:`TypologyScreen` arguments (``rules``, ``high_risk_countries``...).

    Returns
    -------
    ScreeningResults
        Scores, hits, rejects.
    """
    return TypologyScreen(**kwargs).screen_file(path, chunksize=chunksize)
