"""Calibrate typology weights from labelled outcomes, and measure precision at a budget.

The hand weights of the typology rules (``resources/typologies.yaml``) are expert
judgements. Once investigations have labelled enough accounts, :func:`calibrate` fits a
logistic regression on the per-account typology features of a
:class:`~workbench.apply.screening.ScreeningResults` and compares, at a fixed alert
budget (the number of accounts an investigations team can review), the precision and
recall of the learned scores with those of the hand weights. Learned scores are
out-of-fold (cross-validated) when there are enough labelled cases.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from workbench.apply.screening import ScreeningResults


def precision_at_budget(scores: pd.Series, labels: pd.Series, budget: int) -> tuple[float, float, int]:
    """Precision and recall when the ``budget`` highest-scored accounts are reviewed.

    Parameters
    ----------
    scores : pandas.Series
        Score per account (index: account).
    labels : pandas.Series
        1/True for a confirmed case, 0/False otherwise (same index).
    budget : int
        Alerts reviewed (ties broken by account id, so the result is deterministic).

    Returns
    -------
    precision : float
        True cases among the reviewed / number reviewed.
    recall : float
        True cases among the reviewed / all true cases (NaN when there are none).
    true_positives : int
        True cases among the reviewed.
    """
    if budget < 1:
        raise ValueError(f"budget={budget!r}: expected a positive integer")
    frame = pd.DataFrame({"score": scores.astype("float64"), "label": labels.reindex(scores.index).astype(int)})
    frame = frame.rename_axis("account").reset_index().sort_values(["score", "account"], ascending=[False, True],
                                                                   kind="mergesort")
    top = frame.head(budget)
    tp = int(top["label"].sum())
    positives = int(frame["label"].sum())
    return tp / len(top), (tp / positives if positives else math.nan), tp


@dataclass
class CalibrationResults:
    """Hand weights versus weights learned from labelled accounts.

    Attributes
    ----------
    table : pandas.DataFrame
        ``method, budget, precision, recall, true_positives`` for the hand weights and the
        learned model.
    weights : pandas.DataFrame
        ``typology, hand_weight, coefficient, odds_ratio, fired_positive, fired_negative``.
    scores : pandas.DataFrame
        ``account, label, hand_score, learned_score`` (learned: out-of-fold when possible).
    budget : int
        Alert budget.
    n_labelled, n_positive : int
        Labelled accounts and confirmed cases among them.
    model : object
        The scikit-learn LogisticRegression fitted on all labelled accounts.
    note : str
        What was done and its caveats.
    """

    table: pd.DataFrame
    weights: pd.DataFrame
    scores: pd.DataFrame
    budget: int
    n_labelled: int
    n_positive: int
    model: Any = field(repr=False, default=None)
    note: str = ""


def _labels_series(labels: pd.Series | pd.DataFrame) -> pd.Series:
    if isinstance(labels, pd.DataFrame):
        if not {"account", "is_trafficking"} <= set(labels.columns):
            raise ValueError("labels: expected columns 'account' and 'is_trafficking'")
        labels = labels.set_index(labels["account"].astype(str))["is_trafficking"]
    values = pd.to_numeric(labels, errors="coerce")
    bad = values.isna() | ~values.isin([0, 1])
    if bad.any():
        first = labels.index[bad.to_numpy()][0]
        raise ValueError(f"record {first}: field 'is_trafficking'={labels[first]!r}: expected 0 or 1")
    return values.astype(int)


def calibrate(results_or_features: ScreeningResults | pd.DataFrame, labels: pd.Series | pd.DataFrame,
              budget: int = 20, cv: int = 5, C: float = 1.0, weights: Mapping[str, float] | None = None,
              random_state: int = 0) -> CalibrationResults:
    """Learn typology weights from labelled accounts and compare with the hand weights.

    Fits a scikit-learn ``LogisticRegression`` (class-balanced, L2 with strength ``C``) on
    the per-account fired-typology features. This needs labelled data: accounts whose
    outcome is known (confirmed cases from investigations or suspicious-activity-report
    feedback, and accounts cleared). With few confirmed cases the learned weights are
    unstable; precision is then measured out-of-fold (stratified ``cv``-fold) so the
    model is not graded on accounts it was trained on.

    Parameters
    ----------
    results_or_features : ScreeningResults or pandas.DataFrame
        Screening results (features and hand weights taken from them), or a features
        table (index: account, columns: typology ids, 0/1 or strengths).
    labels : pandas.Series or pandas.DataFrame
        ``is_trafficking`` per account (Series indexed by account, or a frame with
        ``account, is_trafficking``). Unlabelled accounts are left out.
    budget : int
        Alerts reviewed: precision and recall are measured on the top ``budget`` accounts.
    cv : int
        Folds for out-of-fold scores (reduced to the number of cases of the rarer class;
        below 2, in-sample scores are used and the note says so).
    C : float
        Inverse regularisation strength.
    weights : mapping, optional
        Hand weights (rule id -> weight) when features are given directly.
    random_state : int
        Seed of the fold split.

    Returns
    -------
    CalibrationResults
        Precision/recall at the budget for both, learned coefficients, per-account scores.
    """
    if isinstance(results_or_features, ScreeningResults):
        features = results_or_features.features.astype("float64")
        weights = {r.id: r.weight for r in results_or_features.rules.rules}
    else:
        features = results_or_features.astype("float64")
    y_all = _labels_series(labels)
    common = features.index.intersection(y_all.index)
    if len(common) == 0:
        raise ValueError("labels: no labelled account is among the screened accounts")
    X, y = features.loc[common].sort_index(), y_all.loc[common].sort_index()
    n_pos, n_neg = int(y.sum()), int((1 - y).sum())
    if n_pos == 0 or n_neg == 0:
        raise ValueError(f"labels: need both classes; got {n_pos} positive and {n_neg} negative accounts")
    model, learned, how = _learned_scores(X, y, min(cv, n_pos, n_neg), C, random_state)
    learned_s = pd.Series(learned, index=X.index)
    rows = []
    if weights:
        hand = _hand_scores(X, weights)
        p, r, tp = precision_at_budget(hand, y, budget)
        rows.append({"method": "hand weights (YAML)", "budget": budget, "precision": p, "recall": r,
                     "true_positives": tp})
    else:
        hand = pd.Series(np.nan, index=X.index)
    p, r, tp = precision_at_budget(learned_s, y, budget)
    rows.append({"method": f"logistic regression, {how}", "budget": budget, "precision": p, "recall": r,
                 "true_positives": tp})
    coef = model.coef_[0]
    table_w = pd.DataFrame({
        "typology": list(X.columns),
        "hand_weight": [float(weights.get(c, np.nan)) if weights else np.nan for c in X.columns],
        "coefficient": coef,
        "odds_ratio": np.exp(coef),
        "fired_positive": (X[y == 1] > 0).sum().to_numpy().astype("int64"),
        "fired_negative": (X[y == 0] > 0).sum().to_numpy().astype("int64"),
    })
    note = (f"Logistic regression on {X.shape[1]} typology features of {len(y):,} labelled accounts "
            f"({n_pos:,} confirmed cases); learned scores {how}. Weights need labelled outcomes "
            "(investigation results, report feedback); with few cases they are unstable: keep the hand "
            "weights until enough cases are labelled.")
    scores = pd.DataFrame({"account": X.index, "label": y.to_numpy(), "hand_score": hand.to_numpy(),
                           "learned_score": learned})
    return CalibrationResults(table=pd.DataFrame(rows), weights=table_w, scores=scores.reset_index(drop=True),
                              budget=budget, n_labelled=len(y), n_positive=n_pos, model=model, note=note)


def _learned_scores(X: pd.DataFrame, y: pd.Series, folds: int, C: float,
                    random_state: int) -> tuple[Any, np.ndarray, str]:
    """The fitted model and each account's learned score: out-of-fold when ``folds`` >= 2."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    model = LogisticRegression(C=C, class_weight="balanced", max_iter=1000)
    model.fit(X.to_numpy(), y.to_numpy())
    if folds >= 2:
        split = StratifiedKFold(n_splits=folds, shuffle=True, random_state=random_state)
        learned = cross_val_predict(LogisticRegression(C=C, class_weight="balanced", max_iter=1000),
                                    X.to_numpy(), y.to_numpy(), cv=split, method="predict_proba")[:, 1]
        return model, learned, f"out-of-fold ({folds}-fold)"
    return model, model.predict_proba(X.to_numpy())[:, 1], "in-sample (too few cases for cross-validation: optimistic)"


def _hand_scores(X: pd.DataFrame, weights: Mapping[str, float]) -> pd.Series:
    """The hand-weighted score of each account: 1 - prod(1 - w) over its fired typologies."""
    w = np.array([float(weights.get(c, 0.0)) for c in X.columns])
    return pd.Series(-np.expm1((X.to_numpy() > 0) @ np.log1p(-w)), index=X.index)


def calibration_table(calibration: CalibrationResults) -> pd.DataFrame:
    """Precision and recall at the alert budget, as text (no bare small integers).

    Parameters
    ----------
    calibration : CalibrationResults
        From :func:`calibrate`.

    Returns
    -------
    pandas.DataFrame
        ``method, alerts reviewed, precision, recall``.
    """
    t = calibration.table
    return pd.DataFrame({
        "method": t["method"],
        "alerts reviewed": [f"top {b:,}" for b in t["budget"]],
        "precision": [f"{p:.2f}" for p in t["precision"]],
        "recall": ["n/a" if pd.isna(r) else f"{r:.2f}" for r in t["recall"]],
    })


def weights_table(calibration: CalibrationResults) -> pd.DataFrame:
    """Hand weights next to the learned coefficients, as text.

    Parameters
    ----------
    calibration : CalibrationResults
        From :func:`calibrate`.

    Returns
    -------
    pandas.DataFrame
        ``typology, hand weight, learned coefficient, odds ratio``.
    """
    w = calibration.weights
    return pd.DataFrame({
        "typology": w["typology"],
        "hand weight": [f"{v:.2f}" for v in w["hand_weight"]],
        "learned coefficient": [f"{v:+.2f}" for v in w["coefficient"]],
        "odds ratio": [f"{v:.2f}" for v in w["odds_ratio"]],
    })


# -- ranking quality against labels (transaction-level screen) ----------------------------------


def ranking_metrics(scores: pd.Series, labels: pd.Series, budget: int) -> dict[str, float]:
    """ROC AUC and precision/recall at the alert budget of one ranking.

    Parameters
    ----------
    scores : pandas.Series
        Score per account (index: account).
    labels : pandas.Series
        0/1 per account; accounts without a label are left out.
    budget : int
        Alerts reviewed.

    Returns
    -------
    dict
        ``auc``, ``precision``, ``recall``, ``true_positives``, ``prevalence``, ``n``.
    """
    from sklearn.metrics import roc_auc_score

    y = _labels_series(labels)
    common = scores.index.intersection(y.index)
    s, y = scores.loc[common].astype("float64"), y.loc[common]
    if y.nunique() < 2:
        raise ValueError(f"labels: need both classes among the {len(y):,} scored accounts")
    p, r, tp = precision_at_budget(s, y, budget)
    return {"auc": float(roc_auc_score(y.to_numpy(), s.to_numpy())), "precision": p, "recall": r,
            "true_positives": tp, "prevalence": float(y.mean()), "n": len(y)}


@dataclass
class ScreeningEvaluation:
    """Ranking quality of a screen on held-out labelled accounts, against a random baseline.

    Attributes
    ----------
    table : pandas.DataFrame
        ``method, auc, precision, recall, true_positives`` on the held-out accounts for
        the hand weights, the weights calibrated on the training accounts, a seeded random
        ranking and the random expectation (AUC 0.5, precision = prevalence).
    coefficients : pandas.DataFrame
        ``typology, hand_weight, coefficient`` of the calibrated logistic regression.
    budget : int
        Alerts reviewed.
    n_train, n_holdout, n_positive_holdout : int
        Labelled accounts used.
    note : str
        What was measured.
    """

    table: pd.DataFrame
    coefficients: pd.DataFrame
    budget: int
    n_train: int
    n_holdout: int
    n_positive_holdout: int
    note: str = ""


def evaluate_screen(train: Any, train_labels: pd.Series | pd.DataFrame, holdout: Any,
                    holdout_labels: pd.Series | pd.DataFrame, budget: int = 100, C: float = 1.0,
                    random_state: int = 0) -> ScreeningEvaluation:
    """Calibrate on a training file's labels and measure the ranking on a held-out file.

    Parameters
    ----------
    train, holdout : TransferResults or ScreeningResults
        Screening results of the training and held-out files (``features`` and
        ``scores``; the hand weights are the rules' weights).
    train_labels, holdout_labels : pandas.Series or pandas.DataFrame
        ``is_laundering``/``is_trafficking`` per account (Series indexed by account, or
        a frame with ``account`` and one of those columns).
    budget : int
        Alerts reviewed on the held-out file.
    C : float
        Inverse L2 strength of the logistic regression.
    random_state : int
        Seed of the random ranking.

    Returns
    -------
    ScreeningEvaluation
        AUC and precision at the budget for hand, calibrated and random rankings.
    """
    from sklearn.linear_model import LogisticRegression

    y_train, y_hold = _label_any(train_labels), _label_any(holdout_labels)
    x_train = train.features.reindex(y_train.index.intersection(train.features.index))
    model = LogisticRegression(C=C, class_weight="balanced", max_iter=1000)
    model.fit(x_train.to_numpy(dtype="float64"), y_train.loc[x_train.index].to_numpy())
    x_hold = holdout.features
    learned = pd.Series(model.predict_proba(x_hold.to_numpy(dtype="float64"))[:, 1], index=x_hold.index)
    hand = holdout.scores.set_index("account")["score"]
    rng = np.random.default_rng(random_state)
    shuffled = pd.Series(rng.random(len(hand)), index=hand.index)
    rows = []
    for method, scores in (("hand weights (YAML)", hand), ("calibrated on the training file", learned),
                           ("random ranking (seeded)", shuffled)):
        rows.append({"method": method, **ranking_metrics(scores, y_hold, budget)})
    base = rows[0]
    rows.append({"method": "random expectation", "auc": 0.5, "precision": base["prevalence"],
                 "recall": min(budget, base["n"]) / base["n"], "true_positives": round(budget * base["prevalence"]),
                 "prevalence": base["prevalence"], "n": base["n"]})
    table = pd.DataFrame(rows)[["method", "auc", "precision", "recall", "true_positives"]]
    weights = getattr(train, "weights", None) or {r.id: r.weight for r in train.rules.rules}
    coefficients = pd.DataFrame({"typology": list(x_train.columns),
                                 "hand_weight": [weights.get(c, np.nan) for c in x_train.columns],
                                 "coefficient": model.coef_[0]})
    n_pos = int(y_hold.reindex(hand.index).fillna(0).sum())
    note = (f"Held-out file: {base['n']:,} labelled accounts, {n_pos:,} laundering ({base['prevalence']:.1%}); "
            f"alert budget {budget:,}. Calibration: class-balanced logistic regression on the training file's "
            f"{len(x_train):,} accounts' typology strengths, scored on the held-out file.")
    return ScreeningEvaluation(table=table, coefficients=coefficients, budget=budget, n_train=len(x_train),
                               n_holdout=base["n"], n_positive_holdout=n_pos, note=note)


def _label_any(labels: pd.Series | pd.DataFrame) -> pd.Series:
    """Labels as a 0/1 Series indexed by account (``is_laundering`` or ``is_trafficking`` columns)."""
    if isinstance(labels, pd.DataFrame):
        col = next((c for c in ("is_laundering", "is_trafficking") if c in labels.columns), None)
        if col is None or "account" not in labels.columns:
            raise ValueError("labels: expected columns 'account' and 'is_laundering' (or 'is_trafficking')")
        labels = labels.set_index(labels["account"].astype(str))[col].rename("is_trafficking")
    return _labels_series(labels)


def evaluation_table(evaluation: ScreeningEvaluation) -> pd.DataFrame:
    """The evaluation as text: AUC and precision/recall at the budget per ranking.

    Parameters
    ----------
    evaluation : ScreeningEvaluation
        From :func:`evaluate_screen`.

    Returns
    -------
    pandas.DataFrame
        ``method, ROC AUC, precision at budget, recall at budget``.
    """
    t = evaluation.table
    return pd.DataFrame({"method": t["method"], "ROC AUC": [f"{v:.3f}" for v in t["auc"]],
                         f"precision (top {evaluation.budget:,})": [f"{v:.2f}" for v in t["precision"]],
                         f"recall (top {evaluation.budget:,})": [f"{v:.2f}" for v in t["recall"]]})
