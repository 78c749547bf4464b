"""The relevance model's training data: the bundled resource and how it is written.

:func:`export_training` writes the :data:`TRAIN_PARTS` of the real labelled news
(``tests/data/osint_real_labelled.jsonl``) plus the earlier hand-written examples as
``resources/osint_relevance_train.jsonl``, which :func:`training_items` reads and
:func:`workbench.collect.triage.relevance.default_model` trains on. The held-back part
(``holdout3``) is never written.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

_TRAIN_RESOURCE = "resources/osint_relevance_train.jsonl"
#: Parts of the real labelled set the bundled model is trained on: ``dev``, the first
#: ``holdout`` (looked at twice while the first model was built, then folded in),
#: ``holdout2`` (held back on 29 Nov 2026, retired on 30 Nov once its figures had been
#: printed after several rounds) and ``dev2`` (training items from new searches, 30 Nov).
#: The held-back ``holdout3`` part is never trained or tuned on; the model is measured on
#: these parts by grouped cross-validation and leave-one-part-out
#: (:mod:`workbench.collect.relevance_evaluation`).
TRAIN_PARTS = ("dev", "holdout", "holdout2", "dev2")


def item_text(title: Any, summary: Any) -> str:
    """The text a news alert is judged on: title, then summary.

    Parameters
    ----------
    title, summary : Any
        The alert's fields (missing values become empty).

    Returns
    -------
    str
        ``"title. summary"`` (without a doubled full stop).
    """
    t = "" if title is None or (isinstance(title, float) and np.isnan(title)) else str(title).strip()
    s = "" if summary is None or (isinstance(summary, float) and np.isnan(summary)) else str(summary).strip()
    if t and s:
        return f"{t}{'' if t[-1] in '.!?' else '.'} {s}"
    return t or s


def training_items() -> list[dict[str, Any]]:
    """The bundled training items (the development part of the real labelled set).

    Returns
    -------
    list of dict
        ``title, summary, language, relevant`` per item.
    """
    text = resources.files("workbench").joinpath(_TRAIN_RESOURCE).read_text("utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def export_training(labelled: str | Path, extra: str | Path | None = None, out: str | Path | None = None) -> Path:
    """Write the development part of a labelled set as the bundled training resource.

    Parameters
    ----------
    labelled : str or Path
        The real labelled set (JSON lines with ``id, title, summary, language, relevant,
        split``).
    extra : str or Path, optional
        Further hand-labelled examples (JSON lines with ``text, language, relevant``),
        written with an empty summary.
    out : str or Path, optional
        Destination (default: the package's ``resources/osint_relevance_train.jsonl``).

    Returns
    -------
    Path
        The file written: the items of the :data:`TRAIN_PARTS` parts only (``holdout3``,
        the held-back part, is never written).
    """
    target = Path(out) if out is not None else Path(str(resources.files("workbench").joinpath(_TRAIN_RESOURCE)))
    rows = [json.loads(line) for line in Path(labelled).read_text(encoding="utf-8").splitlines() if line.strip()]
    keep = [{k: r.get(k) for k in ("id", "title", "summary", "language", "relevant")}
            for r in rows if r.get("split") in TRAIN_PARTS]
    if extra is not None:
        for k, line in enumerate(Path(extra).read_text(encoding="utf-8").splitlines()):
            if line.strip():
                r = json.loads(line)
                if r.get("split") != "holdout":
                    keep.append({"id": f"h{k:04d}", "title": r["text"], "summary": "",
                                 "language": r.get("language"), "relevant": bool(r["relevant"])})
    with target.open("w", encoding="utf-8") as fh:
        for r in keep:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    return target
