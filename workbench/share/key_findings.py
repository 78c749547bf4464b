"""Key findings: the 3-5 plain-language findings a report opens with, chosen from the findings ledger.

Every number goes through the report's :class:`~workbench.share.ledger.DisclosureLedger`
(as a ``{name}`` placeholder filled after settling), so a finding never shows a count the
audience may not see; the block is rendered by the Jinja2 template ``key_findings.html.j2``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from workbench.share.judgements import band, cautious_band
from workbench.share.ledger import DisclosureLedger
from workbench.share.templating import render_block


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


def _volume_findings(found: Any, ledger: DisclosureLedger, sid: str, anchor: str,
                     words: tuple[str, str, str, str, str]) -> list[KeyFinding]:
    """The finding on the total of incidents, latest window against the previous one."""
    latest_words, previous_words = words[0], words[1]
    latest = ledger.add(f"{sid}|incidents|latest", found.totals.get("latest", 0))
    previous = ledger.add(f"{sid}|incidents|previous", found.totals.get("previous", 0))
    return [KeyFinding("total:latest", f"{{{latest}}} incidents were reported {latest_words}, against "
                       f"{{{previous}}} {previous_words}.", "", anchor,
                       "where and what")]


def _hotspot_findings(found: Any, ledger: DisclosureLedger, sid: str, anchor: str,
                      words: tuple[str, str, str, str, str]) -> list[KeyFinding]:
    """Findings on the (new) hotspots, at most two, or that there is none."""
    latest_words = words[0]
    out: list[KeyFinding] = []
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
    return out


def _surge_findings(found: Any, ledger: DisclosureLedger, sid: str, anchor: str, end: str, yearly: bool,
                    quarters: bool) -> list[KeyFinding]:
    """Findings on the surges, at most two (by quarter, without counts, when ``quarters``), or that there is none."""
    out: list[KeyFinding] = []
    if found.surges.empty and yearly:
        out.append(KeyFinding("surges:none", "No surge check: the records are dated only to the year, and "
                              "surges are judged on months.", "", anchor, "forecasts"))
    elif found.surges.empty:
        out.append(KeyFinding("surges:none", f"No country's count for {end} was above its forecast "
                              "interval.", "", anchor, "forecasts"))
    for row in found.surges.head(2).itertuples():
        if quarters:
            quarter = pd.Timestamp(row.month + "-01")
            out.append(KeyFinding(f"surge:{row.series}:Q{quarter.quarter}-{quarter.year}",
                                  f"Surge in {row.country} in Q{quarter.quarter} {quarter.year}: a month's "
                                  "count was above its forecast interval.",
                                  _term(_judgement_for(found, ("surge",), row.country)), anchor, "forecasts"))
            continue
        n = ledger.add(f"{sid}|month|{row.series}|{row.month}", row.observed)
        j = _judgement_for(found, ("surge",), row.country)
        # The bound is stated only beside a count the threshold lets out: beside a withheld
        # count ("fewer than k") it would narrow the count to the range (bound, k).
        bound = (f" (upper bound {row.upper:.1f})" if not ledger.suppress or row.observed >= ledger.k else "")
        out.append(KeyFinding(f"surge:{row.series}:{row.month}", f"Surge in {row.country}: {{{n}}} incidents "
                              f"in {month_words(row.month)}, above the forecast interval{bound}.", _term(j),
                              anchor, "forecasts"))
    return out


def _corridor_findings(found: Any, ledger: DisclosureLedger, sid: str, anchor: str,
                       words: tuple[str, str, str, str, str], yearly: bool) -> list[KeyFinding]:
    """Findings on corridors that grew, at most two; when none did, one finding naming the largest."""
    latest_words, _, corridor_now, corridor_before, _ = words
    out: list[KeyFinding] = []
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
    return out


def _emerging_findings(found: Any, ledger: DisclosureLedger, sid: str, anchor: str,
                       words: tuple[str, str, str, str, str]) -> list[KeyFinding]:
    """The finding on the most common emerging-hot-spot pattern (hot ones first), if any."""
    over = words[4]
    out: list[KeyFinding] = []
    pats = found.emerging_patterns
    if pats is None or pats.empty:
        return out
    hot = pats[pats["pattern"].str.contains("hot", case=False)]
    top = (hot if len(hot) else pats).sort_values("places", ascending=False).head(1)
    for row in top.itertuples():
        n = ledger.add(f"{sid}|r{found.scope.resolution}|emerging|{row.pattern}", int(row.places),
                       is_count=False)  # places, not people: the map draws each of them
        out.append(KeyFinding(f"emerging:{row.pattern}", f"Emerging hot spot analysis: the most common "
                              f"pattern {over} is \"{row.pattern}\" "
                              f"({{{n}}} map cells).", "", anchor, "emerging"))
    return out


def _largest_corridor_findings(found: Any, ledger: DisclosureLedger, sid: str, anchor: str,
                               words: tuple[str, str, str, str, str]) -> list[KeyFinding]:
    """Findings on the two largest corridors of the latest window."""
    latest_words = words[0]
    out: list[KeyFinding] = []
    big = found.top_corridors[found.top_corridors["count"] >= (ledger.k if ledger.suppress else 1)].head(2)
    tied = len(big) == 2 and int(big["count"].iloc[0]) == int(big["count"].iloc[1])
    for rank, row in enumerate(big.itertuples()):
        n = ledger.add(f"{sid}|corridor|{row.corridor}|window", row.count)
        via = " (through a transit country)" if row.transit else ""
        title = "Joint largest corridor" if tied else ("Largest corridor", "Second-largest corridor")[rank]
        out.append(KeyFinding(f"corridor:{row.origin}-{row.transit or 'direct'}-{row.destination}:largest",
                              f"{title}{via}: {row.corridor}, {{{n}}} incidents "
                              f"{latest_words}.", "", anchor, "corridors"))
    return out


def _trend_findings(found: Any, anchor: str) -> list[KeyFinding]:
    """The finding stating the first trend judgement, if any."""
    trends = [j for j in found.judgements if j["kind"] == "trend"][:1]
    return [KeyFinding(f"judgement:trend:{j['subject']}", j["statement"][0].upper()
                       + j["statement"][1:] + ".", _term(j), anchor, "trend") for j in trends]


def collect_key_findings(found: Any, ledger: DisclosureLedger, sections: dict[str, str] | None = None,
                         order: tuple[str, ...] = ("volume", "hotspots", "surges", "corridors", "trends"),
                         limit: int = 5, quarters: bool = False) -> list[KeyFinding]:
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
    quarters : bool
        The audience sees quarters, not months (the public): a surge is stated for its
        quarter, without the month's count.

    Returns
    -------
    list of KeyFinding
        Finding texts hold ``{name}`` placeholders for numbers (see :func:`key_findings_html`).
    """
    sections = sections or {}
    sid = scope_id(found)
    words = window_words(found)
    end = month_words(found.end_month)
    yearly = getattr(found, "frequency", "M") == "Y"
    out: list[KeyFinding] = []
    for kind in order:
        anchor = sections.get(kind, "")
        if kind == "volume":
            out += _volume_findings(found, ledger, sid, anchor, words)
        elif kind == "hotspots":
            out += _hotspot_findings(found, ledger, sid, anchor, words)
        elif kind == "surges":
            out += _surge_findings(found, ledger, sid, anchor, end, yearly, quarters)
        elif kind == "corridors":
            out += _corridor_findings(found, ledger, sid, anchor, words, yearly)
        elif kind == "emerging":
            out += _emerging_findings(found, ledger, sid, anchor, words)
        elif kind == "largest":
            out += _largest_corridor_findings(found, ledger, sid, anchor, words)
        elif kind == "trends":
            out += _trend_findings(found, anchor)
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
