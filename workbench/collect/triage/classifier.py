"""The optional learned relevance classifier."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import numpy as np

from workbench.text.fold import fold_text

# --------------------------------------------------------------------------- classifier
class RelevanceClassifier:
    """Learned relevance: character n-gram TF-IDF (``char_wb`` 2-5) + logistic regression.

    Character n-grams read every language and its inflections without a word list;
    ``class_weight="balanced"`` keeps the rarer class from being ignored.

    Parameters
    ----------
    max_features : int
        Vocabulary size cap of the vectoriser.
    C : float
        Inverse regularisation strength.
    seed : int
        Random state of the solver.
    """

    def __init__(self, max_features: int = 200_000, C: float = 4.0, seed: int = 0) -> None:
        self.max_features, self.C, self.seed = max_features, C, seed
        self.pipeline: Any = None

    def fit(self, texts: Sequence[str], labels: Sequence[bool]) -> "RelevanceClassifier":
        """Train on labelled texts.

        Parameters
        ----------
        texts : sequence of str
            Article texts.
        labels : sequence of bool
            True for relevant.

        Returns
        -------
        RelevanceClassifier
            ``self``, fitted.

        Raises
        ------
        ValueError
            When lengths differ or only one class is present.
        """
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import Pipeline

        y = np.asarray(labels, dtype=bool)
        if len(texts) != len(y):
            raise ValueError(f"texts: {len(texts)} items but labels: {len(y)}")
        if y.all() or (~y).all():
            raise ValueError("labels: expected both relevant and not relevant examples")
        self.pipeline = Pipeline([
            ("tfidf", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True,
                                      max_features=self.max_features, preprocessor=fold_text)),
            ("model", LogisticRegression(class_weight="balanced", C=self.C, max_iter=2000,
                                         random_state=self.seed)),
        ])
        self.pipeline.fit(list(texts), y)
        return self

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probability that each text is relevant.

        Parameters
        ----------
        texts : sequence of str
            Article texts.

        Returns
        -------
        numpy.ndarray
            One probability per text.

        Raises
        ------
        ValueError
            When the classifier is not fitted.
        """
        if self.pipeline is None:
            raise ValueError("RelevanceClassifier: not fitted (call fit or load)")
        classes = list(self.pipeline.classes_)
        return self.pipeline.predict_proba(list(texts))[:, classes.index(True)]

    def save(self, path: str | Path) -> Path:
        """Write the fitted model with joblib.

        Parameters
        ----------
        path : str or Path
            Target file (the caller chooses where models live).

        Returns
        -------
        Path
            The file written.
        """
        import joblib

        if self.pipeline is None:
            raise ValueError("RelevanceClassifier: not fitted, nothing to save")
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump({"version": 1, "pipeline": self.pipeline, "C": self.C, "max_features": self.max_features},
                    target)
        return target

    @classmethod
    def load(cls, path: str | Path) -> "RelevanceClassifier":
        """Read a model written by :meth:`save` (joblib is pickle: load only your own files).

        Parameters
        ----------
        path : str or Path
            The model file.

        Returns
        -------
        RelevanceClassifier
            Fitted.
        """
        import joblib

        blob = joblib.load(Path(path))
        if not isinstance(blob, dict) or "pipeline" not in blob:
            raise ValueError(f"{path}: not a RelevanceClassifier file")
        out = cls(max_features=blob.get("max_features", 200_000), C=blob.get("C", 4.0))
        out.pipeline = blob["pipeline"]
        return out

