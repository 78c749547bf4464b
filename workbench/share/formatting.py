"""One formatter for every report table: numbers, withheld cells, headers and places in words.

Tables built in :mod:`workbench.share.tables`, :mod:`workbench.share.route_tables` and
:mod:`workbench.share.place_tables` are disclosure-controlled frames; this module turns them
into what a reader sees: thousands separators, no scientific notation, no ``nan``, human
headers (never ``snake_case``), countries and places by name, and withheld cells shown as
withheld.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.places.gazetteer import country_name
from workbench.places.naming import place_of_cell
from workbench.share.disclosure import DisclosurePolicy, check_table, suppress_counts


#: The mark of a withheld cell in the frames (as in official statistics: "[c]" for confidential).
WITHHELD = "[c]"
#: How a withheld cell reads in a rendered table.
WITHHELD_WORD = "withheld"
WITHHELD_STYLE = "color:#666;font-style:italic;background:#f2f2f2"
#: Forecast models in words (the registry's names are code).
MODEL_WORDS = {"seasonal_naive": "Seasonal naive", "naive": "Naive", "arima": "ARIMA", "auto_arima": "ARIMA",
               "autoarima": "ARIMA", "ets": "Exponential smoothing (ETS)", "auto_ets": "Exponential smoothing (ETS)",
               "autoets": "Exponential smoothing (ETS)", "theta": "Theta", "croston": "Croston",
               "historic_average": "Historic average", "window_average": "Moving average", "poisson_glm": "Poisson GLM",
               "negbin_glm": "Negative binomial GLM", "glm": "GLM", "tsb": "TSB (intermittent demand)",
               "prophet": "Prophet"}


def model_words(name: object) -> str:
    """A forecast model's registry name in words (``"seasonal_naive"`` -> ``"Seasonal naive"``).

    Parameters
    ----------
    name : object
        Registry name.

    Returns
    -------
    str
        Known names from :data:`MODEL_WORDS`, others with underscores as spaces.
    """
    text = str(name)
    return MODEL_WORDS.get(text.lower(), text.replace("_", " "))


#: Columns holding codes (``classified_ads``, ``transport_logistics``) that read as words with spaces.
CODE_COLUMNS = frozenset({"typology", "typologies", "sector", "rule", "feature", "features", "kind", "source type",
                          "source_type", "exploitation type", "exploitation_type", "type", "id", "condition"})

#: Headers that read better in other words than the column names.
HEADER_WORDS = {"seasonal naive mase": "Seasonal naive (MASE)", "gi z": "Gi* z-score", "gi* z": "Gi* z-score",
                "q value": "q-value", "mase": "MASE", "h3 cell": "Place", "iso3": "Country",
                "country iso3": "Country", "yhat": "Forecast", "yhat lower": "Forecast, lower bound",
                "yhat upper": "Forecast, upper bound", "ds": "Period", "y": "Incidents", "unique id": "Series"}


#: Hotspot classes in words.
CLASS_WORDS = {"hot_99": "hotspot (99% confidence)", "hot_95": "hotspot (95%)", "hot_90": "hotspot (90%)",
               "cold_99": "cold spot (99%)", "cold_95": "cold spot (95%)", "cold_90": "cold spot (90%)",
               "not_significant": "not significant"}


def render(frame: pd.DataFrame, policy: DisclosurePolicy | None = None, index: bool = False,
           empty: str = "None."):  # -> IPython HTML
    """Render a table as a reader expects it (pandas Styler): human headers, numbers with
    thousands separators and no scientific notation, withheld cells shown as "withheld".

    Parameters
    ----------
    frame : pandas.DataFrame
        A disclosure-controlled table (missing cells are the withheld ones).
    policy : DisclosurePolicy, optional
        When given and suppressing, the table's integer (count) columns are checked once
        more: a count below k raises instead of rendering.
    index : bool
        Show the index (for crosstabs).
    empty : str
        Sentence shown instead of an empty table.

    Returns
    -------
    IPython.display.HTML
        The table; every cell's text is HTML-escaped.
    """
    import hashlib
    import html

    from IPython.display import HTML

    if frame.empty:
        return HTML(f"<p>{html.escape(empty)}</p>")
    if policy is not None and policy.suppress:  # counts are the integer columns (z-scores, MASE are not)
        check_table(frame, [c for c in frame.columns if pd.api.types.is_integer_dtype(frame[c])], policy.k)
    shown = frame.astype("object").where(frame.notna(), WITHHELD).map(cell_text)
    numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]
    shown.columns = [human_header(c) for c in shown.columns]
    if index:
        shown.index = [cell_text(v) for v in shown.index]
        shown.index.name = human_header(frame.index.name) if frame.index.name else None
    withheld = shown == WITHHELD
    shown = shown.mask(withheld, WITHHELD_WORD)
    styler = (shown.style.format(escape="html").format_index(escape="html", axis=0).format_index(escape="html", axis=1)
              .set_table_attributes('class="wb-table"')
              .apply(lambda d: pd.DataFrame(np.where(withheld.to_numpy(), WITHHELD_STYLE, ""), index=d.index,
                                            columns=d.columns), axis=None)
              .set_properties(subset=[human_header(c) for c in numeric], **{"text-align": "right"}))
    if not index:
        styler = styler.hide(axis="index")
    styler = styler.set_uuid(hashlib.sha1(shown.to_csv().encode("utf-8")).hexdigest()[:10])  # stable, unique ids
    note = ""
    if withheld.to_numpy().any():
        k = policy.k if policy is not None else 10
        note = (f'<p style="font-size:11px;color:#666">{WITHHELD} withheld to protect confidentiality (cells reading '
                f'"{WITHHELD_WORD}"): a count below {k}, or a cell that would reveal one by subtraction.</p>')
    return HTML(styler.to_html() + note)


def human_header(name: object) -> str:
    """A column name as a reader reads it: ``"seasonal_naive MASE"`` -> ``"Seasonal naive (MASE)"``.

    Underscores become spaces, a trailing acronym after words goes in brackets (``"q_value"``
    -> ``"q-value"``, ``"gi_z"`` -> ``"Gi* z-score"`` by name), and the first letter is
    capitalised; a name already in words keeps its words.

    Parameters
    ----------
    name : object
        The column name.

    Returns
    -------
    str
        The header.
    """
    text = " ".join(str(name).replace("_", " ").split())
    known = HEADER_WORDS.get(text.lower())
    if known:
        return known
    words = text.split(" ")
    if len(words) > 1 and len(words[-1]) >= 2 and words[-1].isupper() and not words[-2].isupper():
        text = f"{' '.join(words[:-1])} ({words[-1]})"
    return text[:1].upper() + text[1:]


def cell_text(value: object) -> object:
    """A cell as a reader expects it: thousands separators, no scientific notation, no ``nan``.

    Parameters
    ----------
    value : object
        The value (text is returned as given).

    Returns
    -------
    object
        Text for numbers, booleans (yes/no) and missing values (``n/a``); other values unchanged.
    """
    import numbers

    if isinstance(value, bool) or value is None:
        return "" if value is None else ("yes" if value else "no")
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real):
        if value != value:
            return "n/a"
        if float(value).is_integer() and abs(value) >= 1:
            return f"{int(value):,}"
        return f"{value:,.3f}".rstrip("0").rstrip(".") if abs(value) >= 0.001 else "<0.001"
    return value


def withheld_counts(counts: pd.Series, policy: DisclosurePolicy) -> list[str]:
    """Counts as map-popup text for the audience: the number, or ``"<k"`` when withheld.

    Parameters
    ----------
    counts : pandas.Series
        Counts (one per map cell).
    policy : DisclosurePolicy
        The audience's policy; without suppression every count is shown.

    Returns
    -------
    list of str
        Display text, same order.
    """
    if not policy.suppress:
        return [f"{int(v):,}" for v in counts]
    safe = suppress_counts(counts.to_frame("count"), ["count"], policy.k, base=policy.rounding)["count"]
    return [f"<{policy.k}" if pd.isna(v) else f"{int(v):,}" for v in safe]


def series_words(uid: object) -> object:
    """A series id (``"ESP"``, ``"ESP/forced_labour"``) in words; other values unchanged.

    Parameters
    ----------
    uid : object
        Series id.

    Returns
    -------
    object
        ``"Spain / forced labour"``; values that are not series ids as given.
    """
    if not isinstance(uid, str):
        return uid
    parts = uid.split("/")
    if not (len(parts[0]) == 3 and parts[0].isupper()):
        return uid
    head = "all countries" if parts[0] == "ALL" else country_name(parts[0])
    return " / ".join([head, *[p.replace("_", " ") for p in parts[1:]]])


def readable(frame: pd.DataFrame) -> pd.DataFrame:
    """A table as readers expect it: no H3 ids, countries and hotspot classes in words.

    Columns holding H3 cells (``h3_cell``, ``h3 cell``) are dropped (places are named in
    another column), ISO3 codes in ``country``/``origin``/``destination``/``transit``
    columns (and a ``country`` index) become country names, and Gi* classes become words.

    Parameters
    ----------
    frame : pandas.DataFrame
        A disclosure-controlled table.

    Returns
    -------
    pandas.DataFrame
        A copy.
    """
    import numbers
    import re

    h3_like = re.compile(r"^8[0-9a-f]{14}$")
    out = frame.copy()
    for col in list(out.columns):
        values = out[col].dropna()
        if len(values) and values.map(lambda v: isinstance(v, str) and bool(h3_like.match(v))).all():
            if "place" in out.columns:
                out = out.drop(columns=[col])
            else:
                out[col] = [place_of_cell(v) if isinstance(v, str) else v for v in out[col]]
                out = out.rename(columns={col: "place"})
                out = out[["place", *[c for c in out.columns if c != "place"]]]
        elif str(col).replace(" ", "_").lower() == "h3_cell":
            out = out.drop(columns=[col])
    for col in out.columns:
        name = str(col).lower()
        if name in ("country", "origin", "destination", "transit"):
            out[col] = [country_name(v) if isinstance(v, str) and len(v) == 3 and v.isupper() else v for v in out[col]]
        elif name in ("hotspot class", "hotspot_class", "class", "class now", "class before"):
            out[col] = [CLASS_WORDS.get(v, v) if isinstance(v, str) else v for v in out[col]]
        elif name in ("windows", "backtest windows"):  # a number of windows, not of people: said in words
            out[col] = [f"{int(v)} windows" if (isinstance(v, numbers.Real) and v == v)
                        or (isinstance(v, str) and v.strip().isdigit()) else v for v in out[col]]
        elif name == "series":
            out[col] = [series_words(v) for v in out[col]]
        elif name == "model":
            out[col] = [model_words(v) if isinstance(v, str) else v for v in out[col]]
        elif name in CODE_COLUMNS:  # codes (typology ids, sectors) read as words
            out[col] = [v.replace("_", " ") if isinstance(v, str) else v for v in out[col]]
    if str(out.index.name).lower() in ("country", "origin", "destination"):  # crosstabs: countries by name
        out.index = pd.Index([country_name(v) if isinstance(v, str) and len(v) == 3 and v.isupper() else v
                              for v in out.index], name=out.index.name)
    return out


def decimal(value: object, digits: int = 2) -> str:
    """A ratio or probability as text that never reads as a bare integer (``"3.00"``, ``"<0.001"``).

    Parameters
    ----------
    value : object
        A number (missing: ``"n/a"``; infinite: ``"unbounded"``).
    digits : int
        Decimals shown.

    Returns
    -------
    str
        The text.
    """
    if value is None or pd.isna(value):
        return "n/a"
    value = float(value)
    if value == float("inf"):
        return "unbounded"
    if 0 < value < 10 ** -digits:
        return f"<{10 ** -digits:.{digits}f}"
    return f"{value:.{digits}f}"


def note(text: str):  # -> IPython HTML
    """A short escaped note under a table.

    Parameters
    ----------
    text : str
        The note.

    Returns
    -------
    IPython.display.HTML
        A small grey paragraph.
    """
    import html

    from IPython.display import HTML

    return HTML(f'<p style="font-size:11px;color:#666">{html.escape(text)}</p>')
