"""Report blocks rendered from the findings ledger: key findings first, judgements, a chart.

Every block reads :class:`~workbench.findings.Findings` (so two reports of one run state the
same findings) and shows every number through a
:class:`~workbench.share.ledger.DisclosureLedger` (so no withheld number can be worked out
from another one in the report or the run). HTML comes from the Jinja2 templates in
``share/templates/blocks`` with autoescaping on.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from workbench import findings as findings_ledger
from workbench.places.gazetteer import country_name
from workbench.share import assessment
from workbench.share.judgements import KeyJudgement, band, cautious_band, check_judgements, graded_share
from workbench.share.ledger import DisclosureLedger
from workbench.share.templating import render_block

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


@dataclass(frozen=True)
class KeyFinding:
    """One plain-language finding.

    Attributes
    ----------
    id : str
        Its identifier in the findings ledger (``surge:UKR:2026-10``, ``surges:none``...).
    text : str
        The sentence.
    term : str
        Yardstick term and confidence when it is a judgement.
    anchor : str
        Id of the section that supports it.
    link : str
        Link text.
    """

    id: str
    text: str
    term: str = ""
    anchor: str = ""
    link: str = "details"


def scope_id(found: Any) -> str:
    """Name prefix of the numbers of a scope (the same in every report and audience of a run).

    Parameters
    ----------
    found : Findings
        The ledger.

    Returns
    -------
    str
        ``region|type|sources|end month``.
    """
    s = found.scope
    return f"{s.region}|{s.exploitation_type}|{s.sources}|{found.end_month}"


def window_words(found: Any) -> tuple[str, str, str, str, str]:
    """The ledger's windows in words, in the data's frequency.

    Parameters
    ----------
    found : Findings
        The ledger (``frequency`` ``"Y"`` for year-only records).

    Returns
    -------
    tuple of str
        Latest window, previous window, corridor window, corridor baseline, and the
        emerging-hot-spot span: ``("in the 6 months to December 2021", "in the 6 months
        before", "in the latest quarter", "a year before", "over the 12 months to December
        2021")`` for monthly data, ``("in 2021", "in 2020", "in 2021", "in 2020", "over the
        latest year (2021)")`` for yearly data.
    """
    end = month_words(found.end_month)
    if getattr(found, "frequency", "M") == "Y" and found.end_month:
        year = int(found.end_month[:4])
        return f"in {year}", f"in {year - 1}", f"in {year}", f"in {year - 1}", f"over the latest year ({year})"
    window = found.scope.window_months
    return (f"in the {window} months to {end}", f"in the {window} months before", "in the latest quarter",
            "a year before", f"over the 12 months to {end}")


def surges_empty_text(found: Any) -> str:
    """What a report says when the ledger lists no surge (yearly data: that no month was checked).

    Parameters
    ----------
    found : Findings
        The ledger.

    Returns
    -------
    str
        A sentence.
    """
    if getattr(found, "frequency", "M") == "Y":
        return "No surge check: the records are dated only to the year, and surges are judged on months."
    return f"No country's count for {month_words(found.end_month)} was above its forecast interval."


def month_words(month: str) -> str:
    """``"2026-10"`` as ``"October 2026"``.

    Parameters
    ----------
    month : str
        ``YYYY-MM``.

    Returns
    -------
    str
        Month and year.
    """
    return pd.Timestamp(month + "-01").strftime("%B %Y") if month else "the latest month"


def place_words(subject: str) -> str:
    """A hotspot subject (``"Lagos (Nigeria)"``) as ``"Lagos, Nigeria"``.

    Parameters
    ----------
    subject : str
        Subject from the ledger.

    Returns
    -------
    str
        Place, comma, country.
    """
    if subject.endswith(")") and " (" in subject:
        place, country = subject[:-1].split(" (", 1)
        return f"{place}, {country}"
    return subject


def _term(judgement: dict[str, Any] | None) -> str:
    if not judgement:
        return ""
    # the judgement's own term (in a gap: the cautious neighbour), printed with its band as the yardstick check reads it
    b = band(judgement["term"]) if judgement.get("term") else cautious_band(judgement["probability"])
    return f"{b.term} ({b.label}); {judgement['confidence']} confidence"


def _judgement_for(found: Any, kinds: tuple[str, ...], subject: str) -> dict[str, Any] | None:
    return next((j for j in found.judgements if j["kind"] in kinds and j["subject"] == subject), None)


def collect_key_findings(found: Any, ledger: DisclosureLedger, sections: dict[str, str] | None = None,
                         order: tuple[str, ...] = ("volume", "hotspots", "surges", "corridors", "trends"),
                         limit: int = 5) -> list[KeyFinding]:
    """Choose 3-5 findings from the ledger and enter their numbers in the disclosure ledger.

    Parameters
    ----------
    found : Findings
        The findings ledger.
    ledger : DisclosureLedger
        The report's disclosure ledger (call :meth:`~DisclosureLedger.settle` before showing).
    sections : dict, optional
        Kind (``volume``, ``hotspots``, ``surges``, ``corridors``, ``trends``) -> anchor of
        the report section that supports it; kinds without a section get no link.
    order : tuple of str
        Kinds in the order the report wants them.
    limit : int
        Most findings kept.

    Returns
    -------
    list of KeyFinding
        Finding texts hold ``{name}`` placeholders for numbers (see :func:`key_findings_html`).
    """
    sections = sections or {}
    sid = scope_id(found)
    latest_words, previous_words, corridor_now, corridor_before, over = window_words(found)
    end = month_words(found.end_month)
    yearly = getattr(found, "frequency", "M") == "Y"
    out: list[KeyFinding] = []
    for kind in order:
        anchor = sections.get(kind, "")
        if kind == "volume":
            latest = ledger.add(f"{sid}|incidents|latest", found.totals.get("latest", 0))
            previous = ledger.add(f"{sid}|incidents|previous", found.totals.get("previous", 0))
            out.append(KeyFinding("total:latest", f"{{{latest}}} incidents were reported {latest_words}, against "
                                  f"{{{previous}}} {previous_words}.", "", anchor,
                                  "where and what"))
        elif kind == "hotspots":
            hot = found.hotspots[found.hotspots["incidents"].astype(int) > 0]
            hot = hot.sort_values(["new", "incidents"], ascending=[False, False]).head(2)
            if hot.empty:
                out.append(KeyFinding("hotspots:none", f"No area was a significant hotspot {latest_words}.", "", anchor, "map"))
            for row in hot.itertuples():
                n = ledger.add(f"{sid}|r{found.scope.resolution}|hotspot|{row.place}", row.incidents)
                what = "New hotspot" if row.new else "Hotspot"
                j = _judgement_for(found, ("new_hotspot", "hotspot"), row.place)
                out.append(KeyFinding(f"hotspot:{row.place}", f"{what} around {place_words(row.place)}: {{{n}}} "
                                      f"incidents {latest_words}.", _term(j), anchor, "map"))
        elif kind == "surges":
            if found.surges.empty and yearly:
                out.append(KeyFinding("surges:none", "No surge check: the records are dated only to the year, and "
                                      "surges are judged on months.", "", anchor, "forecasts"))
            elif found.surges.empty:
                out.append(KeyFinding("surges:none", f"No country's count for {end} was above its forecast "
                                      "interval.", "", anchor, "forecasts"))
            for row in found.surges.head(2).itertuples():
                n = ledger.add(f"{sid}|month|{row.series}|{row.month}", row.observed)
                j = _judgement_for(found, ("surge",), row.country)
                out.append(KeyFinding(f"surge:{row.series}:{row.month}", f"Surge in {row.country}: {{{n}}} incidents "
                                      f"in {month_words(row.month)}, above the forecast interval (upper bound "
                                      f"{row.upper:.1f}).", _term(j), anchor, "forecasts"))
        elif kind == "corridors":
            grew = found.growing_corridors()
            if len(grew):  # corridors of a handful of incidents are listed in the tables, not headlined
                grew = grew[~grew["domestic"].astype(bool) & (grew["current"].astype(int) >= ledger.k)]
            if len(grew):
                for row in grew.head(2).itertuples():
                    now = ledger.add(f"{sid}|corridor|{row.corridor}|current", row.current)
                    before = ledger.add(f"{sid}|corridor|{row.corridor}|baseline", row.baseline)
                    j = _judgement_for(found, ("corridor_growth",), row.corridor)
                    verb = "appeared" if row.growth == "new" else "grew"
                    out.append(KeyFinding(f"corridor:{row.origin}-{row.transit or 'direct'}-{row.destination}:"
                                          f"{row.growth}", f"The {row.corridor} corridor {verb}: {{{now}}} incidents "
                                          f"{corridor_now} against {{{before}}} {corridor_before}.", _term(j),
                                          anchor, "corridors"))
            else:
                text = (f"No corridor of {ledger.k} or more incidents grew significantly "
                        + (f"({int(found.end_month[:4])} against {int(found.end_month[:4]) - 1})." if yearly else
                           "(latest quarter against the same quarter a year before)."))
                big = found.top_corridors[found.top_corridors["count"] >= (ledger.k if ledger.suppress else 1)]
                if len(big):
                    top = big.iloc[0]
                    n = ledger.add(f"{sid}|corridor|{top['corridor']}|window", top["count"])
                    text += f" The largest: {top['corridor']}, {{{n}}} incidents {latest_words}."
                out.append(KeyFinding("corridors:none-growing", text, "", anchor, "corridors"))
        elif kind == "emerging":
            pats = found.emerging_patterns
            if pats is None or pats.empty:
                continue
            hot = pats[pats["pattern"].str.contains("hot", case=False)]
            top = (hot if len(hot) else pats).sort_values("places", ascending=False).head(1)
            for row in top.itertuples():
                n = ledger.add(f"{sid}|r{found.scope.resolution}|emerging|{row.pattern}", int(row.places),
                               is_count=False)  # places, not people: the map draws each of them
                out.append(KeyFinding(f"emerging:{row.pattern}", f"Emerging hot spot analysis: the most common "
                                      f"pattern {over} is \"{row.pattern}\" "
                                      f"({{{n}}} map cells).", "", anchor, "emerging"))
        elif kind == "largest":
            big = found.top_corridors[found.top_corridors["count"] >= (ledger.k if ledger.suppress else 1)]
            for row in big.head(2).itertuples():
                n = ledger.add(f"{sid}|corridor|{row.corridor}|window", row.count)
                via = " (through a transit country)" if row.transit else ""
                out.append(KeyFinding(f"corridor:{row.origin}-{row.transit or 'direct'}-{row.destination}:largest",
                                      f"Largest corridor{via}: {row.corridor}, {{{n}}} incidents "
                                      f"{latest_words}.", "", anchor, "corridors"))
        elif kind == "trends":
            trends = [j for j in found.judgements if j["kind"] == "trend"][:1]
            for j in trends:
                out.append(KeyFinding(f"judgement:trend:{j['subject']}", j["statement"][0].upper()
                                      + j["statement"][1:] + ".", _term(j), anchor, "trend"))
    return out[:limit]


def key_findings_html(findings: list[KeyFinding], ledger: DisclosureLedger, scope_text: str = "",
                      note: str = "", ledger_key: str = "") -> str:
    """Render key findings (numbers filled from the settled disclosure ledger).

    Parameters
    ----------
    findings : list of KeyFinding
        From :func:`collect_key_findings`.
    ledger : DisclosureLedger
        Settled ledger.
    scope_text : str
        One line on scope and audience.
    note : str
        Small print (e.g. what ``[c]`` means).
    ledger_key : str
        Findings ledger key (kept as a data attribute).

    Returns
    -------
    str
        HTML of the block.
    """
    import re

    def fill(text: str) -> str:
        return re.sub(r"\{([^{}]+)\}", lambda m: ledger.show(m.group(1)), text)

    shown = [KeyFinding(f.id, fill(f.text), f.term, f.anchor, f.anchor.replace("-", " ") or f.link) for f in findings]
    if any("[c]" in f.text for f in shown) and not note:
        note = f"[c]: withheld to protect confidentiality (fewer than {ledger.k}, or would reveal such a count)."
    return render_block("key_findings.html.j2", findings=shown, scope=scope_text, note=note, ledger_key=ledger_key)


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


def country_bars(counts: pd.Series, ledger: DisclosureLedger, total_name: str | None, sid: str, title: str,
                 top: int = 12):  # -> matplotlib Figure or IPython HTML
    """Horizontal bars of counts by country; withheld counts drawn as hatched, labelled "[c]".

    The shown counts and the total are related in the ledger (countries sum to the
    total), so a lone withheld bar cannot be worked out by subtraction: settling
    withholds another one.

    Parameters
    ----------
    counts : pandas.Series
        Counts indexed by ISO3 code (all countries, not only the top ones).
    ledger : DisclosureLedger
        The report's ledger (settled here).
    total_name : str or None
        Name of the total the countries sum to (already in the ledger), if shown.
    sid : str
        Name prefix.
    title : str
        Chart title.
    top : int
        Bars drawn (largest first).

    Returns
    -------
    matplotlib.figure.Figure or IPython.display.HTML
        The chart, or a sentence when nothing is in scope.
    """
    import matplotlib.pyplot as plt

    counts = counts[counts > 0].sort_values(ascending=False)
    if counts.empty:
        from IPython.display import HTML

        return HTML("<p>Nothing in scope to chart.</p>")
    names = {iso: ledger.add(f"{sid}|country|{iso}", int(v), where="chart") for iso, v in counts.items()}
    if total_name is not None and ledger.items[total_name].value == int(counts.sum()):
        ledger.relate(total_name, list(names.values()))
    ledger.settle()
    shown = counts.head(top)
    labels = [country_name(iso) for iso in shown.index][::-1]
    values = [ledger.value(names[iso]) for iso in shown.index][::-1]
    scale = max([v for v in values if v is not None] or [ledger.k])
    fig, ax = plt.subplots(figsize=(7.5, 0.38 * len(labels) + 1.0))
    for i, v in enumerate(values):
        if v is None:
            ax.barh(i, ledger.k, color="white", edgecolor="#888888", hatch="///")
            ax.text(ledger.k + scale * 0.01, i, "[c] withheld", va="center", fontsize=8, color="#666666")
        else:
            ax.barh(i, v, color="#1f4e79")
            ax.text(v + scale * 0.01, i, f"{v:,}", va="center", fontsize=8)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_title(title, fontsize=11, loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_xlabel("incidents")
    ax.set_xlim(0, scale * 1.15)
    fig.tight_layout()
    plt.close(fig)
    return fig


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
    chosen = collect_key_findings(found, ledger, sections, order)
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


def typology_chart(counts: pd.DataFrame, policy: Any):  # -> matplotlib Figure
    """Bars of accounts per typology; withheld counts drawn hatched and labelled "[c]".

    Parameters
    ----------
    counts : pandas.DataFrame
        ``title, accounts`` (withheld counts missing), from :func:`screening_view`.
    policy : DisclosurePolicy
        The audience's policy.

    Returns
    -------
    matplotlib.figure.Figure
        The chart.
    """
    import matplotlib.pyplot as plt

    labels = list(counts["title"])[::-1]
    values = [None if pd.isna(v) else int(v) for v in counts["accounts"]][::-1]
    scale = max([v for v in values if v is not None] or [policy.k])
    fig, ax = plt.subplots(figsize=(7.5, 0.38 * len(labels) + 1.0))
    for i, v in enumerate(values):
        if v is None:
            ax.barh(i, policy.k, color="white", edgecolor="#888888", hatch="///")
            ax.text(policy.k + scale * 0.01, i, "[c] withheld", va="center", fontsize=8, color="#666666")
        else:
            ax.barh(i, v, color="#1f4e79")
            ax.text(v + scale * 0.01, i, f"{v:,}", va="center", fontsize=8)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_title("Accounts firing each typology", fontsize=11, loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_xlabel("accounts")
    ax.set_xlim(0, scale * 1.3)
    fig.tight_layout()
    plt.close(fig)
    return fig


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


def change_chart(counts: dict[str, int], title: str):  # -> matplotlib Figure
    """Bars of how many things changed, by kind (counts of places and corridors, not of people).

    Parameters
    ----------
    counts : dict
        Kind -> number of changes.
    title : str
        Chart title.

    Returns
    -------
    matplotlib.figure.Figure
        The chart.
    """
    import matplotlib.pyplot as plt

    labels, values = list(counts)[::-1], list(counts.values())[::-1]
    fig, ax = plt.subplots(figsize=(7.5, 0.4 * len(labels) + 1.0))
    ax.barh(range(len(labels)), values, color="#1f4e79")
    for i, v in enumerate(values):
        ax.text(v + 0.05, i, f"{v:,}", va="center", fontsize=8)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_title(title, fontsize=11, loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_xlim(0, max(values + [1]) * 1.2)
    ax.xaxis.get_major_locator().set_params(integer=True)
    fig.tight_layout()
    plt.close(fig)
    return fig


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
