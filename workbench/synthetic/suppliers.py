"""Demo files for the Apply step: a company's supplier sites and a prevention campaign.

Registered in :data:`workbench.synthetic.GENERATORS`:

- :func:`write_suppliers` writes ``supplier_sites.csv``: about 40 supplier sites of a
  fictional fresh-produce company across the demo countries (some given by city and
  country only), one of them planted right next to the Almería greenhouses hotspot;
- :func:`write_campaign` writes ``campaign_log.csv`` (two awareness campaigns) and
  ``campaign_reports.csv``: weekly app-report counts (``campaign_id, area, unique_id, ds,
  y``) in each campaign's area and in a control area. The first campaign raises reporting
  by a planted rate ratio after its start (awareness campaigns increase reports); the
  second has no effect (a null campaign).

Both return their ground truth, stored in ``ground_truth.json``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench.synthetic.demo import PLANTED_HOTSPOTS, SEASON, WORLD
from workbench.places.gazetteer import cities, countries, haversine_km, resolve_city

COMPANY = "Demo Fresh Produce Ltd"
#: The planted supplier: about 2 km from the Almería greenhouses hotspot.
PLANTED_SITE = ("Poniente Greenhouse Cooperative", "tomatoes", "agriculture", 36.79, -2.63)
#: Products by sector of a fresh-produce company's suppliers.
PRODUCTS = {
    "agriculture": ("tomatoes", "peppers", "strawberries", "lettuce", "cucumbers", "citrus", "grapes", "mangoes"),
    "fishing": ("prawns", "tuna", "mussels"),
    "manufacturing": ("packaging", "crates", "labels"),
    "transport_logistics": ("cold-chain haulage", "port handling"),
}
#: Planted campaigns: (id, centre city, iso3, language, rate ratio after start, control city, control iso3).
CAMPAIGNS = (
    ("CMP-2025-01", "Almería", "ESP", "es", 1.35, "Murcia", "ESP"),
    ("CMP-2025-02", "Benin City", "NGA", "en", 1.0, "Enugu", "NGA"),
)


def write_suppliers(world: pd.DataFrame, out_dir: Path, seed: int) -> dict[str, Any]:
    """Write ``supplier_sites.csv``: a company's supplier sites with one planted near a hotspot.

    Parameters
    ----------
    world : pandas.DataFrame
        True incidents (from :func:`workbench.synthetic.demo.simulate_incidents`); sites "far"
        from every incident are chosen from it.
    out_dir : Path
        Folder for the file.
    seed : int
        Random seed.

    Returns
    -------
    dict
        Ground truth: file, company, number of sites, the planted site and hotspot, the
        sites given by city only, and the far sites (over 150 km from every incident).
    """
    rng = np.random.default_rng(seed + 101)
    names = dict(zip(countries()["iso3"], countries()["name"]))
    gaz = cities()
    gaz = gaz[gaz["country_iso3"].isin(list(WORLD)) & (gaz["population"] >= 50000)].drop_duplicates("key")
    world_cities = {c for iso, (cs, *_rest) in WORLD.items() for c in cs}
    near_incident = np.full(len(gaz), np.inf)
    located = world.dropna(subset=["lat", "lon"])
    if len(located):
        from sklearn.neighbors import BallTree

        tree = BallTree(np.radians(located[["lat", "lon"]].to_numpy(float)), metric="haversine")
        near_incident = tree.query(np.radians(gaz[["lat", "lon"]].to_numpy(float)), k=1)[0][:, 0] * 6371.0088
    far = gaz[(near_incident > 200) & ~gaz["name"].isin(world_cities)]
    far = far.groupby("country_iso3", group_keys=False).head(3).sample(
        n=min(20, len(far)), random_state=int(rng.integers(0, 2**31)))

    def sector_product() -> tuple[str, str]:
        sector = str(rng.choice(list(PRODUCTS), p=[0.6, 0.15, 0.15, 0.1]))
        return sector, str(rng.choice(PRODUCTS[sector]))

    rows: list[dict[str, Any]] = []
    name, product, sector, lat, lon = PLANTED_SITE
    rows.append({"name": name, "product": product, "sector": sector, "lat": lat, "lon": lon,
                 "city": "", "country": "ESP"})
    by_city = []
    for iso3, (city_names, *_rest) in WORLD.items():  # one or two suppliers in each demo city region
        for city in city_names[: 1 + int(rng.integers(0, 2))]:
            sector, product = sector_product()
            label = f"{city} {product.title()} {str(rng.choice(['Co-op', 'Farms', 'Ltd', 'Growers', 'Supply']))}"
            if rng.random() < 0.4:  # given by city and country only
                rows.append({"name": label, "product": product, "sector": sector, "lat": None, "lon": None,
                             "city": city, "country": names[iso3] if rng.random() < 0.5 else iso3})
                by_city.append(label)
            else:
                hit = resolve_city(city, iso3)
                la, lo = hit["lat"] + rng.normal(0, 0.08), hit["lon"] + rng.normal(0, 0.08)
                rows.append({"name": label, "product": product, "sector": sector, "lat": round(la, 4),
                             "lon": round(lo, 4), "city": "", "country": iso3})
            if len(rows) >= 22:
                break
        if len(rows) >= 22:
            break
    far_names = []
    for c in far.itertuples(index=False):
        sector, product = sector_product()
        label = f"{c.name} {product.title()} Suppliers"
        rows.append({"name": label, "product": product, "sector": sector, "lat": round(c.lat, 4),
                     "lon": round(c.lon, 4), "city": "", "country": c.country_iso3})
        far_names.append(label)
    frame = pd.DataFrame(rows)
    frame.insert(0, "company", COMPANY)
    frame.to_csv(out_dir / "supplier_sites.csv", index=False, encoding="utf-8")
    hotspot = PLANTED_HOTSPOTS[0]
    return {
        "file": "supplier_sites.csv", "company": COMPANY, "sites": int(len(frame)),
        "planted_site": name, "planted_hotspot": hotspot[0],
        "planted_km_from_hotspot": round(float(haversine_km(lat, lon, hotspot[2], hotspot[3])[0]), 2),
        "given_by_city": by_city, "far_sites": far_names,
    }


def campaign_series(start: str, weeks: int, campaign_week: int, base: float, rate_ratio: float,
                    rng: np.random.Generator, trend: float = 1.05, dispersion: float = 200.0) -> pd.DataFrame:
    """Draw one area's weekly report counts with a level change at ``campaign_week``.

    Parameters
    ----------
    start : str
        First Monday.
    weeks : int
        Length of the series.
    campaign_week : int
        Index of the first week with the campaign (``weeks`` or more: none).
    base : float
        Mean weekly reports at the start.
    rate_ratio : float
        Multiplier of the mean from the campaign week on (1.0: no effect).
    rng : numpy.random.Generator
        Random source.
    trend : float
        Yearly growth factor.
    dispersion : float
        Gamma shape of the extra-Poisson noise (negative binomial counts).

    Returns
    -------
    pandas.DataFrame
        ``ds, y, mu`` (``mu`` the true mean).
    """
    ds = pd.date_range(start, periods=weeks, freq="W-MON")
    t = np.arange(weeks)
    season = 1 + 0.5 * (SEASON[ds.month.to_numpy() - 1] - 1)
    mu = base * trend ** (t / 52.0) * season * np.where(t >= campaign_week, rate_ratio, 1.0)
    y = rng.poisson(mu * rng.gamma(dispersion, 1 / dispersion, size=weeks))
    return pd.DataFrame({"ds": ds, "y": y.astype(float), "mu": mu})


def write_campaign(world: pd.DataFrame, out_dir: Path, seed: int) -> dict[str, Any]:
    """Write ``campaign_log.csv`` and ``campaign_reports.csv`` with a planted campaign effect.

    Parameters
    ----------
    world : pandas.DataFrame
        True incidents; the report series end in the world's last week.
    out_dir : Path
        Folder for the files.
    seed : int
        Random seed.

    Returns
    -------
    dict
        Ground truth: files, and per campaign its id, start and planted rate ratio.
    """
    rng = np.random.default_rng(seed + 202)
    weeks, campaign_week = 104, 64
    end = pd.Timestamp(world["occurred_on"].max()) if len(world) else pd.Timestamp("2026-10-31")
    first = (end - pd.Timedelta(weeks=weeks - 1)).to_period("W-SUN").start_time
    log, series, truth = [], [], []
    for cid, city, iso3, lang, ratio, control_city, control_iso3 in CAMPAIGNS:
        hit, ctl = resolve_city(city, iso3), resolve_city(control_city, control_iso3)
        start = first + pd.Timedelta(weeks=campaign_week)
        log.append({"campaign_id": cid, "area": city, "country_iso3": iso3, "centre_lat": round(hit["lat"], 4),
                    "centre_lon": round(hit["lon"], 4), "radius_km": 25, "start": start.date().isoformat(),
                    "language": lang, "control_area": control_city,
                    "control_centre_lat": round(ctl["lat"], 4), "control_centre_lon": round(ctl["lon"], 4)})
        for area, base, rr in (("treated", 60.0, ratio), ("control", 45.0, 1.0)):
            s = campaign_series(str(first.date()), weeks, campaign_week, base, rr, rng)
            series.append(s.drop(columns="mu").assign(campaign_id=cid, area=area, unique_id=f"{cid}/{area}"))
        truth.append({"campaign_id": cid, "start": start.date().isoformat(), "rate_ratio": ratio,
                      "treated": f"{cid}/treated", "control": f"{cid}/control"})
    pd.DataFrame(log).to_csv(out_dir / "campaign_log.csv", index=False, encoding="utf-8")
    reports = pd.concat(series, ignore_index=True)[["campaign_id", "area", "unique_id", "ds", "y"]]
    reports["ds"] = reports["ds"].dt.strftime("%Y-%m-%d")
    reports["y"] = reports["y"].astype(int)
    reports.to_csv(out_dir / "campaign_reports.csv", index=False, encoding="utf-8")
    return {"files": ["campaign_log.csv", "campaign_reports.csv"], "freq": "W-MON", "campaigns": truth}
