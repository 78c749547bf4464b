"""How well does OSINT triage work? Labelled articles, and precision / recall / accuracy.

- generated articles with their truth live in :mod:`workbench.synthetic.labelled_news`
  (:func:`~workbench.synthetic.labelled_news.make_labelled_set`); no model depends on
  them any more (the relevance model is trained on real news).
- :func:`load_labelled` reads a hand-labelled JSON-lines file (``tests/data/osint_labelled.jsonl``).
- :func:`evaluate` triages a labelled set with a :class:`~workbench.collect.triage.Triage`
  and :func:`score` compares: relevance precision / recall / F1 per language, per-tag
  precision / recall / F1, language-identification accuracy, geoparsing accuracy
  (within 50 km, haversine) and date accuracy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench.places.gazetteer import haversine_km

#: Distance within which a geoparsed place counts as right.
GEO_TOLERANCE_KM = 50.0
LABEL_COLUMNS = ("text", "language", "relevant", "exploitation_types", "sector", "place_name", "lat", "lon",
                 "published", "date", "kind", "split")

def load_labelled(path: str | Path) -> pd.DataFrame:
    """Read a hand-labelled JSON-lines set.

    Each line: ``text, language, relevant`` (required), ``exploitation_types`` (list),
    ``sector``, ``place_name``, ``lat``, ``lon``, ``published``, ``date``, ``kind``,
    ``split`` (``"dev"``: used while writing the lexicon; ``"holdout"``: written
    afterwards and never tuned on; missing means ``"dev"``).

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    pandas.DataFrame
        :data:`LABEL_COLUMNS` (missing optional fields are None).

    Raises
    ------
    ValueError
        Naming the line and field when a line is not JSON or misses a required field.
    """
    rows = []
    for no, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}: line {no}: invalid JSON ({exc.msg})") from None
        for name, kind in (("text", str), ("language", str), ("relevant", bool)):
            if not isinstance(rec.get(name), kind):
                raise ValueError(f"{path}: line {no}: field {name!r}={rec.get(name)!r}: expected {kind.__name__}")
        rows.append({c: rec.get(c) for c in LABEL_COLUMNS})
    out = pd.DataFrame(rows, columns=list(LABEL_COLUMNS))
    out["exploitation_types"] = out["exploitation_types"].map(lambda v: list(v) if isinstance(v, list) else [])
    out["split"] = out["split"].fillna("dev")
    for col in ("published", "date"):
        out[col] = pd.to_datetime(out[col])
    return out


def hand_labelled_path() -> Path | None:
    """Return the repository's hand-labelled set (``tests/data/osint_labelled.jsonl``), if present.

    Returns
    -------
    Path or None
        None in an installed package without the tests folder.
    """
    path = Path(__file__).resolve().parents[2] / "tests" / "data" / "osint_labelled.jsonl"
    return path if path.exists() else None


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else float("nan")
    r = tp / (tp + fn) if tp + fn else float("nan")
    f = 2 * p * r / (p + r) if tp and (p + r) else (0.0 if (tp + fp) and (tp + fn) else float("nan"))
    return p, r, f


@dataclass
class EvaluationResults:
    """Triage quality on a labelled set.

    Attributes
    ----------
    relevance : pandas.DataFrame
        Per language and ``ALL``: ``n, tp, fp, fn, tn, precision, recall, f1``.
    tags : pandas.DataFrame
        Per tag (``exploitation_types:<code>``, ``sector:<code>``) over the truly
        relevant articles: ``support, tp, fp, fn, precision, recall, f1``.
    language : pandas.DataFrame
        Per true language: ``n, correct, accuracy`` (detected without a hint).
    geo : pandas.DataFrame
        Per language and ``ALL``: ``n, within_km, accuracy, median_km`` for articles
        with a true place (a place not found counts as wrong).
    dates : pandas.DataFrame
        Per language and ``ALL``: ``n, correct, accuracy`` for articles with a true date.
    predictions : pandas.DataFrame
        The triage output, row-aligned with the labelled set.
    note : str
        What was evaluated.
    """

    relevance: pd.DataFrame
    tags: pd.DataFrame
    language: pd.DataFrame
    geo: pd.DataFrame
    dates: pd.DataFrame
    predictions: pd.DataFrame
    note: str = ""

    @property
    def table(self) -> pd.DataFrame:
        """Headline figures: ``metric, value``."""
        rel = self.relevance.set_index("language").loc["ALL"]
        geo = self.geo.set_index("language").loc["ALL"] if len(self.geo) else None
        dates = self.dates.set_index("language").loc["ALL"] if len(self.dates) else None
        lang = self.language["correct"].sum() / max(self.language["n"].sum(), 1)
        return pd.DataFrame({"metric": ["relevance precision", "relevance recall", "relevance F1",
                                        "language accuracy", f"places within {GEO_TOLERANCE_KM:.0f} km",
                                        "date accuracy"],
                             "value": [rel["precision"], rel["recall"], rel["f1"], lang,
                                       np.nan if geo is None else geo["accuracy"],
                                       np.nan if dates is None else dates["accuracy"]]}).round(3)

    def format(self) -> str:
        """Return every table as plain text, for a terminal."""
        def text(frame: pd.DataFrame, digits: int) -> str:
            return "(nothing to score)" if frame.empty else frame.round(digits).to_string(index=False)

        parts = [self.note, "", text(self.table, 3), "", "Relevance by language", text(self.relevance, 3), "",
                 "Tags", text(self.tags, 3), "", "Language identification", text(self.language, 3), "",
                 f"Places (within {GEO_TOLERANCE_KM:.0f} km)", text(self.geo, 2), "", "Dates", text(self.dates, 3)]
        return "\n".join(parts)


def score(labelled: pd.DataFrame, predicted: pd.DataFrame, note: str = "") -> EvaluationResults:
    """Compare triage output with the truth.

    Parameters
    ----------
    labelled : pandas.DataFrame
        Truth (:data:`LABEL_COLUMNS`; ``lat``/``lon``/``date``/``sector`` may be missing).
    predicted : pandas.DataFrame
        Row-aligned triage output with ``relevant, language, exploitation_types, sector,
        lat, lon, date`` (as from :meth:`Triage.triage_many`; the detected language in
        ``language``).
    note : str
        Description kept in the results.

    Returns
    -------
    EvaluationResults
        The tables.

    Raises
    ------
    ValueError
        When the two frames have different lengths.
    """
    if len(labelled) != len(predicted):
        raise ValueError(f"predicted: {len(predicted)} rows but labelled: {len(labelled)}")
    truth = labelled.reset_index(drop=True)
    pred = predicted.reset_index(drop=True)
    langs = sorted(truth["language"].unique())
    return EvaluationResults(
        relevance=pd.DataFrame(_relevance_rows(truth, pred, langs)),
        tags=pd.DataFrame(_tag_rows(truth, pred),
                          columns=["tag", "support", "tp", "fp", "fn", "precision", "recall", "f1"]),
        language=pd.DataFrame(_language_rows(truth, pred, langs), columns=["language", "n", "correct", "accuracy"]),
        geo=pd.DataFrame(_geo_rows(truth, pred, langs),
                         columns=["language", "n", "within_km", "accuracy", "median_km"]),
        dates=pd.DataFrame(_date_rows(truth, pred, langs), columns=["language", "n", "correct", "accuracy"]),
        predictions=pred, note=note,
    )


def _relevance_rows(truth: pd.DataFrame, pred: pd.DataFrame, langs: list[str]) -> list[dict[str, Any]]:
    """Relevance confusion counts and precision/recall/F1 per language and for ``ALL``."""
    rel_rows = []
    for lang in langs + ["ALL"]:
        sel = np.ones(len(truth), bool) if lang == "ALL" else (truth["language"] == lang).to_numpy()
        t = truth.loc[sel, "relevant"].astype(bool).to_numpy()
        p = pred.loc[sel, "relevant"].astype(bool).to_numpy()
        tp, fp, fn, tn = int((t & p).sum()), int((~t & p).sum()), int((t & ~p).sum()), int((~t & ~p).sum())
        prec, rec, f1 = _prf(tp, fp, fn)
        rel_rows.append({"language": lang, "n": int(sel.sum()), "tp": tp, "fp": fp, "fn": fn, "tn": tn,
                         "precision": prec, "recall": rec, "f1": f1})
    return rel_rows


def _as_set(value: Any) -> set[str]:
    """A tag cell (list, scalar or missing) as a set of strings."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return {str(v) for v in value}
    return set() if value is None or (isinstance(value, float) and np.isnan(value)) else {str(value)}


def _tag_rows(truth: pd.DataFrame, pred: pd.DataFrame) -> list[dict[str, Any]]:
    """Per-tag scores of exploitation types and sectors on the truly relevant rows."""
    pos = truth["relevant"].astype(bool).to_numpy()
    tag_rows = []
    for group in ("exploitation_types", "sector"):
        if group not in truth.columns or group not in pred.columns:
            continue
        t_sets = [_as_set(v) for v in truth.loc[pos, group]]
        p_sets = [_as_set(v) for v in pred.loc[pos, group]]
        if group == "sector":  # only where the truth names a sector
            keep = [bool(t) for t in t_sets]
            t_sets = [t for t, k in zip(t_sets, keep) if k]
            p_sets = [p for p, k in zip(p_sets, keep) if k]
        for code in sorted(set().union(*t_sets, *p_sets) if t_sets else set()):
            tp = sum(code in t and code in p for t, p in zip(t_sets, p_sets))
            fp = sum(code not in t and code in p for t, p in zip(t_sets, p_sets))
            fn = sum(code in t and code not in p for t, p in zip(t_sets, p_sets))
            prec, rec, f1 = _prf(tp, fp, fn)
            tag_rows.append({"tag": f"{group}:{code}", "support": tp + fn, "tp": tp, "fp": fp, "fn": fn,
                             "precision": prec, "recall": rec, "f1": f1})
    return tag_rows


def _language_rows(truth: pd.DataFrame, pred: pd.DataFrame, langs: list[str]) -> list[dict[str, Any]]:
    """Language-identification accuracy per true language."""
    lang_rows = []
    for lang in langs:
        sel = (truth["language"] == lang).to_numpy()
        correct = int((pred.loc[sel, "language"].to_numpy() == lang).sum())
        lang_rows.append({"language": lang, "n": int(sel.sum()), "correct": correct,
                          "accuracy": correct / sel.sum()})
    return lang_rows


def _geo_rows(truth: pd.DataFrame, pred: pd.DataFrame, langs: list[str]) -> list[dict[str, Any]]:
    """Place accuracy (within :data:`GEO_TOLERANCE_KM`) and median error per language and for ``ALL``."""
    geo_rows: list[dict[str, Any]] = []
    if {"lat", "lon"} <= set(truth.columns):
        dist = haversine_km(truth["lat"], truth["lon"], pred["lat"], pred["lon"])
        has = truth["lat"].notna().to_numpy() & truth["lon"].notna().to_numpy()
        for lang in langs + ["ALL"]:
            sel = has & (np.ones(len(truth), bool) if lang == "ALL" else (truth["language"] == lang).to_numpy())
            if not sel.any():
                continue
            d = dist[sel]
            ok = int((np.nan_to_num(d, nan=np.inf) <= GEO_TOLERANCE_KM).sum())
            geo_rows.append({"language": lang, "n": int(sel.sum()), "within_km": ok, "accuracy": ok / sel.sum(),
                             "median_km": float(np.nanmedian(d)) if np.isfinite(d).any() else float("nan")})
    return geo_rows


def _date_rows(truth: pd.DataFrame, pred: pd.DataFrame, langs: list[str]) -> list[dict[str, Any]]:
    """Date accuracy (same day) per language and for ``ALL``."""
    date_rows: list[dict[str, Any]] = []
    if "date" in truth.columns and "date" in pred.columns:
        t_dates = pd.to_datetime(truth["date"]).dt.normalize()
        p_dates = pd.to_datetime(pred["date"]).dt.normalize()
        has = t_dates.notna().to_numpy()
        same = (t_dates == p_dates).fillna(False).to_numpy()
        for lang in langs + ["ALL"]:
            sel = has & (np.ones(len(truth), bool) if lang == "ALL" else (truth["language"] == lang).to_numpy())
            if sel.any():
                date_rows.append({"language": lang, "n": int(sel.sum()), "correct": int(same[sel].sum()),
                                  "accuracy": float(same[sel].mean())})
    return date_rows


def evaluate(triage: Any, labelled: pd.DataFrame, note: str = "") -> EvaluationResults:
    """Triage a labelled set (languages detected, not hinted) and score it.

    Parameters
    ----------
    triage : Triage
        The triage to evaluate (lexicon only, or with a classifier).
    labelled : pandas.DataFrame
        From :func:`make_labelled_set` or :func:`load_labelled`.
    note : str
        Description kept in the results.

    Returns
    -------
    EvaluationResults
        See :func:`score`.
    """
    refs = labelled["published"] if "published" in labelled.columns else None
    predicted = triage.triage_many(list(labelled["text"]), None,
                                   None if refs is None else [None if pd.isna(r) else r for r in refs])
    return score(labelled, predicted, note or f"{len(labelled)} labelled articles")
