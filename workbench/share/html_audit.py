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

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from workbench.share.disclosure import POLICIES

#: How a withheld number reads (table cells, sentences, popups).
_WITHHELD_CELL = re.compile(r"^\s*(\[c\]|<\s*\d+|&lt;\s*\d+|withheld|\[withheld\])\s*$", re.IGNORECASE)
_COUNT_CELL = re.compile(r"^\s*(\d{1,3}(?:,\d{3})+|\d+)\s*$")
#: Count tokens in running text: ``[c]``, ``<10`` or an integer that is not part of a
#: decimal, a date, an identifier, a percentage or a range.
_TOKEN = re.compile(
    r"\[c\]|<\s?\d+(?![\d.,])"
    r"|(?<![\w.,#/:+-])(?:\d{1,3}(?:,\d{3})+|\d+)(?![\w%+:/-]|[.,]\d)"
)
#: Words after a number that make it a length of time, a distance or a parameter.
_NOT_COUNT_AFTER = frozenset("""months month days day weeks week years year hours hour minutes min km m
    periods period percent per cent steps step quarters quarter s ms""".split())
_NOT_COUNT_BEFORE = frozenset("""per below resolution top than least threshold level every first last
    rules version kj step steps p q z""".split())
_TOTAL_LABELS = frozenset({"total", "all", "overall", "sum", "all countries", "all types", "all regions",
                           "grand total", "total incidents"})
_BLOCK_TAGS = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "dd", "dt", "caption", "figcaption", "pre",
               "blockquote", "summary", "div", "section", "ol", "ul", "dl", "table", "td", "th", "details")
#: Units of a count that a map lists one per feature.
_PLACE_UNITS = frozenset({"place", "cell", "map cell", "hexagon", "area", "site"})
#: A sentence about a window of time (not the page's whole period).
_WINDOW_WORDS = re.compile(r"\b(months?|weeks?|quarters?|window|since|january|february|march|april|may|june|july|"
                           r"august|september|october|november|december)\b", re.IGNORECASE)
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_MONTHS = ("january february march april may june july august september october november december").split()
_SCOPE = re.compile(r"Audience:\s*([a-z_]+(?: [a-z]+)?)\s*\(counts below (\d+) withheld\)", re.IGNORECASE)
_GEOJSON_ADD = re.compile(r"\b(geo_json_[0-9a-f]+)_add\(\s*(?=\{)")
_TOOLTIP_FIELDS = re.compile(r"\b(geo_json_[0-9a-f]+)\.bind(?:Tooltip|Popup)\(\s*function\(layer\)\{.*?"
                             r"let fields = (\[.*?\]);\s*let aliases = (\[.*?\]);", re.DOTALL)
_JS_HTML = re.compile(r"(?:bindTooltip\(|bindPopup\(|html = \$\()\s*`(.*?)`", re.DOTALL)
#: Tolerance of the feasibility tests.
_EPS = 1e-6


@dataclass
class PageNumber:
    """One count published in a page.

    Attributes
    ----------
    key : str
        What it counts: scope, table headers and row and column, or the sentence it is in
        (the same key in two reports of a run is the same number).
    value : int or None
        The shown value, None when withheld.
    report : str
        The page (file stem).
    where : str
        ``table``, ``text`` or ``map``.
    label : str
        Human-readable context (for messages).
    ref : object
        Where it sits in the parsed page, for :func:`protect_html` (not compared).
    """

    key: str
    value: int | None
    report: str
    where: str
    label: str
    ref: Any = field(default=None, repr=False, compare=False)
    window: tuple[str, int, int] | None = field(default=None, repr=False, compare=False)

    @property
    def withheld(self) -> bool:
        """True when the page withholds it."""
        return self.value is None


@dataclass
class PageRelation:
    """A relation between published numbers an attacker can see.

    Attributes
    ----------
    kind : str
        ``sum`` (``total`` is the sum of ``parts``), ``part`` (each part is at most
        ``total``) or ``listing`` (``total`` counts ``rows`` listed rows).
    total : str
        Key of the total (or of the counted number).
    parts : list of str
        Keys of the parts (empty for a listing).
    rows : int
        Listed rows (listing only).
    source : str
        Where it was found (for messages).
    refs : list
        The listed cells (listing only; :func:`protect_html` blanks them).
    """

    kind: str
    total: str
    parts: list[str]
    rows: int = 0
    source: str = ""
    refs: list = field(default_factory=list, repr=False, compare=False)


@dataclass
class PageNumbers:
    """Every count of one exported report and the relations between them.

    Attributes
    ----------
    report : str
        File stem.
    audience : str
        Audience named on the page (``unknown`` when it names none).
    k : int
        Threshold named on the page (10 when it names none).
    rounding : int
        The audience's rounding base (1: exact).
    numbers : list of PageNumber
        In page order.
    relations : list of PageRelation
        Found relations.
    soup : object
        The parsed page (for :func:`protect_html`).
    """

    report: str
    audience: str
    k: int
    rounding: int
    numbers: list[PageNumber] = field(default_factory=list)
    relations: list[PageRelation] = field(default_factory=list)
    soup: Any = field(default=None, repr=False)


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
    """

    key: str
    report: str
    label: str
    low: float
    high: float
    how: str


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


def _soup(html: str) -> Any:
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html.parser")


def _cell(text: str) -> tuple[str, int | None] | None:
    """``("count", v)``, ``("withheld", None)`` or None (not a count)."""
    if _WITHHELD_CELL.match(text):
        return "withheld", None
    m = _COUNT_CELL.match(text)
    if m:
        return "count", int(m.group(1).replace(",", ""))
    return None


def _singular(word: str) -> str:
    word = word.strip().lower()
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def _inside(tag: Any, names: tuple[str, ...]) -> bool:
    return any(p.name in names for p in tag.parents)


class _Reader:
    """Collects the numbers and relations of one page (see :func:`read_page`)."""

    def __init__(self, html: str, report: str) -> None:
        self.soup = _soup(html)
        text = self.soup.get_text(" ", strip=True)
        m = _SCOPE.search(text)
        self.audience = m.group(1).lower().replace(" ", "_") if m else "unknown"
        self.k = int(m.group(2)) if m else 10
        policy = POLICIES.get(self.audience)
        self.rounding = policy.rounding if policy is not None else 1
        scope = self.soup.select_one(".wb-kf-scope")
        line = scope.get_text(" ", strip=True) if scope is not None else ""
        fields = [f.strip() for f in line.split(".")[0].split(";")]
        self.place = "; ".join(fields[:2]) if len(fields) >= 2 else "scope?"
        self.period = fields[2] if len(fields) >= 3 else ""
        extras = line.split(")", 1)[1].strip() if "Audience:" in line and ")" in line else ""
        self.measure_scope = f"{self.place}|{extras}"
        self.sections: dict[str, dict[str, list[PageNumber]]] = {}
        self.page = PageNumbers(report, self.audience, self.k, self.rounding, soup=self.soup)
        self.tables: list[dict[str, Any]] = []
        self.text_values: dict[str, int | None] = {}
        self.map_layers: list[list[list[str]]] = []
        self.restated: list[tuple[PageNumber, str, str]] = []

    # -- tables -------------------------------------------------------------------------
    def read_tables(self) -> None:
        for number, table in enumerate(self.soup.find_all("table")):
            if _inside(table, ("table",)) or table.find_parent(class_="wb-provenance") is not None:
                continue
            thead = table.thead.find_all("tr") if table.thead else []
            head, body = [], []
            for tr in table.find_all("tr"):
                if tr.find_parent("table") is not table:
                    continue
                cells = tr.find_all(["th", "td"], recursive=False)
                if not cells:
                    continue
                if any(tr is x for x in thead) or (not thead and not body and all(c.name == "th" for c in cells)):
                    head.append(cells)
                else:
                    body.append(cells)
            if not body:
                continue
            headers = max(([c.get_text(" ", strip=True) for c in r] for r in head), key=lambda h: sum(map(bool, h)),
                          default=[])
            width = max(len(r) for r in body)
            headers = [""] * (width - len(headers)) + headers if len(headers) < width else headers[-width:]
            self._table(number, headers, body)

    def _table(self, number: int, headers: list[str], body: list[list[Any]]) -> None:
        signature = "/".join(h.lower() for h in headers)
        prefix = f"{self.place}|{self.period}|T:{signature}"
        grid: dict[tuple[int, int], PageNumber] = {}
        labels, seen = [], {}
        for i, cells in enumerate(body):
            texts = [c.get_text(" ", strip=True) for c in cells]
            label = next((t for t in texts if t and _cell(t) is None), f"row {i + 1}")
            seen[label] = seen.get(label, 0) + 1
            labels.append(label if seen[label] == 1 else f"{label} #{seen[label]}")
            for j, (cell, text) in enumerate(zip(cells, texts)):
                parsed = _cell(text)
                if parsed is None or j >= len(headers):
                    continue
                column = headers[j] or f"column {j + 1}"
                item = PageNumber(f"{prefix}|{labels[-1]}|{column}", parsed[1], self.page.report, "table",
                                  f"{labels[-1]} / {column}", ref=("cell", cell))
                grid[(i, j)] = item
                self.page.numbers.append(item)
        for (i, j), item in grid.items():
            span = _month_span(labels[i])
            if span is not None:
                item.window = (f"{self.measure_scope}|{headers[j].lower()}", *span)
        self.tables.append({"headers": headers, "labels": labels, "grid": grid, "body": body,
                            "section": self._heading(body[0][0])})
        self._margins(headers, labels, grid, signature)

    def _margins(self, headers: list[str], labels: list[str], grid: dict, signature: str) -> None:
        total_rows = [i for i, lab in enumerate(labels) if lab.strip().lower() in _TOTAL_LABELS]
        total_cols = [j for j, h in enumerate(headers) if h.strip().lower() in _TOTAL_LABELS]
        count_cols = sorted({j for _, j in grid})
        candidates: dict[str, list[PageRelation]] = {"rows": [], "cols": []}
        for t in total_rows:  # each column adds up to its total row
            for j in count_cols:
                parts = [grid.get((i, j)) for i in range(len(labels)) if i not in total_rows]
                if (t, j) in grid and parts and all(parts):
                    candidates["rows"].append(PageRelation("sum", grid[(t, j)].key, [p.key for p in parts],
                                                           source=f"column total of {signature}"))
        for t in total_cols:  # each row adds up to its total column
            for i in range(len(labels)):
                parts = [grid.get((i, j)) for j in count_cols if j not in total_cols]
                if (i, t) in grid and parts and all(parts):
                    candidates["cols"].append(PageRelation("sum", grid[(i, t)].key, [p.key for p in parts],
                                                           source=f"row total of {signature}"))
        values = {n.key: n.value for n in grid.values()}
        for direction, relations in candidates.items():
            if all(self._adds_up(r, values) for r in relations):  # a non-additive margin is no relation
                self.page.relations += relations

    def _adds_up(self, relation: PageRelation, values: dict[str, int | None]) -> bool:
        members = [relation.total, *relation.parts]
        if any(values[m] is None for m in members):
            return True  # cannot tell: the attacker assumes it adds up
        slack = sum(_tolerance(values[m], self.k, self.rounding) for m in members)
        return abs(sum(values[p] for p in relation.parts) - values[relation.total]) <= slack + _EPS

    # -- listings -----------------------------------------------------------------------
    def read_listings(self) -> None:
        """A withheld count whose subject is named in rows listing the units it counts."""
        for counted in self.tables:
            for (i, j), item in counted["grid"].items():
                if not item.withheld:
                    continue
                unit = _singular(counted["headers"][j])
                subject = counted["labels"][i].split(" #")[0].strip().lower()
                if not unit or not subject or subject.startswith("row "):
                    continue
                for listing in self.tables:
                    if listing is counted or not _lists_units(listing, unit):
                        continue
                    hits = [cells for cells in listing["body"]
                            if any(subject == t or subject in re.split(r"\s*[,;]\s*", t)
                                   for t in (c.get_text(" ", strip=True).lower() for c in cells))]
                    if hits:
                        self.page.relations.append(PageRelation(
                            "listing", item.key, [], rows=len(hits), source=f"{len(hits)} listed {unit} rows",
                            refs=[c for cells in hits for c in cells]))

    # -- text ---------------------------------------------------------------------------
    def read_text(self) -> None:
        for tag in self.soup.find_all(_BLOCK_TAGS):
            if tag.name not in ("td", "th") and _inside(tag, ("table", "script", "style")):
                continue
            if tag.name in ("td", "th") or tag.find(_BLOCK_TAGS) is not None:
                continue
            if tag.find_parent(class_="wb-provenance") is not None or tag.find_parent("style") is not None:
                continue
            self._block(tag)

    def _heading(self, tag: Any) -> str:
        """The section a block sits in: the nearest heading before it (key findings join across reports)."""
        heading = tag if tag.name in _HEADINGS else tag.find_previous(_HEADINGS)
        return re.sub(r"[\s\u00b6]+", " ", heading.get_text(" ", strip=True)).strip() if heading is not None else ""

    def _text_key(self, base: str, value: int | None) -> str:
        """``base``, or ``base`` with an occurrence number when the page already used it for another value."""
        key, n = base, 1
        while key in self.text_values and self.text_values[key] != value:
            n += 1
            key = f"{base}#{n}"
        self.text_values[key] = value
        return key

    def _block(self, tag: Any) -> None:
        section = self._heading(tag)
        from bs4 import Comment

        strings = [s for s in tag.find_all(string=True)
                   if s.parent.name not in ("script", "style") and not isinstance(s, Comment)]
        text, spans, pos = "", [], 0
        for s in strings:
            spans.append((pos, pos + len(s), s))
            text += s
            pos += len(s)
        for sentence_start, sentence in _sentences(text):
            slots = list(_count_tokens(sentence))
            if not slots:
                continue
            template = re.sub(r"\s+", " ", _TOKEN.sub("#", sentence)).strip()
            keys = []
            for n, (start, end, token) in enumerate(slots):
                value = None if token.startswith(("[", "<")) else int(token.replace(",", ""))
                a, b = sentence_start + start, sentence_start + end
                ref = next((("text", s, a - lo, b - lo) for lo, hi, s in spans if lo <= a and b <= hi), None)
                item = PageNumber(self._text_key(f"{self.place}|S:{section}|X:{template}|{n}", value), value,
                                  self.page.report, "text", f"{template!r} #{n + 1} ({section})", ref=ref)
                self.page.numbers.append(item)
                keys.append((item, start, end))
                item.window = _text_window(sentence, start, end, keys[-2][0].window if len(keys) > 1 else None,
                                           self.measure_scope)
                unit = re.match(r"\s*([a-z]+)", sentence[end:])
                group = self.sections.setdefault(section, {"parts": [], "totals": [], "counts": []})
                if re.search(r"\b(latest|previous|earlier) window|window before", template[:start + 40], re.I) \
                        and re.search(r"window[^#]*:\s*$", sentence[:start]):
                    group["parts"].append(item)
                elif re.match(r"\s*sources:\s*$", sentence[:start], re.I):
                    group["totals"].append(item)
                if value is None and unit:
                    group["counts"].append((item, _singular(unit.group(1))))
                if unit and not _WINDOW_WORDS.search(sentence):
                    self.restated.append((item, _singular(unit.group(1)), sentence.lower()))
            for (a, _, ea), (b, sb, _) in zip(keys, keys[1:]):  # "X of Y"
                if re.fullmatch(r"\s+of\s+", sentence[ea:sb]):
                    self.page.relations.append(PageRelation("part", b.key, [a.key], source=f"'X of Y' in {template!r}"))

    def read_map_listings(self) -> None:
        """A withheld count of places (cells, areas) whose subject the map's features name one place each."""
        for counted in self.tables:
            for (i, j), item in counted["grid"].items():
                unit = _singular(counted["headers"][j])
                subject = counted["labels"][i].split(" #")[0].strip().lower()
                if not item.withheld or unit not in _PLACE_UNITS or subject.startswith("row "):
                    continue
                for layer in self.map_layers:
                    hits = sum(subject in row for row in layer)
                    if hits:
                        self.page.relations.append(PageRelation(
                            "listing", item.key, [], rows=hits, source=f"{hits} map features named {subject!r}",
                            refs=[("map",)]))

    def read_restated(self) -> None:
        """A sentence that names a table row and the column's unit restates that cell ("25 incidents in France")."""
        for item, unit, sentence in self.restated:
            for table in self.tables:
                for (i, j), cell in table["grid"].items():
                    label = table["labels"][i].split(" #")[0].strip().lower()
                    if (_singular(table["headers"][j]) == unit and len(label) > 2 and label not in _TOTAL_LABELS
                            and re.search(rf"(?<!\w){re.escape(label)}(?!\w)", sentence)):
                        self.page.relations.append(PageRelation("sum", cell.key, [item.key],
                                                                source=f"sentence restating {cell.label}"))

    def read_sections(self) -> None:
        """Windows of a section and its sources total; a withheld count above a listing of its units."""
        for section, group in self.sections.items():
            if len(group["parts"]) >= 2 and len(group["totals"]) == 1:
                self.page.relations.append(PageRelation("sum", group["totals"][0].key, [p.key for p in group["parts"]],
                                                        source=f"windows and sources total in {section!r}"))
            for item, unit in group["counts"]:
                for table in self.tables:
                    if table["section"] == section and _lists_units(table, unit):
                        self.page.relations.append(PageRelation(
                            "listing", item.key, [], rows=len(table["body"]), source=f"{unit} rows listed in {section!r}",
                            refs=[c for cells in table["body"] for c in cells]))

    # -- maps ---------------------------------------------------------------------------
    def read_maps(self) -> None:
        for frame in self.soup.find_all("iframe"):
            doc = frame.get("srcdoc") or ""
            if doc:
                self._map(doc)

    def _map(self, doc: str) -> None:
        fields = {m.group(1): (json.loads(m.group(2)), json.loads(m.group(3))) for m in _TOOLTIP_FIELDS.finditer(doc)}
        decoder = json.JSONDecoder()
        layers: dict[str, Any] = {}
        for m in _GEOJSON_ADD.finditer(doc):
            if m.group(1) in layers:
                continue
            try:
                layers[m.group(1)], _ = decoder.raw_decode(doc, m.end())
            except ValueError:
                continue
        for layer, data in layers.items():
            names, aliases = fields.get(layer, ([], []))
            headers = [str(a) for a in aliases]
            signature = "/".join(h.lower() for h in headers)
            features = (data.get("features") or []) if isinstance(data, dict) else []
            if names and features:  # each feature is one place on the map: a listing of places
                self.map_layers.append([[str((f.get("properties") or {}).get(n, "")).lower() for n in names]
                                        for f in features])
            for feature in features:
                props = feature.get("properties") or {}
                where = _centroid(feature.get("geometry"))
                texts = [str(props.get(f, "")) for f in names]
                label = next((t for t in texts if t and _cell(t) is None), "")
                for name, alias in zip(names, headers):
                    parsed = _cell(str(props.get(name, "")))
                    if parsed is None:
                        continue
                    self.page.numbers.append(PageNumber(
                        f"{self.place}|{self.period}|M:{signature}|{where}|{label}|{alias}", parsed[1],
                        self.page.report, "map", f"map {label} at {where} / {alias}", ref=("map",)))
        for m in _JS_HTML.finditer(doc):  # popups and tooltips written as HTML
            inner = _Reader(f"<div>{m.group(1)}</div>", self.page.report)
            inner.place, inner.period = self.place, self.period
            inner.read_text()
            for item in inner.page.numbers:
                item.where, item.ref = "map", ("map",)
                self.page.numbers.append(item)


def _lists_units(table: dict[str, Any], unit: str) -> bool:
    """Whether a table lists ``unit`` one per row: a column named after it holding identifiers, not counts."""
    for j, header in enumerate(table["headers"]):
        if _singular(header) != unit:
            continue
        cells = [row[j].get_text(" ", strip=True) for row in table["body"] if j < len(row)]
        if cells and sum(_cell(t) is None for t in cells) > len(cells) / 2:
            return True
    return False


def _month_index(month: str, year: str) -> int | None:
    name = month.lower()
    number = next((i for i, m in enumerate(_MONTHS) if m == name or m[:3] == name), None)
    return None if number is None else int(year) * 12 + number


def _month_span(label: str) -> tuple[int, int] | None:
    """Months covered by a row label: ``2026-10``, ``October 2026``, ``2026Q3``/``Q3 2026``, ``2026``."""
    text = label.strip()
    m = re.fullmatch(r"(\d{4})-(\d{2})", text)
    if m:
        return (int(m.group(1)) * 12 + int(m.group(2)) - 1,) * 2
    m = re.fullmatch(r"([A-Za-z]+) (\d{4})", text)
    if m and _month_index(m.group(1), m.group(2)) is not None:
        return (_month_index(m.group(1), m.group(2)),) * 2
    m = re.fullmatch(r"(\d{4}) ?Q([1-4])|Q([1-4]) (\d{4})", text)
    if m:
        year, quarter = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        first = int(year) * 12 + 3 * (int(quarter) - 1)
        return first, first + 2
    m = re.fullmatch(r"(19|20)\d{2}", text)
    if m:
        return int(text) * 12, int(text) * 12 + 11
    return None


def _text_window(sentence: str, start: int, end: int, previous: tuple[str, int, int] | None,
                 scope: str) -> tuple[str, int, int] | None:
    """The measure and months a count in a sentence covers (``1,080 incidents ... in the 6 months to
    October 2026``; ``against 845 in the 6 months before``; ``25 incidents in October 2026``).

    Sentences naming a place (a capitalised word other than a month) are left out: their
    counts are of that place, not of the scope."""
    words = re.findall(r"\b[A-Z][a-z]+", sentence)[1:]
    if any(w.lower() not in _MONTHS for w in words):
        return None
    after = sentence[end:]
    m = re.match(r"\s*([a-z]+)?[a-z ]*?\bin the (\d+) months to ([A-Za-z]+) (\d{4})", after)
    if m and _month_index(m.group(3), m.group(4)) is not None:
        last = _month_index(m.group(3), m.group(4))
        return f"{scope}|{m.group(1) or 'incidents'}", last - int(m.group(2)) + 1, last
    m = re.match(r"\s*(?:[a-z]+\s+)?in the (\d+) months before\b", after)
    if m and previous is not None:
        length = int(m.group(1))
        return previous[0], previous[1] - length, previous[1] - 1
    m = re.match(r"\s*([a-z]+) in ([A-Za-z]+) (\d{4})\b", after)
    if m and _month_index(m.group(2), m.group(3)) is not None:
        month = _month_index(m.group(2), m.group(3))
        return f"{scope}|{m.group(1)}", month, month
    return None


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


def _centroid(geometry: Any) -> str:
    """A feature's place as text (the mean of its first ring's points, 3 decimals)."""
    try:
        coords = np.asarray(_first_ring(geometry["coordinates"]), dtype=float).reshape(-1, 2)
        lon, lat = coords.mean(axis=0)
        return f"{lat:.3f},{lon:.3f}"
    except (TypeError, KeyError, ValueError):
        return "?"


def _first_ring(coords: Any) -> Any:
    while isinstance(coords, list) and coords and isinstance(coords[0], list) and isinstance(coords[0][0], list):
        coords = coords[0]
    return coords


def _sentences(text: str) -> Iterable[tuple[int, str]]:
    """Sentences (and ``;``-separated clauses) of a block with their offsets."""
    start = 0
    for m in re.finditer(r"(?<=[.;!?])\s+|\n+", text):
        yield start, text[start:m.start()]
        start = m.end()
    yield start, text[start:]


def _count_tokens(sentence: str) -> Iterable[tuple[int, int, str]]:
    """Count tokens of a sentence: ``(start, end, token)``, without years and parameters."""
    for m in _TOKEN.finditer(sentence):
        token = m.group(0)
        before = re.findall(r"[\w']+", sentence[:m.start()].lower())[-1:]
        after = re.findall(r"[\w']+|\S", sentence[m.end():].lower())[:2]
        if token.startswith(("[", "<")) and re.match(r"\s*:?\s*withheld\b", sentence[m.end():]):
            continue  # "[c] withheld to protect confidentiality": the legend, not a number
        if not token.startswith(("[", "<")):
            number = token.replace(",", "")
            if len(number) == 4 and "," not in token and 1900 <= int(number) <= 2100:
                continue  # a year
            if after[:1] and after[0] in _NOT_COUNT_AFTER or before and before[0] in _NOT_COUNT_BEFORE:
                continue
            if before and before[0] in _MONTHS or after[:2] == ["or", "more"] or after[:2] == ["or", "fewer"]:
                continue
        yield m.start(), m.end(), token


def _tolerance(value: int | None, k: int, rounding: int) -> float:
    """How far a shown count may be from the true one (the audience's rounding)."""
    if value is None or rounding <= 1 or value < k:
        return 0.0
    return float(rounding // 2)


def read_page(html: str, report: str = "") -> PageNumbers:
    """Read every published count of an exported report and the relations between them.

    Parameters
    ----------
    html : str
        The exported page.
    report : str
        Its name (file stem).

    Returns
    -------
    PageNumbers
        Numbers, relations, audience and threshold (read from the page's scope line).
    """
    reader = _Reader(html, report)
    reader.read_tables()
    reader.read_listings()
    reader.read_text()
    reader.read_sections()
    reader.read_restated()
    reader.read_maps()
    reader.read_map_listings()
    return reader.page


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


def audit_pages(pages: Iterable[PageNumbers]) -> HtmlAuditResult:
    """Attack the pages together (one report, or every report of one audience of a run).

    Parameters
    ----------
    pages : iterable of PageNumbers
        From :func:`read_page`.

    Returns
    -------
    HtmlAuditResult
        Counts and every withheld number recovered (by subtraction, by counting listed
        rows, or because another page shows it).
    """
    pages = list(pages)
    shown, context, relations, direct = _merge(pages)
    relations = relations + _window_relations(pages)
    withheld_keys = {n.key for p in pages for n in p.numbers if n.withheld}
    pages_of: dict[str, int] = {}
    for page in pages:
        for key in {n.key for n in page.numbers}:
            pages_of[key] = pages_of.get(key, 0) + 1
    repeated = sum(1 for n in pages_of.values() if n > 1)  # the same number in several reports
    result = HtmlAuditResult(reports=len(pages), published=len(shown), withheld=len(withheld_keys),
                             relations=len(relations) + repeated)
    result.recovered = list(direct)
    for group in _components(relations):
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
                result.recovered.append(Recovery(key, item.report, item.label, round(low, 2), round(high, 2), how))
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
    for page in read_folder(folder):
        by_audience.setdefault(page.audience, []).append(page)
    return {audience: audit_pages(pages) for audience, pages in sorted(by_audience.items())}


class DisclosureGateError(ValueError):
    """An exported page would let a reader work out a withheld count, and the gate cannot close it."""


def _withhold(item: PageNumber, k: int) -> bool:
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
    before = {r.key for r in audit_pages(others).recovered} if others else set()  # not this page's doing
    for _ in range(200):
        leaks = [r for r in audit_pages([page, *others]).recovered if r.key not in before]
        if not leaks:
            break
        leak = leaks[0]
        mine = {n.key: n for n in page.numbers if not n.withheld}
        if leak.how == "shown elsewhere":
            fix = [n for n in page.numbers if n.key == leak.key and not n.withheld]
        elif leak.how == "listing":
            listing = next(r for r in page.relations if r.kind == "listing" and r.total == leak.key)
            if any(isinstance(cell, tuple) for cell in listing.refs):
                raise DisclosureGateError(f"{report}: {leak.label} can be counted on the map ({listing.source})")
            for cell in listing.refs:
                cell.string = "withheld"
            page.relations.remove(listing)
            notes.append(f"rows naming {leak.label} withheld (they would count a withheld number)")
            continue
        else:
            near = {k for r in page.relations + [r for o in others for r in o.relations]
                    if leak.key == r.total or leak.key in r.parts for k in [r.total, *r.parts]}
            fix = sorted((mine[k] for k in near if k in mine and mine[k].value and mine[k].ref
                          and mine[k].ref[0] != "map"), key=lambda n: n.value)[:1]
        if not fix or not all(_withhold(n, page.k) for n in fix):
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
