"""The ledger's definitions: its scope, its contents, their columns and its JSON form."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

#: Version of the ledger's layout and definitions (part of the key).
LEDGER_VERSION = 3
#: Months of history behind the surge check.
SURGE_HISTORY_MONTHS = 36
#: Monthly steps of the emerging hot spot analysis.
EMERGING_STEPS = 12
#: Corridors with fewer incidents over both quarters are listed but never judged.
MIN_CORRIDOR_INCIDENTS = 20
#: Conditional permutations of the hotspot test when counts are sparse (seeded; as assess(); 199 cannot
#: reach FDR 5% over a few dozen cells, since its smallest p-value is 1/200).
HOTSPOT_PERMUTATIONS = 999

#: The modules (files, or packages: every ``.py`` file in them) whose code defines the findings.
DEFINING_MODULES = ("findings", "share/assessment", "analyse/routes", "analyse/getis_ord", "analyse/emerging",
                    "analyse/forecast/ladder")


@lru_cache(maxsize=1)
def _code_hash() -> str:
    """Hash of the modules that define the findings (a changed definition never reads an old ledger)."""
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    for name in DEFINING_MODULES:
        module, package = root / f"{name}.py", root / name
        for path in [module] if module.is_file() else sorted(package.glob("*.py")):
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


class Period(NamedTuple):
    """The judged period of a ledger: month starts, or year starts for year-only records.

    Attributes
    ----------
    end : pandas.Timestamp
        First day of the last month judged (December of the latest year when ``yearly``).
    stop : pandas.Timestamp
        First day after the judged period.
    mid : pandas.Timestamp
        Start of the latest window (the previous window ends the day before).
    start : pandas.Timestamp
        Start of the previous window.
    yearly : bool
        Whether the records are dated only to the year (windows are then whole years).
    """

    end: pd.Timestamp
    stop: pd.Timestamp
    mid: pd.Timestamp
    start: pd.Timestamp
    yearly: bool


@dataclass(frozen=True)
class FindingsScope:
    """The parameters that define a ledger's data.

    Attributes
    ----------
    region : str
        ``"ALL"`` or ISO3 codes joined by commas.
    exploitation_type : str
        ``"ALL"`` or a taxonomy code.
    sources : str
        ``"ALL"`` or catalog source entries joined by commas (as the reports' ``sources``).
    end_month : str
        Last month judged (``YYYY-MM``); empty for the last complete month of the data.
    window_months : int
        Length of the hotspot windows and of the top-corridor window.
    trend_months : int
        Length of the trend window.
    resolution : int
        H3 resolution of the hotspot analysis (the audience's).
    """

    region: str = "ALL"
    exploitation_type: str = "ALL"
    sources: str = "ALL"
    end_month: str = ""
    window_months: int = 6
    trend_months: int = 24
    resolution: int = 5

    def key(self, store_hash: str | None) -> str:
        """Return the ledger's file key for this scope and store contents.

        Parameters
        ----------
        store_hash : str or None
            SHA-256 of the store manifest.

        Returns
        -------
        str
            A 20-character hex key.
        """
        raw = json.dumps({"v": LEDGER_VERSION, "code": _code_hash(), "scope": asdict(self), "store": store_hash},
                         sort_keys=True)
        return hashlib.sha256(raw.encode()).hexdigest()[:20]


@dataclass
class Findings:
    """A run's findings for one scope (see the module docstring).

    Attributes
    ----------
    scope : FindingsScope
        Parameters of the ledger.
    end_month : str
        The last month judged (resolved).
    windows : dict
        ``latest``/``previous`` hotspot windows and the corridor ``current``/``baseline``
        windows, as ``[first day, last day]`` ISO dates.
    totals : dict
        ``incidents`` in scope (all dates), in the ``latest`` and ``previous`` windows.
    surges : pandas.DataFrame
        ``series, country, month, observed, expected, upper, model, beats_baseline``.
    forecast : pandas.DataFrame
        Model choice per series: ``series, country, model, mase, baseline_mase, beats_baseline``.
    hotspots : pandas.DataFrame
        ``place, country_iso3, new, incidents, probability, cells, lat, lon`` (one row per area).
    corridors : pandas.DataFrame
        Corridor change (latest complete quarter against the same quarter a year before):
        ``origin, transit, destination, domestic, baseline, current, rate_ratio,
        q_value, growth, corridor`` (names in ``corridor``).
    top_corridors : pandas.DataFrame
        ``origin, transit, destination, count, from_nationality, corridor`` over the
        latest window, largest first.
    trends : pandas.DataFrame
        ``country, direction, probability, term`` per judged country.
    emerging : pandas.DataFrame
        Emerging hot spot class per H3 cell (12 monthly steps to ``end_month``):
        ``h3_cell, pattern, count`` for cells with a pattern.
    emerging_patterns : pandas.DataFrame
        ``pattern, places``: how many cells fall in each class.
    judgements : list of dict
        Ranked Key Judgements (``KeyJudgement`` fields).
    withheld : list of dict
        Candidates withheld by the artefact checks: ``kind, subject, reason``.
    hotspot_inference : str
        The hotspot test's inference note (:attr:`HotspotResults.inference_note`).
    frequency : str
        ``"M"``, or ``"Y"`` when the records are dated only to the year
        (:func:`workbench.analyse.scope.frequency_for`): windows are then whole years
        (the latest year against the year before) and statements say so.
    provenance : dict
        Store manifest SHA-256, git commit, computing time.
    key : str
        The ledger's key in the store.
    """

    scope: FindingsScope
    end_month: str
    windows: dict[str, list[str]] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    surges: pd.DataFrame = field(default_factory=pd.DataFrame)
    forecast: pd.DataFrame = field(default_factory=pd.DataFrame)
    hotspots: pd.DataFrame = field(default_factory=pd.DataFrame)
    corridors: pd.DataFrame = field(default_factory=pd.DataFrame)
    top_corridors: pd.DataFrame = field(default_factory=pd.DataFrame)
    trends: pd.DataFrame = field(default_factory=pd.DataFrame)
    emerging: pd.DataFrame = field(default_factory=pd.DataFrame)
    emerging_patterns: pd.DataFrame = field(default_factory=pd.DataFrame)
    judgements: list[dict[str, Any]] = field(default_factory=list)
    provenance: dict[str, Any] = field(default_factory=dict)
    key: str = ""
    withheld: list[dict[str, str]] = field(default_factory=list)
    hotspot_inference: str = ""
    frequency: str = "M"

    _TABLES = ("surges", "forecast", "hotspots", "corridors", "top_corridors", "trends", "emerging",
               "emerging_patterns")

    def growing_corridors(self) -> pd.DataFrame:
        """Corridors the change test calls growing or new (the only ones any report may call so).

        Returns
        -------
        pandas.DataFrame
            Rows of :attr:`corridors`.
        """
        if self.corridors.empty:
            return self.corridors
        return self.corridors[self.corridors["growth"].isin(["growing", "new"])].reset_index(drop=True)

    def finding_ids(self) -> set[str]:
        """Identifiers of every finding in the ledger (reports tag their statements with them).

        Returns
        -------
        set of str
            ``surge:<series>:<YYYY-MM>``, ``hotspot:<place>``, ``corridor:<O>-<T>-<D>:<growth>``,
            ``trend:<country>:<direction>``, ``judgement:<kind>:<subject>``, ``total:incidents``.
        """
        ids = {"total:incidents", "total:latest", "total:previous"}
        ids |= {f"surge:{r.series}:{r.month}" for r in self.surges.itertuples()}
        ids |= {f"hotspot:{r.place}" for r in self.hotspots.itertuples()}
        ids |= {corridor_id(r.origin, r.transit, r.destination, r.growth) for r in self.corridors.itertuples()}
        ids |= {f"trend:{r.country}:{r.direction}" for r in self.trends.itertuples()}
        ids |= {f"emerging:{r.pattern}" for r in self.emerging_patterns.itertuples()}
        ids |= {corridor_id(r.origin, r.transit, r.destination, "largest") for r in self.top_corridors.itertuples()}
        ids |= {f"judgement:{j['kind']}:{j['subject']}" for j in self.judgements}
        return ids

    def to_json(self) -> str:
        """Serialise the ledger (tables as records).

        Returns
        -------
        str
            JSON text.
        """
        raw: dict[str, Any] = {
            "version": LEDGER_VERSION, "key": self.key, "parameters": asdict(self.scope), "end_month": self.end_month,
            "windows": self.windows, "totals": self.totals, "judgements": self.judgements,
            "withheld": self.withheld, "hotspot_inference": self.hotspot_inference, "frequency": self.frequency,
            "provenance": self.provenance,
        }
        for name in self._TABLES:
            raw[name] = json.loads(getattr(self, name).to_json(orient="records", date_format="iso"))
        return json.dumps(raw, indent=1, default=str)

    @classmethod
    def from_json(cls, text: str) -> "Findings":
        """Read a ledger written by :meth:`to_json`.

        Parameters
        ----------
        text : str
            JSON text.

        Returns
        -------
        Findings
            The ledger.
        """
        raw = json.loads(text)
        tables = {name: pd.DataFrame(raw.get(name) or [], columns=_COLUMNS[name]) for name in cls._TABLES}
        return cls(scope=FindingsScope(**raw["parameters"]), end_month=raw["end_month"], windows=raw["windows"],
                   totals=raw["totals"], judgements=raw["judgements"], provenance=raw["provenance"],
                   key=raw["key"], withheld=raw.get("withheld") or [],
                   hotspot_inference=raw.get("hotspot_inference") or "", frequency=raw.get("frequency") or "M",
                   **tables)


_COLUMNS = {
    "surges": ["series", "country", "month", "observed", "expected", "upper", "model", "beats_baseline"],
    "forecast": ["series", "country", "model", "mase", "baseline_mase", "beats_baseline"],
    "hotspots": ["place", "country_iso3", "new", "incidents", "probability", "cells", "lat", "lon"],
    "corridors": ["origin", "transit", "destination", "domestic", "baseline", "current", "rate_ratio", "q_value", "growth",
                  "corridor"],
    "top_corridors": ["origin", "transit", "destination", "count", "from_nationality", "corridor"],
    "trends": ["country", "direction", "probability", "term"],
    "emerging": ["h3_cell", "pattern", "count"],
    "emerging_patterns": ["pattern", "places"],
}


def corridor_id(origin: str, transit: str, destination: str, growth: str = "") -> str:
    """Identifier of a corridor finding.

    Parameters
    ----------
    origin, transit, destination : str
        ISO3 codes (``transit`` empty for a direct route).
    growth : str
        Growth label.

    Returns
    -------
    str
        ``corridor:<origin>-<transit or direct>-<destination>:<growth>``.
    """
    return f"corridor:{origin}-{transit or 'direct'}-{destination}:{growth}"
