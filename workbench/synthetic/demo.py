"""A seeded synthetic world for demos and tests. No real person appears anywhere.

:func:`generate_sources` writes the incident sources under a folder (``data/demo/`` by
default), each in its source's own format (:func:`workbench.synthetic.generate_demo` then
runs the other generators):

- ``app_reports.jsonl``: anonymous app reports in many languages (our codes);
- ``partner_harbour_light.csv``: a partner NGO's export in its own categories;
- ``community_reports.csv``: community outreach forms;
- ``news_feed.rss`` and ``news_feed.atom``: open-source news items, relevant or not.

The world has monthly seasonality (summer peaks in farm and hospitality work), rising
and falling trends per country, planted hotspots (tight clusters around named spots)
and a planted surge (the last two months in one country and type). A small share of
records is deliberately broken (bad JSON, impossible coordinates, unknown partner
categories, bad dates) so that quarantine is exercised. The ground truth of what was
planted is written to ``ground_truth.json``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd

from workbench.places.gazetteer import countries, country_name, resolve_city
from workbench.synthetic.templates import load_templates

#: Country (ISO3) -> (cities, app language, base monthly rate, yearly trend factor).
WORLD: dict[str, tuple[tuple[str, ...], str, float, float]] = {
    "GBR": (("London", "Birmingham", "Manchester"), "en", 9.0, 1.10),
    "NGA": (("Lagos", "Benin City", "Abuja"), "en", 7.0, 1.05),
    "ESP": (("Madrid", "Barcelona", "Almería"), "es", 6.0, 1.08),
    "MEX": (("Mexico City", "Tijuana", "Cancún"), "es", 6.0, 1.00),
    "BRA": (("São Paulo", "Rio de Janeiro", "Belém"), "pt", 5.0, 0.95),
    "UKR": (("Kyiv", "Lviv", "Odesa"), "uk", 3.0, 1.02),
    "POL": (("Warsaw", "Kraków", "Przemyśl"), "pl", 3.0, 1.00),
    "VNM": (("Hanoi", "Ho Chi Minh City", "Haiphong"), "vi", 4.0, 1.04),
    "THA": (("Bangkok", "Chiang Mai", "Pattaya"), "th", 4.0, 1.00),
    "ROU": (("Bucharest", "Iași", "Constanța"), "ro", 3.0, 0.97),
    "ITA": (("Rome", "Milan", "Naples"), "it", 4.0, 1.03),
    "PHL": (("Manila", "Cebu City", "Davao"), "tl", 4.0, 1.06),
}

#: Exploitation mix per country (types and weights).
TYPE_MIX: dict[str, dict[str, float]] = {
    "default": {"sexual_exploitation": 0.35, "forced_labour": 0.35, "domestic_servitude": 0.1,
                "forced_criminality": 0.08, "child_exploitation": 0.05, "forced_begging": 0.04,
                "forced_marriage": 0.03},
    "GBR": {"forced_labour": 0.35, "sexual_exploitation": 0.3, "forced_criminality": 0.25, "domestic_servitude": 0.1},
    "PHL": {"online_child_sexual_exploitation": 0.35, "sexual_exploitation": 0.3, "forced_labour": 0.35},
}

SECTOR_OF_TYPE = {
    "forced_labour": ["agriculture", "construction", "manufacturing", "hospitality", "fishing", "car_wash"],
    "sexual_exploitation": ["entertainment", "online", "hospitality", "street"],
    "domestic_servitude": ["domestic_work"],
    "forced_criminality": ["cannabis_cultivation", "street"],
    "child_exploitation": ["street", "agriculture"],
    "forced_begging": ["street"],
    "forced_marriage": ["other"],
    "online_child_sexual_exploitation": ["online"],
}

#: Seasonal shape by month (summer peak), applied to labour in farms and hospitality.
SEASON = np.array([0.8, 0.8, 0.9, 1.0, 1.1, 1.25, 1.35, 1.3, 1.1, 0.95, 0.85, 0.8])

#: Origin countries feeding destinations (for routes).
ORIGINS = {
    "GBR": ["VNM", "ROU", "NGA", "ALB"], "ESP": ["NGA", "ROU", "MAR"], "ITA": ["NGA", "ROU", "BGD"],
    "POL": ["UKR", "BLR"], "THA": ["MMR", "KHM", "LAO"], "MEX": ["GTM", "HND"], "BRA": ["BOL", "VEN"],
}

#: Transit countries on some corridors ((origin, destination) -> transit), known for
#: ``TRANSIT_KNOWN`` of the incidents on them (drawn from a separate random stream).
TRANSITS = {
    ("NGA", "ITA"): "LBY", ("NGA", "ESP"): "MAR", ("VNM", "GBR"): "FRA", ("ALB", "GBR"): "FRA",
    ("BGD", "ITA"): "LBY", ("HND", "MEX"): "GTM", ("VEN", "BRA"): "COL",
}
TRANSIT_KNOWN = 0.7

PLANTED_HOTSPOTS = (
    # (name, iso3, lat, lon, exploitation type, sector, share of that type's incidents, nearest city)
    ("Almería greenhouses", "ESP", 36.78, -2.61, "forced_labour", "agriculture", 0.45, "Almería"),
    ("Benin City recruitment hub", "NGA", 6.34, 5.62, "sexual_exploitation", "entertainment", 0.40, "Benin City"),
)
PLANTED_SURGE = ("POL", "sexual_exploitation", 4.0)  # country, type, multiplier over the last 2 months

_TEXT = load_templates("demo")  # resources/synthetic_demo.yaml
#: Language -> what an app report or a community form says was seen.
DESCRIPTIONS: dict[str, str] = _TEXT["descriptions"]
#: Language -> (title, body) of a relevant news item; NEWS_WHAT: the exploitation type in its words.
NEWS: dict[str, list[str]] = _TEXT["news"]
NEWS_WHAT: dict[str, dict[str, str]] = _TEXT["news_what"]
#: (title, body) of news items not about trafficking.
IRRELEVANT: list[list[str]] = _TEXT["irrelevant"]
#: The partner NGO's own categories (our code -> theirs).
PARTNER_TYPE: dict[str, str] = _TEXT["partner_type"]
PARTNER_SECTOR: dict[str, str] = _TEXT["partner_sector"]
#: Community outreach forms' wording (our code -> theirs).
COMMUNITY_CONCERN: dict[str, str] = _TEXT["community_concern"]
COMMUNITY_WHERE: dict[str, str] = _TEXT["community_where"]


@dataclass(frozen=True)
class DemoConfig:
    """Size and shape of the synthetic world.

    Parameters
    ----------
    seed : int
        Random seed; the same seed writes the same files.
    end : str
        Last month of data (``YYYY-MM``).
    months : int
        Months of history.
    scale : float
        Multiplies every rate (1.0 gives about 10,000 incidents over 48 months).
    news_items : int
        Items per news feed file.
    broken_share : float
        Share of records deliberately broken to exercise quarantine.
    """

    seed: int = 42
    end: str = "2026-10"
    months: int = 48
    scale: float = 1.0
    news_items: int = 240
    broken_share: float = 0.01


def _city(name: str, iso3: str) -> tuple[float, float]:
    hit = resolve_city(name, iso3)
    if hit is None:
        raise ValueError(f"demo world: city {name!r} not in the gazetteer for {iso3}")
    return hit["lat"], hit["lon"]


def _jitter(rng: np.random.Generator, lat: float, lon: float, km: float) -> tuple[float, float]:
    dlat = rng.normal(0, km / 111.0)
    dlon = rng.normal(0, km / (111.0 * max(np.cos(np.radians(lat)), 0.2)))
    return round(lat + dlat, 5), round(lon + dlon, 5)


def simulate_incidents(config: DemoConfig) -> pd.DataFrame:
    """Draw the world's true incidents (before each source reports them).

    Parameters
    ----------
    config : DemoConfig
        The world's size and seed.

    Returns
    -------
    pandas.DataFrame
        One row per incident: date, country, city, lat, lon, type, sector, origin, transit
        (or None), victims.
    """
    rng = np.random.default_rng(config.seed)
    months = pd.period_range(end=pd.Period(config.end, "M"), periods=config.months, freq="M")
    rows: list[dict[str, Any]] = []
    hotspot_by_country = {h[1]: h for h in PLANTED_HOTSPOTS}
    for iso3, (city_names, _lang, rate, trend) in WORLD.items():
        cities = [(c, *_city(c, iso3)) for c in city_names]
        mix = TYPE_MIX.get(iso3, TYPE_MIX["default"])
        types, weights = list(mix), np.array(list(mix.values()))
        weights = weights / weights.sum()
        for t, month in enumerate(months):
            years = t / 12.0
            for etype, w in zip(types, weights):
                seasonal = SEASON[month.month - 1] if etype == "forced_labour" else 1.0
                lam = config.scale * rate * 2.2 * w * seasonal * trend ** years
                if (iso3, etype) == PLANTED_SURGE[:2] and t >= config.months - 2:
                    lam *= PLANTED_SURGE[2]
                for _ in range(rng.poisson(lam)):
                    rows.append(_incident(rng, iso3, cities, month, etype, hotspot_by_country.get(iso3)))
    frame = pd.DataFrame(rows)
    rng_transit = np.random.default_rng(config.seed + 2)  # its own stream: the rest is unchanged
    routes = [TRANSITS.get((o, d)) for o, d in zip(frame["origin_iso3"], frame["country_iso3"])]
    known = rng_transit.random(len(frame)) < TRANSIT_KNOWN
    frame["transit_iso3"] = [t if t and k else None for t, k in zip(routes, known)]
    return frame.sort_values("occurred_on").reset_index(drop=True)


def _incident(rng, iso3, cities, month, etype, hotspot) -> dict[str, Any]:
    day = int(rng.integers(1, month.days_in_month + 1))
    occurred = pd.Timestamp(month.year, month.month, day)
    sector = str(rng.choice(SECTOR_OF_TYPE[etype]))
    if hotspot and etype == hotspot[4] and rng.random() < hotspot[6]:
        place, (lat, lon) = hotspot[7], _jitter(rng, hotspot[2], hotspot[3], 4.0)
        sector = hotspot[5]
    else:
        city = cities[int(rng.choice(len(cities), p=[0.5, 0.3, 0.2]))]
        place, (lat, lon) = city[0], _jitter(rng, city[1], city[2], 25.0)
    origins = ORIGINS.get(iso3)
    origin = str(rng.choice(origins)) if origins and rng.random() < 0.6 else iso3
    return {
        "occurred_on": occurred, "country_iso3": iso3, "place": place, "lat": lat, "lon": lon,
        "exploitation_type": etype, "sector": sector, "origin_iso3": origin,
        "victim_count": int(rng.integers(1, 6)),
        "victim_gender": str(rng.choice(["female", "male", "mixed", "unknown"], p=[0.5, 0.3, 0.15, 0.05])),
        "victim_age_band": str(rng.choice(["child_12_17", "adult_18_24", "adult_25_39", "adult_40_plus", "unknown"],
                                          p=[0.1, 0.35, 0.35, 0.1, 0.1])),
        "recruitment_method": str(rng.choice(["false_job_offer", "romance_lover_boy", "online_social_media",
                                              "family_or_acquaintance", "debt_offer", "unknown"])),
        "means_of_control": sorted(set(rng.choice(["debt_bondage", "document_confiscation", "threats_violence",
                                                   "isolation", "withheld_wages"], size=int(rng.integers(0, 3))))),
    }


def world_city(iso3: str, place: str, otherwise: str | None = None) -> str:
    """The incident's place when it is one of its country's named cities in :data:`WORLD`.

    Parameters
    ----------
    iso3 : str
        The incident's country (a key of :data:`WORLD`).
    place : str
        The incident's place (a city, or a planted hotspot's name).
    otherwise : str, optional
        What to return for another place; default the country's first city.

    Returns
    -------
    str
        ``place``, or ``otherwise``.
    """
    cities = WORLD[iso3][0]
    if place in cities:
        return place
    return cities[0] if otherwise is None else otherwise


@lru_cache(maxsize=None)
def _iso2(iso3: str) -> str:
    table = countries()
    return str(table.loc[table.iso3 == iso3, "iso2"].iloc[0])


def write_app_reports(world: pd.DataFrame, path: Path, rng: np.random.Generator, broken_share: float) -> int:
    """Write the app's JSON lines export for the incidents the app heard of.

    Parameters
    ----------
    world : pandas.DataFrame
        Incidents from :func:`simulate_incidents` assigned to the app.
    path : Path
        Output file.
    rng : numpy.random.Generator
        Random source.
    broken_share : float
        Share of lines deliberately broken.

    Returns
    -------
    int
        Lines written.
    """
    lines = []
    for i, inc in enumerate(world.itertuples(index=False)):
        lang = WORLD[inc.country_iso3][1] if rng.random() < 0.85 else str(rng.choice(["en", "fr", "es"]))
        submitted = inc.occurred_on + pd.Timedelta(hours=int(rng.integers(2, 24 * 20)))
        date_text = inc.occurred_on.strftime("%Y-%m-%d") if rng.random() < 0.8 else inc.occurred_on.strftime("%Y-%m")
        has_point = rng.random() < 0.65
        description = DESCRIPTIONS.get(lang, DESCRIPTIONS["en"]).format(n=inc.victim_count, sector=inc.sector, place=inc.place)
        if rng.random() < 0.05:
            description += " Contact me at witness{}@example.org or +44 7700 900{:03d}.".format(i, i % 1000)
        record = {
            "report_id": f"APP-{i:06d}",
            "submitted_at": min(submitted, pd.Timestamp("2026-11-20")).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "language": lang,
            "incident_date": date_text,
            "location": {"lat": inc.lat, "lon": inc.lon} if has_point else None,
            "place": inc.place if not has_point or rng.random() < 0.5 else None,
            "country": _iso2(inc.country_iso3),
            "exploitation": [inc.exploitation_type],
            "recruitment": inc.recruitment_method,
            "control": inc.means_of_control,
            "sector": inc.sector,
            "transport": str(rng.choice(["land_bus_car", "air", "sea", "unknown"])),
            "origin_country": _iso2(inc.origin_iso3) if inc.origin_iso3 in WORLD or len(inc.origin_iso3) == 3 else None,
            "transit_country": _iso2(inc.transit_iso3) if isinstance(inc.transit_iso3, str) else None,
            "victims": {"gender": inc.victim_gender, "age_band": inc.victim_age_band, "count": inc.victim_count,
                        "nationality": _iso2(inc.origin_iso3)},
            "description": description,
            "grading": str(rng.choice(["B2", "C3", "C2", "D3", "F6", "E5"], p=[0.15, 0.35, 0.2, 0.15, 0.1, 0.05])),
        }
        line = json.dumps(record, ensure_ascii=False)
        roll = rng.random()
        if roll < broken_share / 3:
            line = line[: len(line) // 2]  # truncated line: invalid JSON
        elif roll < 2 * broken_share / 3:
            record["location"] = {"lat": 123.4, "lon": inc.lon}  # impossible latitude
            line = json.dumps(record, ensure_ascii=False)
        elif roll < broken_share:
            record["exploitation"] = ["people_smuggling"]  # not in our taxonomy
            line = json.dumps(record, ensure_ascii=False)
        lines.append(line)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


def write_partner_csv(world: pd.DataFrame, path: Path, rng: np.random.Generator, broken_share: float) -> int:
    """Write the partner NGO's case export (its own columns and categories).

    Parameters
    ----------
    world : pandas.DataFrame
        Incidents assigned to the partner.
    path : Path
        Output CSV.
    rng : numpy.random.Generator
        Random source.
    broken_share : float
        Share of rows with an unmapped category or a bad date.

    Returns
    -------
    int
        Rows written.
    """
    rows = []
    for i, inc in enumerate(world.itertuples(index=False)):
        reported = inc.occurred_on + pd.Timedelta(days=int(rng.integers(1, 60)))
        row = {
            "CaseRef": f"HLA-{2000 + i}",
            "DateReported": min(reported, pd.Timestamp("2026-11-20")).strftime("%d/%m/%Y"),
            "DateOfIncident": inc.occurred_on.strftime("%d/%m/%Y"),
            "Town": world_city(inc.country_iso3, inc.place, otherwise=""),
            "CountryName": country_name(inc.country_iso3),
            "Latitude": f"{inc.lat:.4f}" if rng.random() < 0.7 else "",
            "Longitude": "",
            "CaseType": PARTNER_TYPE[inc.exploitation_type],
            "Industry": PARTNER_SECTOR.get(inc.sector, "Not Known"),
            "HowRecruited": {"false_job_offer": "Job Advert", "romance_lover_boy": "Boyfriend",
                             "online_social_media": "Social Media", "family_or_acquaintance": "Relative",
                             "debt_offer": "Loan"}.get(inc.recruitment_method, "Unknown"),
            "ControlMethods": ";".join({"debt_bondage": "Debt", "document_confiscation": "Passport Taken",
                                        "threats_violence": "Violence", "isolation": "Locked In",
                                        "withheld_wages": "No Pay"}[m] for m in inc.means_of_control),
            "NoOfVictims": str(inc.victim_count),
            "VictimSex": {"female": "F", "male": "M", "mixed": "Mixed"}.get(inc.victim_gender, "Unknown"),
            "VictimAge": {"child_12_17": "12-17", "adult_18_24": "18-24", "adult_25_39": "25-39",
                          "adult_40_plus": "40+"}.get(inc.victim_age_band, "Unknown"),
            "Nationality": country_name(inc.origin_iso3),
            "OriginCountry": country_name(inc.origin_iso3),
            "Notes": "Case referred by outreach team; survivor supported.",
        }
        if row["Latitude"]:
            row["Longitude"] = f"{inc.lon:.4f}"
        roll = rng.random()
        if roll < broken_share / 2:
            row["CaseType"] = "Sexual Exploitation (Online)"  # the crosswalk does not know it yet
        elif roll < broken_share:
            row["DateOfIncident"] = "31/02/2024"  # no such day
        rows.append(row)
    pd.DataFrame(rows).to_csv(path, index=False, encoding="utf-8")
    return len(rows)


def write_community_csv(world: pd.DataFrame, path: Path, rng: np.random.Generator) -> int:
    """Write community outreach forms.

    Parameters
    ----------
    world : pandas.DataFrame
        Incidents assigned to community reports.
    path : Path
        Output CSV.
    rng : numpy.random.Generator
        Random source.

    Returns
    -------
    int
        Rows written.
    """
    rows = []
    for i, inc in enumerate(world.itertuples(index=False)):
        lang = WORLD[inc.country_iso3][1]
        rows.append({
            "form_id": f"CF-{i:05d}",
            "submitted": (inc.occurred_on + pd.Timedelta(days=int(rng.integers(1, 30)))).strftime("%Y-%m-%d"),
            "seen_on": inc.occurred_on.strftime("%Y-%m"),
            "village_or_town": world_city(inc.country_iso3, inc.place),
            "country": country_name(inc.country_iso3),
            "how_many_people": str(inc.victim_count),
            "form_language": lang,
            "concern": COMMUNITY_CONCERN.get(inc.exploitation_type, "people made to work without pay"),
            "where_seen": COMMUNITY_WHERE.get(inc.sector, "other"),
            "what_happened": DESCRIPTIONS.get(lang, DESCRIPTIONS["en"]).format(
                n=inc.victim_count, sector=inc.sector, place=inc.place),
        })
    pd.DataFrame(rows).to_csv(path, index=False, encoding="utf-8")
    return len(rows)


def news_items(world: pd.DataFrame, n: int, rng: np.random.Generator, languages: tuple[str, ...]) -> list[dict]:
    """Draw news items: most report an incident, some are unrelated news.

    Parameters
    ----------
    world : pandas.DataFrame
        Incidents the press may report.
    n : int
        Number of items.
    rng : numpy.random.Generator
        Random source.
    languages : tuple of str
        Languages of this feed.

    Returns
    -------
    list of dict
        ``id, link, title, summary, published, language, relevant``.
    """
    items = []
    sample = world.sample(n=min(n, len(world)), random_state=int(rng.integers(0, 2**31)))
    for i, inc in enumerate(sample.itertuples(index=False)):
        lang = str(rng.choice(languages))
        place = world_city(inc.country_iso3, inc.place)
        relevant = rng.random() < 0.75
        what = NEWS_WHAT[lang].get(inc.exploitation_type, NEWS_WHAT[lang]["forced_labour"])
        title, body = NEWS[lang] if relevant else IRRELEVANT[i % len(IRRELEVANT)]
        published = inc.occurred_on + pd.Timedelta(days=int(rng.integers(0, 10)), hours=9)
        items.append({
            "id": f"urn:demo:news:{lang}:{i:05d}",
            "link": f"https://news.example.org/{lang}/{i:05d}",
            "title": title.format(n=inc.victim_count, what=what, place=place),
            "summary": body.format(n=inc.victim_count, what=what, place=place)
            + f" {country_name(inc.country_iso3)}.",
            "published": min(published, pd.Timestamp("2026-11-20")),
            "language": lang,
            "relevant": relevant,
        })
    return items


def write_rss(items: list[dict], path: Path, title: str) -> None:
    """Write items as an RSS 2.0 feed.

    Parameters
    ----------
    items : list of dict
        From :func:`news_items`.
    path : Path
        Output file.
    title : str
        Channel title.
    """
    body = "".join(
        f"<item><title>{escape(it['title'])}</title><link>{escape(it['link'])}</link>"
        f"<guid isPermaLink=\"false\">{escape(it['id'])}</guid>"
        f"<pubDate>{it['published'].strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>"
        f"<description>{escape(it['summary'])}</description></item>\n"
        for it in items
    )
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>https://news.example.org/</link>"
        f"<description>Synthetic demo feed</description>\n{body}</channel></rss>\n",
        encoding="utf-8",
    )


def write_atom(items: list[dict], path: Path, title: str) -> None:
    """Write items as an Atom feed (each entry carries ``xml:lang``).

    Parameters
    ----------
    items : list of dict
        From :func:`news_items`.
    path : Path
        Output file.
    title : str
        Feed title.
    """
    body = "".join(
        f"<entry xml:lang=\"{it['language']}\"><id>{escape(it['id'])}</id><title>{escape(it['title'])}</title>"
        f"<link href=\"{escape(it['link'])}\"/><updated>{it['published'].strftime('%Y-%m-%dT%H:%M:%SZ')}</updated>"
        f"<summary>{escape(it['summary'])}</summary></entry>\n"
        for it in items
    )
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(title)}</title><id>urn:demo:feed:{escape(title)}</id>"
        f"<updated>2026-11-20T00:00:00Z</updated>\n{body}</feed>\n",
        encoding="utf-8",
    )


def generate_sources(out_dir: str | Path, config: DemoConfig | None = None) -> tuple[dict[str, Any], pd.DataFrame]:
    """Write the synthetic world's incident source files (the other generators run after it).

    Parameters
    ----------
    out_dir : str or Path
        Folder for the files (created).
    config : DemoConfig, optional
        Size and seed; defaults to :class:`DemoConfig()`.

    Returns
    -------
    tuple of (dict, pandas.DataFrame)
        Ground truth (file names with record counts, planted hotspots and surge) and the
        simulated world the other generators build on.
    """
    config = config or DemoConfig()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(config.seed + 1)
    world = simulate_incidents(config)
    source = rng.choice(["app", "partner", "community"], size=len(world), p=[0.6, 0.3, 0.1])
    counts = {
        "app_reports.jsonl": write_app_reports(world[source == "app"], out / "app_reports.jsonl", rng,
                                               config.broken_share),
        "partner_harbour_light.csv": write_partner_csv(world[source == "partner"],
                                                       out / "partner_harbour_light.csv", rng, config.broken_share),
        "community_reports.csv": write_community_csv(world[source == "community"],
                                                     out / "community_reports.csv", rng),
    }
    rss = news_items(world, config.news_items, rng, ("en", "es"))
    atom = news_items(world, config.news_items // 2, rng, ("fr", "pt"))
    write_rss(rss, out / "news_feed.rss", "Demo Wire (en/es)")
    write_atom(atom, out / "news_feed.atom", "Demo Presse (fr/pt)")
    counts["news_feed.rss"], counts["news_feed.atom"] = len(rss), len(atom)
    truth = {
        "config": config.__dict__,
        "files": counts,
        "incidents_simulated": int(len(world)),
        "planted_hotspots": [
            {"name": h[0], "country_iso3": h[1], "lat": h[2], "lon": h[3], "exploitation_type": h[4]}
            for h in PLANTED_HOTSPOTS
        ],
        "planted_surge": {"country_iso3": PLANTED_SURGE[0], "exploitation_type": PLANTED_SURGE[1],
                          "multiplier": PLANTED_SURGE[2], "months": 2},
    }
    return truth, world
