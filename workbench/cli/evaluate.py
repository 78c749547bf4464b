"""The evaluation commands: ``evaluate-screening`` and ``evaluate-triage`` print measured figures beside their baselines."""

from __future__ import annotations

from pathlib import Path

import typer

from workbench.apply.calibration import evaluate_screen, evaluation_table
from workbench.apply.screening import TransferScreen
from workbench.cli.base import app
from workbench.collect.evaluation import evaluate, hand_labelled_path, load_labelled
from workbench.collect.news_evaluation import evaluate_real, load_real_labelled, real_labelled_path
from workbench.collect.triage import RelevanceClassifier, Triage
from workbench.synthetic.labelled_news import make_labelled_set
from workbench.synthetic.transfers import HIGH_RISK, make_transfers


@app.command("evaluate-screening")
def evaluate_screening(
    n: int = typer.Option(5000, help="Ordinary transfers per generated file (training and held-out)."),
    seed: int = typer.Option(0, help="Seed of the generated training file (the held-out file uses seed + 1)."),
    budget: int = typer.Option(100, help="Alert budget: accounts reviewed."),
    train: Path = typer.Option(None, help="A labelled transfers file (CSV) to calibrate on instead."),
    train_labels: Path = typer.Option(None, help="Its labels (CSV: account, is_laundering)."),
    holdout: Path = typer.Option(None, help="A held-out labelled transfers file (CSV) to measure on."),
    holdout_labels: Path = typer.Option(None, help="Its labels (CSV: account, is_laundering)."),
    high_risk: str = typer.Option("", help="Corridor countries, comma-separated ISO3 (default: the generator's)."),
) -> None:
    """Measure transaction-level screening: ROC AUC and precision at the budget vs a random baseline."""
    import pandas as pd

    given = [train, train_labels, holdout, holdout_labels]
    if any(given) and not all(given):
        raise typer.BadParameter("give all of --train, --train-labels, --holdout and --holdout-labels, or none")
    if all(given):
        files = {k: pd.read_csv(p, dtype=str, keep_default_na=False) for k, p in
                 zip(("train", "train_labels", "holdout", "holdout_labels"), given)}
        source = f"{train.name} (calibration) and {holdout.name} (held out)"
    else:
        (a, la), (b, lb) = make_transfers(n, seed), make_transfers(n, seed + 1)
        files = {"train": a, "train_labels": la, "holdout": b, "holdout_labels": lb}
        source = f"generated files (n={n:,}, seeds {seed} and {seed + 1})"
    countries = tuple(c.strip() for c in high_risk.split(",") if c.strip()) or HIGH_RISK
    screen = TransferScreen(high_risk_countries=countries)
    fitted_train, fitted_holdout = screen.fit(files["train"]), screen.fit(files["holdout"])
    result = evaluate_screen(fitted_train, files["train_labels"], fitted_holdout, files["holdout_labels"],
                             budget=budget)
    typer.echo(f"== transaction-level screening on {source} ==")
    typer.echo(fitted_holdout.summary())
    typer.echo(evaluation_table(result).to_string(index=False))
    typer.echo(result.note)


#: What each part of the real labelled news is, freshest first (see tests/data/osint_real_labelled.md).
PART_NOTES = {
    "holdout3": "fresh, labelled 30 Nov 2026 before this round's changes were measured on it; never trained or tuned on",
    "dev2": "training items from new searches, 30 Nov 2026; trained on",
    "holdout2": "held back 29 Nov 2026; retired 30 Nov after its figures steered several rounds, now trained on",
    "holdout": "looked at twice, now trained on",
    "dev": "trained and tuned on",
}
HELD_BACK = ("holdout3",)


@app.command("evaluate-triage")
def evaluate_triage(
    n: int = typer.Option(600, help="Generated labelled articles to evaluate on."),
    seed: int = typer.Option(0, help="Seed of the generated set (the training set uses seed + 1000)."),
    classifier: bool = typer.Option(False, "--classifier", help="Also train the learned classifier on a "
                                    "separate generated set and evaluate lexicon + classifier."),
    mistakes: str = typer.Option("", help="Also list the relevance mistakes of this part of the real labelled "
                                 "news (e.g. dev). Off by default: a held-back part's mistakes, once read, "
                                 "invite tuning on it."),
) -> None:
    """Evaluate OSINT triage on real labelled news (every part, freshest first), a generated set and the hand-written set."""
    real = real_labelled_path()
    if real is not None:
        news = load_real_labelled(real)
        parts = news["split"].value_counts()
        if mistakes and mistakes not in parts:
            raise typer.BadParameter(f"--mistakes {mistakes!r}: the labelled news has parts {sorted(parts.index)}")
        listed = "; ".join(f"{part} {int(parts.get(part, 0))} ({note})" for part, note in PART_NOTES.items()
                           if part in parts)
        typer.echo(f"Real labelled news: {real} ({len(news)} items, {int(news['relevant'].sum())} relevant). "
                   f"Parts: {listed}")
        for part in PART_NOTES:
            if part not in parts:
                continue
            result = evaluate_real(news, part)
            typer.echo(result.format())
            if part in HELD_BACK:
                typer.echo("")
                typer.echo(result.headline())
            if part == mistakes and not result.errors.empty:
                typer.echo(f"\nRelevance mistakes on {part}")
                typer.echo(result.errors.to_string(index=False))
            typer.echo("")
    sets = {f"generated (n={n}, seed={seed})": make_labelled_set(n, seed)}
    hand = hand_labelled_path()
    if hand is not None:
        labelled = load_labelled(hand)
        sets[f"hand-labelled ({hand.name}, all)"] = labelled
        holdout = labelled[labelled["split"] == "holdout"].reset_index(drop=True)
        if len(holdout):
            sets[f"hand-labelled ({hand.name}, held-out part only)"] = holdout
    triages = {"lexicon": Triage()}
    if classifier:
        train = make_labelled_set(max(n, 1000), seed + 1000)
        triages["lexicon + classifier"] = Triage(RelevanceClassifier().fit(train["text"], train["relevant"]))
    for set_name, labelled in sets.items():
        for triage_name, triage in triages.items():
            result = evaluate(triage, labelled, note=f"== {triage_name} on {set_name} ==")
            typer.echo(result.format())
            if triage.classifier is not None:
                alone = (triage.classifier.predict_proba(list(labelled["text"])) >= 0.5)
                truth = labelled["relevant"].astype(bool).to_numpy()
                tp, fp, fn = int((alone & truth).sum()), int((alone & ~truth).sum()), int((~alone & truth).sum())
                typer.echo(f"classifier alone (p >= 0.5): precision {tp / max(tp + fp, 1):.3f}, "
                           f"recall {tp / max(tp + fn, 1):.3f}")
            typer.echo("")

