"""Report blocks rendered from the findings ledger: key findings first, judgements, a chart.

The opening (:func:`open_report`) and the judgement blocks live here; the key findings in
:mod:`workbench.share.key_findings`, the bar charts in :mod:`workbench.share.charts` and the
tables withheld together in :mod:`workbench.share.withholding` (all importable from here).

Every block reads :class:`~workbench.findings.Findings` (so two reports of one run state the
same findings) and shows every number through a
:class:`~workbench.share.ledger.DisclosureLedger` (so no withheld number can be worked out
from another one in the report or the run). HTML comes from the Jinja2 templates in
``share/templates/blocks`` with autoescaping on.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd

from workbench import findings as findings_ledger
from workbench.share import assessment
from workbench.share.charts import bars, change_chart, country_bars, typology_chart
from workbench.share.judgements import KeyJudgement, check_judgements, graded_share
from workbench.share.key_findings import (KeyFinding, collect_key_findings, key_findings_html, month_words, place_words,
                                          scope_id, surges_empty_text, window_words)
from workbench.share.ledger import DisclosureLedger
from workbench.share.templating import render_block
from workbench.share.withholding import mask_withheld, relate_parts, screening_view

#: Names the notebooks call as ``report.X``; the blocks live in the modules named above.
__all__ = [
    "KeyFinding", "LEDGER_ENV", "anchor", "bars", "change_chart", "collect_key_findings", "country_bars",
    "findings_for", "hotspot_labels", "judgement_blocks", "judgements_html", "key_findings_html", "key_judgements",
    "language_name", "latest_by_country", "ledger_emerging", "mask_withheld", "month_words", "open_report",
    "place_words", "publish_ledger", "relate_parts", "scope_id", "screening_view", "surges_empty_text",
    "typology_chart", "window_words", "withheld_html",
]

#: Environment variable naming the file a report's disclosure ledger is written to (set by the runner).
LEDGER_ENV = "WORKBENCH_DISCLOSURE_LEDGER"


def findings_for(**scope: Any) -> Any:
    """The run's findings ledger of a scope, with Key Judgements (what every report calls).

    Parameters
    ----------
    **scope
        ``region, exploitation_type, sources, end_month, window_months, trend_months,
        resolution`` (see :func:`workbench.findings.findings_for`).

    Returns
    -------
    Findings
        Read from the store, or computed once (judgements by
        :mod:`workbench.share.assessment`) and stored.
    """
    return findings_ledger.findings_for(judge=assessment, **scope)


def key_judgements(found: Any) -> list[KeyJudgement]:
    """The ledger's judgements as :class:`~workbench.share.judgements.KeyJudgement` objects.

    Parameters
    ----------
    found : Findings
        The findings ledger.

    Returns
    -------
    list of KeyJudgement
        In ledger order.
    """
    return [KeyJudgement(**j) for j in found.judgements]


def judgement_blocks(judgements: list[dict[str, Any]], ledger: DisclosureLedger, sid: str = "") -> list[dict[str, Any]]:
    """Enter the judgements' numbers in the disclosure ledger, with their relations.

    A corridor judgement's source count is the sum of its two windows, so when one window
    is withheld the total is withheld as well (the "15; <10; 23 incidents" leak).

    Parameters
    ----------
    judgements : list of dict
        Judgements from the findings ledger.
    ledger : DisclosureLedger
        The report's ledger.
    sid : str
        Name prefix (see :func:`scope_id`).

    Returns
    -------
    list of dict
        Per judgement: its fields and the names of its numbers (render with
        :func:`judgements_html` after settling).
    """
    out = []
    for j in judgements:
        base = f"{sid}|kj|{j['kind']}|{j['subject']}"
        counts = {k: ledger.add(f"{base}|{k}", v) for k, v in j["evidence"].items()
                  if isinstance(v, int) and not isinstance(v, bool)}
        src = j.get("sources") or {}
        total = None
        if "incidents" in src:
            same = [n for n in counts.values() if ledger.items[n].value == int(src["incidents"])]
            total = same[0] if len(counts) == 1 and same else ledger.add(f"{base}|sources", src["incidents"])
            if j["kind"] == "corridor_growth" and len(counts) == 2 and total not in counts.values():
                ledger.relate(total, list(counts.values()))
        out.append({**j, "count_names": counts, "total_name": total})
    return out


def judgements_html(prepared: list[dict[str, Any]], ledger: DisclosureLedger) -> str:
    """Render judgement blocks after the ledger is settled.

    Parameters
    ----------
    prepared : list of dict
        From :func:`judgement_blocks`.
    ledger : DisclosureLedger
        Settled ledger.

    Returns
    -------
    str
        HTML (Jinja2 template ``judgements.html.j2``); raises like
        :func:`workbench.share.judgements.render_judgements` when a judgement fails the
        yardstick check.
    """
    objects = [KeyJudgement(**{k: v for k, v in j.items() if k not in ("count_names", "total_name")})
               for j in prepared]
    problems = check_judgements(objects)
    if problems:
        raise ValueError("judgements fail the yardstick check:\n" + "\n".join(problems))
    blocks = []
    for j, obj in zip(prepared, objects):
        evidence = "; ".join(f"{k}: {ledger.show(j['count_names'][k]) if k in j['count_names'] else v}"
                             for k, v in j["evidence"].items())
        src = j.get("sources") or {}
        sources = "none recorded"
        if j["total_name"]:
            kinds = ", ".join(src.get("types", [])) or "sources of every kind in scope"
            graded = (f"; {graded_share(src, ledger.k if ledger.suppress else 1)}" if src.get("types") else "")
            sources = f"{ledger.show(j['total_name'], 'incidents')} from {kinds}{graded}"
        blocks.append({"anchor": "kj-" + _slug(j["kind"] + "-" + j["subject"]), "id": f"judgement:{j['kind']}:{j['subject']}",
                       "subject": j["subject"], "sentence": obj.sentence, "confidence": j["confidence"],
                       "in_gap": j.get("in_gap", False), "evidence": evidence, "sources": sources,
                       "basis": j["basis"], "assumptions": j.get("assumptions", []),
                       "caveats": j.get("caveats", []),
                       "indicators": j.get("indicators", [])})
    return render_block("judgements.html.j2", blocks=blocks)


def withheld_html(found: Any) -> str:
    """The judgements the artefact checks withheld, and why (kind and reason in words; no counts).

    Parameters
    ----------
    found : Findings
        The findings ledger.

    Returns
    -------
    str
        HTML: a table ``Statement, Subject, Reason``, or a sentence saying none was withheld.
    """
    import html as _html

    rows = getattr(found, "withheld", None) or []
    if not rows:
        return "<p>No candidate judgement was withheld by the artefact checks.</p>"
    body = "".join(f"<tr><td>{_html.escape(r['kind'])}</td><td>{_html.escape(r['subject'])}</td>"
                   f"<td>{_html.escape(r['reason'])}</td></tr>" for r in rows)
    return ('<table class="wb-withheld"><thead><tr><th>Statement</th><th>Subject</th><th>Reason</th></tr></thead>'
            f"<tbody>{body}</tbody></table>")


def _slug(text: str) -> str:
    import re

    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def anchor(name: str):  # -> IPython HTML
    """An invisible anchor a key finding links to.

    Parameters
    ----------
    name : str
        Anchor id.

    Returns
    -------
    IPython.display.HTML
        ``<a id=...>``.
    """
    from IPython.display import HTML

    return HTML(render_block("anchor.html.j2", anchor=name))


def publish_ledger(ledger: DisclosureLedger) -> Path | None:
    """Write the report's disclosure ledger where the runner asked (``$WORKBENCH_DISCLOSURE_LEDGER``).

    Parameters
    ----------
    ledger : DisclosureLedger
        The settled ledger.

    Returns
    -------
    Path or None
        The file, or None outside a run.
    """
    target = os.environ.get(LEDGER_ENV)
    if not target:
        return None
    path = Path(target)
    if path.exists():  # several blocks of one report: merge
        import json

        old = DisclosureLedger.from_dict(json.loads(path.read_text(encoding="utf-8")))
        for name, item in old.items.items():
            ledger.items.setdefault(name, item)
        ledger.relations = old.relations + ledger.relations
        ledger.listings = old.listings + ledger.listings
    return ledger.write(path)


def latest_by_country(found: Any, incidents: pd.DataFrame) -> pd.Series:
    """Incidents of the ledger's latest window by country (ISO3), for the opening chart.

    Parameters
    ----------
    found : Findings
        The findings ledger (its scope and latest window are used).
    incidents : pandas.DataFrame
        Store incidents already scoped by region, type and sources (all dates).

    Returns
    -------
    pandas.Series
        Counts by ISO3 code (incidents without a country under ``UNK``); they sum to the
        ledger's latest-window total.
    """
    if not found.windows:
        return pd.Series(dtype="int64")
    first, last = (pd.Timestamp(d) for d in found.windows["latest"])
    dated = incidents[incidents["occurred_on"].notna()]
    window = dated[(dated["occurred_on"] >= first) & (dated["occurred_on"] < last + pd.Timedelta(days=1))]
    return window["country_iso3"].fillna("UNK").value_counts()


def open_report(found: Any, policy: Any, incidents: pd.DataFrame, scope_text: str,
                sections: dict[str, str] | None = None,
                order: tuple[str, ...] = ("volume", "hotspots", "surges", "corridors", "trends"),
                report: str = "", chart: bool = True) -> DisclosureLedger:
    """Display a report's opening: key findings, then a chart by country, all disclosure-controlled.

    Parameters
    ----------
    found : Findings
        The findings ledger.
    policy : DisclosurePolicy
        The audience's policy.
    incidents : pandas.DataFrame
        Store incidents scoped like the ledger (all dates), for the chart.
    scope_text : str
        One line on scope and audience.
    sections : dict, optional
        Finding kind -> anchor of the supporting section.
    order : tuple of str
        Kinds of finding, in order.
    report : str
        Report name (kept in the disclosure ledger).
    chart : bool
        Draw the chart by country under the findings.

    Returns
    -------
    DisclosureLedger
        The report's ledger (settled and written for the run's auditor); later blocks may
        add to it and publish again.
    """
    from IPython.display import HTML, display

    ledger = DisclosureLedger.for_policy(policy, report)
    chosen = collect_key_findings(found, ledger, sections, order, quarters=getattr(policy, "period_grid", None) == "Q")
    sid = scope_id(found)
    figure = None
    if chart:
        total = f"{sid}|incidents|latest" if f"{sid}|incidents|latest" in ledger.items else None
        figure = country_bars(latest_by_country(found, incidents), ledger, total, sid,
                              f"Incidents by country of exploitation, {window_words(found)[0].removeprefix('in ')}")
    ledger.settle()
    display(HTML(key_findings_html(chosen, ledger, scope_text, ledger_key=found.key)))
    if figure is not None:
        display(figure)
    publish_ledger(ledger)
    return ledger


def hotspot_labels(found: Any, top: int = 3) -> pd.DataFrame:
    """The ledger's top hotspots as map labels (new first, then by incidents).

    Parameters
    ----------
    found : Findings
        The findings ledger.
    top : int
        Labels kept.

    Returns
    -------
    pandas.DataFrame
        ``label, lat, lon``.
    """
    hot = found.hotspots[found.hotspots["incidents"].astype(int) > 0]
    hot = hot.sort_values(["new", "incidents"], ascending=[False, False]).head(top)
    return pd.DataFrame({"label": [place_words(p) for p in hot["place"]], "lat": hot["lat"].to_numpy(),
                         "lon": hot["lon"].to_numpy()})


#: Language names for ISO 639-1 codes the triage knows.
LANGUAGES = {"en": "English", "es": "Spanish", "fr": "French", "pt": "Portuguese", "uk": "Ukrainian", "ru": "Russian",
             "it": "Italian", "de": "German", "pl": "Polish", "ro": "Romanian", "nl": "Dutch", "ar": "Arabic"}


def language_name(code: Any) -> str:
    """A language code in words (``"en"`` -> ``"English"``; unknown codes as given).

    Parameters
    ----------
    code : str
        ISO 639-1 code.

    Returns
    -------
    str
        The name.
    """
    return LANGUAGES.get(str(code).lower(), str(code))


def ledger_emerging(found: Any) -> Any:
    """The ledger's emerging hot spot classes in the shape the table and map builders take.

    Parameters
    ----------
    found : Findings
        The findings ledger.

    Returns
    -------
    types.SimpleNamespace or None
        With ``table`` (``h3_cell, pattern, count``) and ``patterns`` (``pattern,
        places``), or None when the ledger holds none.
    """
    from types import SimpleNamespace

    if found.emerging_patterns is None or found.emerging_patterns.empty:
        return None
    return SimpleNamespace(table=found.emerging.copy(), patterns=found.emerging_patterns.copy())
