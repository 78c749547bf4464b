"""Robustness to source grading: do the hot spots survive without the weakest sources?

A hot spot built on reports nobody can vouch for is a lead, not a finding.
:class:`RobustnessCheck` runs a hot spot analysis twice, on all incidents and again
without the weakest-graded ones (Admiralty grading: source reliability ``E``
"unreliable" or ``F`` "cannot be judged", or information credibility ``5`` "improbable"
or ``6`` "cannot be judged"; an incident with no grading recorded counts as weak, like
``F``/``6``), on the same study area, and marks each significant result of the first run
``robust`` when the second run still finds it:

- ``method="gi"`` (:class:`~workbench.analyse.getis_ord.GetisOrdHotspots`): a
  significant cell is robust when it is still significant with the same sign (hot stays
  hot, cold stays cold), whatever its confidence bin.
- ``method="emerging"`` (:class:`~workbench.analyse.emerging.EmergingHotspots`): a place
  with a pattern is robust when the second run still gives it a pattern of the same
  family (a hot pattern stays a hot pattern, cold stays cold); ``same_pattern`` says
  whether the class itself is unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

import numpy as np
import pandas as pd

from workbench.analyse.emerging import EmergingHotspots, NO_PATTERN, space_time_counts
from workbench.analyse.getis_ord import GetisOrdHotspots
from workbench.analyse.hexbin import hex_counts

#: Admiralty grades treated as weak by default.
WEAK_RELIABILITY = ("E", "F")
WEAK_CREDIBILITY = ("5", "6")


@dataclass
class RobustnessResults:
    """Results of :class:`RobustnessCheck`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per significant cell (``gi``) or patterned place (``emerging``) of the
        full run, strongest first, with the graded run's result beside it and ``robust``.
        ``gi``: ``h3_cell, hotspot_class, count, gi_z, q_value, count_graded,
        gi_z_graded, q_value_graded, class_graded, robust``. ``emerging``: ``h3_cell,
        pattern, count, count_graded, pattern_graded, same_pattern, robust``.
    full : HotspotResults or EmergingResults
        The run on all incidents.
    graded : HotspotResults or EmergingResults or None
        The run without the weak incidents (None when none are left).
    method : str
        ``"gi"`` or ``"emerging"``.
    n_incidents, n_dropped : int
        Incidents analysed, and how many of them were weakly graded.
    note : str
        Caveats; empty otherwise.
    """

    table: pd.DataFrame
    full: Any
    graded: Any
    method: str
    n_incidents: int
    n_dropped: int
    note: str = ""

    @property
    def robust(self) -> pd.DataFrame:
        """Rows of ``table`` that survive without the weak sources."""
        return self.table[self.table["robust"]]


def weak_grading(incidents: pd.DataFrame, weak_reliability: Iterable[str] = WEAK_RELIABILITY,
                 weak_credibility: Iterable[str] = WEAK_CREDIBILITY) -> pd.Series:
    """Which incidents are weakly graded.

    Parameters
    ----------
    incidents : pandas.DataFrame
        Store incidents with ``source_reliability`` and ``info_credibility``.
    weak_reliability, weak_credibility : iterable of str
        Weak grades (compared as upper-case text, so ``6`` and ``"6"`` agree).

    Returns
    -------
    pandas.Series
        Boolean per incident: a weak reliability *or* a weak credibility, or no grading.

    Raises
    ------
    ValueError
        When a grading column is missing.
    """
    missing = sorted({"source_reliability", "info_credibility"} - set(incidents.columns))
    if missing:
        raise ValueError(f"incidents lack column(s) {missing} needed to judge source grading")
    rel = {str(g).upper() for g in weak_reliability}
    cred = {str(g).upper() for g in weak_credibility}

    def weak(col: str, grades: set[str]) -> pd.Series:
        text = incidents[col].astype("string").str.strip().str.upper()
        return (text.isna() | text.eq("") | text.isin(grades)).fillna(True).astype(bool)

    return weak("source_reliability", rel) | weak("info_credibility", cred)


class RobustnessCheck:
    """Re-run a hot spot analysis without the weakest-graded sources.

    Settings are given here; the incidents to :meth:`fit` (scikit-learn style).

    Parameters
    ----------
    method : str
        ``"gi"`` (one map) or ``"emerging"`` (space-time patterns).
    resolution : int
        H3 resolution of the cells.
    k_ring : int
        Neighbourhood radius in cells.
    alpha : float
        False discovery rate.
    freq : str
        Time step of ``emerging`` (``"W-MON"`` or ``"MS"``).
    start, end : str, optional
        Period of the ``emerging`` cube (default: first and last incident).
    weak_reliability, weak_credibility : iterable of str
        Grades left out in the second run.

    Examples
    --------
    >>> check = RobustnessCheck(resolution=5).fit(incidents)  # doctest: +SKIP
    >>> check.table[["h3_cell", "hotspot_class", "robust"]]  # doctest: +SKIP
    """

    def __init__(self, method: str = "gi", resolution: int = 5, k_ring: int = 1,
                 alpha: float = 0.05, freq: str = "W-MON", start: str | None = None, end: str | None = None,
                 weak_reliability: Iterable[str] = WEAK_RELIABILITY,
                 weak_credibility: Iterable[str] = WEAK_CREDIBILITY) -> None:
        if method not in ("gi", "emerging"):
            raise ValueError(f"method must be 'gi' or 'emerging', got {method!r}")
        self.method = method
        self.resolution = resolution
        self.k_ring = k_ring
        self.alpha = alpha
        self.freq = freq
        self.start, self.end = start, end
        self.weak_reliability = tuple(weak_reliability)
        self.weak_credibility = tuple(weak_credibility)

    def fit(self, incidents: pd.DataFrame) -> RobustnessResults:
        """Run both analyses and compare them.

        Parameters
        ----------
        incidents : pandas.DataFrame
            Scoped store incidents (``h3_cell`` or ``lat``/``lon``, ``source_reliability``,
            ``info_credibility``; ``occurred_on`` for ``emerging``).

        Returns
        -------
        RobustnessResults
            The comparison table and both runs.

        Raises
        ------
        ValueError
            When the grading columns are missing, or no incident in scope has a location
            (nothing to test).
        """
        weak = weak_grading(incidents, self.weak_reliability, self.weak_credibility)
        kept = incidents[~weak.to_numpy()]
        n_dropped = int(weak.sum())
        if self.method == "gi":
            table, full, graded = self._gi(incidents, kept)
        else:
            table, full, graded = self._emerging(incidents, kept)
        notes = []
        if graded is None:
            notes.append("every incident in scope is weakly graded: no hot spot survives")
        if full.note:
            notes.append(full.note)
        return RobustnessResults(table=table, full=full, graded=graded, method=self.method,
                                 n_incidents=len(incidents), n_dropped=n_dropped, note="; ".join(notes))

    def _gi(self, incidents: pd.DataFrame, kept: pd.DataFrame) -> tuple[pd.DataFrame, Any, Any]:
        model = GetisOrdHotspots(k_ring=self.k_ring, alpha=self.alpha, permutations=0)
        full = model.fit(hex_counts(incidents, self.resolution))
        counts = hex_counts(kept, self.resolution)
        graded = None
        if len(counts):
            graded = model.fit(counts, study_area=full.table["h3_cell"])
        t = full.table[full.table["significant"]][["h3_cell", "hotspot_class", "count", "gi_z", "q_value"]]
        if graded is not None:
            g = graded.table.set_index("h3_cell").reindex(t["h3_cell"])
            t = t.assign(count_graded=g["count"].to_numpy(np.int64), gi_z_graded=g["gi_z"].to_numpy(),
                         q_value_graded=g["q_value"].to_numpy(), class_graded=g["hotspot_class"].to_numpy())
            t["robust"] = (g["significant"].to_numpy() & (np.sign(g["gi_z"].to_numpy()) == np.sign(t["gi_z"])))
        else:
            t = t.assign(count_graded=0, gi_z_graded=0.0, q_value_graded=1.0, class_graded="not_significant",
                         robust=False)
        t["robust"] = t["robust"].astype(bool)
        return t.sort_values("gi_z", key=np.abs, ascending=False, ignore_index=True), full, graded

    def _emerging(self, incidents: pd.DataFrame, kept: pd.DataFrame) -> tuple[pd.DataFrame, Any, Any]:
        cube = space_time_counts(incidents, freq=self.freq, resolution=self.resolution, start=self.start,
                                 end=self.end)
        if cube.empty:
            raise ValueError("no dated, located incidents in scope: nothing to test for emerging hot spots")
        model = EmergingHotspots(k_ring=self.k_ring, alpha=self.alpha)
        full = model.fit(cube)
        lo, hi = full.steps.min(), full.steps.max()
        kept_cube = space_time_counts(kept, freq=self.freq, resolution=self.resolution, start=lo, end=hi,
                                      places=list(full.table["h3_cell"]))
        graded = None
        if len(kept_cube) and kept_cube["count"].sum() > 0:
            graded = model.fit(kept_cube, study_area=full.table["h3_cell"])
        t = full.table[full.table["pattern"] != NO_PATTERN][["h3_cell", "pattern", "count"]]
        if graded is not None:
            g = graded.table.set_index("h3_cell").reindex(t["h3_cell"])
            family = t["pattern"].str.contains("hot").to_numpy()
            after = g["pattern"].astype(str)
            t = t.assign(count_graded=g["count"].to_numpy(np.int64), pattern_graded=after.to_numpy())
            t["same_pattern"] = t["pattern"].to_numpy() == after.to_numpy()
            t["robust"] = (after.ne(NO_PATTERN).to_numpy()
                           & (after.str.contains("hot").to_numpy() == family))
        else:
            t = t.assign(count_graded=0, pattern_graded=NO_PATTERN, same_pattern=False, robust=False)
        t["robust"] = t["robust"].astype(bool)
        return t.reset_index(drop=True), full, graded
