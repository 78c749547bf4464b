"""CTDC / HTCDS victim-case CSVs: one row per victim, codebook columns, no record id.

The Counter Trafficking Data Collaborative publishes its k-anonymised global data as a
CSV with columns from the Human Trafficking Case Data Standard (HTCDS) codebook. Any
subset of these columns is read (names compared case-insensitively):

* ``yearOfRegistration`` -> ``occurred_on`` at **year** precision (never placed in a month);
* ``gender`` -> ``victim_gender``; ``ageBroad`` bands (``0--8``, ``9--17``, ``18--20``,
  ``21--23``, ``24--26``, ``27--29``, ``30--38``, ``39--47``, ``48+``) -> the smallest of our
  age bands that *contains* the CTDC band (:data:`AGE_BANDS`; the overlap is stated in
  the ingest notes, never rounded into a band that does not contain it); with no band,
  ``majorityStatus`` (``Minor``/``Adult``) gives Child (0-17) / Adult (18+);
* ``citizenship`` (ISO-2) -> ``victim_nationality_iso3``; ``CountryOfExploitation``
  (ISO-2) -> ``country_iso3``; ``0``, ``-99`` or blank mean unknown (``UNK`` for the
  place, no nationality), never quarantined;
* 0/1 flag columns folded into lists and codes: ``is*`` and ``typeOfSex*`` ->
  ``exploitation_types`` (none set -> ``not_recorded``), ``typeOfLabour*`` -> ``sector``
  (and forced begging / domestic servitude / forced criminality types),
  ``meansOfControl*`` -> ``means_of_control``, ``RecruiterRelation*`` / ``isAbduction``
  -> ``recruitment_method``.

Rows have no id: each gets ``<file sha256[:12]>:<row>``, so the ids are stable for the
file and exact duplicate rows (CTDC publishes one row per victim, and identical victims
are common after k-anonymisation) stay separate victims. A flag cell that is not 0/1, a
country code that is not a country, or a year that is not a year is wrong: that row is
quarantined with the column named.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.collect.base import CollectResult, file_sha256, grading, reject, rejects_frame
from workbench.collect.files import MAX_BYTES
from workbench.collect.partner import PartnerFileError, read_partner_csv
from workbench.collect.unknowns import NOT_RECORDED, complete_unknowns
from workbench.places.countries import UNKNOWN_ISO3, to_iso3
from workbench.places.gazetteer import locate
from workbench.schema import incident_id

#: CTDC ``ageBroad`` band -> (our band, how it relates to our bands).
AGE_BANDS: dict[str, tuple[str, str]] = {
    "0--8": ("child_0_11", "within Child (0-11)"),
    "9--17": ("child_0_17", "spans Child (0-11) and Child (12-17): stored as Child (0-17)"),
    "18--20": ("adult_18_24", "within Adult (18-24)"),
    "21--23": ("adult_18_24", "within Adult (18-24)"),
    "24--26": ("adult_18_39", "spans Adult (18-24) and Adult (25-39): stored as Adult (18-39)"),
    "27--29": ("adult_25_39", "within Adult (25-39)"),
    "30--38": ("adult_25_39", "within Adult (25-39)"),
    "39--47": ("adult_25_plus", "spans Adult (25-39) and Adult (40+): stored as Adult (25+)"),
    "48+": ("adult_40_plus", "within Adult (40+)"),
}

#: Flag column -> exploitation type(s) it sets.
EXPLOITATION_FLAGS: dict[str, tuple[str, ...]] = {
    "isforcedlabour": ("forced_labour",),
    "issexualexploit": ("sexual_exploitation",),
    "issexandlabour": ("sexual_exploitation", "forced_labour"),
    "isforcedmarriage": ("forced_marriage",),
    "isorganremoval": ("organ_removal",),
    "isforcedmilitary": ("other_exploitation",),
    "isslaveryandpractices": ("other_exploitation",),
    "isotherexploit": ("other_exploitation",),
    "typeofsexprostitution": ("sexual_exploitation",),
    "typeofsexpornography": ("sexual_exploitation",),
    "typeofsexremoteinteractiveservices": ("sexual_exploitation",),
    "typeofsexprivatesexualservices": ("sexual_exploitation",),
    "typeoflabourbegging": ("forced_begging",),
    "typeoflabourdomesticwork": ("domestic_servitude",),
    "typeoflabourillicitactivities": ("forced_criminality",),
}

#: ``typeOfLabour*`` flag -> sector (the first set, in this order, is the record's sector).
SECTOR_FLAGS: dict[str, str] = {
    "typeoflabouragriculture": "agriculture", "typeoflabouraquafarming": "fishing",
    "typeoflabourconstruction": "construction", "typeoflabourdomesticwork": "domestic_work",
    "typeoflabourhospitality": "hospitality", "typeoflabourmanufacturing": "manufacturing",
    "typeoflabourminingordrilling": "mining", "typeoflabourtransportation": "transport_logistics",
    "typeoflabourbegging": "street", "typeoflabourpeddling": "street",
    "typeoflabourillicitactivities": "other", "typeoflabourother": "other",
}

#: ``meansOfControl*`` flag -> means-of-control code.
CONTROL_FLAGS: dict[str, str] = {
    "meansofcontroldebtbondage": "debt_bondage", "meansofcontroltakesearnings": "withheld_wages",
    "meansofcontrolrestrictsfinancialaccess": "withheld_wages", "meansofcontrolthreats": "threats_violence",
    "meansofcontrolpsychologicalabuse": "psychological_abuse", "meansofcontrolphysicalabuse": "threats_violence",
    "meansofcontrolsexualabuse": "threats_violence", "meansofcontrolfalsepromises": "psychological_abuse",
    "meansofcontrolpsychoactivesubstances": "substance_dependency",
    "meansofcontrolrestrictsmovement": "isolation", "meansofcontrolrestrictsmedicalcare": "other",
    "meansofcontrolexcessiveworkinghours": "other", "meansofcontroluseschildren": "threats_to_family",
    "meansofcontrolthreatoflawenforcement": "immigration_status_threats",
    "meansofcontrolwithholdsnecessities": "other", "meansofcontrolwithholdsdocuments": "document_confiscation",
    "meansofcontrolother": "other",
}

#: Recruitment flags -> recruitment method (first set wins, abduction first).
RECRUITMENT_FLAGS: dict[str, str] = {
    "isabduction": "abduction", "recruiterrelationintimatepartner": "romance_lover_boy",
    "recruiterrelationfamily": "family_or_acquaintance", "recruiterrelationfriend": "family_or_acquaintance",
    "recruiterrelationother": "other", "recruiterrelationunknown": "unknown",
}

GENDERS = {"female": "female", "woman": "female", "girl": "female", "male": "male", "man": "male",
           "boy": "male", "transgender/nonconforming": "other", "trans/transgender/nonconforming": "other",
           "transgender": "other", "other": "other", "unknown": "unknown"}

#: Cells meaning "not known" in CTDC files.
UNKNOWN_CELLS = frozenset({"", "0", "-99", "-99.0", "unknown", "na", "n/a", "nan", "null"})
_TRUE = frozenset({"1", "1.0", "true", "yes"})
_FALSE = frozenset({"0", "0.0", "false", "no", "", "-99", "-99.0", "na", "n/a", "nan", "null"})
_YEAR = re.compile(r"^\d{4}(\.0)?$")


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _flag(row: dict[str, str], column: str) -> bool:
    value = str(row.get(column, "")).strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"column {column!r}={value[:40]!r}: not a 0/1 flag")


def _country(row: dict[str, str], column: str | None) -> str | None:
    if column is None:
        return None
    value = str(row.get(column, "")).strip()
    if value.lower() in UNKNOWN_CELLS:
        return None
    iso = to_iso3(value)
    if iso is None:
        raise ValueError(f"column {column!r}={value[:40]!r}: not a known country")
    return iso


def ctdc_record(row: dict[str, str], columns: dict[str, str], rid: str, source_name: str,
                metadata: dict[str, Any]) -> dict[str, Any]:
    """Build one candidate incident (one victim) from a CTDC row.

    Long on purpose: the codebook's columns read one by one (year, flags, gender, age)
    and mapped onto the schema's fields in schema order, in one place a reader checks
    against the CTDC codebook.

    Parameters
    ----------
    row : dict
        The row's cells (strings).
    columns : dict
        Folded codebook name -> the file's column name, for the columns present.
    rid : str
        The record id (file hash and row).
    source_name : str
        Source name in the store.
    metadata : dict
        Catalog metadata (``reported_at``, ``default_grading``, ``default_language``).

    Returns
    -------
    dict
        Candidate incident fields.

    Raises
    ------
    ValueError
        Naming the column whose value is wrong (not 0/1, not a country, not a year).
    """
    def col(name: str) -> str | None:
        return columns.get(name.lower())

    def cell(name: str) -> str | None:
        c = col(name)
        value = str(row.get(c, "")).strip() if c else ""
        return None if value.lower() in UNKNOWN_CELLS else value

    occurred_on, precision = None, None
    year = cell("yearOfRegistration")
    if year is not None:
        if not _YEAR.match(year):
            raise ValueError(f"column {col('yearOfRegistration')!r}={year[:40]!r}: not a year")
        occurred_on, precision = pd.Timestamp(int(float(year)), 1, 1), "year"
    reported = metadata.get("reported_at")
    if reported is not None:
        reported_at = pd.Timestamp(str(reported), tz="UTC")
    elif occurred_on is not None:
        reported_at = pd.Timestamp(occurred_on.year, 12, 31, tz="UTC")
    else:
        raise ValueError("no yearOfRegistration and no metadata.reported_at: the record has no date at all")
    types: list[str] = []
    for name, codes in EXPLOITATION_FLAGS.items():
        if name in columns and _flag(row, columns[name]):
            types.extend(codes)
    controls = sorted({code for name, code in CONTROL_FLAGS.items() if name in columns and _flag(row, columns[name])})
    sector = next((code for name, code in SECTOR_FLAGS.items() if name in columns and _flag(row, columns[name])), None)
    recruitment = next((code for name, code in RECRUITMENT_FLAGS.items()
                        if name in columns and _flag(row, columns[name])), None)
    gender_raw = cell("gender")
    gender = None if col("gender") is None else GENDERS.get((gender_raw or "unknown").lower())
    if gender_raw is not None and gender is None:
        raise ValueError(f"column {col('gender')!r}={gender_raw[:40]!r}: not a gender CTDC uses")
    age = None
    if col("ageBroad") is not None:
        band = cell("ageBroad")
        majority = (cell("majorityStatus") or cell("majorityStatusAtExploit") or "").lower()
        if band is None:
            age = {"minor": "child_0_17", "adult": "adult_18_plus"}.get(majority, "unknown")
        elif band.replace(" ", "") in AGE_BANDS:
            age = AGE_BANDS[band.replace(" ", "")][0]
        else:
            raise ValueError(f"column {col('ageBroad')!r}={band[:40]!r}: not a CTDC age band "
                             f"({', '.join(AGE_BANDS)})")
    reliability, credibility = grading(None, str(metadata.get("default_grading", "B2")))
    country = _country(row, col("CountryOfExploitation"))
    return {
        "incident_id": incident_id(source_name, rid),
        "source_type": metadata.get("source_type", "partner"),
        "source_name": source_name,
        "source_record_id": rid,
        "reported_at": reported_at,
        "occurred_on": occurred_on,
        "occurred_precision": precision,
        "lat": None,
        "lon": None,
        "place_name": None,
        "country_iso3": country,
        "location_precision": "country" if country else None,
        "victim_nationality_iso3": _country(row, col("citizenship")),
        "victim_gender": gender,
        "victim_age_band": age,
        "victim_count": 1,
        "exploitation_types": sorted(set(types)) or [NOT_RECORDED],
        "means_of_control": controls,
        "sector": sector,
        "recruitment_method": recruitment,
        "language": str(metadata.get("default_language", "en")),
        "source_reliability": reliability,
        "info_credibility": credibility,
        "summary": None,
        "url": None,
    }


def _map_rows(frame: pd.DataFrame, columns: dict[str, str],
              metadata: dict[str, Any]) -> Iterator[dict[str, Any] | Exception]:
    """Each row's candidate fields (id fields blank) or the error naming its wrong column.

    A record depends only on the codebook cells it reads, and a CTDC file repeats the same
    combinations of flags, year, gender, age band and countries many times over, so each
    distinct combination is mapped once (the id fields are filled in by the caller).
    """
    read = list(dict.fromkeys(columns.values()))
    done: dict[tuple[Any, ...], dict[str, Any] | Exception] = {}
    for values in frame[read].itertuples(index=False, name=None):
        got = done.get(values)
        if got is None:
            try:
                got = ctdc_record(dict(zip(read, values)), columns, "", metadata["source_name"], metadata)
            except (ValueError, OverflowError) as exc:
                got = exc
            done[values] = got
        yield got


def collect_ctdc(path: Path, metadata: dict[str, Any]) -> CollectResult:
    """Read a CTDC / HTCDS victim-case CSV (any subset of the codebook's columns).

    Parameters
    ----------
    path : Path
        The CSV (``.gz``/``.zip`` too).
    metadata : dict
        Catalog metadata: ``source_name``; optional ``reported_at`` (the release date;
        else 31 December of the registration year), ``default_grading`` (``B2``),
        ``encoding``, ``delimiter``, ``source_type`` (``partner``).

    Returns
    -------
    CollectResult
        One candidate per victim row; rows with a wrong value (not 0/1, not a country)
        as rejects naming row and column. ``notes["age_bands"]`` counts rows per CTDC age
        band with the band stored and the overlap, ``notes["assumptions"]`` says how the
        file was read.

    Raises
    ------
    PartnerFileError
        When the file has none of the codebook columns used here.
    """
    frame, bad_lines = read_partner_csv(path, metadata.get("encoding"), metadata.get("delimiter", ","),
                                        int(metadata.get("max_bytes", MAX_BYTES)))
    known = {"yearofregistration", "gender", "agebroad", "majoritystatus", "majoritystatusatexploit",
             "citizenship", "countryofexploitation",
             *EXPLOITATION_FLAGS, *SECTOR_FLAGS, *CONTROL_FLAGS, *RECRUITMENT_FLAGS}
    columns = {_key(c): c for c in frame.columns if _key(c) in known}
    if not columns:
        raise PartnerFileError(f"{path}: none of the CTDC codebook columns (yearOfRegistration, gender, ageBroad, "
                               f"citizenship, CountryOfExploitation, is*/typeOf*/meansOfControl* flags); "
                               f"has {list(frame.columns)[:20]}")
    sha = file_sha256(path)
    rows, rejected = [], list(bad_lines)
    for pos, got in enumerate(_map_rows(frame, columns, metadata)):
        rid = f"{sha[:12]}:{pos + 2}"  # +2: header line, 1-based
        if isinstance(got, Exception):
            rejected.append(reject(f"row {pos + 2}", str(got), frame.iloc[pos].to_dict()))
        else:
            rows.append({**got, "incident_id": incident_id(metadata["source_name"], rid), "source_record_id": rid,
                         "exploitation_types": list(got["exploitation_types"]),
                         "means_of_control": list(got["means_of_control"])})
    candidates = complete_unknowns(locate(pd.DataFrame(rows))) if rows else pd.DataFrame()
    notes: dict[str, Any] = {"assumptions": [
        "yearOfRegistration read as the year of the case (precision year; never placed in a month)",
        "rows have no id: ids are the file hash and row number; exact duplicate rows are separate victims",
        "0, -99 or blank mean unknown: country UNK, no nationality, age band unknown, type not_recorded",
    ]}
    if "agebroad" in columns:
        bands = frame[columns["agebroad"]].str.replace(" ", "").value_counts()
        notes["age_bands"] = {band: {"rows": int(n), "stored_as": AGE_BANDS[band][0], "overlap": AGE_BANDS[band][1]}
                              for band, n in bands.items() if band in AGE_BANDS}
        for band, info in notes["age_bands"].items():
            if info["overlap"].startswith("spans"):
                notes["assumptions"].append(f"age band {band} ({info['rows']} rows) {info['overlap']}")
    if len(candidates):
        missing = int((candidates["country_iso3"] == UNKNOWN_ISO3).sum())
        untyped = int(candidates["exploitation_types"].map(lambda v: v == [NOT_RECORDED]).sum())
        notes["assumptions"].append(f"{untyped} rows with no exploitation flag stored as not_recorded; "
                                    f"{missing} with no country of exploitation stored as UNK")
    return CollectResult(candidates, rejects_frame(rejected), sha, notes=notes)
