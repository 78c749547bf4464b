"""Screen bank transactions for the financial typologies of human trafficking.

The typologies are data (``workbench/resources/typologies.yaml``, versioned, each rule
citing the advisory it comes from: FinCEN FIN-2020-A008, FATF-APG 2018 "Financial Flows
from Human Trafficking", FINTRAC Project Protect). A rule selects a subset of an
account's transactions in the screening window (merchant category codes, channel,
hour, direction, countries...) and fires when count, amount and distinct-value
thresholds are all met. :class:`TypologyScreen` evaluates every rule for every account
and scores the account by the noisy-OR of the weights of the rules it fires::

    score = 1 - prod_i (1 - weight_i)      (over the rules the account fires)

so one rule of weight 0.35 gives 0.35, two give 0.58, and the score stays in [0, 1).
Each hit carries its evidence numbers and an explanation generated from the rule's
template, e.g. "14 payments to online classified/escort ad sites (MCC
7311/5967/5969/7273) totalling 1,240 EUR in 30 days (threshold 8)".

Streaming: each chunk of transactions is validated and reduced to sufficient statistics
per account, rule and day (count, amount in integer cents, distinct values); the rules
are applied once, after the last chunk, so accounts that span chunks are scored exactly
as in memory (:meth:`TypologyScreen.fit_chunks`, :meth:`TypologyScreen.screen_file`).

Input schema (one row per transaction; amounts signed: negative = money out):

====================  ========  ==========================================================
column                required  meaning
====================  ========  ==========================================================
account               yes       bank-internal pseudonym of the screened account
counterparty          no        pseudonym of the other party (payer/payee/merchant)
amount                yes       signed amount, non-zero (negative: debit, positive: credit)
currency              yes       ISO 4217 code (the report currency or one in ``fx_rates``)
timestamp             yes       local date-time, ISO 8601
channel               yes       one of :data:`CHANNELS`
merchant_category     no        4-digit MCC (card and bill payments)
city                  no        city of the merchant, branch or ATM
country_iso3          no        counterparty's country (ISO 3166-1 alpha-3)
lat, lon              no        coordinates of the branch/ATM/merchant
transaction_id        no        record id used in rejects (else the row number, from 0)
====================  ========  ==========================================================

Rows that fail validation are returned as ``rejects`` (record, field, value, reason):
rows in = rows scored + rows rejected. :func:`workbench.apply.calibration.calibrate`
learns weights from labelled accounts and compares precision at a fixed alert budget with
the hand weights.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

#: Transaction channels understood by the screen.
CHANNELS: tuple[str, ...] = ("card", "cash", "atm", "transfer", "payroll", "direct_debit")
#: Columns every input must have.
REQUIRED_COLUMNS: tuple[str, ...] = ("account", "amount", "currency", "timestamp", "channel")
#: Optional columns (missing ones are treated as blank).
OPTIONAL_COLUMNS: tuple[str, ...] = ("counterparty", "merchant_category", "city", "country_iso3", "lat", "lon")
#: Fields a rule may count distinct values of (``distinct_<field>``).
DISTINCT_FIELDS: tuple[str, ...] = ("city", "counterparty", "country_iso3", "merchant_category")
#: Fields a rule's ``where`` may test.
WHERE_FIELDS: tuple[str, ...] = ("direction", "channel", "merchant_category", "hour", "country_iso3", "city",
                                 "currency")
_RULE_KEYS = {"id", "title", "source", "weight", "description", "where", "condition", "explanation", "window_days"}
_ISO3 = re.compile(r"^[A-Z]{3}$")


# -- rules ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One typology rule.

    Attributes
    ----------
    id : str
        Stable identifier (``classified_ads``...).
    title : str
        Short human title.
    source : str
        Key of the advisory in the rule set's ``sources``.
    weight : float
        Weight in (0, 1) in the noisy-OR score.
    description : str
        Plain-text description of the typology.
    where : dict
        Field -> test selecting the transactions the rule looks at.
    condition : dict
        ``count`` / ``amount`` / ``distinct_<field>`` -> threshold; all must be met.
    explanation : str
        ``str.format`` template of the explanation.
    window_days : int or None
        Rule-specific window (None: the screen's window).
    """

    id: str
    title: str
    source: str
    weight: float
    description: str
    where: dict[str, Any]
    condition: dict[str, float]
    explanation: str
    window_days: int | None = None

    @property
    def distinct_fields(self) -> tuple[str, ...]:
        """Fields whose distinct values the rule needs (conditions and explanation).

        Returns
        -------
        tuple of str
            Field names, in :data:`DISTINCT_FIELDS` order.
        """
        used = {k.removeprefix("distinct_") for k in self.condition if k.startswith("distinct_")}
        used |= set(_template_refs(self.explanation).get("distinct", ()))
        return tuple(f for f in DISTINCT_FIELDS if f in used)

    def condition_text(self) -> str:
        """Return the condition as text, e.g. ``count >= 8``.

        Returns
        -------
        str
            Thresholds joined with ``and``.
        """
        return " and ".join(f"{k} >= {_number(v)}" for k, v in self.condition.items())


@dataclass(frozen=True)
class RuleSet:
    """A versioned set of typology rules.

    Attributes
    ----------
    version : str
        Version of the rule file (e.g. ``2026.1``).
    sources : dict
        Source key -> citation.
    rules : tuple of Rule
        The rules, in file order.
    """

    version: str
    sources: dict[str, str]
    rules: tuple[Rule, ...]

    def table(self) -> pd.DataFrame:
        """The rules as a table (for reports).

        Returns
        -------
        pandas.DataFrame
            ``id, title, source, weight, condition, description``; weights as text.
        """
        return pd.DataFrame({
            "id": [r.id for r in self.rules],
            "title": [r.title for r in self.rules],
            "source": [self.sources.get(r.source, r.source) for r in self.rules],
            "weight": [f"{r.weight:.2f}" for r in self.rules],
            "condition": [r.condition_text() for r in self.rules],
            "description": [r.description for r in self.rules],
        })

    def with_weights(self, weights: Mapping[str, float]) -> RuleSet:
        """Return a copy with some weights replaced.

        Parameters
        ----------
        weights : mapping
            Rule id -> new weight in (0, 1).

        Returns
        -------
        RuleSet
            The new rule set (same version).
        """
        unknown = set(weights) - {r.id for r in self.rules}
        if unknown:
            raise ValueError(f"typologies {self.version}: no rule(s) {sorted(unknown)}")
        rules = []
        for r in self.rules:
            w = float(weights.get(r.id, r.weight))
            _check_weight(self.version, r.id, w)
            rules.append(Rule(**{**r.__dict__, "weight": w}))
        return RuleSet(self.version, self.sources, tuple(rules))


def _number(v: float) -> str:
    return f"{int(v):,}" if float(v).is_integer() else f"{v:,.2f}"


def _check_weight(version: str, rule_id: str, w: Any) -> None:
    if not isinstance(w, (int, float)) or isinstance(w, bool) or not 0 < float(w) < 1:
        raise ValueError(f"typologies {version}: rule {rule_id!r}: field 'weight'={w!r}: expected a number in (0, 1)")


def _template_refs(template: str) -> dict[str, list[str]]:
    """Map each placeholder root (``distinct``, ``count``...) to the keys it indexes."""
    refs: dict[str, list[str]] = {}
    for _lit, name, _spec, _conv in string.Formatter().parse(template):
        if name is None:
            continue
        root, _, rest = name.partition("[")
        refs.setdefault(root, [])
        if rest:
            refs[root].append(rest.rstrip("]"))
    return refs


def _parse_rule(version: str, raw: Any, sources: Mapping[str, str], seen: set[str]) -> Rule:
    if not isinstance(raw, Mapping):
        raise ValueError(f"typologies {version}: rule {raw!r}: expected a mapping")
    rid = raw.get("id")
    where = f"typologies {version}: rule {rid!r}"
    if not isinstance(rid, str) or not rid:
        raise ValueError(f"{where}: field 'id': expected a non-empty string")
    if rid in seen:
        raise ValueError(f"{where}: field 'id': duplicate rule id")
    unknown = set(raw) - _RULE_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {sorted(unknown)}; expected {sorted(_RULE_KEYS)}")
    for key in ("title", "source", "description", "explanation"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise ValueError(f"{where}: field {key!r}={raw.get(key)!r}: expected a non-empty string")
    if raw["source"] not in sources:
        raise ValueError(f"{where}: field 'source'={raw['source']!r}: expected one of {sorted(sources)}")
    _check_weight(version, rid, raw.get("weight"))
    filt = raw.get("where") or {}
    if not isinstance(filt, Mapping):
        raise ValueError(f"{where}: field 'where'={filt!r}: expected a mapping")
    for key, test in filt.items():
        if key not in WHERE_FIELDS:
            raise ValueError(f"{where}: field 'where.{key}': expected one of {list(WHERE_FIELDS)}")
        if key == "direction" and test not in ("debit", "credit"):
            raise ValueError(f"{where}: field 'where.direction'={test!r}: expected 'debit' or 'credit'")
        if key == "hour" and not (isinstance(test, Mapping) and len(test.get("between", ())) == 2):
            raise ValueError(f"{where}: field 'where.hour'={test!r}: expected {{between: [from, to]}}")
        if isinstance(test, Mapping) and key != "hour" and not ({"param"} == set(test) or {"not"} == set(test)):
            raise ValueError(f"{where}: field 'where.{key}'={test!r}: expected a value, a list, "
                             "{param: name} or {not: [...]}")
    cond = raw.get("condition")
    if not isinstance(cond, Mapping) or not cond:
        raise ValueError(f"{where}: field 'condition'={cond!r}: expected a non-empty mapping")
    for key, value in cond.items():
        ok_key = key in ("count", "amount") or (key.startswith("distinct_")
                                                  and key.removeprefix("distinct_") in DISTINCT_FIELDS)
        if not ok_key:
            raise ValueError(f"{where}: field 'condition.{key}': expected count, amount or distinct_<field> "
                             f"with field in {list(DISTINCT_FIELDS)}")
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
            raise ValueError(f"{where}: field 'condition.{key}'={value!r}: expected a positive number")
    window = raw.get("window_days")
    if window is not None and (not isinstance(window, int) or window < 1):
        raise ValueError(f"{where}: field 'window_days'={window!r}: expected a positive integer")
    rule = Rule(rid, raw["title"].strip(), raw["source"], float(raw["weight"]), " ".join(raw["description"].split()),
                dict(filt), {k: float(v) for k, v in cond.items()}, " ".join(raw["explanation"].split()), window)
    try:  # the template must format with the rule's own evidence names
        _explanation(rule, {"count": 1, "amount": 1.0, **{f"distinct_{f}": 1 for f in rule.distinct_fields}},
                     window_days=30, currency="EUR", params={})
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError(f"{where}: field 'explanation': unknown placeholder {exc}; use count, amount, "
                         "distinct[field], threshold[name], where[field], window_days, currency") from exc
    seen.add(rid)
    return rule


def load_rules(rules: None | str | Path | Mapping[str, Any] | RuleSet = None) -> RuleSet:
    """Load and check a typology rule set.

    Parameters
    ----------
    rules : None, str, Path, mapping or RuleSet
        None: the packaged ``resources/typologies.yaml``; a path to a YAML file; or the
        parsed YAML as a dict (``version``, ``sources``, ``rules``).

    Returns
    -------
    RuleSet
        The checked rules.

    Raises
    ------
    ValueError
        Naming the rule and field at fault.
    """
    if isinstance(rules, RuleSet):
        return rules
    if rules is None:
        raw = yaml.safe_load(resources.files("workbench").joinpath("resources/typologies.yaml").read_text("utf-8"))
    elif isinstance(rules, (str, Path)):
        raw = yaml.safe_load(Path(rules).read_text(encoding="utf-8"))
    else:
        raw = rules
    if not isinstance(raw, Mapping):
        raise ValueError(f"typologies: expected a mapping with version, sources, rules; got {type(raw).__name__}")
    version = raw.get("version")
    if not isinstance(version, str) or not version:
        raise ValueError(f"typologies: field 'version'={version!r}: expected a non-empty string such as '2026.1'")
    srcs = raw.get("sources")
    if not isinstance(srcs, Mapping) or not srcs:
        raise ValueError(f"typologies {version}: field 'sources': expected a mapping of source key -> citation")
    sources = {str(k): " ".join(str(v.get("citation", "") if isinstance(v, Mapping) else v).split())
               for k, v in srcs.items()}
    items = raw.get("rules")
    if not isinstance(items, list) or not items:
        raise ValueError(f"typologies {version}: field 'rules': expected a non-empty list")
    seen: set[str] = set()
    return RuleSet(version, sources, tuple(_parse_rule(version, r, sources, seen) for r in items))


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


# -- validation ----------------------------------------------------------------------------


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
                          first_record: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Check transactions and turn them into the screen's working columns.

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
    if "transaction_id" in frame.columns:
        record = frame["transaction_id"].astype(str).to_numpy()
    else:
        record = np.arange(first_record, first_record + n)
    rates = {str(k).upper(): float(v) for k, v in (fx_rates or {}).items()}
    rates[currency.upper()] = 1.0
    blank = pd.Series([""] * n, dtype="object")
    failures: list[tuple[str, np.ndarray, str]] = []  # (field, bad mask, expectation)

    account, acc_missing = _text(frame["account"])
    failures.append(("account", acc_missing, "expected a non-empty account id"))

    raw_amount = frame["amount"]
    amount = pd.to_numeric(raw_amount, errors="coerce").to_numpy(dtype="float64")
    finite = np.isfinite(amount)
    failures.append(("amount", ~finite, "expected a number (negative = money out)"))
    failures.append(("amount", finite & (amount == 0), "expected a non-zero amount"))
    failures.append(("amount", finite & (np.abs(amount) >= 1e12), "expected an amount below 1e12"))

    cur, cur_missing = _text(frame["currency"], "upper")
    cur_ok = _on_distinct(cur, lambda u: u.str.fullmatch(r"[A-Z]{3}").fillna(False).astype(bool)) & ~cur_missing
    failures.append(("currency", ~cur_ok, "expected a 3-letter ISO 4217 code"))
    rate = _on_distinct(cur, lambda u: u.map(rates).astype("float64"))
    failures.append(("currency", cur_ok & np.isnan(rate),
                     f"no exchange rate to {currency} (pass fx_rates)"))

    ts_raw = frame["timestamp"]
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

    channel, _ = _text(frame["channel"], "lower")
    failures.append(("channel", ~_on_distinct(channel, lambda u: u.isin(CHANNELS)), f"expected one of {list(CHANNELS)}"))

    def optional(name: str, case: str | None = None) -> tuple[pd.Series, np.ndarray]:
        return _text(frame[name], case) if name in frame.columns else (blank, np.ones(n, dtype=bool))

    counterparty, _ = optional("counterparty")
    city, _ = optional("city")
    country, country_missing = optional("country_iso3", "upper")
    if (~country_missing).any():
        from workbench.schema import iso3_codes

        codes = iso3_codes()
        bad_country = ~country_missing & ~_on_distinct(country, lambda u: u.isin(codes))
    else:
        bad_country = np.zeros(n, dtype=bool)
    failures.append(("country_iso3", bad_country, "expected an ISO 3166-1 alpha-3 code or blank"))

    if "merchant_category" in frame.columns:
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
        mcc_int = np.where(mcc_missing | mcc_bad, -1, np.nan_to_num(mcc, nan=-1)).astype("int32")
    else:
        mcc_int = np.full(n, -1, dtype="int32")
    for name, lo, hi in (("lat", -90, 90), ("lon", -180, 180)):
        if name in frame.columns:
            text, miss = _text(frame[name])
            val = pd.to_numeric(text.where(~miss, None), errors="coerce").to_numpy(dtype="float64")
            with np.errstate(invalid="ignore"):
                bad = ~miss & ~((val >= lo) & (val <= hi))
            failures.append((name, bad, f"expected a number in [{lo}, {hi}] or blank"))

    bad_any = np.zeros(n, dtype=bool)
    for _f, bad, _why in failures:
        bad_any |= bad
    if bad_any.any():
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
        rejects = pd.DataFrame({
            "record": record[idx],
            "field": first_field.to_numpy(),
            "value": [_show(frame.at[i, f]) for i, f in zip(idx, first_field)],
            "reason": reasons.to_numpy(),
        })
    else:
        rejects = pd.DataFrame({"record": pd.Series(dtype=record.dtype), "field": pd.Series(dtype=str),
                                "value": pd.Series(dtype=str), "reason": pd.Series(dtype=str)})

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


# -- rule evaluation ------------------------------------------------------------------------


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


def _as_list(value: Any) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value]


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


def _fmt_amount(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 1000 else f"{value:,.2f}"


def _fmt_where(test: Any, params: Mapping[str, tuple[str, ...]]) -> str:
    if isinstance(test, Mapping) and "param" in test:
        values = params.get(test["param"], ())
        return "/".join(map(str, values)) if values else f"(no {test['param']} given)"
    if isinstance(test, Mapping) and "between" in test:
        return "-".join(map(str, test["between"]))
    if isinstance(test, Mapping) and "not" in test:
        return "not " + "/".join(map(str, _as_list(test["not"])))
    return "/".join(map(str, _as_list(test)))


def _explanation(rule: Rule, evidence: Mapping[str, Any], window_days: int, currency: str,
                 params: Mapping[str, tuple[str, ...]]) -> str:
    values = {
        "count": f"{int(evidence.get('count', 0)):,}",
        "amount": _fmt_amount(float(evidence.get("amount", 0.0))),
        "distinct": {f: f"{int(evidence.get(f'distinct_{f}', 0)):,}" for f in rule.distinct_fields},
        "threshold": {k: _number(v) for k, v in rule.condition.items()},
        "where": {k: _fmt_where(v, params) for k, v in rule.where.items()},
        "window_days": str(window_days),
        "currency": currency,
    }
    return rule.explanation.format(**values)


# -- results ---------------------------------------------------------------------------------


@dataclass
class ScreeningResults:
    """What :class:`TypologyScreen` found.

    Attributes
    ----------
    scores : pandas.DataFrame
        One row per account: ``account, score, rank, n_typologies, typologies``
        (comma-separated fired rule ids), ``n_transactions`` (in the window); best first.
    hits : pandas.DataFrame
        One row per fired (account, typology): ``account, rank, typology, title, source,
        weight, count, amount, distinct_<field>..., explanation``.
    evidence : pandas.DataFrame
        Every (account, typology) with at least one matching transaction, fired or not:
        the measures, ``ratio`` (smallest measure / threshold; fires at 1) and ``fired``.
    features : pandas.DataFrame
        Accounts x rule ids, 1 where the rule fired (for :func:`calibrate`).
    rejects : pandas.DataFrame
        ``record, field, value, reason`` of the rows that failed validation.
    rules : RuleSet
        The rules applied.
    rules_version : str
        Their version.
    high_risk_countries : tuple of str
        The run-time country list.
    window_start, window_end : pandas.Timestamp
        First and last day of the (default) screening window.
    window_days : int
        Its length.
    currency : str
        Report currency of amounts.
    n_rows_in, n_rows_scored, n_rows_rejected : int
        Rows read, rows that passed validation, rows rejected (in = scored + rejected).
    note : str
        How the score is made and anything the reader should know.
    """

    scores: pd.DataFrame
    hits: pd.DataFrame
    evidence: pd.DataFrame
    features: pd.DataFrame
    rejects: pd.DataFrame
    rules: RuleSet
    rules_version: str
    high_risk_countries: tuple[str, ...]
    window_start: pd.Timestamp
    window_end: pd.Timestamp
    window_days: int
    currency: str
    n_rows_in: int
    n_rows_scored: int
    n_rows_rejected: int
    note: str = ""

    @property
    def table(self) -> pd.DataFrame:
        """The per-account scores (house-style alias of :attr:`scores`).

        Returns
        -------
        pandas.DataFrame
            :attr:`scores`.
        """
        return self.scores

    def summary(self) -> str:
        """One paragraph on what was screened.

        Returns
        -------
        str
            Rules version, window, accounts, rows in = scored + rejected, countries.
        """
        alerts = int((self.scores["n_typologies"] > 0).sum())
        countries = ", ".join(self.high_risk_countries) or "none given"
        return (f"Rules {self.rules_version} ({len(self.rules.rules)} typologies); window {self.window_days} days, "
                f"{self.window_start:%Y-%m-%d} to {self.window_end:%Y-%m-%d}; {len(self.scores):,} accounts screened, "
                f"{alerts:,} with at least one typology; rows in {self.n_rows_in:,} = scored {self.n_rows_scored:,} "
                f"+ rejected {self.n_rows_rejected:,}; high-risk countries: {countries}. {self.note}")

    def alerts(self, budget: int = 20) -> pd.DataFrame:
        """The top accounts that fired at least one typology, with their explanations.

        Parameters
        ----------
        budget : int
            How many alerts the team can review.

        Returns
        -------
        pandas.DataFrame
            ``rank, account, score, n_typologies, typologies, explanation`` (explanations
            of one account joined with ``"; "``).
        """
        top = self.scores[self.scores["n_typologies"] > 0].head(budget)
        text = self.hits.groupby("account", sort=False)["explanation"].agg("; ".join)
        return top.assign(explanation=top["account"].map(text))[
            ["rank", "account", "score", "n_typologies", "typologies", "explanation"]].reset_index(drop=True)

    def explain(self, account: str, frame: bool = False) -> str | pd.DataFrame:
        """Explain one account's score.

        Parameters
        ----------
        account : str
            Account pseudonym.
        frame : bool
            Return the account's hits as a table instead of text.

        Returns
        -------
        str or pandas.DataFrame
            A paragraph naming each fired typology, its numbers and its source; or the
            account's rows of :attr:`hits`.

        Raises
        ------
        KeyError
            When the account was not screened.
        """
        row = self.scores[self.scores["account"] == account]
        if row.empty:
            raise KeyError(f"account {account!r} was not screened")
        hits = self.hits[self.hits["account"] == account]
        if frame:
            return hits.reset_index(drop=True)
        r = row.iloc[0]
        head = (f"Account {account}: score {r['score']:.2f} (rank #{int(r['rank'])} of {len(self.scores):,}; "
                f"rules {self.rules_version}, window {self.window_start:%Y-%m-%d} to {self.window_end:%Y-%m-%d})")
        if hits.empty:
            return head + ": no typology fired."
        lines = [f"- {h.title}: {h.explanation} [weight {h.weight:.2f}; {h.source}]" for h in hits.itertuples()]
        return head + f": {len(hits)} typolog{'y' if len(hits) == 1 else 'ies'} fired.\n" + "\n".join(lines)


# -- the screen ------------------------------------------------------------------------------


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

    def screen_file(self, path: str | Path, chunksize: int = 250_000) -> ScreeningResults:
        """Screen a CSV or Parquet file, streaming it in chunks.

        Parameters
        ----------
        path : str or Path
            ``.csv`` (read as text, then validated) or ``.parquet``.
        chunksize : int
            Rows per chunk.

        Returns
        -------
        ScreeningResults
            Identical to :meth:`fit` on the whole file.
        """
        return self.fit_chunks(iter_transactions(path, chunksize))

    def _finish(self, stats: _Statistics, rejects: pd.DataFrame, n_in: int) -> ScreeningResults:
        def joined(parts: list[pd.DataFrame]) -> pd.DataFrame:
            return parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)

        base = joined(stats.base) if stats.base else pd.DataFrame({"account": pd.Series(dtype="int64"),
                                                                    "day": pd.Series(dtype="int64"),
                                                                    "n": pd.Series(dtype="int64")})
        if self.as_of is not None:
            end_day = int(np.datetime64(self.as_of.date(), "D").astype("int64"))
        elif len(base):
            end_day = int(base["day"].max())
        else:
            end_day = int(np.datetime64("today", "D").astype("int64"))
        names = np.array(list(stats.ids), dtype=object)  # by global id
        perm = np.argsort(names, kind="stable")
        accounts = names[perm]  # sorted by name
        position = np.empty(len(names), dtype="int64")  # global id -> position in ``accounts``
        position[perm] = np.arange(len(names))
        n_acc = len(accounts)

        def in_window(frame: pd.DataFrame, days: int) -> pd.DataFrame:
            day = frame["day"].to_numpy()
            return frame[(day > end_day - days) & (day <= end_day)]

        def per_account(frame: pd.DataFrame, column: str) -> np.ndarray:  # sum of a column by account
            code = position[frame["account"].to_numpy()]
            return np.bincount(code, weights=frame[column].to_numpy(), minlength=n_acc).round().astype("int64")

        n_tx = per_account(in_window(base, self.window_days), "n")

        evidence_parts = []
        for rule in self.rules.rules:
            window = rule.window_days or self.window_days
            if not stats.counts[rule.id]:
                continue
            counts = in_window(joined(stats.counts[rule.id]), window)
            count = per_account(counts, "count")
            present = count > 0
            if not present.any():
                continue
            ev = pd.DataFrame({"count": count[present], "amount": per_account(counts, "cents")[present] / 100.0},
                              index=pd.Index(accounts[present], name="account"))
            for f in rule.distinct_fields:
                n_distinct = np.zeros(n_acc, dtype="int64")
                if stats.distinct[(rule.id, f)]:
                    d = in_window(joined(stats.distinct[(rule.id, f)]), window)
                    fcode, funiq = pd.factorize(d[f])
                    width = max(len(funiq), 1)
                    pairs = np.unique(position[d["account"].to_numpy()] * width + fcode)
                    n_distinct = np.bincount(pairs // width, minlength=n_acc)
                ev[f"distinct_{f}"] = n_distinct[present]
            ratio = np.full(len(ev), np.inf)
            for key, threshold in rule.condition.items():
                ratio = np.minimum(ratio, ev[key].to_numpy(dtype="float64") / threshold)
            ev["ratio"] = ratio
            ev["fired"] = ratio >= 1.0
            ev["typology"] = rule.id
            ev["window_days"] = window
            evidence_parts.append(ev.reset_index())

        distinct_cols = [f"distinct_{f}" for f in DISTINCT_FIELDS]
        ev_cols = ["account", "typology", "count", "amount", *distinct_cols, "ratio", "fired", "window_days"]
        if evidence_parts:
            evidence = pd.concat(evidence_parts, ignore_index=True)
        else:
            evidence = pd.DataFrame(columns=ev_cols)
        for c in distinct_cols:
            if c not in evidence.columns:
                evidence[c] = np.nan
        evidence = evidence[ev_cols]
        for c in ["count", *distinct_cols, "window_days"]:
            evidence[c] = evidence[c].astype("Int64")
        evidence["fired"] = evidence["fired"].astype(bool)
        evidence = evidence.sort_values(["account", "typology"]).reset_index(drop=True)

        rule_ids = [r.id for r in self.rules.rules]
        fired = evidence[evidence["fired"]]
        features = (pd.crosstab(fired["account"], fired["typology"]) if len(fired) else
                    pd.DataFrame(index=pd.Index([], name="account")))
        features = features.reindex(index=accounts, columns=rule_ids, fill_value=0).clip(upper=1).astype("int8")
        features.index.name, features.columns.name = "account", None
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

        rank_of = dict(zip(scores["account"], scores["rank"]))
        by_id = {r.id: r for r in self.rules.rules}
        hits = fired.copy()
        hits["rank"] = hits["account"].map(rank_of).astype("int64")
        hits["title"] = hits["typology"].map(lambda t: by_id[t].title)
        hits["source"] = hits["typology"].map(lambda t: self.rules.sources[by_id[t].source])
        hits["weight"] = hits["typology"].map(lambda t: by_id[t].weight)
        order = {rid: i for i, rid in enumerate(rule_ids)}
        hits = hits.assign(_o=hits["typology"].map(order)).sort_values(["rank", "_o"]).drop(columns="_o")
        hits["explanation"] = [
            _explanation(by_id[h["typology"]], {k: (0 if pd.isna(v) else v) for k, v in h.items()},
                         int(h["window_days"]), self.currency, self.params)
            for h in hits.to_dict("records")]
        hits = hits[["account", "rank", "typology", "title", "source", "weight", "count", "amount", *distinct_cols,
                     "explanation"]].reset_index(drop=True)

        start = pd.Timestamp(np.datetime64(end_day - self.window_days + 1, "D"))
        notes = [f"Score = 1 - prod(1 - weight) over the typologies an account fires (noisy-OR; rules "
                 f"{self.rules.version}); window {self.window_days} days ending {pd.Timestamp(np.datetime64(end_day, 'D')):%Y-%m-%d}."]
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
            window_start=start, window_end=pd.Timestamp(np.datetime64(end_day, "D")), window_days=self.window_days,
            currency=self.currency, n_rows_in=n_in, n_rows_scored=stats.n_rows, n_rows_rejected=n_rej,
            note=" ".join(notes))


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


# -- report tables (safe for the audience) ---------------------------------------------------


def alert_table(results: ScreeningResults, policy: Any, budget: int = 20) -> pd.DataFrame:
    """The ranked alert list, for a restricted audience, with no bare small integers.

    Parameters
    ----------
    results : ScreeningResults
        Screening results.
    policy : DisclosurePolicy
        The report's audience policy (:func:`workbench.share.disclosure.policy_for`).
        ``public`` gets an empty table: account-level alerts are never published.
    budget : int
        Alerts listed.

    Returns
    -------
    pandas.DataFrame
        ``rank`` ("#1"), ``account`` (bank pseudonym), ``score`` ("0.90"), ``typologies``
        ("5 of 9: ..."), ``explanation``; every cell is text.
    """
    cols = ["rank", "account", "score", "typologies", "explanation"]
    if policy.audience == "public":
        return pd.DataFrame(columns=cols)
    alerts = results.alerts(budget)
    n_rules = len(results.rules.rules)
    return pd.DataFrame({
        "rank": [f"#{r}" for r in alerts["rank"]],
        "account": alerts["account"].astype(str),
        "score": [f"{s:.2f}" for s in alerts["score"]],
        "typologies": [f"{k} of {n_rules}: {t}" for k, t in zip(alerts["n_typologies"], alerts["typologies"])],
        "explanation": alerts["explanation"].astype(str),
    }, columns=cols)


def typology_counts(results: ScreeningResults, policy: Any) -> pd.DataFrame:
    """Accounts firing each typology, with counts below the audience's k withheld.

    Parameters
    ----------
    results : ScreeningResults
        Screening results.
    policy : DisclosurePolicy
        The audience's policy.

    Returns
    -------
    pandas.DataFrame
        ``typology, title, accounts`` (``accounts`` missing where withheld).
    """
    from workbench.share.disclosure import suppress_counts

    fired = results.features.sum(axis=0).astype("int64")
    frame = pd.DataFrame({"typology": fired.index, "title": [r.title for r in results.rules.rules],
                          "accounts": fired.to_numpy()})
    return suppress_counts(frame, ["accounts"], policy.k) if policy.suppress else frame
