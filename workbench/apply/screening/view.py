"""The screening report's view: alerts and accounts per typology, disclosure-controlled together.

Kept with the screen (not in :mod:`workbench.share.report`) so that share never imports
apply: the view needs the screen's own alert table.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from workbench.apply.screening.results import alert_table
from workbench.share.ledger import DisclosureLedger


def screening_view(results: Any, policy: Any, budget: int, ledger: DisclosureLedger) -> tuple[pd.DataFrame, pd.DataFrame]:
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
    alerts = alert_table(results, policy, budget)
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
            shown_types.append(", ".join(kinds[i] for i in keep) + ("; others withheld (counts below k)" if keep and len(keep) < len(kinds) else "" if keep else "withheld (counts below k)"))
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
