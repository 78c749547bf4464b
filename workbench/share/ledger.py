"""Disclosure control over a whole report and a whole run: a ledger of published numbers and an auditor.

Suppressing table by table is not enough: a report that says "latest window: 15; window
before: <10" in one place and "Sources: 23 incidents" in another gives the withheld 8
away by subtraction, and a list of 18 accounts under a withheld "accounts alerted" count
gives the count away by counting rows. So every number a report publishes (in a table,
a sentence, a chart label or a map popup) is entered in a :class:`DisclosureLedger` under
a **name** that says what it counts, with its **relations**:

- ``relate(total, parts)``: the total is the sum of the parts (margins, windows, a
  headline total and its countries); the same name used in several reports of a run (or
  in the reports of several audiences) is the same number, so relations join across
  reports;
- ``listing(count, rows)``: ``rows`` rows are listed under the count (all of them when
  the listing is complete).

:meth:`DisclosureLedger.settle` applies primary suppression (``0 < c < k``) and then
secondary suppression over the whole set: while any withheld number can be worked out
from the shown ones and the relations (the linear system's null space is zero at that
number), the smallest shown positive number in one of its relations is withheld too, and
a complete listing under a withheld count is cut. Numbers are then shown with
:meth:`DisclosureLedger.show`.

:func:`audit` attacks ledgers as an adversary with every exported report of a run would:
by subtraction (the linear system over all shown numbers and all relations of all
reports) and by counting listed rows; it returns every withheld number it recovers.

The ledger holds what the report blocks enter in it (key findings, judgements, the
opening charts); ordinary tables are suppressed table by table. What a reader really
gets, every count of the exported page, is read and attacked by
:mod:`workbench.share.html_audit`, which the exporter runs as a last gate on every page.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from workbench.share.disclosure import round_count

#: How a withheld number reads in text.
WITHHELD_TEXT = "[c]"


@dataclass
class Published:
    """One published number.

    Attributes
    ----------
    name : str
        What it counts (same name, same number, across reports of a run).
    value : int
        The true value (kept in the ledger file, which never leaves the run folder).
    withheld : bool
        Whether it is withheld.
    where : str
        Where it is shown (``text``, ``table``, ``chart``, ``map``).
    is_count : bool
        A count of people or incidents (primary suppression applies); False for numbers
        that are not counts but still take part in relations.
    """

    name: str
    value: int | None
    withheld: bool = False
    where: str = "text"
    is_count: bool = True


@dataclass
class Relation:
    """``total`` is the sum of ``parts``."""

    total: str
    parts: list[str]


@dataclass
class Listing:
    """``rows`` rows listed under the count ``count`` (``complete``: every row is listed)."""

    count: str
    rows: int
    complete: bool = True


@dataclass
class AuditResult:
    """What :func:`audit` found.

    Attributes
    ----------
    published : int
        Numbers published (distinct names).
    withheld : int
        Of those, withheld.
    recovered : list of str
        Names of withheld numbers an attacker can work out (by subtraction or by counting rows).
    by_listing : list of str
        Of those, recovered by counting listed rows.
    """

    published: int
    withheld: int
    recovered: list[str] = field(default_factory=list)
    by_listing: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no withheld number can be recovered."""
        return not self.recovered

    def __str__(self) -> str:
        return (f"{self.published} numbers published, {self.withheld} withheld, "
                f"{len(self.recovered)} recoverable" + (f": {', '.join(self.recovered[:5])}" if self.recovered else ""))


class DisclosureLedger:
    """Every number of one report, its relations, and suppression applied to the whole set.

    Parameters
    ----------
    k : int
        Smallest count shown.
    suppress : bool
        Whether to withhold at all (True for every built-in audience).
    report : str
        Name of the report (kept in the ledger file).
    rounding : int
        Shown counts are rounded to a multiple of this base (the audience's policy), never
        below ``k``; the audit still treats shown numbers as exact (the stricter attack).
    """

    def __init__(self, k: int = 10, suppress: bool = True, report: str = "", rounding: int = 1) -> None:
        self.k, self.suppress, self.report, self.rounding = int(k), bool(suppress), report, max(1, int(rounding))
        self.items: dict[str, Published] = {}
        self.relations: list[Relation] = []
        self.listings: list[Listing] = []

    @classmethod
    def for_policy(cls, policy: Any, report: str = "") -> "DisclosureLedger":
        """A ledger for an audience's :class:`~workbench.share.disclosure.DisclosurePolicy`.

        Parameters
        ----------
        policy : DisclosurePolicy
            The audience's policy.
        report : str
            Report name.

        Returns
        -------
        DisclosureLedger
            Empty ledger.
        """
        return cls(policy.k, policy.suppress, report, getattr(policy, "rounding", 1))

    def add(self, name: str, value: Any, where: str = "text", is_count: bool = True) -> str:
        """Enter a number (primary suppression is applied at once).

        Parameters
        ----------
        name : str
            What it counts.
        value : int
            The true value.
        where : str
            ``text``, ``table``, ``chart`` or ``map``.
        is_count : bool
            Whether primary suppression applies.

        Returns
        -------
        str
            ``name`` (for chaining into :meth:`relate`).

        Raises
        ------
        ValueError
            When the same name was entered with a different value.
        """
        value = int(round(float(value)))
        old = self.items.get(name)
        if old is not None and old.value != value:
            raise ValueError(f"disclosure ledger: {name!r} entered as {old.value} and as {value}")
        small = self.suppress and is_count and 0 < value < self.k
        if old is None:
            self.items[name] = Published(name, value, small, where, is_count)
        else:
            old.withheld |= small
        return name

    def relate(self, total: str, parts: Iterable[str]) -> None:
        """Record that ``total`` is the sum of ``parts`` (all already entered).

        Parameters
        ----------
        total : str
            Name of the total.
        parts : iterable of str
            Names of the parts.
        """
        parts = list(parts)
        missing = [n for n in [total, *parts] if n not in self.items]
        if missing:
            raise KeyError(f"disclosure ledger: relation names unknown numbers {missing}")
        self.relations.append(Relation(total, parts))

    def listing(self, count: str, rows: int, complete: bool = True) -> None:
        """Record that ``rows`` rows are listed under the count ``count``.

        Parameters
        ----------
        count : str
            Name of the count.
        rows : int
            Rows listed.
        complete : bool
            Whether every row behind the count is listed.
        """
        self.listings.append(Listing(count, int(rows), bool(complete)))

    def settle(self) -> "DisclosureLedger":
        """Secondary suppression over the whole ledger (see the module docstring).

        Returns
        -------
        DisclosureLedger
            ``self``.
        """
        if not self.suppress:
            return self
        while True:
            exposed = _recoverable(self.items, self.relations)
            if not exposed:
                break
            name = exposed[0]
            near = {n for r in self.relations if name == r.total or name in r.parts for n in [r.total, *r.parts]}
            candidates = [self.items[n] for n in near if not self.items[n].withheld and self.items[n].value > 0]
            candidates = candidates or [p for p in self.items.values() if not p.withheld and p.value > 0]
            if not candidates:
                break
            min(candidates, key=lambda p: p.value).withheld = True
        return self

    def is_withheld(self, name: str) -> bool:
        """Whether the number ``name`` is withheld.

        Parameters
        ----------
        name : str
            Its name.

        Returns
        -------
        bool
            True when withheld.
        """
        return self.items[name].withheld

    def allowed_rows(self, count: str, rows: int) -> int:
        """How many rows may be listed under a count: none when the count is withheld.

        Parameters
        ----------
        count : str
            Name of the count.
        rows : int
            Rows that would be listed (all of them).

        Returns
        -------
        int
            ``rows``, or 0 when listing them would give a withheld count away.
        """
        return 0 if self.items[count].withheld else int(rows)

    def show(self, name: str, unit: str = "") -> str:
        """The display text of a number: ``"1,234"`` or ``"[c]"`` when withheld.

        Parameters
        ----------
        name : str
            Its name.
        unit : str
            Words after the number (``"incidents"``).

        Returns
        -------
        str
            Text.
        """
        item = self.items[name]
        text = WITHHELD_TEXT if item.withheld else f"{self._rounded(item):,}"
        return f"{text} {unit}".strip()

    def _rounded(self, item: Published) -> int:
        if not (self.suppress and item.is_count) or self.rounding <= 1 or item.value in (None, 0):
            return int(item.value)
        return int(round_count(item.value, self.rounding, self.k))

    def value(self, name: str) -> int | None:
        """The shown value (None when withheld).

        Parameters
        ----------
        name : str
            Its name.

        Returns
        -------
        int or None
            The value, or None.
        """
        item = self.items[name]
        return None if item.withheld else self._rounded(item)

    def to_dict(self) -> dict[str, Any]:
        """The ledger as plain data (written next to the report, never published).

        Returns
        -------
        dict
            ``report, k, items, relations, listings``; withheld numbers carry no value
            (the file may sit next to the reports, and the audit does not need them).
        """
        return {"report": self.report, "k": self.k, "suppress": self.suppress,
                "items": [{**asdict(p), "value": None if p.withheld else p.value} for p in self.items.values()],
                "relations": [asdict(r) for r in self.relations],
                "listings": [asdict(listing) for listing in self.listings]}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> "DisclosureLedger":
        """Read :meth:`to_dict` output.

        Parameters
        ----------
        raw : dict
            Plain data.

        Returns
        -------
        DisclosureLedger
            The ledger.
        """
        out = cls(raw.get("k", 10), raw.get("suppress", True), raw.get("report", ""))
        out.items = {p["name"]: Published(**p) for p in raw.get("items", [])}
        out.relations = [Relation(**r) for r in raw.get("relations", [])]
        out.listings = [Listing(**entry) for entry in raw.get("listings", [])]
        return out

    def write(self, path: str | Path) -> Path:
        """Write the ledger as JSON.

        Parameters
        ----------
        path : str or Path
            Target file.

        Returns
        -------
        Path
            ``path``.
        """
        path = Path(path)
        path.write_text(json.dumps(self.to_dict(), indent=1), encoding="utf-8")
        return path


def _recoverable(items: dict[str, Published], relations: list[Relation]) -> list[str]:
    """Withheld names fixed by the relations given every shown number (null space test)."""
    hidden = [n for n, p in items.items() if p.withheld]
    if not hidden or not relations:
        return []
    position = {n: i for i, n in enumerate(hidden)}
    rows = []
    for rel in relations:
        row = np.zeros(len(hidden))
        touched = False
        for n in rel.parts:
            if n in position:
                row[position[n]] += 1.0
                touched = True
        if rel.total in position:
            row[position[rel.total]] -= 1.0
            touched = True
        if touched:
            rows.append(row)
    if not rows:
        return []
    a = np.vstack(rows)
    _, s, vt = np.linalg.svd(a)
    rank = int((s > 1e-9).sum())
    null = vt[rank:]
    return [n for n in hidden if np.all(np.abs(null[:, position[n]]) < 1e-9)]


def audit(ledgers: Iterable[DisclosureLedger]) -> AuditResult:
    """Attack the published numbers of one report or of every report of a run.

    Numbers with the same name in different ledgers are the same number (shown in one
    report, withheld in another, the shown one gives it away); relations of every ledger
    apply together.

    Parameters
    ----------
    ledgers : iterable of DisclosureLedger
        The reports' ledgers.

    Returns
    -------
    AuditResult
        Counts and the names of recoverable withheld numbers.
    """
    ledgers = list(ledgers)
    merged: dict[str, Published] = {}
    relations: list[Relation] = []
    listings: list[Listing] = []
    for ledger in ledgers:
        for name, item in ledger.items.items():
            seen = merged.get(name)
            if seen is None:
                merged[name] = Published(item.name, item.value, item.withheld, item.where, item.is_count)
            else:
                seen.withheld = seen.withheld and item.withheld  # shown anywhere: shown
        relations += ledger.relations
        listings += ledger.listings
    by_listing = sorted({entry.count for entry in listings
                         if entry.count in merged and merged[entry.count].withheld and entry.complete and entry.rows > 0})
    recovered = sorted(set(_recoverable(merged, relations)) | set(by_listing))
    return AuditResult(len(merged), sum(p.withheld for p in merged.values()), recovered, by_listing)


def audit_run(folder: str | Path) -> AuditResult:
    """Audit every report of a run folder (the ``*.disclosure.json`` ledgers next to the reports).

    Parameters
    ----------
    folder : str or Path
        A run folder ``reports/runs/<run id>/``.

    Returns
    -------
    AuditResult
        See :func:`audit`.
    """
    files = sorted(Path(folder).glob("*.disclosure.json"))
    return audit(DisclosureLedger.from_dict(json.loads(f.read_text(encoding="utf-8"))) for f in files)
