"""Tables withheld together: parts of a total, listings that could be counted, screening alerts.

Helpers that enter a report's numbers in its :class:`~workbench.share.ledger.DisclosureLedger`
with their relations (so settling withholds whatever would give a withheld number back) and
blank the cells the settled ledger withholds.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from workbench.share.ledger import DisclosureLedger


def screening_view(results: Any, alerts: pd.DataFrame, policy: Any, budget: int,
                   ledger: DisclosureLedger) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Alerts and accounts per typology of a screening, disclosure-controlled together.

    Listing alerted accounts with the typologies they fired lets a reader count the
    accounts of a typology whose count is withheld (the "18 alerted accounts above a
    withheld count" leak). Each typology's count enters the ledger with the listing of
    the rows that name it; a typology whose count is withheld is then not named in any
    alert row (nor its explanation shown), so no row can be counted.

    Parameters
    ----------
    results : ScreeningResults
        Screening results.
    alerts : pandas.DataFrame
        The alert table (``workbench.apply.screening.alert_table(results, policy, budget)``;
        passed in because the apply layer sits above this one).
    policy : DisclosurePolicy
        The audience's policy (public sees no account-level alert).
    budget : int
        Alerts listed.
    ledger : DisclosureLedger
        The report's ledger (settled here).

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        ``alerts`` (``rank, account, score, typologies, explanation``) and ``counts``
        (``typology, title, accounts``; withheld counts missing).
    """
    fired = results.features.sum(axis=0).astype("int64")
    names = {t: ledger.add(f"screening|typology|{t}|accounts", int(n), where="table") for t, n in fired.items()}
    total = ledger.add("screening|accounts with a typology", int((results.features.sum(axis=1) > 0).sum()))
    raw = results.alerts(budget) if len(alerts) else None
    for t, name in names.items():
        mentioned = 0 if raw is None else int(raw["typologies"].astype(str).str.split(", ").map(lambda x: t in x).sum())
        ledger.listing(name, mentioned, complete=mentioned == int(fired[t]) and mentioned > 0)
    ledger.settle()
    hidden = {t for t, name in names.items() if ledger.is_withheld(name)}
    if raw is not None and hidden:
        shown_types, explanations = [], []
        for types, text in zip(raw["typologies"].astype(str), raw["explanation"].astype(str)):
            kinds = types.split(", ")
            parts = text.split("; ")
            keep = [i for i, kind in enumerate(kinds) if kind not in hidden]
            named = ", ".join(kinds[i] for i in keep)
            if not keep:
                named = "withheld (counts below k)"
            elif len(keep) < len(kinds):
                named += "; others withheld (counts below k)"
            shown_types.append(named)
            explanations.append("; ".join(parts[i] for i in keep) if len(parts) == len(kinds) else
                                "withheld (it would name typologies whose counts are withheld)")
        alerts = alerts.assign(typologies=shown_types, explanation=explanations)
        for t, name in names.items():  # the listing now names only the shown typologies
            ledger.listings = [entry for entry in ledger.listings if entry.count != name]
            ledger.listing(name, 0 if t in hidden else int(fired[t]), complete=t not in hidden)
    counts = pd.DataFrame({"typology": fired.index, "title": [r.title for r in results.rules.rules],
                           "accounts": pd.array([ledger.value(names[t]) for t in fired.index], dtype="Int64")})
    _ = total
    return alerts, counts


def relate_parts(ledger: DisclosureLedger, total: str, parts: dict[str, int], shown: set[str] | None = None) -> None:
    """Enter the parts of a total (e.g. every country's count under a headline total) and relate them.

    Parts that the report does not show are entered as withheld (an attacker does not
    see them), so the audit and settling treat them as unknowns; settling then withholds
    more when a shown part and the total would pin one down.

    Parameters
    ----------
    ledger : DisclosureLedger
        The report's ledger (``total`` already entered).
    total : str
        Name of the total.
    parts : dict
        Name -> value of every part (they must sum to the total).
    shown : set of str, optional
        Names of the parts the report shows (all by default).
    """
    for name, value in parts.items():
        ledger.add(name, value, where="table")
        if shown is not None and name not in shown:
            ledger.items[name].withheld = True
    if sum(int(v) for v in parts.values()) == ledger.items[total].value:
        ledger.relate(total, list(parts))


def mask_withheld(frame: pd.DataFrame, column: str, names: list[str], ledger: DisclosureLedger,
                  also: tuple[str, ...] = ()) -> pd.DataFrame:
    """Blank the cells of a table whose numbers the settled ledger withholds.

    Parameters
    ----------
    frame : pandas.DataFrame
        A table.
    column : str
        Count column.
    names : list of str
        Ledger name of each row's count (same order as the rows).
    ledger : DisclosureLedger
        Settled ledger.
    also : tuple of str
        Columns that would give the count back (rates) and are blanked with it.

    Returns
    -------
    pandas.DataFrame
        A copy.
    """
    out = frame.copy()
    hidden = [ledger.is_withheld(n) for n in names]
    out[column] = pd.array([pd.NA if h else v for h, v in zip(hidden, out[column])], dtype="Int64")
    for col in also:
        out[col] = [pd.NA if h else v for h, v in zip(hidden, out[col])]
    return out
