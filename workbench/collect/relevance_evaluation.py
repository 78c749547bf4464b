"""Honest figures for the relevance model: grouped cross-validation and leave-one-part-out.

A held-back part stops being held back once its figures steer changes. The relevance model
is therefore measured on the **training parts only** (:data:`~workbench.collect.triage.
relevance.TRAIN_PARTS`), in two ways that never score an item with a model that saw it:

- :func:`grouped_cross_validation`: k folds grouped by ``story_group`` (every article of one
  event in the same fold, so a rewrite of a training article is never scored), stratified by
  relevance;
- :func:`leave_part_out`: train on every other training part, score one whole part. The
  parts were labelled from different searches on different days, so this mimics new
  searches best (it is the lower, more honest of the two figures).

Both return the out-of-fold decisions beside the lexicon alone and "flag everything", per
language (:func:`relevance_table`). The hand-written examples bundled with the training
resource (ids starting with ``h``) join every training fold and are never scored.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd

from workbench.collect.news_evaluation import _relevance_table
from workbench.collect.triage.relevance import TRAIN_PARTS, RelevanceModel, item_text, training_items

#: Builds an unfitted model (default: :class:`RelevanceModel` with its default settings).
ModelFactory = Callable[[], Any]


def _extras() -> tuple[list[str], list[bool]]:
    """The bundled hand-written examples (not real news): always trained on, never scored."""
    items = [i for i in training_items() if str(i.get("id", "")).startswith("h")]
    return [item_text(i["title"], i["summary"]) for i in items], [bool(i["relevant"]) for i in items]


def relevance_table(frame: pd.DataFrame, decisions: np.ndarray) -> pd.DataFrame:
    """Precision / recall / F1 per language of ``decisions`` beside the lexicon and flag everything.

    Parameters
    ----------
    frame : pandas.DataFrame
        Labelled items (``text, language, relevant``).
    decisions : numpy.ndarray
        One boolean per row of ``frame``.

    Returns
    -------
    pandas.DataFrame
        ``language, method, n, relevant, precision, recall, f1`` (methods ``learned``,
        ``lexicon``, ``flag_everything``; language ``ALL`` for every row).
    """
    return _relevance_table(frame.reset_index(drop=True), np.asarray(decisions, dtype=bool))


def _fit_predict(factory: ModelFactory, train: pd.DataFrame, test: pd.DataFrame,
                 extra: tuple[list[str], list[bool]]) -> tuple[np.ndarray, np.ndarray]:
    model = factory().fit(list(train["text"]) + extra[0], list(train["relevant"]) + extra[1])
    texts = list(test["text"])
    return model.predict_proba(texts), model.predict(texts)


def grouped_cross_validation(frame: pd.DataFrame, factory: ModelFactory | None = None, folds: int = 5,
                             seed: int = 0, parts: Sequence[str] = TRAIN_PARTS,
                             extras: bool = True) -> pd.DataFrame:
    """Out-of-fold relevance of every item of ``parts``, folds grouped by story.

    Parameters
    ----------
    frame : pandas.DataFrame
        The real labelled set (:func:`~workbench.collect.news_evaluation.load_real_labelled`).
    factory : callable, optional
        Returns an unfitted model with ``fit``, ``predict_proba`` and ``predict``.
    folds : int
        Number of folds (stratified by relevance, grouped by ``story_group``).
    seed : int
        Seed of the fold assignment.
    parts : sequence of str
        Parts scored (default: the training parts; never a held-back part).
    extras : bool
        Add the bundled hand-written examples to every training fold.

    Returns
    -------
    pandas.DataFrame
        The rows of ``parts`` with ``probability``, ``predicted`` and ``fold``.

    Raises
    ------
    ValueError
        When ``parts`` selects no item or fewer than ``folds`` story groups.
    """
    from sklearn.model_selection import StratifiedGroupKFold

    factory = factory or RelevanceModel
    data = frame[frame["split"].isin(parts)].reset_index(drop=True)
    if data["story_group"].nunique() < folds:
        raise ValueError(f"parts {tuple(parts)}: {data['story_group'].nunique()} story groups, fewer than "
                         f"{folds} folds")
    extra = _extras() if extras else ([], [])
    prob, pred, fold = np.zeros(len(data)), np.zeros(len(data), bool), np.zeros(len(data), int)
    splitter = StratifiedGroupKFold(folds, shuffle=True, random_state=seed)
    for k, (tr, te) in enumerate(splitter.split(data, data["relevant"], data["story_group"])):
        prob[te], pred[te] = _fit_predict(factory, data.iloc[tr], data.iloc[te], extra)
        fold[te] = k
    return data.assign(probability=prob, predicted=pred, fold=fold)


def leave_part_out(frame: pd.DataFrame, test_part: str, factory: ModelFactory | None = None,
                   parts: Sequence[str] = TRAIN_PARTS, extras: bool = True) -> pd.DataFrame:
    """Train on the other training parts, score one whole part (new searches, new days).

    Parameters
    ----------
    frame : pandas.DataFrame
        The real labelled set.
    test_part : str
        The part scored; one of ``parts``.
    factory : callable, optional
        Returns an unfitted model.
    parts : sequence of str
        The training parts (default :data:`TRAIN_PARTS`).
    extras : bool
        Add the bundled hand-written examples to the training items.

    Returns
    -------
    pandas.DataFrame
        The rows of ``test_part`` with ``probability`` and ``predicted``.

    Raises
    ------
    ValueError
        When ``test_part`` is not one of ``parts`` or holds no item.
    """
    if test_part not in parts:
        raise ValueError(f"test_part={test_part!r}: expected one of the training parts {tuple(parts)}")
    test = frame[frame["split"] == test_part].reset_index(drop=True)
    if test.empty:
        raise ValueError(f"test_part={test_part!r}: the labelled set holds no item of that part")
    train = frame[frame["split"].isin([p for p in parts if p != test_part])]
    prob, pred = _fit_predict(factory or RelevanceModel, train, test, _extras() if extras else ([], []))
    return test.assign(probability=prob, predicted=pred)
