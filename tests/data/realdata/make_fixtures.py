"""Write the real-data-shaped fixtures (run once; the outputs are committed).

Each mimics a public file's layout and quirks, from its public format description:
GLOTIP xlsx (banner rows, ``2,315``, ``<5``), a tidy count table (ISO-2, names), a
TIP-style flow list (official UN names, a name with a comma), hotline points (GeoJSON in
EPSG:4269, OBJECTID 0 everywhere, no dates), a news-alert export (no id column).
The CTDC fixture (ctdc_global_synthetic.csv) was written the same way: 65 victim rows with
flags, ``0``/blank unknowns, exact duplicates and two wrong rows.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent


def glotip() -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "data_glotip"
    ws.append(["UNODC Global Report on Trafficking in Persons - data release"])
    ws.append(["Detected victims by country, year, sex, age and form of exploitation"])
    header = ["Iso3_code", "Country", "Region", "Subregion", "Indicator", "Dimension", "Category", "Sex", "Age",
              "Year", "Unit of measurement", "txtVALUE", "Source"]
    ws.append(header)
    rows = [
        ("MEX", "Mexico", "Americas", "Central America", "Detected trafficking victims", "Total", "Total", "Total",
         "Total", 2019, "Counts", "2,315", "National authorities"),
        ("MEX", "Mexico", "Americas", "Central America", "Detected trafficking victims", "by form of exploitation",
         "Sexual exploitation", "Female", "Adult", 2019, "Counts", "1,204", "National authorities"),
        ("MEX", "Mexico", "Americas", "Central America", "Detected trafficking victims", "by form of exploitation",
         "Forced labour", "Male", "Adult", 2019, "Counts", "<5", "National authorities"),
        ("IRN", "Iran (Islamic Republic of)", "Asia", "Southern Asia", "Detected trafficking victims", "Total",
         "Total", "Total", "Total", 2020, "Counts", "<5", "National authorities"),
        ("KOR", "Republic of Korea", "Asia", "Eastern Asia", "Detected trafficking victims", "Total", "Total",
         "Total", "Total", 2020, "Counts", "87", "National authorities"),
        ("SYR", "Syrian Arab Republic", "Asia", "Western Asia", "Detected trafficking victims", "Total", "Total",
         "Total", "Total", 2021, "Counts", "..", "National authorities"),
        ("TLS", "Timor-Leste", "Asia", "South-eastern Asia", "Detected trafficking victims", "by form of exploitation",
         "Other purposes", "Female", "Girls", 2021, "Counts", "12", "National authorities"),
        ("", "Narnia", "Fiction", "", "Detected trafficking victims", "Total", "Total", "Total", "Total", 2021,
         "Counts", "5", "Wardrobe"),
        ("RUS", "Russian Federation", "Europe", "Eastern Europe", "Detected trafficking victims", "Total", "Total",
         "Total", "Total", 2021, "Counts", "about ten", "National authorities"),
    ]
    for row in rows:
        ws.append(list(row))
    wb.save(HERE / "glotip_data_release.xlsx")


def tidy() -> None:
    (HERE / "victims_tidy.csv").write_text(
        "country,year,sex,age,type,value\n"
        "GB,2021,female,adult,sexual exploitation,120\n"
        "GB,2021,male,adult,forced labour,<5\n"
        "United Kingdom,2022,female,adult,sexual exploitation,\"1,030\"\n"
        "Viet Nam,2022,male,child,forced labour,14\n"
        "VN,2022,male,child,forced labour,<10\n", encoding="utf-8")


def flows() -> None:
    (HERE / "tip_flows_2019.txt").write_text(
        "Russian Federation,Republic of Korea\n"
        "Iran (Islamic Republic of),Türkiye\n"
        "Syrian Arab Republic,Lebanon\n"
        "Timor-Leste,Indonesia\n"
        "Korea, Democratic People's Republic of,China\n"
        "Viet Nam,United Kingdom of Great Britain and Northern Ireland\n"
        "\n"
        "Atlantis,Spain\n", encoding="utf-8")


def points() -> None:
    # NAD83 (EPSG:4269) longitudes/latitudes around Houston, Atlanta and Los Angeles
    coords = [(-95.37, 29.76), (-95.36, 29.75), (-84.39, 33.75), (-118.24, 34.05), (-118.25, 34.06),
              (-95.37, 29.76)]
    features = [{"type": "Feature", "properties": {"OBJECTID": 0},
                 "geometry": {"type": "Point", "coordinates": list(c)}} for c in coords]
    features.append({"type": "Feature", "properties": {"OBJECTID": 0}, "geometry": None})
    collection = {"type": "FeatureCollection",
                  "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4269"}},
                  "features": features}
    (HERE / "hotline_cases_2019.geojson").write_text(json.dumps(collection), encoding="utf-8")


def news() -> None:
    rows = [
        {"title": "Police rescue 12 workers from forced labour on farm in Almería",
         "summary": "Twelve seasonal workers held in debt bondage were freed on a farm near Almería, Spain.",
         "url": "https://news.example.org/a/1", "published": "2024-03-02T09:00:00Z"},
        {"title": "Sex trafficking ring dismantled in Lagos",
         "summary": "Nigerian police arrested five suspects accused of trafficking women for sexual exploitation.",
         "url": "https://news.example.org/a/2", "published": "2024-03-03T10:30:00Z"},
        {"title": "Local football results", "summary": "The home team won 2-1 on Saturday.",
         "url": "https://news.example.org/a/3", "published": "2024-03-03T18:00:00Z"},
        {"title": "Trafficking victims found in Manchester car wash",
         "summary": "Modern slavery investigators found eight men forced to work in a car wash in Manchester.",
         "url": "https://news.example.org/a/4", "published": "not a date"},
    ]
    with open(HERE / "news_alerts.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["title", "summary", "url", "published"])
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    glotip()
    tidy()
    flows()
    points()
    news()
