"""Disclosure audit of exported reports: attack the HTML a reader gets, not the ledger behind it.

The disclosure ledger (:mod:`workbench.share.ledger`) protects the numbers entered in it;
an ordinary table, a chart label or a map popup that never went through it is protected
only table by table. This module reads what a reader reads, the exported HTML of every
report of a run, and attacks it as a reader with all of them would:

- **numbers with context**: every count in a table cell (with its row and column
  headers), in a sentence (with the sentence as its template, so the same sentence in two
  reports is the same number), in a map popup or tooltip (folium's inlined GeoJSON and
  its tooltip fields, frames included); withheld ones are ``[c]`` or ``<k``. Decimals,
  percentages, dates, years and parameters (``6 months``, ``H3 resolution 5``) are not
  counts and are left out;
- **relations**: table margins (a ``Total`` row or column; dropped when a fully shown
  line does not add up, e.g. incidents counted under several types), ``X of Y`` in a
  sentence (a part is at most its whole), consecutive windows (months that tile a period
  shown as a total elsewhere), the same number repeated in another report of the run (same
  key), and **listings**: rows of a table that list the units a withheld count counts
  (accounts, incidents, sites) and name its subject (a typology, a place) give the count
  by counting rows;
- **attack**: every shown count is an interval (the audience's rounding, e.g. +-2 for a
  base of 5; exact for law enforcement), every withheld count at least 1 (zeros are
  shown); a withheld count is *recovered* when linear programming over all relations of
  all reports of the group pins it to one integer, or another report shows it.

:func:`protect_html` is the exporter's last gate: it withholds the smallest shown count
that closes each leak (or the listed rows that name a withheld subject), states on the
page how many numbers it withheld, and refuses the page when a leak cannot be closed in
it. :func:`audit_folder` gives the per-audience counts ``workbench audit`` prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from workbench.share.html_numbers import (_EPS, PageNumber, PageNumbers, PageRelation, _tolerance, names,
                                          read_page)

__all__ = ["DisclosureGateError", "HtmlAuditResult", "PageNumber", "PageNumbers", "PageRelation", "Recovery",
           "audit_folder", "audit_pages", "protect_html", "read_folder", "read_page", "run_pages"]


@dataclass
class Recovery:
    """A withheld number an attacker works out.

    Attributes
    ----------
    key : str
        Its key.
    report : str
        A report that withholds it.
    label : str
        Context.
    low, high : float
        Its feasible range (``low == high`` up to rounding: one integer).
    how : str
        ``subtraction``, ``listing`` or ``shown elsewhere``.
    near : list of str
        Keys of the numbers in the relations that pin it down (where the gate looks for
        a count to withhold).
    """

    key: str
    report: str
    label: str
    low: float
    high: float
    how: str
    near: list[str] = field(default_factory=list, repr=False)


@dataclass
class HtmlAuditResult:
    """What :func:`audit_pages` found.

    Attributes
    ----------
    reports : int
        Pages attacked together.
    published : int
        Distinct numbers published (shown or withheld).
    withheld : int
        Of those, withheld somewhere.
    relations : int
        Relations checked (margins, parts of wholes, windows, listings, repeats).
    dropped : int
        Relations set aside because the shown numbers contradict them (non-additive margins).
    recovered : list of Recovery
        Withheld numbers worked out.
    """

    reports: int = 0
    published: int = 0
    withheld: int = 0
    relations: int = 0
    dropped: int = 0
    recovered: list[Recovery] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing withheld can be worked out."""
        return not self.recovered

    def __str__(self) -> str:
        head = (f"{self.reports} report(s): {self.published} numbers published, {self.withheld} withheld, "
                f"{self.relations} relations checked, {len(self.recovered)} recoverable")
        return head + ("".join(f"\n  {r.report}: {r.label} = {r.low:g}..{r.high:g} ({r.how})"
                               for r in self.recovered[:8]))


def _window_relations(pages: list[PageNumbers]) -> list[PageRelation]:
    """Counts of one measure whose windows coincide (the same number) or tile a longer one (its sum)."""
    by_measure: dict[str, dict[tuple[int, int], str]] = {}
    out: list[PageRelation] = []
    for page in pages:
        for item in page.numbers:
            if item.window is None:
                continue
            measure, first, last = item.window
            spans = by_measure.setdefault(measure, {})
            same = spans.setdefault((first, last), item.key)
            if same != item.key:
                out.append(PageRelation("sum", same, [item.key], source=f"same window of {measure.split('|')[-1]}"))
    for measure, spans in by_measure.items():
        for (first, last), key in spans.items():
            pieces = _tiling(first, last, [s for s in spans if s != (first, last) and first <= s[0] <= s[1] <= last])
            if pieces:
                out.append(PageRelation("sum", key, [spans[s] for s in pieces],
                                        source=f"consecutive windows of {measure.split('|')[-1]}"))
    return out


def _tiling(first: int, last: int, spans: list[tuple[int, int]]) -> list[tuple[int, int]] | None:
    """Fewest consecutive spans covering ``first..last`` exactly (two at least), or None."""
    best: dict[int, list[tuple[int, int]]] = {first: []}
    for start in range(first, last + 1):
        if start not in best:
            continue
        for span in spans:
            if span[0] == start and (span[1] + 1 not in best or len(best[span[1] + 1]) > len(best[start]) + 1):
                best[span[1] + 1] = best[start] + [span]
    pieces = best.get(last + 1)
    return pieces if pieces and len(pieces) >= 2 else None


def _merge(pages: list[PageNumbers]) -> tuple[dict, dict, list[PageRelation], list[Recovery]]:
    """Shown value (or None) and threshold/rounding of every key; relations; direct recoveries."""
    shown: dict[str, int | None] = {}
    context: dict[str, tuple[int, int, PageNumber]] = {}
    withheld_in: dict[str, PageNumber] = {}
    for page in pages:
        for item in page.numbers:
            context.setdefault(item.key, (page.k, page.rounding, item))
            if item.withheld:
                withheld_in.setdefault(item.key, item)
                shown.setdefault(item.key, None)
            elif shown.get(item.key) is None:
                shown[item.key] = item.value
                context[item.key] = (page.k, page.rounding, item)
    direct = [Recovery(key, item.report, item.label, shown[key], shown[key], "shown elsewhere")
              for key, item in withheld_in.items()
              if shown.get(key) is not None and 0 < shown[key] < context[key][0]]  # a count >= k is no secret
    relations = [r for page in pages for r in page.relations]
    return shown, context, relations, direct


def _bounds(key: str, shown: dict, context: dict) -> tuple[float, float | None]:
    value = shown.get(key)
    if value is None:
        return 1.0, None  # withheld: at least 1 (zeros are shown)
    k, rounding, _ = context[key]
    tol = _tolerance(value, k, rounding)
    low = max(float(value) - tol, float(k) if tol and value >= k else 0.0)
    return low, float(value) + tol


class _System:
    """The attacker's linear system over one connected group of relations."""

    def __init__(self, relations: list[PageRelation], shown: dict, context: dict) -> None:
        self.keys = sorted({k for r in relations for k in [r.total, *r.parts]})
        self.index = {k: i for i, k in enumerate(self.keys)}
        self.bounds = [_bounds(k, shown, context) for k in self.keys]
        self.relations = relations

    def rows(self, relations: list[PageRelation]) -> tuple[list, list, list, list]:
        a_eq, b_eq, a_ub, b_ub = [], [], [], []
        for r in relations:
            row = np.zeros(len(self.keys))
            if r.kind == "listing":
                row[self.index[r.total]] = 1.0
                a_eq.append(row)
                b_eq.append(float(r.rows))  # strict: the listing is taken to be complete
                continue
            for p in r.parts:
                row[self.index[p]] += 1.0
            row[self.index[r.total]] -= 1.0
            (a_eq if r.kind == "sum" else a_ub).append(row)
            (b_eq if r.kind == "sum" else b_ub).append(0.0)
        return a_eq, b_eq, a_ub, b_ub

    def solve(self, goal: np.ndarray, relations: list[PageRelation]) -> Any:
        from scipy.optimize import linprog

        a_eq, b_eq, a_ub, b_ub = self.rows(relations)
        return linprog(goal, A_eq=np.array(a_eq) if a_eq else None, b_eq=b_eq or None,
                       A_ub=np.array(a_ub) if a_ub else None, b_ub=b_ub or None, bounds=self.bounds, method="highs")

    def consistent(self) -> tuple[list[PageRelation], int]:
        """The relations the shown numbers do not contradict (an attacker sets the others aside)."""
        zero = np.zeros(len(self.keys))
        if self.solve(zero, self.relations).status == 0:
            return self.relations, 0
        kept: list[PageRelation] = []
        for r in self.relations:
            if self.solve(zero, kept + [r]).status == 0:
                kept.append(r)
        return kept, len(self.relations) - len(kept)

    def ranges(self, relations: list[PageRelation], keys: list[str]) -> dict[str, tuple[float, float]]:
        out = {}
        for key in keys:
            goal = np.zeros(len(self.keys))
            goal[self.index[key]] = 1.0
            low, high = self.solve(goal, relations), self.solve(-goal, relations)
            hi = -high.fun if high.status == 0 else np.inf
            out[key] = (low.fun if low.status == 0 else 1.0, hi)
        return out


def _listing_relations(pages: list[PageNumbers]) -> list[PageRelation]:
    """A withheld count of one report whose subject another report of the run lists row by row."""
    out = []
    for page in pages:
        for key, unit, subject in page.counted:
            for other in pages:
                if other is page:
                    continue
                for listed_unit, rows in other.listed:
                    hits = sum(names(subject, row) for row in rows) if listed_unit == unit else 0
                    if hits:
                        out.append(PageRelation("listing", key, [], rows=hits,
                                                source=f"{hits} {unit} rows listed in {other.report}"))
    return out


def _components(relations: list[PageRelation]) -> list[list[PageRelation]]:
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for r in relations:
        for p in r.parts:
            parent[find(p)] = find(r.total)
        find(r.total)
    groups: dict[str, list[PageRelation]] = {}
    for r in relations:
        groups.setdefault(find(r.total), []).append(r)
    return list(groups.values())


def audit_pages(pages: Iterable[PageNumbers], focus: set[str] | None = None) -> HtmlAuditResult:
    """Attack the pages together (one report, or every report of one audience of a run).

    Parameters
    ----------
    pages : iterable of PageNumbers
        From :func:`read_page`.
    focus : set of str, optional
        Attack only the relations that reach these keys (a page's own numbers: what the
        exporter's gate needs); every relation by default.

    Returns
    -------
    HtmlAuditResult
        Counts and every withheld number recovered (by subtraction, by counting listed
        rows, or because another page shows it).
    """
    pages = list(pages)
    shown, context, relations, direct = _merge(pages)
    relations = relations + _window_relations(pages) + _listing_relations(pages)
    withheld_keys = {n.key for p in pages for n in p.numbers if n.withheld}
    pages_of: dict[str, int] = {}
    for page in pages:
        for key in {n.key for n in page.numbers}:
            pages_of[key] = pages_of.get(key, 0) + 1
    repeated = sum(1 for n in pages_of.values() if n > 1)  # the same number in several reports
    result = HtmlAuditResult(reports=len(pages), published=len(shown), withheld=len(withheld_keys),
                             relations=len(relations) + repeated)
    result.recovered = [r for r in direct if focus is None or r.key in focus]
    for group in _components(relations):
        if focus is not None and not any(k in focus for r in group for k in [r.total, *r.parts]):
            continue
        system = _System(group, shown, context)
        hidden = [k for k in system.keys if shown.get(k) is None]
        if not hidden:
            continue
        kept, dropped = system.consistent()
        result.dropped += dropped
        for key, (low, high) in system.ranges(kept, hidden).items():
            if np.isfinite(high) and np.floor(high + _EPS) - np.ceil(low - _EPS) < 1:
                item = context[key][2]
                how = "listing" if any(r.kind == "listing" and r.total == key for r in kept) else "subtraction"
                near = sorted({k for r in kept if key == r.total or key in r.parts for k in [r.total, *r.parts]})
                result.recovered.append(Recovery(key, item.report, item.label, round(low, 2), round(high, 2), how,
                                                 near))
    return result


def read_folder(folder: str | Path) -> list[PageNumbers]:
    """Read every exported report of a run folder (error pages left out).

    Parameters
    ----------
    folder : str or Path
        ``reports/runs/<run id>/`` (or any folder of exported reports).

    Returns
    -------
    list of PageNumbers
        One per ``*.html`` page.
    """
    files = sorted(p for p in Path(folder).glob("*.html") if not p.name.endswith(".error.html"))
    return [read_page(p.read_text(encoding="utf-8"), p.stem) for p in files]


_PAGE_CACHE: dict[tuple[str, float, int], PageNumbers] = {}


def run_pages(folder: str | Path, exclude: str = "") -> list[PageNumbers]:
    """The pages already exported to a run folder, read once per process (for :func:`protect_html`).

    Parameters
    ----------
    folder : str or Path
        The run folder.
    exclude : str
        File name to leave out (the page being exported).

    Returns
    -------
    list of PageNumbers
        Numbers and relations only (no parsed page kept).
    """
    out = []
    for path in sorted(Path(folder).glob("*.html")):
        if path.name == exclude or path.name.endswith(".error.html"):
            continue
        stat = path.stat()
        key = (str(path.resolve()), stat.st_mtime, stat.st_size)
        if key not in _PAGE_CACHE:
            page = read_page(path.read_text(encoding="utf-8"), path.stem)
            page.soup = None
            for item in page.numbers:
                item.ref = None
            for relation in page.relations:
                relation.refs = []
            _PAGE_CACHE[key] = page
        out.append(_PAGE_CACHE[key])
    return out


def audit_folder(folder: str | Path) -> dict[str, HtmlAuditResult]:
    """Audit a run's exported reports, all reports of one audience together.

    Parameters
    ----------
    folder : str or Path
        A run folder.

    Returns
    -------
    dict
        Audience -> :class:`HtmlAuditResult` (audiences as the pages name them).
    """
    by_audience: dict[str, list[PageNumbers]] = {}
    for page in run_pages(folder):  # read once: the exporter's gate has read them already
        by_audience.setdefault(page.audience, []).append(page)
    return {audience: audit_pages(pages) for audience, pages in sorted(by_audience.items())}


class DisclosureGateError(ValueError):
    """An exported page would let a reader work out a withheld count, and the gate cannot close it."""


def _withhold(item: PageNumber) -> bool:
    """Show ``item`` as withheld in its page; False when it cannot be edited (a map frame)."""
    ref = item.ref
    if not ref or ref[0] == "map":
        return False
    if ref[0] == "cell":
        ref[1].string = "[c]"
    else:
        _, string, a, b = ref
        if not hasattr(string, "_wb_edits"):
            string._wb_edits = []
        string._wb_edits.append((a, b, "[c]"))
    item.value = None
    return True


def _apply_text_edits(page: PageNumbers) -> None:
    done = set()
    for item in page.numbers:
        ref = item.ref
        if not ref or ref[0] != "text" or id(ref[1]) in done or not hasattr(ref[1], "_wb_edits"):
            continue
        string = ref[1]
        done.add(id(string))
        text = str(string)
        for a, b, new in sorted(set(string._wb_edits), reverse=True):
            text = text[:a] + new + text[b:]
        string.replace_with(text)


def protect_html(html: str, report: str = "", others: Iterable[PageNumbers] = ()) -> tuple[str, list[str]]:
    """The exporter's last gate: close every leak of a page before it is written.

    The page is attacked alone and with ``others`` (already exported pages of the same
    audience and run). While a withheld count can be worked out, the smallest shown count
    of this page in a relation with it is withheld too (a withheld count listed row by row
    has the listed rows' mention of it withheld instead); the page then says how many
    numbers the gate withheld.

    Parameters
    ----------
    html : str
        The exported page.
    report : str
        Its name.
    others : iterable of PageNumbers
        Pages of the same run and audience already written.

    Returns
    -------
    html : str
        The page, unchanged when nothing leaks.
    notes : list of str
        One line per number withheld at the gate.

    Raises
    ------
    DisclosureGateError
        When a leak can only be closed outside this page (another report, or a map's
        inlined data), so the page must not be exported.
    """
    page = read_page(html, report)
    others = [o for o in others if o.audience == page.audience]
    notes: list[str] = []
    focus = {n.key for n in page.numbers}
    before: set[str] | None = None
    for _ in range(200):
        leaks = audit_pages([page, *others], focus).recovered
        if leaks and before is None:  # leaks the other pages had without this one are not this page's doing
            before = {r.key for r in audit_pages(others, focus).recovered} if others else set()
        leaks = [r for r in leaks if r.key not in (before or set())]
        if not leaks:
            break
        leak = leaks[0]
        mine = {n.key: n for n in page.numbers if not n.withheld}
        if leak.how == "shown elsewhere":
            fix = [n for n in page.numbers if n.key == leak.key and not n.withheld]
        elif leak.how == "listing":
            listing = next((r for r in page.relations if r.kind == "listing" and r.total == leak.key), None)
            if listing is None:
                raise DisclosureGateError(f"{report}: {leak.label} can be counted in rows another report of the run "
                                          f"lists")
            if any(isinstance(cell, tuple) for cell in listing.refs):
                raise DisclosureGateError(f"{report}: {leak.label} can be counted on the map ({listing.source})")
            for cell in listing.refs:
                cell.string = "withheld"
            page.relations.remove(listing)
            notes.append(f"rows naming {leak.label} withheld (they would count a withheld number)")
            continue
        else:
            fix = sorted((mine[k] for k in leak.near if k in mine and mine[k].value and mine[k].ref
                          and mine[k].ref[0] != "map"), key=lambda n: n.value)[:1]
        if not fix or not all(_withhold(n) for n in fix):
            raise DisclosureGateError(f"{report}: {leak.label} can be worked out ({leak.how}) and the leak cannot "
                                      f"be closed in this page")
        notes += [f"{n.label} withheld: it would reveal {leak.label} by {leak.how}" for n in fix]
    else:
        raise DisclosureGateError(f"{report}: disclosure gate did not converge")
    if not notes:
        return html, []
    _apply_text_edits(page)
    body = page.soup.body or page.soup
    note = page.soup.new_tag("p", attrs={"class": "wb-disclosure-gate", "style": "font-size:11px;color:#666"})
    named = sorted({n.split(" withheld")[0] for n in notes if " / " in n.split(" withheld")[0]})
    note.string = (f"Disclosure check of the exported page: {len(notes)} further number(s) withheld ([c]) because, "
                   f"with what this report and the run's other reports show, they would reveal a withheld count"
                   + (f" ({'; '.join(named[:10])}{'...' if len(named) > 10 else ''})." if named else "."))
    body.append(note)
    return str(page.soup), notes
