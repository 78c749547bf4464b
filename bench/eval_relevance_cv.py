"""Relevance on real news, measured on the training parts only: grouped CV and leave-one-part-out.

Usage::

    python bench/eval_relevance_cv.py [--folds 5] [--leave holdout2,dev2] [--parts dev,holdout,holdout2,dev2]

Prints, per language, the learned model's out-of-fold precision / recall / F1 beside the
lexicon alone and flag everything (:mod:`workbench.collect.relevance_evaluation`). Never
reads a held-back part (the parts scored are training parts), and prints no item.
"""

from __future__ import annotations

import argparse
import time

from workbench.collect.news_evaluation import load_real_labelled, real_labelled_path
from workbench.collect.relevance_evaluation import grouped_cross_validation, leave_part_out, relevance_table
from workbench.collect.triage.relevance import TRAIN_PARTS


def _print(title: str, scored) -> None:
    table = relevance_table(scored, scored["predicted"].to_numpy())
    wide = table.pivot(index="language", columns="method", values="f1")
    learned = table[table["method"] == "learned"].set_index("language")
    print(f"== {title} ({len(scored)} items) ==")
    for lang, row in learned.iterrows():
        print(f"  {lang:4s} n {row['n']:4d}  learned P {row['precision']:.3f} R {row['recall']:.3f} "
              f"F1 {row['f1']:.3f} | lexicon F1 {wide.loc[lang, 'lexicon']:.3f} | "
              f"flag-everything F1 {wide.loc[lang, 'flag_everything']:.3f}")


def main() -> None:
    """Run the measurements named on the command line."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--parts", default=",".join(TRAIN_PARTS))
    ap.add_argument("--leave", default="holdout2,dev2")
    args = ap.parse_args()
    parts = tuple(p for p in args.parts.split(",") if p)
    if "holdout3" in parts:
        raise SystemExit("holdout3 is held back: it is never scored here")
    news = load_real_labelled(real_labelled_path())
    present = [p for p in parts if (news["split"] == p).any()]
    t = time.time()
    if args.folds > 1:
        _print(f"grouped {args.folds}-fold CV over {'+'.join(present)}",
               grouped_cross_validation(news, folds=args.folds, parts=present))
    for part in [p for p in args.leave.split(",") if p in present]:
        _print(f"leave {part} out (trained on the other parts)", leave_part_out(news, part, parts=present))
    print(f"({time.time() - t:.0f} s)")


if __name__ == "__main__":
    main()
