"""Typology rules as data: the rule and rule-set types, loading and checking the YAML,
and the explanation templates filled with an account's numbers."""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

#: Fields a rule may count distinct values of (``distinct_<field>``).
DISTINCT_FIELDS: tuple[str, ...] = ("city", "counterparty", "country_iso3", "merchant_category")
#: Fields a rule's ``where`` may test.
WHERE_FIELDS: tuple[str, ...] = ("direction", "channel", "merchant_category", "hour", "country_iso3", "city",
                                 "currency")
_RULE_KEYS = {"id", "title", "source", "weight", "description", "where", "condition", "explanation", "window_days"}


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

    def mark_fired(self, evidence: pd.DataFrame, window_days: int) -> pd.DataFrame:
        """Mark which accounts fire the rule (the same test on pandas and on DuckDB evidence).

        Parameters
        ----------
        evidence : pandas.DataFrame
            The rule's per-account evidence, with a column per condition key (``count``,
            ``amount``, ``distinct_<field>``).
        window_days : int
            The window the evidence covers.

        Returns
        -------
        pandas.DataFrame
            ``evidence`` (changed in place) with ``ratio`` (the smallest value / threshold
            over the conditions), ``fired`` (ratio >= 1), ``typology`` and ``window_days``.
        """
        ratio = np.full(len(evidence), np.inf)
        for key, threshold in self.condition.items():
            ratio = np.minimum(ratio, evidence[key].to_numpy(dtype="float64") / threshold)
        evidence["ratio"] = ratio
        evidence["fired"] = ratio >= 1.0
        evidence["typology"] = self.id
        evidence["window_days"] = window_days
        return evidence


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


def _check_text_fields(where: str, raw: Mapping[str, Any], sources: Mapping[str, str]) -> None:
    """Title, source, description and explanation: non-empty strings; the source is known."""
    for key in ("title", "source", "description", "explanation"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise ValueError(f"{where}: field {key!r}={raw.get(key)!r}: expected a non-empty string")
    if raw["source"] not in sources:
        raise ValueError(f"{where}: field 'source'={raw['source']!r}: expected one of {sorted(sources)}")


def _check_where(where: str, filt: Any) -> None:
    """The ``where`` block: known fields, each with a test of the right shape."""
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


def _check_condition(where: str, cond: Any) -> None:
    """The ``condition`` block: count, amount or distinct_<field> with positive thresholds."""
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


def _check_template(where: str, rule: Rule) -> None:
    """The explanation template must format with the rule's own evidence names."""
    try:
        _explanation(rule, {"count": 1, "amount": 1.0, **{f"distinct_{f}": 1 for f in rule.distinct_fields}},
                     window_days=30, currency="EUR", params={})
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError(f"{where}: field 'explanation': unknown placeholder {exc}; use count, amount, "
                         "distinct[field], threshold[name], where[field], window_days, currency") from exc


def _parse_rule(version: str, raw: Any, sources: Mapping[str, str], seen: set[str]) -> Rule:
    """Check one raw rule (errors name the rule and field) and build the :class:`Rule`."""
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
    _check_text_fields(where, raw, sources)
    _check_weight(version, rid, raw.get("weight"))
    filt = raw.get("where") or {}
    _check_where(where, filt)
    cond = raw.get("condition")
    _check_condition(where, cond)
    window = raw.get("window_days")
    if window is not None and (not isinstance(window, int) or window < 1):
        raise ValueError(f"{where}: field 'window_days'={window!r}: expected a positive integer")
    rule = Rule(rid, raw["title"].strip(), raw["source"], float(raw["weight"]), " ".join(raw["description"].split()),
                dict(filt), {k: float(v) for k, v in cond.items()}, " ".join(raw["explanation"].split()), window)
    _check_template(where, rule)
    seen.add(rid)
    return rule


def read_typologies(rules: None | str | Path | Mapping[str, Any]) -> Any:
    """Read the typology YAML (account rules and transaction rules live in the same file).

    Parameters
    ----------
    rules : None, str, Path or mapping
        None: the packaged ``resources/typologies.yaml``; a path to a YAML file; or the
        parsed YAML, returned as given.

    Returns
    -------
    object
        The parsed YAML (callers check its shape and name the field at fault).
    """
    if rules is None:
        return yaml.safe_load(resources.files("workbench").joinpath("resources/typologies.yaml").read_text("utf-8"))
    if isinstance(rules, (str, Path)):
        return yaml.safe_load(Path(rules).read_text(encoding="utf-8"))
    return rules


def source_citations(sources: Mapping[str, Any]) -> dict[str, str]:
    """The typology sources as ``key -> citation`` (white space folded).

    Parameters
    ----------
    sources : mapping
        The YAML's ``sources``: key -> citation text, or key -> mapping with ``citation``.

    Returns
    -------
    dict
        Key -> one-line citation.
    """
    return {str(k): " ".join(str(v.get("citation", "") if isinstance(v, Mapping) else v).split())
            for k, v in sources.items()}


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
    raw = read_typologies(rules)
    if not isinstance(raw, Mapping):
        raise ValueError(f"typologies: expected a mapping with version, sources, rules; got {type(raw).__name__}")
    version = raw.get("version")
    if not isinstance(version, str) or not version:
        raise ValueError(f"typologies: field 'version'={version!r}: expected a non-empty string such as '2026.1'")
    srcs = raw.get("sources")
    if not isinstance(srcs, Mapping) or not srcs:
        raise ValueError(f"typologies {version}: field 'sources': expected a mapping of source key -> citation")
    sources = source_citations(srcs)
    items = raw.get("rules")
    if not isinstance(items, list) or not items:
        raise ValueError(f"typologies {version}: field 'rules': expected a non-empty list")
    seen: set[str] = set()
    return RuleSet(version, sources, tuple(_parse_rule(version, r, sources, seen) for r in items))



def _as_list(value: Any) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value]



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


def _explanation_fixed(rule: Rule, window_days: int, currency: str,
                       params: Mapping[str, tuple[str, ...]]) -> dict[str, Any]:
    """The parts of a rule's explanation that do not depend on the account."""
    return {"threshold": {k: _number(v) for k, v in rule.condition.items()},
            "where": {k: _fmt_where(v, params) for k, v in rule.where.items()},
            "window_days": str(window_days), "currency": currency}


def _explanation(rule: Rule, evidence: Mapping[str, Any], window_days: int, currency: str,
                 params: Mapping[str, tuple[str, ...]], fixed: Mapping[str, Any] | None = None,
                 fields: tuple[str, ...] | None = None) -> str:
    """Fill a rule's explanation template with an account's evidence.

    ``fixed`` (from :func:`_explanation_fixed`) and ``fields`` (the rule's distinct
    fields) may be passed precomputed when many explanations of one rule are made.
    """
    values = {
        "count": f"{int(evidence.get('count', 0)):,}",
        "amount": _fmt_amount(float(evidence.get("amount", 0.0))),
        "distinct": {f: f"{int(evidence.get(f'distinct_{f}', 0)):,}"
                     for f in (rule.distinct_fields if fields is None else fields)},
        **(fixed if fixed is not None else _explanation_fixed(rule, window_days, currency, params)),
    }
    return rule.explanation.format(**values)
