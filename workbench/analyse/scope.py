"""The scope of an analysis: region, period, exploitation type and sources, applied the
same way in every report; what a report stands on (the scope block); and the series
frequency the data's date precision supports.

Column contract with :mod:`workbench.analyse.series`: incidents carry
``occurred_precision`` in {day, month, quarter, year} (absent means day). A year-only
record is never placed in a month: :func:`frequency_for` picks the finest frequency that
the records' precision supports (``Y``, ``Q``, ``M`` or ``W``), and
:func:`series_frequency` turns it into the pandas alias the series builders take.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import pandas as pd

from workbench import catalog
from workbench.analyse import series
from workbench.taxonomy import load_taxonomy

#: Frequency letter -> (pandas alias for the series builders, season length, words).
FREQUENCIES: dict[str, tuple[str, int, str]] = {
    "Y": ("YS", 1, "yearly"), "Q": ("QS", 4, "quarterly"), "M": ("MS", 12, "monthly"), "W": ("W-MON", 52, "weekly"),
}
#: Date precision -> the finest frequency it supports.
_FINEST_OF_PRECISION = {"day": "W", "month": "M", "quarter": "Q", "year": "Y"}
_ORDER = ("W", "M", "Q", "Y")


@dataclass(frozen=True)
class Scope:
    """What a report looks at.

    Parameters
    ----------
    region : str
        ``"ALL"``, one ISO3 code, or several joined by commas (``"ESP,ITA"``).
    start, end : str
        Inclusive period on ``occurred_on`` (``YYYY-MM-DD``); empty means open.
    exploitation_type : str
        ``"ALL"`` or one taxonomy code.
    sources : str
        ``"ALL"`` or catalog entry names joined by commas: only incidents ingested from
        those entries are in scope.
    """

    region: str = "ALL"
    start: str = ""
    end: str = ""
    exploitation_type: str = "ALL"
    sources: str = "ALL"

    @property
    def source_entries(self) -> list[str] | None:
        """Catalog entries in scope, or None for all."""
        text = str(self.sources or "").strip()
        if text.upper() in ("", "ALL"):
            return None
        return [s.strip() for s in text.split(",") if s.strip()]

    @property
    def countries(self) -> list[str] | None:
        """ISO3 codes in scope, or None for all."""
        if self.region.strip().upper() in ("", "ALL"):
            return None
        return [c.strip().upper() for c in self.region.split(",") if c.strip()]

    def apply(self, incidents: pd.DataFrame) -> pd.DataFrame:
        """Keep the incidents in scope.

        Parameters
        ----------
        incidents : pandas.DataFrame
            Store incidents.

        Returns
        -------
        pandas.DataFrame
            The rows in scope (incidents without a date are outside any bounded period).
        """
        keep = pd.Series(True, index=incidents.index)
        if self.source_entries is not None:
            known = set(incidents["catalog_entry"].dropna().unique()) if "catalog_entry" in incidents else set()
            try:
                known |= {e.name for e in catalog.sources()}
            except Exception:  # noqa: BLE001 - no catalog (a bare frame): the data's own entries
                pass
            unknown = [s for s in self.source_entries if s not in known]
            if unknown:
                raise ValueError(f"sources {unknown} are not catalog source entries; known: {sorted(known)}")
            keep &= incidents["catalog_entry"].isin(self.source_entries).fillna(False).astype(bool)
        if self.countries is not None:
            keep &= incidents["country_iso3"].isin(self.countries).fillna(False).astype(bool)
        if self.start:
            keep &= (incidents["occurred_on"] >= pd.Timestamp(self.start)).fillna(False).astype(bool)
        if self.end:
            keep &= (incidents["occurred_on"] <= pd.Timestamp(self.end)).fillna(False).astype(bool)
        if self.exploitation_type.upper() != "ALL":
            if not load_taxonomy().is_valid("exploitation_types", self.exploitation_type):
                raise ValueError(f"exploitation_type {self.exploitation_type!r} is not in the taxonomy")
            keep &= incidents["exploitation_types"].map(lambda v: self.exploitation_type in list(v))
        return incidents.loc[keep]

    def type_label(self) -> str:
        """Words for what is counted: ``"trafficking"``, or the exploitation type's label."""
        if self.exploitation_type.upper() == "ALL":
            return "trafficking"
        return load_taxonomy().label("exploitation_types", self.exploitation_type).lower()

    def describe(self) -> str:
        """Return a one-line description for report headers."""
        region = "all regions" if self.countries is None else ", ".join(self.countries)
        etype = "all exploitation types" if self.exploitation_type.upper() == "ALL" else self.exploitation_type
        period = f"{self.start or 'start'} to {self.end or 'latest'}"
        sources = "" if self.source_entries is None else f"; sources {', '.join(self.source_entries)}"
        return f"{region}; {etype}; {period}{sources}"

    def trailing(self, months: int, latest: pd.Timestamp | None = None) -> "Scope":
        """Return the same scope over the ``months`` whole months ending with its period.

        Parameters
        ----------
        months : int
            Length of the window in months.
        latest : pandas.Timestamp, optional
            End to use when this scope's period is open-ended (e.g. the latest incident).

        Returns
        -------
        Scope
            Same region and type; ``start`` at the first day of the first month.
        """
        end = pd.Timestamp(self.end) if self.end else pd.Timestamp(latest)
        start = (end.to_period("M") - (months - 1)).to_timestamp()
        return Scope(self.region, str(start.date()), str(end.date()), self.exploitation_type, self.sources)

    def block(self, incidents: pd.DataFrame, policy: Any, quarantine: pd.DataFrame | None = None):
        """The scope block of a report: what it stands on (see :func:`scope_block_html`).

        Parameters
        ----------
        incidents : pandas.DataFrame
            The incidents in scope (after :meth:`apply`).
        policy : DisclosurePolicy
            The audience's policy (``k``, ``suppress``).
        quarantine : pandas.DataFrame, optional
            The store's quarantine (``catalog.load("quarantine")``).

        Returns
        -------
        IPython.display.HTML
            The block.
        """
        return scope_block_html(scope_summary(incidents, quarantine, self), policy)


def frequency_for(incidents: pd.DataFrame, finest: str = "M", coverage: float = 0.9) -> str:
    """Choose the series frequency the incidents' date precision supports.

    The finest frequency (no finer than ``finest``) at which at least ``coverage`` of the
    dated records can be placed: day-precise records support weeks, month-precise months,
    quarter-precise quarters, year-only records only years. A year-only record is never
    placed in a month.

    Parameters
    ----------
    incidents : pandas.DataFrame
        Incidents with ``occurred_on`` and ``occurred_precision`` (absent means day).
    finest : str
        The finest frequency wanted: ``"W"``, ``"M"`` (reports' default), ``"Q"``, ``"Y"``.
    coverage : float
        Share of dated records that must be placeable at the chosen frequency.

    Returns
    -------
    str
        ``"Y"``, ``"Q"``, ``"M"`` or ``"W"``.
    """
    if finest not in _ORDER:
        raise ValueError(f"finest must be one of {_ORDER}, got {finest!r}")
    if incidents.empty or "occurred_on" not in incidents:
        return finest
    dated = incidents[incidents["occurred_on"].notna()]
    if dated.empty:
        return finest
    precision = (dated["occurred_precision"].fillna("day") if "occurred_precision" in dated
                 else pd.Series("day", index=dated.index)).astype(str)
    finest_of = precision.map(_FINEST_OF_PRECISION).fillna("W")
    rank = finest_of.map(_ORDER.index)
    for letter in _ORDER[_ORDER.index(finest):]:
        if (rank <= _ORDER.index(letter)).mean() >= coverage:
            return letter
    return "Y"


def series_frequency(incidents: pd.DataFrame, parameter: str = "auto", finest: str = "M") -> tuple[str, int, str]:
    """The pandas frequency alias, season length and a note for a report's series.

    Parameters
    ----------
    incidents : pandas.DataFrame
        The incidents in scope.
    parameter : str
        ``"auto"`` (from the data's precision, :func:`frequency_for`) or a letter
        ``Y``/``Q``/``M``/``W`` a report parameter asks for.
    finest : str
        Finest frequency considered by ``auto``.

    Returns
    -------
    tuple
        ``(alias, season_length, note)``: e.g. ``("YS", 1, "yearly series: ...")``. When
        the series builders do not yet support the chosen alias, the finest supported
        one is used and the note says that year-only records then fall in January.
    """
    letter = frequency_for(incidents, finest) if str(parameter).lower() == "auto" else str(parameter).upper()[:1]
    if letter not in FREQUENCIES:
        raise ValueError(f"frequency {parameter!r} is not auto, Y, Q, M or W")
    alias, season, words = FREQUENCIES[letter]
    why = "chosen from the records' date precision" if str(parameter).lower() == "auto" else "as asked"
    supported = getattr(series, "FREQS", {alias: None})
    if alias not in supported:
        note = (f"{words} series {why}, but the series builders do not support {alias!r} yet: shown monthly, so "
                "records known only to the year or quarter fall in its first month")
        return "MS", 12, note
    return alias, season, f"{words} series {why}"


def scope_summary(incidents: pd.DataFrame, quarantine: pd.DataFrame | None = None,
                  scope: Scope | None = None) -> pd.DataFrame:
    """Count what a report stands on: records used and how many of them are incomplete.

    Parameters
    ----------
    incidents : pandas.DataFrame
        The incidents in scope.
    quarantine : pandas.DataFrame, optional
        The store's quarantine; the records of the sources in scope are counted (a
        quarantined record cannot be placed in a region or period: it was unreadable).
    scope : Scope, optional
        The scope (for its ``sources``).

    Returns
    -------
    pandas.DataFrame
        Columns ``measure``, ``records``, ``share`` (of records used; NaN for the
        quarantine line), in a fixed order: records used, no recorded exploitation type,
        place unknown, place known only to the country, date unknown, date to the year,
        to the quarter, to the month, quarantined.
    """
    n = len(incidents)
    types = incidents["exploitation_types"] if "exploitation_types" in incidents else pd.Series([], dtype=object)
    untyped = int(types.map(lambda v: list(v) == ["not_recorded"] if v is not None else True).sum()) if n else 0
    lat = incidents["lat"] if "lat" in incidents else pd.Series(float("nan"), index=incidents.index)
    country = incidents["country_iso3"] if "country_iso3" in incidents else pd.Series(None, index=incidents.index)
    nowhere = int((lat.isna() & (country.isna() | (country == "UNK"))).sum()) if n else 0
    country_only = int((lat.isna() & country.notna() & (country != "UNK")).sum()) if n else 0
    precision = (incidents["occurred_precision"] if "occurred_precision" in incidents
                 else pd.Series("day", index=incidents.index))
    dated = incidents["occurred_on"].notna() if "occurred_on" in incidents else pd.Series(False, index=incidents.index)
    rows = [
        ("records used", n),
        ("no recorded exploitation type", untyped),
        ("place unknown", nowhere),
        ("place known only to the country", country_only),
        ("date unknown", int((~dated).sum()) if n else 0),
        ("date known only to the year", int((dated & (precision == "year")).sum()) if n else 0),
        ("date known only to the quarter", int((dated & (precision == "quarter")).sum()) if n else 0),
        ("date known only to the month", int((dated & (precision == "month")).sum()) if n else 0),
    ]
    frame = pd.DataFrame(rows, columns=["measure", "records"])
    frame["share"] = frame["records"] / n if n else float("nan")
    if quarantine is not None:
        entries = scope.source_entries if scope is not None else None  # None: every source
        q = quarantine if entries is None else quarantine[quarantine["catalog_entry"].isin(entries)]
        frame.loc[len(frame)] = ["quarantined (wrong or unreadable) from the sources in scope", len(q), float("nan")]
    return frame


def scope_block_html(summary: pd.DataFrame, policy: Any):  # -> IPython.display.HTML
    """Render a scope summary as a small HTML block, disclosure-controlled.

    For audiences whose counts are suppressed, a count below ``policy.k`` is shown as
    ``<k`` and no share is given of it or of a total below ``k``.

    Parameters
    ----------
    summary : pandas.DataFrame
        From :func:`scope_summary`.
    policy : DisclosurePolicy
        ``k`` and ``suppress``.

    Returns
    -------
    IPython.display.HTML
        A ``wb-scope`` block: one line per measure (zero lines other than the first are
        left out).
    """
    from IPython.display import HTML

    k = int(getattr(policy, "k", 10))
    suppress = bool(getattr(policy, "suppress", True))
    total = int(summary["records"].iloc[0]) if len(summary) else 0
    items = []
    for i, row in enumerate(summary.itertuples(index=False)):
        n = int(row.records)
        if i and n == 0:
            continue
        small = suppress and 0 < n < k
        count = f"&lt;{k}" if small else f"{n:,}"
        share = ""
        if not small and pd.notna(row.share) and i and not (suppress and total < k):
            share = f" ({row.share:.0%})"
        items.append(f"<li>{html.escape(str(row.measure)).capitalize()}: {count}{share}</li>")
    return HTML('<div class="wb-scope"><strong>What this report stands on</strong><ul>'
                + "".join(items) + "</ul></div>")
