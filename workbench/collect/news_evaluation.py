"""Evaluation of OSINT triage on real, hand-labelled news alerts.

The set (``tests/data/osint_real_labelled.jsonl``) holds real news items and press
releases found through public search (title, a short summary written by the labeller,
url, publication date), labelled by hand: relevant or not (a report of a specific
trafficking or exploitation case: arrests, rescues, charges, trials, sentences), the
kind of confuser when not (drugs, arms, wildlife, smuggling without exploitation, road
accidents, fiction, bills and politics, statistics, research, awareness, sport,
sidebar headlines), the country of the event, the place, the language and a story group
shared by the items that report the same event. Each item is in one part: ``dev`` (used
to train and tune), ``holdout`` (drawn from a hash of the story group before any model
was run, looked at twice while the first model was built, now trained on),
``holdout2`` (186 items labelled later from new searches, written before the model was
changed; held back until its figures had been printed after several rounds, then retired
and trained on, 30 Nov 2026), ``dev2`` (training items from new searches, 30 Nov 2026) or
``holdout3`` (a second fresh held-back part, labelled on 30 Nov 2026 from new searches
before any model change of that session was evaluated on it; evaluated only by the
coordinator). See ``tests/data/osint_real_labelled.md``.

:func:`evaluate_real` prints, per part: relevance precision / recall / F1 per language
for the learned triage against "flag everything" and the lexicon alone; country and
place accuracy of the geoparser (and of the older folded-text geoparser), with the
number of places taken from a common word; story clustering (B-cubed, all items and
items of multi-item stories; MinHash near-duplicates as the baseline); language
identification on titles alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench.collect.dedupe import cluster, signatures
from workbench.collect.stories import bcubed, cluster_stories
from workbench.collect.evaluation import GEO_TOLERANCE_KM
from workbench.places.gazetteer import haversine_km
from workbench.collect.triage import Triage, detect_language_folded, fold_text, geoparse_folded, lexicon_tags
from workbench.collect.triage.places import word_frequency
from workbench.collect.triage.relevance import item_text
from workbench.places.gazetteer import resolve_city
from workbench.text import language as lang_id

#: Parts of the real labelled set: ``dev`` (trained and tuned on), ``holdout`` (held back
#: at first, looked at twice, now trained on), ``holdout2`` (held back on 29 Nov 2026,
#: retired and trained on since 30 Nov), ``dev2`` (training items from new searches, 30
#: Nov) and ``holdout3`` (the fresh held-back set, labelled later; never trained or tuned
#: on, evaluated only against old and new code at the end).
PARTS = ("dev", "holdout", "holdout2", "dev2", "holdout3")
#: Columns of the real labelled set.
REAL_COLUMNS = ("id", "title", "summary", "url", "published", "language", "relevant", "exploitation_type", "kind",
                "country_iso3", "place_name", "story_group", "split")


def real_labelled_path() -> Path | None:
    """The real labelled set of the repository checkout, if present.

    Returns
    -------
    Path or None
        ``tests/data/osint_real_labelled.jsonl`` next to the package, else None.
    """
    path = Path(__file__).resolve().parents[2] / "tests" / "data" / "osint_real_labelled.jsonl"
    return path if path.exists() else None


def load_real_labelled(path: str | Path) -> pd.DataFrame:
    """Read the real labelled set.

    Parameters
    ----------
    path : str or Path
        JSON lines with :data:`REAL_COLUMNS`.

    Returns
    -------
    pandas.DataFrame
        One row per item, plus ``text`` (title + summary).

    Raises
    ------
    ValueError
        When a line is not JSON, lacks a column or names an unknown part in ``split``
        (naming the line and the field).
    """
    rows = []
    for k, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}: line {k}: not JSON ({exc.msg})") from exc
        missing = [c for c in REAL_COLUMNS if c not in rec]
        if missing:
            raise ValueError(f"{path}: line {k} ({rec.get('id')}): field(s) {missing} missing")
        if rec["split"] not in PARTS:
            raise ValueError(f"{path}: line {k} ({rec.get('id')}): field 'split' is {rec['split']!r}, "
                             f"expected one of {PARTS}")
        rows.append(rec)
    frame = pd.DataFrame(rows, columns=list(REAL_COLUMNS))
    frame["relevant"] = frame["relevant"].astype(bool)
    frame["text"] = [item_text(t, s) for t, s in zip(frame["title"], frame["summary"])]
    return frame


def _prf(pred: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    tp = int((pred & truth).sum())
    fp = int((pred & ~truth).sum())
    fn = int((~pred & truth).sum())
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0}


@dataclass
class RealNewsEvaluation:
    """Tables of :func:`evaluate_real` for one part of the set.

    Attributes
    ----------
    part : str
        One of :data:`PARTS` (``"dev"``, ``"holdout"``, ``"holdout2"``, ``"dev2"``, ``"holdout3"``).
    relevance : pandas.DataFrame
        ``language, method, n, relevant, precision, recall, f1`` (methods: learned,
        lexicon, flag_everything).
    geo : pandas.DataFrame
        ``geoparser, n, country_accuracy, within_50km, places_located, common_word_places``
        on relevant items with a labelled country (``common_word_places``: wrong places
        whose one-word name has a Zipf frequency of 4 or more in the item's language).
    clustering : pandas.DataFrame
        ``method, items, precision, recall, f1`` (B-cubed), on all items and on items of
        multi-item stories.
    language : pandas.DataFrame
        ``detector, n, accuracy, unknown`` on titles alone.
    errors : pandas.DataFrame
        The learned triage's relevance mistakes (``id, language, kind, probability, title``).
    """

    part: str
    relevance: pd.DataFrame
    geo: pd.DataFrame
    clustering: pd.DataFrame
    language: pd.DataFrame
    errors: pd.DataFrame = field(default_factory=pd.DataFrame)

    def headline(self) -> str:
        """One paragraph: the learned triage against the baselines on every measure.

        Returns
        -------
        str
            Relevance (all languages) of the learned triage, the lexicon and flag
            everything; country and 50 km accuracy and common-word places of the geoparser;
            B-cubed story clustering (all items, multi-article stories) against MinHash;
            language accuracy of titles.
        """
        rel = self.relevance.set_index(["language", "method"])
        lines = [f"Headline ({self.part} part, {int(rel.loc[('ALL', 'learned'), 'n'])} items):"]
        for method in ("learned", "lexicon", "flag_everything"):
            r = rel.loc[("ALL", method)]
            lines.append(f"  relevance {method:16s} P {r['precision']:.3f} R {r['recall']:.3f} F1 {r['f1']:.3f}")
        for _, g in self.geo.iterrows():
            lines.append(f"  places {g['geoparser']:30s} country {g['country_accuracy']:.3f} within 50 km "
                         f"{g['within_50km']:.3f} (of {g['n_places']}) common-word places {g['common_word_places']}")
        for _, c in self.clustering.iterrows():
            if c["scope"] != "stories found / labelled":
                lines.append(f"  stories {c['method']:42s} {c['scope']:28s} B3 P {c['precision']:.3f} "
                             f"R {c['recall']:.3f} F1 {c['f1']:.3f}")
        lang = self.language.iloc[0]
        lines.append(f"  language of titles ({lang['detector']}): accuracy {lang['accuracy']:.3f}, "
                     f"unknown {lang['unknown']}, wrong {lang['wrong_language']}")
        return "\n".join(lines)

    def format(self) -> str:
        """Return the tables as plain text."""
        def text(frame: pd.DataFrame) -> str:
            return "(nothing to score)" if frame.empty else frame.to_string(index=False)

        return "\n".join([
            f"== real news, {self.part} part ==", "", "Relevance (per language; ALL = every language)",
            text(self.relevance), "", f"Places (relevant items with a labelled country; within {GEO_TOLERANCE_KM:.0f} km "
            "where the place is labelled)", text(self.geo), "", "Story clustering (B-cubed)", text(self.clustering), "",
            "Language of titles alone", text(self.language)])


def _relevance_table(frame: pd.DataFrame, learned: np.ndarray) -> pd.DataFrame:
    lexicon = np.asarray([bool(lexicon_tags(t)["relevant"]) for t in frame["text"]])
    rows = []
    for lang in ["ALL"] + sorted(frame["language"].unique()):
        mask = np.ones(len(frame), bool) if lang == "ALL" else (frame["language"] == lang).to_numpy()
        truth = frame["relevant"].to_numpy()[mask]
        if mask.sum() < 5:
            continue
        for method, pred in (("learned", learned[mask]), ("lexicon", lexicon[mask]),
                             ("flag_everything", np.ones(mask.sum(), bool))):
            rows.append({"language": lang, "method": method, "n": int(mask.sum()), "relevant": int(truth.sum()),
                         **_prf(pred, truth)})
    return pd.DataFrame(rows)


def _geo_table(frame: pd.DataFrame, triaged: pd.DataFrame) -> pd.DataFrame:
    keep = frame["relevant"].to_numpy() & frame["country_iso3"].notna().to_numpy()
    sub, out = frame[keep], triaged[keep]
    rows = []
    old = [geoparse_folded(fold_text(t), None if lang_id.detect(t) == "unknown" else lang_id.detect(t))
           for t in sub["text"]]
    old_frame = pd.DataFrame(old, index=sub.index)
    for name, pred in (("case-aware (learned triage)", out), ("folded n-grams (before)", old_frame)):
        country_ok = (pred["country_iso3"].to_numpy() == sub["country_iso3"].to_numpy())
        within, located, common = [], 0, 0
        for (idx, row), p_name, p_iso, p_lat, p_lon in zip(sub.iterrows(), pred["place_name"], pred["country_iso3"],
                                                             pred["lat"], pred["lon"]):
            if p_name:
                located += 1
                # a wrong place whose one-word name is a common word of the language ("Federal", "Most")
                wrong = p_iso != row["country_iso3"]
                if wrong and " " not in str(p_name) and word_frequency(fold_text(p_name), row["language"]) >= 4.0:
                    common += 1
            if isinstance(row["place_name"], str) and row["place_name"]:
                gold = resolve_city(row["place_name"], row["country_iso3"])
                if gold is not None:
                    ok = p_lat is not None and not pd.isna(p_lat) and float(haversine_km(
                        gold["lat"], gold["lon"], float(p_lat), float(p_lon))[0]) <= GEO_TOLERANCE_KM
                    within.append(ok)
        rows.append({"geoparser": name, "n": int(len(sub)), "country_accuracy": round(float(country_ok.mean()), 3)
                     if len(sub) else float("nan"), "within_50km": round(float(np.mean(within)), 3) if within
                     else float("nan"), "n_places": len(within), "places_located": located,
                     "common_word_places": common})
    return pd.DataFrame(rows)


def _cluster_table(frame: pd.DataFrame, triaged: pd.DataFrame) -> pd.DataFrame:
    truth = frame["story_group"].to_numpy()
    labels = cluster_stories(list(frame["text"]), list(frame["published"]), list(triaged["country_iso3"]))
    minhash = cluster(signatures(list(frame["text"])))
    multi = frame["story_group"].map(frame["story_group"].value_counts()).to_numpy() > 1
    rows = []
    for method, lab in (("stories (tf-idf + names + place + dates)", labels), ("minhash near-duplicates", minhash)):
        for scope, mask in (("all items", np.ones(len(frame), bool)), ("items of multi-item stories", multi)):
            if mask.sum():
                score = bcubed(np.asarray(lab)[mask], truth[mask])
                rows.append({"method": method, "scope": scope, "items": score["n"], "precision": score["precision"],
                             "recall": score["recall"], "f1": score["f1"]})
    rows.append({"method": "stories (tf-idf + names + place + dates)", "scope": "stories found / labelled",
                 "items": len(frame), "precision": float(len(set(labels))), "recall": float(len(set(truth))),
                 "f1": float("nan")})
    return pd.DataFrame(rows)


def _language_table(frame: pd.DataFrame) -> pd.DataFrame:
    titles = [str(t) for t in frame["title"]]
    truth = frame["language"].to_numpy()
    fast = np.asarray([lang_id.detect(t) for t in titles])
    vote = np.asarray([detect_language_folded(fold_text(t)) for t in titles])
    return pd.DataFrame([
        {"detector": f"fastText lite, floor {lang_id.CONFIDENCE_FLOOR}", "n": len(titles),
         "accuracy": round(float((fast == truth).mean()), 3), "unknown": int((fast == lang_id.UNKNOWN).sum()),
         "wrong_language": int(((fast != truth) & (fast != lang_id.UNKNOWN)).sum())},
        {"detector": "stop-word vote (before)", "n": len(titles), "accuracy": round(float((vote == truth).mean()), 3),
         "unknown": 0, "wrong_language": int((vote != truth).sum())},
    ])


def evaluate_real(labelled: pd.DataFrame, part: str, triage: Any | None = None) -> RealNewsEvaluation:
    """Evaluate the triage on one part of the real labelled set.

    Parameters
    ----------
    labelled : pandas.DataFrame
        From :func:`load_real_labelled`.
    part : str
        One of :data:`PARTS`, or ``"all"``.
    triage : Triage, optional
        The triage evaluated (default :meth:`Triage.learned`).

    Returns
    -------
    RealNewsEvaluation
        The tables.

    Raises
    ------
    ValueError
        For another ``part``.
    """
    if part not in PARTS + ("all",):
        raise ValueError(f"part={part!r}: expected one of {PARTS + ('all',)}")
    frame = (labelled if part == "all" else labelled[labelled["split"] == part]).reset_index(drop=True)
    triage = triage or Triage.learned()
    triaged = triage.triage_many(list(frame["text"]), None, list(frame["published"]), dates=False,
                                 urls=list(frame["url"]))
    learned = triaged["relevant"].to_numpy(dtype=bool)
    wrong = learned != frame["relevant"].to_numpy()
    errors = pd.DataFrame({"id": frame["id"][wrong], "language": frame["language"][wrong],
                           "kind": frame["kind"][wrong], "probability": triaged["score"][wrong].round(2),
                           "title": frame["title"][wrong].str.slice(0, 90)})
    return RealNewsEvaluation(part, _relevance_table(frame, learned), _geo_table(frame, triaged),
                              _cluster_table(frame, triaged), _language_table(frame), errors)
