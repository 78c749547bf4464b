"""One article's triage: language, relevance with confidence, tags, place and date."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import pandas as pd

from workbench.collect.triage.classifier import RelevanceClassifier
from workbench.collect.triage.dates import extract_date
from workbench.collect.triage.lexicon import lexicon_tags
from workbench.collect.triage.places import geoparse, outlet_country
from workbench.collect.triage.workers import balanced_chunks, map_balanced
from workbench.collect.triage.relevance import RelevanceModel, default_model
from workbench.text import language as _language
from workbench.text.fold import fold_text

#: Classifier probabilities inside this band are "uncertain" (flagged for review).
REVIEW_BAND = (0.35, 0.65)
#: Reasons that make a decision low-confidence.
LOW_CONFIDENCE_REASONS = ("weak_term_only", "false_friend", "classifier_disagrees", "classifier_uncertain",
                          "no_exploitation_type")


# --------------------------------------------------------------------------- triage
@dataclass
class TriageResult:
    """Triage of one article.

    Attributes
    ----------
    language : str
        ISO 639-1 code.
    relevant : bool
        The decision.
    confidence : str
        ``"high"`` or ``"low"`` (low: to be reviewed; see ``reasons``).
    score : float
        Relevance score in [0, 1] (lexicon strength, averaged with the classifier's
        probability when there is one).
    lexicon_strength : float
        1.0 strong term, 0.7 weak term with support, 0.3 weak term or false friend
        alone, 0.0 nothing.
    probability : float or None
        The classifier's probability (None without a classifier).
    reasons : list of str
        Why the decision is uncertain (:data:`LOW_CONFIDENCE_REASONS`) or incomplete
        (``no_place``).
    tags : dict
        ``exploitation_types``, ``means_of_control``, ``sector``, ``recruitment_method``.
    place_name, country_iso3 : str or None
        Where (geoparsed).
    lat, lon : float or None
        The city's coordinates (None for a country only).
    date : pandas.Timestamp or None
        The date the text mentions.
    place_precision : str or None
        ``"city"``, ``"admin1"`` or ``"country"`` (None without a place).
    place_confidence : float
        The geoparser's confidence (the chosen country's share of the place votes).
    language_score : float
        The language detector's probability (1.0 for a declared language).
    """

    language: str
    relevant: bool
    confidence: str
    score: float
    lexicon_strength: float
    probability: float | None
    reasons: list[str] = field(default_factory=list)
    tags: dict[str, Any] = field(default_factory=dict)
    place_name: str | None = None
    country_iso3: str | None = None
    lat: float | None = None
    lon: float | None = None
    date: pd.Timestamp | None = None
    place_precision: str | None = None
    place_confidence: float = 0.0
    language_score: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """Return a flat dict (tags spread out, reasons joined by ``;``)."""
        out = {k: v for k, v in self.__dict__.items() if k not in ("tags", "reasons")}
        out.update(self.tags)
        out["reasons"] = ";".join(self.reasons)
        return out


class Triage:
    """Triage articles: language, relevance with confidence, tags, place and date.

    Decision: with a ``relevance`` model (:meth:`learned`: trained on real news, the path
    collectors use), the model's probability alone, at its threshold. Otherwise, without a
    classifier, the lexicon's (:func:`lexicon_tags`); with one, the score is the mean of
    the lexicon strength and the classifier's probability and the article is relevant
    when the score is at least 0.5; a strong lexicon term always makes it relevant.
    Language: the bundled fastText lite model with a confidence floor
    (:mod:`workbench.text.language`; ``"unknown"`` below it). Place: the case-aware
    geoparser (:func:`workbench.collect.triage.places.geoparse`). Confidence is low when a reason in
    :data:`LOW_CONFIDENCE_REASONS` applies: a weak term only, a false friend next to
    exploitation words, a relevant article without an exploitation type, the classifier
    disagreeing with the lexicon or its probability inside ``review_band``.

    Parameters
    ----------
    classifier : RelevanceClassifier, optional
        A fitted classifier; without it the lexicon decides alone (the default path).
    review_band : tuple of float
        Classifier probabilities in this closed band are uncertain.
    relevance : RelevanceModel, optional
        A fitted model whose probability decides alone (see :meth:`learned`).
    """

    def __init__(self, classifier: RelevanceClassifier | None = None,
                 review_band: tuple[float, float] = REVIEW_BAND, relevance: RelevanceModel | None = None) -> None:
        self.classifier = classifier
        self.review_band = review_band
        self.relevance = relevance

    @classmethod
    def learned(cls, review_band: tuple[float, float] = REVIEW_BAND) -> "Triage":
        """The triage used on real feeds: the relevance model trained on real news decides.

        Parameters
        ----------
        review_band : tuple of float
            Probabilities in this band are uncertain (review queue).

        Returns
        -------
        Triage
            With :func:`workbench.collect.triage.relevance.default_model` as ``relevance``.
        """
        return cls(review_band=review_band, relevance=default_model())

    def _model(self) -> Any:
        return self.relevance if self.relevance is not None else self.classifier

    def _row(self, text: str, hint: str | None, reference: Any, probability: float | None,
             dates: bool, url: str | None, details: str) -> tuple:
        """One article's triage as a tuple in :data:`_COLUMNS` order (``reasons`` a list)."""
        folded = fold_text(text)
        language, language_score = _language.detect_with_score(text, hint)
        lang = None if language == _language.UNKNOWN else language
        lex = lexicon_tags(text, folded)
        reasons: list[str] = []
        if lex["strong"]:
            strength = 1.0
        elif lex["weak"] and lex["support"]:
            strength, reasons = 0.7, ["weak_term_only"]
        elif lex["weak"] or (lex["negatives"] and lex["support"]):
            strength = 0.3
            reasons = ["weak_term_only"] if lex["weak"] else ["false_friend"]
        else:
            strength = 0.0
        relevant = lex["relevant"]
        score = strength
        if probability is not None and self.relevance is not None:  # the learned model decides alone
            score = probability
            decide = getattr(self.relevance, "decide", None)
            relevant = (decide(text, probability) if decide is not None
                        else probability >= getattr(self.relevance, "threshold", 0.5))
            reasons = [r for r in reasons if r != "weak_term_only" or relevant]
            if relevant != lex["relevant"]:
                reasons.append("classifier_disagrees")
            if self.review_band[0] <= probability <= self.review_band[1]:
                reasons.append("classifier_uncertain")
        elif probability is not None:
            score = (strength + probability) / 2
            relevant = score >= 0.5 if not lex["strong"] else True
            if (probability >= 0.5) != lex["relevant"]:
                reasons.append("classifier_disagrees")
            if self.review_band[0] <= probability <= self.review_band[1]:
                reasons.append("classifier_uncertain")
        if relevant and not lex["exploitation_types"]:
            reasons.append("no_exploitation_type")
        if relevant or details == "all":
            place = geoparse(text, lang, outlet_country(url), folded)
            date = extract_date(folded, lang, reference, is_folded=True) if dates else None
        else:  # details="relevant": no place or date for an item that is not kept
            place, date = _NO_PLACE, None
        if relevant and place["place_name"] is None and place["country_iso3"] is None:
            reasons.append("no_place")
        confidence = "low" if any(r in LOW_CONFIDENCE_REASONS for r in reasons) else "high"
        return (language, bool(relevant), confidence, round(float(score), 4), strength,
                None if probability is None else float(probability), place["place_name"], place["country_iso3"],
                place["lat"], place["lon"], date, place["precision"], float(place["confidence"]),
                round(float(language_score), 4), lex["exploitation_types"], lex["means_of_control"], lex["sector"],
                lex["recruitment_method"], reasons)

    def _one(self, text: str, hint: str | None, reference: Any, probability: float | None,
             dates: bool, url: str | None = None) -> TriageResult:
        row = dict(zip(_COLUMNS, self._row(text, hint, reference, probability, dates, url, "all")))
        tags = {k: row.pop(k) for k in _TAGS}
        return TriageResult(reasons=row.pop("reasons"), tags=tags, **row)

    def triage(self, text: str, language_hint: str | None = None, reference: Any = None,
               dates: bool = True, url: str | None = None) -> TriageResult:
        """Triage one article.

        Parameters
        ----------
        text : str
            Title and description (plain text).
        language_hint : str, optional
            Declared language (trusted).
        reference : date-like, optional
            Publication date (for relative dates).
        dates : bool
            Extract the mentioned date.
        url : str, optional
            The article's link (its country-code domain is a hint for the place).

        Returns
        -------
        TriageResult
            The decision and what was found.
        """
        model = self._model()
        prob = None if model is None else float(model.predict_proba([str(text or "")])[0])
        return self._one(str(text or ""), language_hint, reference, prob, dates, url)

    def triage_many(self, texts: Sequence[str], language_hints: Sequence[str | None] | None = None,
                    references: Sequence[Any] | None = None, dates: bool = True,
                    urls: Sequence[str | None] | None = None, details: str = "all",
                    n_jobs: int = 1) -> pd.DataFrame:
        """Triage many articles (the classifier, if any, runs once per batch).

        Parameters
        ----------
        texts : sequence of str
            Article texts.
        language_hints : sequence, optional
            Declared languages (None entries: detect).
        references : sequence, optional
            Publication dates.
        dates : bool
            Extract mentioned dates.
        urls : sequence, optional
            The articles' links (country-code domains hint at the place).
        details : {"all", "relevant"}
            Which articles are geoparsed and dated: every one (default: places of items
            that are not relevant feed media-volume denominators and evaluations), or
            only the relevant ones (the others get no place and no date; relevance,
            tags, language and scores are the same either way).
        n_jobs : int
            Worker processes (forked; see :func:`map_balanced`): the articles are cut
            into chunks of about equal length handed out as workers free up. The result
            is the same for any ``n_jobs``.

        Returns
        -------
        pandas.DataFrame
            One row per text: the fields of :class:`TriageResult` (``reasons`` joined by
            ``;``), in input order.

        Raises
        ------
        ValueError
            For another ``details``, or inputs of different lengths.
        """
        if details not in ("all", "relevant"):
            raise ValueError(f"details={details!r}: expected 'all' or 'relevant'")
        texts = ["" if t is None else str(t) for t in texts]
        n = len(texts)
        hints = list(language_hints) if language_hints is not None else [None] * n
        refs = list(references) if references is not None else [None] * n
        links = list(urls) if urls is not None else [None] * n
        for name, values in (("language_hints", hints), ("references", refs), ("urls", links)):
            if len(values) != n:
                raise ValueError(f"{name}: {len(values)} items but texts: {n}")
        if n_jobs > 1 and n >= 2 * PARALLEL_MIN:
            self._row("warm up: trafficking victims in London yesterday", None, None, 0.5, dates, None, "all")
            # about 1,000 articles a chunk, at least 4 per worker: the last chunk to finish is short
            lengths = [len(t) + 200 for t in texts]  # cost: characters read, plus a fixed cost per article
            cuts = balanced_chunks(lengths, max(4 * n_jobs, n // PARALLEL_MIN))
            tasks = [(self, texts[a:b], hints[a:b], refs[a:b], dates, links[a:b], details) for a, b in cuts]
            parts = map_balanced(_triage_chunk, tasks, n_jobs, costs=[sum(lengths[a:b]) for a, b in cuts])
            return pd.concat(parts, ignore_index=True)
        model = self._model()
        probs = model.predict_proba(texts) if model is not None and texts else [None] * n
        rows = [self._row(t, h, r, None if p is None else float(p), dates, u, details)
                for t, h, r, p, u in zip(texts, hints, refs, probs, links)]
        return self._frame(rows)

    @staticmethod
    def _frame(rows: list[tuple]) -> pd.DataFrame:
        columns = list(zip(*rows)) if rows else [()] * len(_COLUMNS)
        data = {name: list(col) for name, col in zip(_COLUMNS, columns)}
        data["reasons"] = [";".join(r) for r in data["reasons"]]
        return pd.DataFrame(data, columns=_FRAME_COLUMNS)


#: Fields of one triaged article, in :meth:`Triage._row` order.
_COLUMNS = ("language", "relevant", "confidence", "score", "lexicon_strength", "probability", "place_name",
            "country_iso3", "lat", "lon", "date", "place_precision", "place_confidence", "language_score",
            "exploitation_types", "means_of_control", "sector", "recruitment_method", "reasons")
_TAGS = ("exploitation_types", "means_of_control", "sector", "recruitment_method")
#: Columns of :meth:`Triage.triage_many` (the result fields, tags spread, reasons last).
_FRAME_COLUMNS = ([f for f in TriageResult.__dataclass_fields__ if f not in ("tags", "reasons")]
                  + list(_TAGS) + ["reasons"])
_NO_PLACE = {"place_name": None, "country_iso3": None, "lat": None, "lon": None, "precision": None,
             "confidence": 0.0}
#: Batches smaller than twice this are triaged in-process whatever ``n_jobs`` says.
PARALLEL_MIN = 1000


def _triage_chunk(task: tuple) -> pd.DataFrame:
    triage, texts, hints, refs, dates, links, details = task
    return triage.triage_many(texts, hints, refs, dates, links, details, n_jobs=1)
