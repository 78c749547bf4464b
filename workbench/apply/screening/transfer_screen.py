"""Transaction-level typology screen for files where almost every account is seen once.

:class:`TransferScreen` evaluates the ``transaction_rules`` of
``resources/typologies.yaml`` on each transfer (amounts just under a reporting threshold,
large round cash, money moved on soon after it arrived, transfers to high-risk corridor
countries) and over the counterparty graph (fan-in and fan-out hubs, found with
networkx), and credits each hit to the account(s) named by the rule's ``role``. An account
seen once is scored from its own transaction and from the hub it paid or was paid by::

    score = 1 - prod_i (1 - weight_i * strength_i)     (strength in (0, 1] per fired rule)

Each hit carries an explanation quoting the account's own numbers, e.g. "cash deposit of
9,650 EUR, 3.5% under the 10,000 EUR reporting threshold".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench.apply.screening.results import account_hits, hit_lines, top_alerts
from workbench.apply.screening.rules import read_typologies, source_citations
from workbench.apply.screening.transfers import TRANSFER_TYPES, validate_transfers

#: Rule kinds -> (parameters they take, placeholders their explanation may use).
KINDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "near_threshold": (("threshold", "margin", "types"), ("below", "threshold")),
    "round_cash": (("min_amount", "round_to", "types"), ("round_to",)),
    "pass_through": (("max_hours", "min_share"), ("in_amount", "share", "hours")),
    "corridor": (("types",), ("corridor_rank", "corridor_n")),
    "fan_in": (("min_counterparties", "types"), ("link", "hub", "hub_count", "hub_counterparties", "hub_amount")),
    "fan_out": (("min_counterparties", "types"), ("link", "hub", "hub_count", "hub_counterparties", "hub_amount")),
}
ROLES: tuple[str, ...] = ("sender", "receiver", "subject", "both")
_COMMON = ("type", "amount", "currency", "from_country", "to_country")
_KEYS = {"id", "title", "source", "kind", "role", "weight", "params", "description", "explanation"}


@dataclass(frozen=True)
class TransferRule:
    """One transaction-level typology (see ``transaction_rules`` in the YAML).

    Attributes
    ----------
    id, title, source, kind, role : str
        Identifier, human title, advisory key, measure (:data:`KINDS`) and credited party.
    weight : float
        Weight in (0, 1).
    params : dict
        The measure's thresholds.
    description, explanation : str
        Plain text and the explanation template.
    """

    id: str
    title: str
    source: str
    kind: str
    role: str
    weight: float
    params: dict[str, Any]
    description: str
    explanation: str


@dataclass(frozen=True)
class TransferRuleSet:
    """The versioned transaction-level rules and the citations of their sources."""

    version: str
    sources: dict[str, str]
    rules: tuple[TransferRule, ...]

    def table(self) -> pd.DataFrame:
        """The rules as a table (``id, title, source, weight, kind, params, description``).

        Returns
        -------
        pandas.DataFrame
            One row per rule, every cell text.
        """
        return pd.DataFrame({"id": [r.id for r in self.rules], "title": [r.title for r in self.rules],
                             "source": [self.sources.get(r.source, r.source) for r in self.rules],
                             "weight": [f"{r.weight:.2f}" for r in self.rules], "kind": [r.kind for r in self.rules],
                             "params": [str(r.params) for r in self.rules],
                             "description": [r.description for r in self.rules]})


def _parse_transfer_rule(version: str, raw: Any, sources: Mapping[str, str]) -> TransferRule:
    """Check one raw rule (errors name the rule and field) and build it."""
    rid = raw.get("id") if isinstance(raw, Mapping) else raw
    where = f"typologies {version}: transaction rule {rid!r}"
    if not isinstance(raw, Mapping) or not isinstance(rid, str) or not rid:
        raise ValueError(f"{where}: expected a mapping with a non-empty 'id'")
    unknown = set(raw) - _KEYS
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {sorted(unknown)}; expected {sorted(_KEYS)}")
    for key in ("title", "source", "description", "explanation"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise ValueError(f"{where}: field {key!r}={raw.get(key)!r}: expected a non-empty string")
    if raw["source"] not in sources:
        raise ValueError(f"{where}: field 'source'={raw['source']!r}: expected one of {sorted(sources)}")
    if raw.get("kind") not in KINDS:
        raise ValueError(f"{where}: field 'kind'={raw.get('kind')!r}: expected one of {list(KINDS)}")
    if raw.get("role") not in ROLES:
        raise ValueError(f"{where}: field 'role'={raw.get('role')!r}: expected one of {list(ROLES)}")
    w = raw.get("weight")
    if not isinstance(w, (int, float)) or isinstance(w, bool) or not 0 < float(w) < 1:
        raise ValueError(f"{where}: field 'weight'={w!r}: expected a number in (0, 1)")
    names, placeholders = KINDS[raw["kind"]]
    params = dict(raw.get("params") or {})
    if set(params) != set(names):
        raise ValueError(f"{where}: field 'params'={params!r}: expected exactly {list(names)} for kind {raw['kind']!r}")
    for key, value in params.items():
        if key == "types":
            if not isinstance(value, list) or not value or not set(value) <= set(TRANSFER_TYPES):
                raise ValueError(f"{where}: field 'params.types'={value!r}: expected a list from "
                                 f"{list(TRANSFER_TYPES)}")
        elif not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
            raise ValueError(f"{where}: field 'params.{key}'={value!r}: expected a positive number")
    rule = TransferRule(rid, raw["title"].strip(), raw["source"], raw["kind"], raw["role"], float(w), params,
                        " ".join(raw["description"].split()), " ".join(raw["explanation"].split()))
    try:
        rule.explanation.format(**dict.fromkeys((*_COMMON, *placeholders), "1"))
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError(f"{where}: field 'explanation': unknown placeholder {exc}; use "
                         f"{', '.join((*_COMMON, *placeholders))}") from exc
    return rule


def load_transfer_rules(rules: None | str | Path | Mapping[str, Any] | TransferRuleSet = None) -> TransferRuleSet:
    """Load and check the transaction-level rules.

    Parameters
    ----------
    rules : None, str, Path, mapping or TransferRuleSet
        None: the packaged ``typologies.yaml``; a YAML path; or the parsed YAML
        (``sources``, ``transaction_rules_version``, ``transaction_rules``).

    Returns
    -------
    TransferRuleSet
        The checked rules.

    Raises
    ------
    ValueError
        Naming the rule and field at fault.
    """
    if isinstance(rules, TransferRuleSet):
        return rules
    raw = read_typologies(rules)
    version = raw.get("transaction_rules_version") if isinstance(raw, Mapping) else None
    if not isinstance(version, str) or not version:
        raise ValueError(f"typologies: field 'transaction_rules_version'={version!r}: expected a string such as "
                         "'2026.2'")
    srcs = raw.get("sources") or {}
    sources = source_citations(srcs)
    items = raw.get("transaction_rules")
    if not isinstance(items, list) or not items:
        raise ValueError(f"typologies {version}: field 'transaction_rules': expected a non-empty list")
    parsed = tuple(_parse_transfer_rule(version, r, sources) for r in items)
    ids = [r.id for r in parsed]
    if len(set(ids)) != len(ids):
        raise ValueError(f"typologies {version}: field 'transaction_rules': duplicate rule id(s)")
    return TransferRuleSet(version, sources, parsed)


def corridor_countries(routes: Any, home: str, top: int = 6) -> tuple[str, ...]:
    """High-risk corridor countries for a bank in ``home``, from the routes analysis.

    The countries that trafficking corridors through ``home`` connect it with: origins
    of corridors ending in ``home`` (where victims come from and proceeds are sent
    back), destinations of corridors starting there, and transit countries of either,
    weighted by the corridors' incident counts.

    Parameters
    ----------
    routes : RouteResults or pandas.DataFrame
        :class:`workbench.analyse.routes.RouteResults` or its ``flows`` table
        (``origin, transit, destination, count``).
    home : str
        ISO3 code of the bank's country.
    top : int
        Countries returned.

    Returns
    -------
    tuple of str
        ISO3 codes, most incidents first (ties by code); never ``home`` or ``UNK``.
    """
    flows = routes.flows if hasattr(routes, "flows") else routes
    missing = {"origin", "destination", "count"} - set(flows.columns)
    if missing:
        raise ValueError(f"routes: missing column(s) {sorted(missing)}; expected RouteResults.flows")
    if top < 1:
        raise ValueError(f"top={top!r}: expected a positive integer")
    home = str(home).upper()
    transit = flows["transit"] if "transit" in flows.columns else pd.Series("", index=flows.index)
    touching = (flows["origin"] == home) | (flows["destination"] == home) | (transit == home)
    f = flows[touching]
    parts = [pd.DataFrame({"country": f[c].astype(str), "count": f["count"]})
             for c in ("origin", "destination", *(["transit"] if "transit" in f.columns else []))]
    long = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["country", "count"])
    long = long[~long["country"].isin([home, "", "UNK", "nan", "None"])]
    totals = long.groupby("country")["count"].sum().reset_index()
    totals = totals.sort_values(["count", "country"], ascending=[False, True])
    return tuple(totals["country"].head(top))


# -- measures: each returns (accounts, rows, strengths, extras) -------------------------------

_Credits = tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, np.ndarray]]


def _party(tx: pd.DataFrame, role: str) -> np.ndarray:
    """The credited account per row: sender, receiver, or subject (cash deposits: the receiver)."""
    src, dst = tx["from_account"].to_numpy(), tx["to_account"].to_numpy()
    if role == "sender":
        return src
    if role == "receiver":
        return dst
    return np.where((tx["type"].to_numpy() == "cash_deposit") | (src == ""), dst, src)


def _credit(tx: pd.DataFrame, role: str, sel: np.ndarray, strength: np.ndarray,
            extras: dict[str, np.ndarray]) -> _Credits:
    """Credit the selected rows to the account(s) of ``role`` (``both``: sender and receiver)."""
    rows = np.flatnonzero(sel)
    roles = ("sender", "receiver") if role == "both" else (role,)
    account = np.concatenate([_party(tx, r)[rows] for r in roles])
    rows = np.concatenate([rows] * len(roles))
    keep = account != ""
    picked = {k: np.concatenate([np.asarray(v)[sel]] * len(roles))[keep] for k, v in extras.items()}
    return account[keep], rows[keep], np.concatenate([strength[sel]] * len(roles))[keep], picked


def _near_threshold(tx: pd.DataFrame, rule: TransferRule, ctx: Mapping[str, Any]) -> _Credits:
    t, m = float(rule.params["threshold"]), float(rule.params["margin"])
    a = tx["amount"].to_numpy()
    sel = tx["type"].isin(rule.params["types"]).to_numpy() & (a >= t * (1 - m)) & (a < t)
    below = (t - a) / t
    return _credit(tx, rule.role, sel, 1 - 0.5 * below / m,
                   {"below": np.array([f"{b:.1%}" for b in below], dtype=object), "threshold": np.full(len(a), t)})


def _round_cash(tx: pd.DataFrame, rule: TransferRule, ctx: Mapping[str, Any]) -> _Credits:
    step = int(round(float(rule.params["round_to"]) * 100))
    a = tx["amount"].to_numpy()
    cents = np.rint(a * 100).astype("int64")
    sel = (tx["type"].isin(rule.params["types"]).to_numpy() & (a >= float(rule.params["min_amount"]))
           & (cents % step == 0))
    return _credit(tx, rule.role, sel, np.ones(len(a)), {"round_to": np.full(len(a), float(rule.params["round_to"]))})


def _pass_through(tx: pd.DataFrame, rule: TransferRule, ctx: Mapping[str, Any]) -> _Credits:
    out = pd.DataFrame({"account": tx["from_account"], "ts": tx["ts"], "amount": tx["amount"],
                        "row": np.arange(len(tx))})[tx["from_account"].to_numpy() != ""]
    inc = pd.DataFrame({"account": tx["to_account"], "in_ts": tx["ts"], "in_amount": tx["amount"]})[
        tx["to_account"].to_numpy() != ""]
    empty = (np.array([], dtype=object), np.array([], dtype="int64"), np.array([]), {})
    if out.empty or inc.empty:
        return empty
    both = set(out["account"]) & set(inc["account"])
    out, inc = out[out["account"].isin(both)], inc[inc["account"].isin(both)]
    if out.empty:
        return empty
    m = pd.merge_asof(out.sort_values("ts"), inc.sort_values("in_ts"), left_on="ts", right_on="in_ts", by="account",
                      direction="backward", tolerance=pd.Timedelta(hours=float(rule.params["max_hours"])))
    m = m.dropna(subset=["in_amount"])
    share = m["amount"].to_numpy() / m["in_amount"].to_numpy()
    m = m[(share >= float(rule.params["min_share"])) & (share <= 1.25)]
    share = (m["amount"] / m["in_amount"]).to_numpy()
    hours = ((m["ts"] - m["in_ts"]).dt.total_seconds() / 3600).to_numpy()
    return (m["account"].to_numpy(), m["row"].to_numpy(dtype="int64"), np.minimum(share, 1.0),
            {"in_amount": m["in_amount"].to_numpy(), "share": np.array([f"{s:.0%}" for s in share], dtype=object),
             "hours": np.array([f"{h:.0f}" for h in hours], dtype=object)})


def _corridor(tx: pd.DataFrame, rule: TransferRule, ctx: Mapping[str, Any]) -> _Credits:
    risk = list(ctx["high_risk_countries"])
    to, fro = tx["to_country"].to_numpy(), tx["from_country"].to_numpy()
    sel = tx["type"].isin(rule.params["types"]).to_numpy() & np.isin(to, risk) & (to != fro)
    rank = {c: i + 1 for i, c in enumerate(risk)}
    return _credit(tx, rule.role, sel, np.ones(len(tx)),
                   {"corridor_rank": np.array([rank.get(c, 0) for c in to]), "corridor_n": np.full(len(tx), len(risk))})


def _fan(tx: pd.DataFrame, rule: TransferRule, ctx: Mapping[str, Any]) -> _Credits:
    """Hubs of the counterparty graph (networkx) and the one-off accounts that dealt with them."""
    import networkx as nx

    inward = rule.kind == "fan_in"
    hub_col, other_col = ("to_account", "from_account") if inward else ("from_account", "to_account")
    edges = tx[tx["type"].isin(rule.params["types"]).to_numpy() & (tx["from_account"].to_numpy() != "")
               & (tx["to_account"].to_numpy() != "")]
    graph = nx.DiGraph()
    graph.add_edges_from(zip(edges["from_account"], edges["to_account"]))
    degree = graph.in_degree() if inward else graph.out_degree()
    need = int(rule.params["min_counterparties"])
    hubs = {node: d for node, d in degree if d >= need}
    if not hubs:
        return np.array([], dtype=object), np.array([], dtype="int64"), np.array([]), {}
    mine = edges[edges[hub_col].isin(hubs)]
    stats = mine.groupby(hub_col)["amount"].agg(["size", "sum"])
    strength_of = {h: min(1.0, d / (2.0 * need)) for h, d in hubs.items()}
    rows = mine.index.to_numpy()
    hub = mine[hub_col].to_numpy()
    verb = "received" if inward else "made"
    links_other = [f"{'sent' if inward else 'received'} {_fmt(a)} {ctx['currency']} by {t} "
                   f"{'to' if inward else 'from'} account {h}, which {verb}"
                   for a, t, h in zip(mine["amount"], mine["type"], hub)]
    first = mine.sort_values("amount", ascending=False).drop_duplicates(hub_col)  # the hub's own credit
    hub_role = "receiver" if inward else "sender"
    parts = []
    if rule.role != hub_role:  # the accounts that dealt with a hub
        parts.append((mine[other_col].to_numpy(), rows, hub, np.array(links_other, dtype=object)))
    if rule.role in (hub_role, "both", "subject"):  # the hub itself
        parts.append((first[hub_col].to_numpy(), first.index.to_numpy(), first[hub_col].to_numpy(),
                      np.full(len(first), f"this account {verb}", dtype=object)))
    accounts, all_rows, all_hubs, links = (np.concatenate([p[i] for p in parts]) for i in range(4))
    keep = accounts != ""
    extras = {"link": links, "hub": all_hubs, "hub_count": stats["size"].reindex(all_hubs).to_numpy(),
              "hub_counterparties": np.array([hubs[h] for h in all_hubs]),
              "hub_amount": stats["sum"].reindex(all_hubs).to_numpy()}
    return (accounts[keep], all_rows[keep].astype("int64"), np.array([strength_of[h] for h in all_hubs])[keep],
            {k: np.asarray(v)[keep] for k, v in extras.items()})


_MEASURES = {"near_threshold": _near_threshold, "round_cash": _round_cash, "pass_through": _pass_through,
             "corridor": _corridor, "fan_in": _fan, "fan_out": _fan}


def _fmt(value: Any) -> str:
    if isinstance(value, (float, np.floating)):
        return f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 1000 else f"{value:,.2f}"
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    return str(value)


# -- results and the screen ---------------------------------------------------------------------


@dataclass
class TransferResults:
    """What :class:`TransferScreen` found.

    Attributes
    ----------
    scores : pandas.DataFrame
        One row per account: ``account, score, rank, n_typologies, typologies,
        n_transactions``; best first (ties by account id).
    hits : pandas.DataFrame
        One row per (account, fired typology): ``account, rank, typology, title, source,
        weight, strength, record, explanation`` (``record``: the transaction quoted).
    features : pandas.DataFrame
        Accounts x rule ids, the strength (0 where the rule did not fire), for calibration.
    rejects : pandas.DataFrame
        ``record, field, value, reason`` of rows that failed validation.
    rules : TransferRuleSet
        The rules applied.
    high_risk_countries : tuple of str
        Corridor countries given at run time.
    currency : str
        Report currency.
    n_rows_in, n_rows_scored, n_rows_rejected : int
        Rows read = scored + rejected.
    note : str
        How the score is made and what the reader should know.
    """

    scores: pd.DataFrame
    hits: pd.DataFrame
    features: pd.DataFrame
    rejects: pd.DataFrame
    rules: TransferRuleSet
    high_risk_countries: tuple[str, ...]
    currency: str
    n_rows_in: int
    n_rows_scored: int
    n_rows_rejected: int
    note: str = field(default="")

    def summary(self) -> str:
        """One paragraph on what was screened.

        Returns
        -------
        str
            Rules version, accounts, once-seen share, rows in = scored + rejected.
        """
        once = float((self.scores["n_transactions"] == 1).mean()) if len(self.scores) else 0.0
        alerts = int((self.scores["n_typologies"] > 0).sum())
        return (f"Transaction rules {self.rules.version} ({len(self.rules.rules)} typologies); "
                f"{len(self.scores):,} accounts ({once:.0%} seen once), {alerts:,} with at least one typology; rows "
                f"in {self.n_rows_in:,} = scored {self.n_rows_scored:,} + rejected {self.n_rows_rejected:,}. "
                f"{self.note}")

    def alerts(self, budget: int = 20) -> pd.DataFrame:
        """The top ``budget`` accounts with at least one typology, with their explanations.

        Parameters
        ----------
        budget : int
            Alerts the team can review.

        Returns
        -------
        pandas.DataFrame
            ``rank, account, score, n_typologies, typologies, explanation``.
        """
        return top_alerts(self.scores, self.hits, budget)

    def explain(self, account: str) -> str:
        """Explain one account's score with its own numbers.

        Parameters
        ----------
        account : str
            Account id.

        Returns
        -------
        str
            The score, rank and one line per fired typology.

        Raises
        ------
        KeyError
            When the account was not screened.
        """
        r, hits = account_hits(self.scores, self.hits, account)
        head = f"Account {account}: score {r['score']:.2f} (rank #{int(r['rank'])} of {len(self.scores):,})"
        if hits.empty:
            return head + ": no typology fired."
        return head + ":\n" + "\n".join(hit_lines(hits))


class TransferScreen:
    """Screen a transfers file (one-off accounts, no merchant codes) against transaction typologies.

    Parameters
    ----------
    rules : None, str, Path, mapping or TransferRuleSet
        The rules (:func:`load_transfer_rules`); None: the packaged YAML.
    high_risk_countries : iterable of str
        ISO3 corridor countries, most important first (e.g.
        :func:`workbench.apply.screening.high_risk_countries` on the incident store).
    currency : str
        Report currency (the rules' thresholds are in it).
    fx_rates : mapping, optional
        Currency -> units of ``currency`` per unit.
    columns : mapping, optional
        Canonical column -> file column (else the aliases of
        :data:`~workbench.apply.screening.transfers.TRANSFER_ALIASES`).
    weights : mapping, optional
        Rule id -> weight replacing the YAML's (e.g. calibrated ones).

    Examples
    --------
    >>> res = TransferScreen(high_risk_countries=("NGA", "ROU")).fit(transfers)  # doctest: +SKIP
    >>> print(res.explain(res.scores.account.iloc[0]))  # doctest: +SKIP
    """

    def __init__(self, rules: None | str | Path | Mapping[str, Any] | TransferRuleSet = None,
                 high_risk_countries: Iterable[str] = (), currency: str = "EUR",
                 fx_rates: Mapping[str, float] | None = None, columns: Mapping[str, str] | None = None,
                 weights: Mapping[str, float] | None = None) -> None:
        self.rules = load_transfer_rules(rules)
        self.high_risk_countries = tuple(str(c).strip().upper() for c in high_risk_countries)
        bad = [c for c in self.high_risk_countries if len(c) != 3 or not c.isalpha()]
        if bad:
            raise ValueError(f"high_risk_countries: {bad}: expected ISO 3166-1 alpha-3 codes")
        self.currency = currency.upper()
        self.fx_rates = dict(fx_rates or {})
        self.columns = dict(columns or {})
        ids = {r.id for r in self.rules.rules}
        unknown = set(weights or {}) - ids
        if unknown:
            raise ValueError(f"weights: no transaction rule(s) {sorted(unknown)}; expected ids from {sorted(ids)}")
        for k, v in (weights or {}).items():
            if not 0 < float(v) < 1:
                raise ValueError(f"weights: rule {k!r}: weight={v!r}: expected a number in (0, 1)")
        self.weights = {r.id: float((weights or {}).get(r.id, r.weight)) for r in self.rules.rules}

    def fit(self, transactions: pd.DataFrame) -> TransferResults:
        """Validate the transfers, evaluate every rule and score every account.

        Parameters
        ----------
        transactions : pandas.DataFrame
            One row per transfer (see :func:`~workbench.apply.screening.transfers.validate_transfers`).

        Returns
        -------
        TransferResults
            Scores, hits with explanations, features, rejects.
        """
        tx, rejects, counts = validate_transfers(transactions, self.currency, self.fx_rates, self.columns)
        tx = tx.reset_index(drop=True)
        ctx = {"high_risk_countries": self.high_risk_countries, "currency": self.currency}
        parties = np.concatenate([tx["from_account"].to_numpy(), tx["to_account"].to_numpy()])
        parties = parties[parties != ""]
        n_tx = pd.Series(parties).value_counts()
        accounts = np.sort(n_tx.index.to_numpy(dtype=object))
        best = [self._best(tx, rule, ctx) for rule in self.rules.rules]
        rule_ids = [r.id for r in self.rules.rules]
        features = pd.DataFrame(0.0, index=pd.Index(accounts, name="account"), columns=rule_ids)
        for rule, b in zip(self.rules.rules, best):
            if len(b):
                features.loc[b["account"].to_numpy(), rule.id] = b["strength"].to_numpy()
        scores = self._scores(features, n_tx)
        hits = self._hits(tx, best, scores)
        notes = ["Score = 1 - prod(1 - weight x strength) over the typologies an account fires, each credited from "
                 "the account's own transaction or from the hub it dealt with."]
        if not self.high_risk_countries:
            notes.append("No high_risk_countries given: the corridor rule cannot fire.")
        if counts["other_types"]:
            notes.append(f"{counts['other_types']:,} row(s) with an unrecognised payment type kept as 'other'.")
        if counts["unknown_countries"]:
            notes.append(f"{counts['unknown_countries']:,} country value(s) not recognised, kept as UNK.")
        if len(rejects):
            notes.append(f"{len(rejects):,} row(s) rejected (see rejects).")
        return TransferResults(scores=scores, hits=hits, features=features, rejects=rejects, rules=self.rules,
                               high_risk_countries=self.high_risk_countries, currency=self.currency,
                               n_rows_in=len(transactions), n_rows_scored=len(tx), n_rows_rejected=len(rejects),
                               note=" ".join(notes))

    @staticmethod
    def _best(tx: pd.DataFrame, rule: TransferRule, ctx: Mapping[str, Any]) -> pd.DataFrame:
        """The strongest credit of one rule per account (ties: larger amount, then earlier row)."""
        accounts, rows, strength, extras = _MEASURES[rule.kind](tx, rule, ctx)
        frame = pd.DataFrame({"account": accounts, "row": rows, "strength": strength, **extras})
        if frame.empty:
            return frame
        frame["amount"] = tx["amount"].to_numpy()[frame["row"].to_numpy()]
        frame = frame.sort_values(["strength", "amount", "row"], ascending=[False, False, True], kind="mergesort")
        return frame.drop_duplicates("account").reset_index(drop=True)

    def _scores(self, features: pd.DataFrame, n_tx: pd.Series) -> pd.DataFrame:
        w = np.array([self.weights[c] for c in features.columns])
        values = features.to_numpy(dtype="float64")
        score = 0.0 - np.expm1(np.log1p(-values * w).sum(axis=1))
        fired = values > 0
        ids = np.array(features.columns, dtype=object)
        scores = pd.DataFrame({"account": features.index.to_numpy(), "score": score,
                               "n_typologies": fired.sum(axis=1).astype("int64"),
                               "typologies": [", ".join(ids[f]) for f in fired],
                               "n_transactions": n_tx.reindex(features.index).to_numpy(dtype="int64")})
        scores = scores.sort_values(["score", "account"], ascending=[False, True], kind="mergesort")
        scores.insert(2, "rank", np.arange(1, len(scores) + 1, dtype="int64"))
        return scores.reset_index(drop=True)

    def _hits(self, tx: pd.DataFrame, best: list[pd.DataFrame], scores: pd.DataFrame) -> pd.DataFrame:
        rank_of = pd.Series(scores["rank"].to_numpy(), index=scores["account"])
        parts = []
        for rule, b in zip(self.rules.rules, best):
            if b.empty:
                continue
            rows = tx.iloc[b["row"].to_numpy()]
            common = {"type": rows["type"].str.replace("_", " ").to_numpy(), "amount": rows["amount"].to_numpy(),
                      "currency": np.full(len(b), self.currency), "from_country": rows["from_country"].to_numpy(),
                      "to_country": rows["to_country"].to_numpy()}
            values = {**common, **{k: b[k].to_numpy() for k in KINDS[rule.kind][1]}}
            text = [rule.explanation.format(**{k: _fmt(v[i]) for k, v in values.items()}) for i in range(len(b))]
            parts.append(pd.DataFrame({"account": b["account"], "rank": rank_of.reindex(b["account"]).to_numpy(),
                                       "typology": rule.id, "title": rule.title,
                                       "source": self.rules.sources.get(rule.source, rule.source),
                                       "weight": self.weights[rule.id], "strength": b["strength"].round(3),
                                       "record": rows["record"].to_numpy(), "explanation": text,
                                       "_o": len(parts)}))
        cols = ["account", "rank", "typology", "title", "source", "weight", "strength", "record", "explanation"]
        if not parts:
            return pd.DataFrame(columns=cols)
        hits = pd.concat(parts, ignore_index=True).sort_values(["rank", "_o"], kind="mergesort")
        return hits[cols].reset_index(drop=True)
