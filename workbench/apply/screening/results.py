"""Screening results and the audience-safe report tables built from them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from workbench.apply.screening.rules import RuleSet
from workbench.share.disclosure import suppress_counts


@dataclass
class ScreeningResults:
    """What :class:`TypologyScreen` found.

    Attributes
    ----------
    scores : pandas.DataFrame
        One row per account: ``account, score, rank, n_typologies, typologies``
        (comma-separated fired rule ids), ``n_transactions`` (in the window); best first.
    hits : pandas.DataFrame
        One row per fired (account, typology): ``account, rank, typology, title, source,
        weight, count, amount, distinct_<field>..., explanation``.
    evidence : pandas.DataFrame
        Every (account, typology) with at least one matching transaction, fired or not:
        the measures, ``ratio`` (smallest measure / threshold; fires at 1) and ``fired``.
    features : pandas.DataFrame
        Accounts x rule ids, 1 where the rule fired (for :func:`calibrate`).
    rejects : pandas.DataFrame
        ``record, field, value, reason`` of the rows that failed validation.
    rules : RuleSet
        The rules applied.
    rules_version : str
        Their version.
    high_risk_countries : tuple of str
        The run-time country list.
    window_start, window_end : pandas.Timestamp
        First and last day of the (default) screening window.
    window_days : int
        Its length.
    currency : str
        Report currency of amounts.
    n_rows_in, n_rows_scored, n_rows_rejected : int
        Rows read, rows that passed validation, rows rejected (in = scored + rejected).
    note : str
        How the score is made and anything the reader should know.
    """

    scores: pd.DataFrame
    hits: pd.DataFrame
    evidence: pd.DataFrame
    features: pd.DataFrame
    rejects: pd.DataFrame
    rules: RuleSet
    rules_version: str
    high_risk_countries: tuple[str, ...]
    window_start: pd.Timestamp
    window_end: pd.Timestamp
    window_days: int
    currency: str
    n_rows_in: int
    n_rows_scored: int
    n_rows_rejected: int
    note: str = ""

    @property
    def table(self) -> pd.DataFrame:
        """The per-account scores (house-style alias of :attr:`scores`).

        Returns
        -------
        pandas.DataFrame
            :attr:`scores`.
        """
        return self.scores

    def summary(self) -> str:
        """One paragraph on what was screened.

        Returns
        -------
        str
            Rules version, window, accounts, rows in = scored + rejected, countries.
        """
        alerts = int((self.scores["n_typologies"] > 0).sum())
        countries = ", ".join(self.high_risk_countries) or "none given"
        return (f"Rules {self.rules_version} ({len(self.rules.rules)} typologies); window {self.window_days} days, "
                f"{self.window_start:%Y-%m-%d} to {self.window_end:%Y-%m-%d}; {len(self.scores):,} accounts screened, "
                f"{alerts:,} with at least one typology; rows in {self.n_rows_in:,} = scored {self.n_rows_scored:,} "
                f"+ rejected {self.n_rows_rejected:,}; high-risk countries: {countries}. {self.note}")

    def alerts(self, budget: int = 20) -> pd.DataFrame:
        """The top accounts that fired at least one typology, with their explanations.

        Parameters
        ----------
        budget : int
            How many alerts the team can review.

        Returns
        -------
        pandas.DataFrame
            ``rank, account, score, n_typologies, typologies, explanation`` (explanations
            of one account joined with ``"; "``).
        """
        return top_alerts(self.scores, self.hits, budget)

    def explain(self, account: str, frame: bool = False) -> str | pd.DataFrame:
        """Explain one account's score.

        Parameters
        ----------
        account : str
            Account pseudonym.
        frame : bool
            Return the account's hits as a table instead of text.

        Returns
        -------
        str or pandas.DataFrame
            A paragraph naming each fired typology, its numbers and its source; or the
            account's rows of :attr:`hits`.

        Raises
        ------
        KeyError
            When the account was not screened.
        """
        r, hits = account_hits(self.scores, self.hits, account)
        if frame:
            return hits.reset_index(drop=True)
        head = (f"Account {account}: score {r['score']:.2f} (rank #{int(r['rank'])} of {len(self.scores):,}; "
                f"rules {self.rules_version}, window {self.window_start:%Y-%m-%d} to {self.window_end:%Y-%m-%d})")
        if hits.empty:
            return head + ": no typology fired."
        lines = hit_lines(hits)
        return head + f": {len(hits)} typolog{'y' if len(hits) == 1 else 'ies'} fired.\n" + "\n".join(lines)


def top_alerts(scores: pd.DataFrame, hits: pd.DataFrame, budget: int) -> pd.DataFrame:
    """The top ``budget`` accounts that fired at least one typology, with their explanations.

    Shared by the account screen (:class:`ScreeningResults`) and the transfer screen.

    Parameters
    ----------
    scores : pandas.DataFrame
        Per-account scores, best first: ``rank, account, score, n_typologies, typologies``.
    hits : pandas.DataFrame
        One row per fired typology and account, with ``account`` and ``explanation``.
    budget : int
        How many alerts the team can review.

    Returns
    -------
    pandas.DataFrame
        ``rank, account, score, n_typologies, typologies, explanation`` (explanations of
        one account joined with ``"; "``).
    """
    top = scores[scores["n_typologies"] > 0].head(budget)
    text = hits.groupby("account", sort=False)["explanation"].agg("; ".join)
    return top.assign(explanation=top["account"].map(text))[
        ["rank", "account", "score", "n_typologies", "typologies", "explanation"]].reset_index(drop=True)


def account_hits(scores: pd.DataFrame, hits: pd.DataFrame, account: str) -> tuple[pd.Series, pd.DataFrame]:
    """One screened account's score row and its fired typologies.

    Parameters
    ----------
    scores, hits : pandas.DataFrame
        As in :func:`top_alerts`.
    account : str
        The account.

    Returns
    -------
    tuple
        ``(score row, hits of the account)``.

    Raises
    ------
    KeyError
        When the account was not screened.
    """
    row = scores[scores["account"] == account]
    if row.empty:
        raise KeyError(f"account {account!r} was not screened")
    return row.iloc[0], hits[hits["account"] == account]


def hit_lines(hits: pd.DataFrame) -> list[str]:
    """One line per fired typology: title, explanation, weight and source.

    Parameters
    ----------
    hits : pandas.DataFrame
        Hits with ``title, explanation, weight, source``.

    Returns
    -------
    list of str
        ``"- <title>: <explanation> [weight <w>; <source>]"``.
    """
    return [f"- {h.title}: {h.explanation} [weight {h.weight:.2f}; {h.source}]" for h in hits.itertuples()]


def alert_table(results: ScreeningResults, policy: Any, budget: int = 20) -> pd.DataFrame:
    """The ranked alert list, for a restricted audience, with no bare small integers.

    Parameters
    ----------
    results : ScreeningResults
        Screening results.
    policy : DisclosurePolicy
        The report's audience policy (:func:`workbench.share.disclosure.policy_for`).
        ``public`` gets an empty table: account-level alerts are never published.
    budget : int
        Alerts listed.

    Returns
    -------
    pandas.DataFrame
        ``rank`` ("#1"), ``account`` (bank pseudonym), ``score`` ("0.90"), ``typologies``
        ("5 of 9: ..."), ``explanation``; every cell is text.
    """
    cols = ["rank", "account", "score", "typologies", "explanation"]
    if policy.audience == "public":
        return pd.DataFrame(columns=cols)
    alerts = results.alerts(budget)
    n_rules = len(results.rules.rules)
    return pd.DataFrame({
        "rank": [f"#{r}" for r in alerts["rank"]],
        "account": alerts["account"].astype(str),
        "score": [f"{s:.2f}" for s in alerts["score"]],
        "typologies": [f"{k} of {n_rules}: {t}" for k, t in zip(alerts["n_typologies"], alerts["typologies"])],
        "explanation": alerts["explanation"].astype(str),
    }, columns=cols)


def typology_counts(results: ScreeningResults, policy: Any) -> pd.DataFrame:
    """Accounts firing each typology, with counts below the audience's k withheld.

    Parameters
    ----------
    results : ScreeningResults
        Screening results.
    policy : DisclosurePolicy
        The audience's policy.

    Returns
    -------
    pandas.DataFrame
        ``typology, title, accounts`` (``accounts`` missing where withheld).
    """
    fired = results.features.sum(axis=0).astype("int64")
    frame = pd.DataFrame({"typology": fired.index, "title": [r.title for r in results.rules.rules],
                          "accounts": fired.to_numpy()})
    return suppress_counts(frame, ["accounts"], policy.k) if policy.suppress else frame
