"""First-level divisions (states, provinces, regions): names to country and centroid.

Two sources, both offline:

- Natural Earth admin-1 (``ne_50m_admin_1_states_provinces``, public domain): the 50m
  scale holds the divisions of nine large countries (USA, Canada, Brazil, Russia, India,
  China, Indonesia, Australia, South Africa) with their names in several languages and a
  label point. The columns used are extracted once by :func:`build_natural_earth_table`
  into ``resources/admin1_natural_earth.csv`` (the geojson itself lives in
  ``data/reference/``);
- ``pycountry`` subdivisions (ISO 3166-2) for every other country: top-level divisions
  divisions and the provinces/departments below them, no municipalities, names without
  coordinates.

:func:`admin1_index` maps each folded name to ``(iso3, name, lat, lon)`` entries.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd

from workbench.text.fold import fold_text

#: Natural Earth name columns read (the place's own name and its exonyms).
NAME_COLUMNS = ("name", "name_en", "name_es", "name_fr", "name_pt", "gn_name", "woe_name")
#: ISO 3166-2 subdivision types kept from pycountry (first-level areas people name).
PYCOUNTRY_TYPES = frozenset({
    "state", "province", "region", "autonomous community", "autonomous region", "department",
    "federal district", "district", "governorate", "canton", "county", "prefecture", "emirate",
    "autonomous republic", "republic", "territory", "capital district", "capital city", "metropolitan region",
    "metropolitan department", "overseas region", "administrative region", "division", "oblast",
    "two-tier county", "council area", "unitary authority",
})
#: Types kept even below a parent division (Spanish and Italian provinces, French departments...).
PARENTED_TYPES = frozenset({"province", "department", "metropolitan department", "district",
                            "council area", "state", "metropolitan region", "two-tier county", "unitary authority"})
_RESOURCE = "resources/admin1_natural_earth.csv"


def build_natural_earth_table(geojson: str | Path) -> pd.DataFrame:
    """Extract the admin-1 columns the geoparser needs from the Natural Earth geojson.

    Parameters
    ----------
    geojson : str or Path
        ``ne_50m_admin_1_states_provinces.geojson``.

    Returns
    -------
    pandas.DataFrame
        ``iso3, name, names (";"-joined exonyms), postal, kind, lat, lon``.
    """
    features = json.loads(Path(geojson).read_text(encoding="utf-8"))["features"]
    rows = []
    for feature in features:
        prop = feature["properties"]
        names = sorted({str(prop[c]).strip() for c in NAME_COLUMNS if prop.get(c)} - {""})
        rows.append({"iso3": prop["adm0_a3"], "name": prop["name"], "names": ";".join(names),
                     "postal": prop.get("postal") or "", "kind": prop.get("type_en") or "",
                     "lat": float(prop["latitude"]), "lon": float(prop["longitude"])})
    return pd.DataFrame(rows).sort_values(["iso3", "name"]).reset_index(drop=True)


@lru_cache(maxsize=1)
def natural_earth() -> pd.DataFrame:
    """Return the bundled Natural Earth admin-1 table (see :func:`build_natural_earth_table`).

    Returns
    -------
    pandas.DataFrame
        ``iso3, name, names, postal, kind, lat, lon``.
    """
    with resources.files("workbench").joinpath(_RESOURCE).open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, keep_default_na=False, dtype={"postal": str})


@lru_cache(maxsize=1)
def admin1_index() -> dict[str, list[tuple[str, str, float | None, float | None]]]:
    """Folded first-level division name -> ``[(iso3, name, lat, lon), ...]``.

    Natural Earth entries carry a label point; pycountry-only entries have no
    coordinates (the geoparser then reports the division at country precision).

    Returns
    -------
    dict
        Several entries for a name shared by divisions of different countries.
    """
    import pycountry

    index: dict[str, list[tuple[str, str, float | None, float | None]]] = {}
    covered: set[str] = set()
    for row in natural_earth().itertuples(index=False):
        covered.add(row.iso3)
        for name in str(row.names).split(";"):
            key = fold_text(name)
            if len(key) > 3 and (row.iso3, row.name) not in {(e[0], e[1]) for e in index.get(key, [])}:
                index.setdefault(key, []).append((row.iso3, row.name, float(row.lat), float(row.lon)))
    alpha2_to_3 = {c.alpha_2: c.alpha_3 for c in pycountry.countries}
    for sub in pycountry.subdivisions:
        iso3 = alpha2_to_3.get(sub.country_code)
        kind = str(sub.type).lower()
        if iso3 is None or iso3 in covered or kind not in PYCOUNTRY_TYPES:
            continue
        if getattr(sub, "parent_code", None) and kind not in PARENTED_TYPES:
            continue
        name = str(sub.name).split("[")[0].split("(")[0].strip()
        key = fold_text(name)
        if len(key) > 3 and (iso3, name) not in {(e[0], e[1]) for e in index.get(key, [])}:
            index.setdefault(key, []).append((iso3, name, None, None))
    return index
