"""The ``osint_triage`` report's disclosure-controlled tables: volume, top tags, map cells,
confidence of the triage (relevance, place, story), review queue."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from workbench.analyse.scope import Scope
from workbench.collect.triage import LOW_CONFIDENCE_REASONS, Triage
from workbench.collect.triage.relevance import default_model
from workbench.share.disclosure import sanitise_incidents, suppress_counts, suppress_table
from workbench.taxonomy import load_taxonomy

# --------------------------------------------------------------------------- report tables
#: Month label format of the volume table.
MONTH_FORMAT = "%Y-%m"


def osint_incidents(incidents: pd.DataFrame, start: str = "", end: str = "", language: str = "ALL") -> pd.DataFrame:
    """OSINT-sourced store incidents in a period and language.

    Parameters
    ----------
    incidents : pandas.DataFrame
        Store incidents (``catalog.load("incidents")``).
    start, end : str
        Inclusive period on ``occurred_on`` (``YYYY-MM-DD``; empty: open).
    language : str
        ``"ALL"`` or an ISO 639-1 code (the stored ``language``).

    Returns
    -------
    pandas.DataFrame
        Rows with ``source_type == "osint"`` in scope.

    Raises
    ------
    ValueError
        When ``language`` is not ``"ALL"`` or a two-letter code.
    """
    lang = str(language).strip()
    if lang.upper() != "ALL" and not re.fullmatch(r"[a-z]{2}", lang):
        raise ValueError(f"language={language!r}: expected 'ALL' or a two-letter ISO 639-1 code")
    frame = Scope("ALL", start, end).apply(incidents)
    frame = frame[frame["source_type"].astype("string").eq("osint").fillna(False).astype(bool)]
    if lang.upper() != "ALL":
        frame = frame[frame["language"].astype("string").eq(lang).fillna(False).astype(bool)]
    return frame


def volume(osint: pd.DataFrame, policy: Any, by: str = "month") -> pd.DataFrame:
    """OSINT incidents by month or by language, with a total row, suppressed.

    A month x language crosstab is mostly withheld cells at OSINT volumes, so the two
    margins are shown as separate tables. Each has its ``Total`` row (equal to the
    headline count), so secondary suppression withholds a second cell whenever one is
    withheld: a lone withheld cell could otherwise be worked out from the total.

    Parameters
    ----------
    osint : pandas.DataFrame
        From :func:`osint_incidents`.
    policy : DisclosurePolicy
        The audience's policy.
    by : str
        ``"month"`` (``YYYY-MM``, every month of the data's span, zeros included) or
        ``"language"``.

    Returns
    -------
    pandas.DataFrame
        Indexed by month or language, one ``incidents`` column, a ``Total`` row;
        withheld cells are missing.

    Raises
    ------
    ValueError
        For another ``by``.
    """
    if by not in ("month", "language"):
        raise ValueError(f"by={by!r}: expected 'month' or 'language'")
    if osint.empty:
        return pd.DataFrame()
    if by == "month":
        months = pd.to_datetime(osint["occurred_on"]).dt.to_period("M")
        span = pd.period_range(months.min(), months.max(), freq="M")
        counts = months.value_counts().reindex(span, fill_value=0)
        counts.index = counts.index.strftime(MONTH_FORMAT)
    else:
        counts = osint["language"].astype("string").fillna("unknown").value_counts().sort_index()
    table = counts.rename("incidents").rename_axis(by).to_frame()
    table.loc["Total"] = int(counts.sum())
    return suppress_table(table, policy.k, base=policy.rounding) if policy.suppress else table


def top_tags(osint: pd.DataFrame, policy: Any, top: int = 10) -> pd.DataFrame:
    """Most frequent exploitation types and sectors among OSINT incidents.

    Parameters
    ----------
    osint : pandas.DataFrame
        From :func:`osint_incidents`.
    policy : DisclosurePolicy
        The audience's policy: counts below k withheld.
    top : int
        Rows kept per tag group.

    Returns
    -------
    pandas.DataFrame
        ``group, tag, incidents`` (labels from the taxonomy), largest first.
    """
    tax = load_taxonomy()
    parts = []
    for column, vocabulary, label in (("exploitation_types", "exploitation_types", "exploitation type"),
                                      ("sector", "sectors", "sector")):
        if column not in osint.columns or osint.empty:
            continue
        values = osint[column].explode() if column == "exploitation_types" else osint[column]
        counts = values.dropna().astype(str).value_counts().head(top)
        parts.append(pd.DataFrame({"group": label, "tag": [tax.label(vocabulary, c) for c in counts.index],
                                   "incidents": counts.to_numpy()}))
    if not parts:
        return pd.DataFrame(columns=["group", "tag", "incidents"])
    frame = pd.concat(parts, ignore_index=True)
    return suppress_counts(frame, ["incidents"], policy.k, base=policy.rounding) if policy.suppress else frame


def osint_cells(osint: pd.DataFrame, policy: Any) -> pd.DataFrame:
    """Geoparsed OSINT incidents per H3 cell at the audience's resolution, for a map.

    Record-level rows go through :func:`workbench.share.disclosure.sanitise_incidents`
    first (coordinates and free text dropped, cells coarsened as the policy says).

    Parameters
    ----------
    osint : pandas.DataFrame
        From :func:`osint_incidents`.
    policy : DisclosurePolicy
        The audience's policy.

    Returns
    -------
    pandas.DataFrame
        ``h3_cell, lat, lon`` (cell centre), ``incidents`` (display text: ``"<k"`` below
        the threshold) and ``size`` (for the marker: k for withheld cells).
    """
    import h3

    columns = ["h3_cell", "lat", "lon", "incidents", "size"]
    if osint.empty or "h3_cell" not in osint.columns:
        return pd.DataFrame(columns=columns)
    safe = sanitise_incidents(osint, policy)
    counts = safe["h3_cell"].dropna().value_counts()
    if counts.empty:
        return pd.DataFrame(columns=columns)
    centres = [h3.cell_to_latlng(c) for c in counts.index]
    small = (counts < policy.k) & policy.suppress
    return pd.DataFrame({
        "h3_cell": counts.index.astype(str),
        "lat": [c[0] for c in centres], "lon": [c[1] for c in centres],
        "incidents": [f"<{policy.k}" if s else f"{v:,}" for v, s in zip(counts.to_numpy(), small)],
        "size": np.where(small, policy.k, counts.to_numpy()),
    })


#: Bands of the learned relevance probability, the geoparser's place confidence and the
#: number of articles merged into one incident (story size).
RELEVANCE_BANDS = ((0.0, 0.5, "below 0.5"), (0.5, 0.7, "0.5-0.7"), (0.7, 0.9, "0.7-0.9"), (0.9, 1.01, "0.9 or more"))
PLACE_BANDS = ((0.0, 0.5, "below 0.5"), (0.5, 0.8, "0.5-0.8"), (0.8, 1.01, "0.8 or more"))
STORY_BANDS = ((1, 2, "1 article"), (2, 5, "2-4 articles"), (5, 10**9, "5 or more articles"))


def _band(values: np.ndarray, bands: tuple) -> list[str]:
    out = []
    for v in values:
        label = "unknown"
        if v is not None and not pd.isna(v):
            label = next((name for lo, hi, name in bands if lo <= float(v) < hi), "unknown")
        out.append(label)
    return out


def confidence_bands(osint: pd.DataFrame, policy: Any, triage: Triage | None = None) -> pd.DataFrame:
    """How sure the triage is about what it stored: relevance, place and story, in bands.

    The store keeps neither the model's probability nor the geoparser's confidence, so
    the stored (scrubbed) summaries are read again: the learned relevance model's
    probability (:func:`workbench.collect.triage.relevance.default_model`), the place
    found and its precision and confidence (:class:`Triage`), and the story size
    (``mention_count``: articles merged into the incident by story clustering). The
    summary is the title only, so these bands are a lower bound of what the collector saw.
    Their measured accuracy on hand-labelled real news is printed by
    ``workbench evaluate-triage``.

    Parameters
    ----------
    osint : pandas.DataFrame
        From :func:`osint_incidents`.
    policy : DisclosurePolicy
        The audience's policy (counts below ``k`` withheld, rounded where it says).
    triage : Triage, optional
        The triage used for the place (default ``Triage()``).

    Returns
    -------
    pandas.DataFrame
        Columns ``measure, band, incidents`` (suppressed for the audience: a block with
        a withheld band withholds at least two).
    """
    if osint.empty:
        return pd.DataFrame()
    triage = triage or Triage()
    texts = osint["summary"].fillna("").astype(str).tolist()
    prob = default_model().predict_proba(texts)
    places = triage.triage_many(texts, [None if pd.isna(v) else str(v) for v in osint["language"]], dates=False)
    precision = places["place_precision"].fillna("none").astype(str).map(lambda v: f"place found to {v}"
                                                                          if v != "none" else "no place found")
    mentions = (osint["mention_count"].fillna(1).to_numpy() if "mention_count" in osint.columns
                else np.ones(len(osint)))
    rows = (
        [("relevance (model probability)", b) for b in _band(prob, RELEVANCE_BANDS)]
        + [("place (precision)", b) for b in precision]
        + [("place (confidence)", b) for b in _band(places["place_confidence"].to_numpy(), PLACE_BANDS)]
        + [("story (articles per incident)", b) for b in _band(mentions, STORY_BANDS)]
    )
    order = {name: k for k, (_, _, name) in enumerate(RELEVANCE_BANDS + PLACE_BANDS + STORY_BANDS)}
    table = (pd.DataFrame(rows, columns=["measure", "band"]).value_counts().rename("incidents").reset_index()
             .assign(_o=lambda f: f["band"].map(order).fillna(-1))
             .sort_values(["measure", "_o", "band"]).drop(columns="_o").set_index(["measure", "band"]))
    if not policy.suppress:
        return table.reset_index()
    raw = table["incidents"]
    shown = suppress_counts(table, ["incidents"], policy.k, base=policy.rounding)["incidents"]
    # each measure's bands add up to the same total: one withheld band would be that total minus the
    # others, so a block with one withheld band also withholds its next smallest band
    for _, block in raw.groupby(level="measure"):
        withheld = shown.loc[block.index].isna()
        if withheld.sum() == 1 and len(block) > 1:
            shown.loc[block[~withheld.to_numpy()].idxmin()] = pd.NA
    return shown.to_frame("incidents").reset_index()


def review_queue(osint: pd.DataFrame, policy: Any, triage: Triage | None = None) -> pd.DataFrame:
    """The low-confidence items an analyst should review, as the audience may see them.

    The store does not keep triage confidence, so the stored (scrubbed) summaries are
    triaged again with ``triage`` (the lexicon by default). The summary is the title
    only, so "no exploitation type" is not a reason when the store already has types
    (the collector read the full text).

    Parameters
    ----------
    osint : pandas.DataFrame
        From :func:`osint_incidents`.
    policy : DisclosurePolicy
        The audience's policy. With free text allowed (``law_enforcement``) the queue
        lists the items; otherwise only counts by language and reason, suppressed.
    triage : Triage, optional
        The triage used (default ``Triage()``).

    Returns
    -------
    pandas.DataFrame
        Items (every low-confidence item, none left out): ``language, reported, summary,
        url, confidence, score`` (the lexicon triage), ``relevance (model)`` (the learned
        model's probability), ``place`` and ``place confidence`` (the geoparser's),
        ``mentions in story`` (articles merged into the incident), ``reasons``; or counts:
        language rows, one column per reason plus ``Total`` (items), withheld cells
        missing.
    """
    if osint.empty:
        return pd.DataFrame()
    triage = triage or Triage()
    langs = osint["language"].astype("string").fillna("unknown")
    result = triage.triage_many(osint["summary"].fillna("").astype(str).tolist(),
                                [None if pd.isna(v) else str(v) for v in osint["language"]], dates=False)
    result.index = osint.index
    if "exploitation_types" in osint.columns:  # the collector tagged the full text: trust stored types
        typed = osint["exploitation_types"].map(  # "not_recorded" is no type: keep the item in review
            lambda v: v is not None and len(v) > 0 and list(v) != ["not_recorded"])
        result.loc[typed, "reasons"] = result.loc[typed, "reasons"].map(
            lambda r: ";".join(x for x in r.split(";") if x and x != "no_exploitation_type"))
    low = result["reasons"].map(lambda r: any(x in LOW_CONFIDENCE_REASONS for x in r.split(";")))
    result["confidence"] = np.where(low, "low", "high")
    if not policy.drop_free_text:
        texts = osint.loc[low, "summary"].fillna("").astype(str).tolist()
        learned = default_model().predict_proba(texts) if texts else np.zeros(0)
        mentions = (osint.loc[low, "mention_count"] if "mention_count" in osint.columns
                    else pd.Series(1, index=osint.index[low]))
        items = pd.DataFrame({
            "language": langs[low],
            "reported": pd.to_datetime(osint.loc[low, "reported_at"]).dt.strftime("%Y-%m-%d"),
            "summary": osint.loc[low, "summary"],
            "url": osint.loc[low, "url"] if "url" in osint.columns else None,
            "confidence": result.loc[low, "confidence"],
            "score": result.loc[low, "score"].round(2),
            "relevance (model)": np.round(learned, 2),
            "place": result.loc[low, "place_name"].fillna(result.loc[low, "country_iso3"]),
            "place confidence": result.loc[low, "place_confidence"].round(2),
            "mentions in story": mentions.fillna(1).astype(int),
            "reasons": result.loc[low, "reasons"].str.replace(";", ", "),
        })
        return items.sort_values(["score", "reported"]).reset_index(drop=True)
    reasons = result.loc[low, "reasons"].str.split(";").explode()
    reasons = reasons[reasons.isin(LOW_CONFIDENCE_REASONS)]
    if reasons.empty:
        return pd.DataFrame()
    table = pd.crosstab(langs[reasons.index].rename("language"), reasons.rename("reason"))
    table.columns.name = None
    table["Total"] = low.groupby(langs).sum().reindex(table.index).fillna(0).astype(int)
    total_row = table.sum(numeric_only=True)
    total_row["Total"] = int(low.sum())
    table.loc["Total"] = total_row
    return suppress_table(table, policy.k, base=policy.rounding) if policy.suppress else table
