"""Hot spots of the ledger: Gi* over the latest window against the window before, and the
emerging hot spot classes."""

from __future__ import annotations

from typing import Any

import h3
import numpy as np
import pandas as pd

from workbench.analyse.emerging import recent_emerging
from workbench.analyse.getis_ord import GetisOrdHotspots
from workbench.analyse.hexbin import hex_counts
from workbench.findings.ledger import _COLUMNS, EMERGING_STEPS, HOTSPOT_PERMUTATIONS, Findings, Period
from workbench.grid import connected_areas
from workbench.places.naming import area_city


def hotspot_findings(out: Findings, latest: pd.DataFrame, earlier: pd.DataFrame, judge: Any,
                     withheld: list) -> list:
    """Fill ``out.hotspots`` and ``out.hotspot_inference``; return the hot spot judgements.

    Parameters
    ----------
    out : Findings
        The ledger being computed (its ``scope`` gives the resolution and the type).
    latest, earlier : pandas.DataFrame
        Dated incidents of the latest window and of the window before.
    judge : module-like or None
        The judgement builders (see :func:`workbench.findings.compute_findings`).
    withheld : list
        Collects the candidates the artefact checks withheld.

    Returns
    -------
    list
        Key Judgements (empty without ``judge``).
    """
    scope = out.scope

    def gi(frame: pd.DataFrame) -> GetisOrdHotspots | None:
        counts = hex_counts(frame, resolution=scope.resolution)
        return (GetisOrdHotspots(permutations=HOTSPOT_PERMUTATIONS, seed=0, inference="auto").fit(counts)
                if len(counts) > 1 else None)

    type_label = ("trafficking" if scope.exploitation_type.upper() == "ALL"
                  else scope.exploitation_type.replace("_", " "))
    current = gi(latest)
    out.hotspot_inference = getattr(current, "inference_note", "") if current is not None else ""
    hot_judgements = (judge.hotspot_judgements(current, gi(earlier), latest, type_label, withheld=withheld)
                      if judge else [])
    out.hotspots = _hotspot_rows(current, hot_judgements)
    return hot_judgements


def emerging_findings(out: Findings, data: pd.DataFrame, period: Period) -> None:
    """Fill ``out.emerging`` and ``out.emerging_patterns``: 12 monthly steps to the end month.

    Parameters
    ----------
    out : Findings
        The ledger being computed.
    data : pandas.DataFrame
        Incidents in scope.
    period : Period
        The judged period.
    """
    day = pd.Timedelta(days=1)
    emerging = recent_emerging(data, resolution=out.scope.resolution, steps=EMERGING_STEPS, freq="MS",
                               end=period.stop - day)
    if emerging is not None:
        table = emerging.table[emerging.table["pattern"] != "no pattern detected"]
        out.emerging = table[["h3_cell", "pattern", "count"]].reset_index(drop=True)
        patterns = emerging.patterns[emerging.patterns["places"] > 0]
        out.emerging_patterns = patterns[["pattern", "places"]].reset_index(drop=True)


def _hotspot_rows(current: Any, judged: list) -> pd.DataFrame:
    """One row per judged hot area, with the place name the judgement uses."""
    if current is None or not judged:
        return pd.DataFrame(columns=_COLUMNS["hotspots"])
    table = current.table
    hot = table[table["significant"] & (table["gi_z"] > 0)]
    rows = []
    for j in judged:
        # the areas are rebuilt from the cells the judgement counted (same grouping, same order)
        rows.append({"place": j.subject, "new": j.kind == "new_hotspot",
                     "incidents": int(j.evidence.get("incidents in the area", 0)), "probability": j.probability})
    areas = connected_areas(list(hot["h3_cell"]))
    for row, area in zip(rows, areas):
        lat, lon = np.mean([h3.cell_to_latlng(c) for c in area], axis=0)
        city = area_city(float(lat), float(lon))
        row.update({"country_iso3": city["country_iso3"] if city else None, "cells": list(area),
                    "lat": round(float(lat), 4), "lon": round(float(lon), 4)})
    return pd.DataFrame(rows, columns=_COLUMNS["hotspots"])
