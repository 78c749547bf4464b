"""Every published count of an exported report, with its context and the relations a reader sees.

Read by :func:`read_page` from the HTML a reader gets (see :mod:`workbench.share.html_audit`
for the attack): table cells with their row and column headers, counts in sentences (the
sentence, with its numbers blanked, is the key, so the same sentence in two reports of a run
is the same number), map popups and tooltips (folium's inlined GeoJSON and tooltip fields),
and the relations between them: table margins, "X of Y", windows of time, a section's
windows and its sources total, sentences restating a table cell, and listings (rows or map
features that list the units a withheld count counts).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

import numpy as np

from workbench.share.disclosure import POLICIES
from workbench.share.html_windows import MONTHS, month_span, text_window

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
    counted : list of tuple
        ``(key, unit, subject)`` of every withheld table count (for listings in other pages).
    listed : list of tuple
        ``(unit, rows)`` of every table listing units one per row (rows as lower-case cell texts).
    """

    report: str
    audience: str
    k: int
    rounding: int
    numbers: list[PageNumber] = field(default_factory=list)
    relations: list[PageRelation] = field(default_factory=list)
    soup: Any = field(default=None, repr=False)
    counted: list[tuple[str, str, str]] = field(default_factory=list, repr=False)
    listed: list[tuple[str, list[list[str]]]] = field(default_factory=list, repr=False)


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
            span = month_span(labels[i])
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
        for table in self.tables:
            for unit in {_singular(h) for h in table["headers"] if _lists_units(table, _singular(h))}:
                self.page.listed.append((unit, [[c.get_text(" ", strip=True).lower() for c in cells]
                                                for cells in table["body"]]))
        for counted in self.tables:
            for (i, j), item in counted["grid"].items():
                if not item.withheld:
                    continue
                unit = _singular(counted["headers"][j])
                subject = counted["labels"][i].split(" #")[0].strip().lower()
                if not unit or not subject or subject.startswith("row "):
                    continue
                self.page.counted.append((item.key, unit, subject))
                for listing in self.tables:
                    if listing is counted or not _lists_units(listing, unit):
                        continue
                    hits = [cells for cells in listing["body"]
                            if names(subject, [c.get_text(" ", strip=True).lower() for c in cells])]
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
                item.window = text_window(sentence, start, end, keys[-2][0].window if len(keys) > 1 else None,
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
        """A sentence that names a table row and the column's unit restates that cell ("25 incidents in France");
        a headline that names no row is the total of a one-count table of that unit without a total row."""
        for item, unit, sentence in self.restated:
            named = False
            for table in self.tables:
                for (i, j), cell in table["grid"].items():
                    label = table["labels"][i].split(" #")[0].strip().lower()
                    if (_singular(table["headers"][j]) == unit and len(label) > 2 and label not in _TOTAL_LABELS
                            and re.search(rf"(?<![\w-]){re.escape(label)}(?![\w-])", sentence)):
                        self.page.relations.append(PageRelation("sum", cell.key, [item.key],
                                                                source=f"sentence restating {cell.label}"))
                        named = True
            if not named and item.key.split("|S:")[1].startswith("Key findings|"):
                self._headline_total(item, unit)

    def _headline_total(self, item: PageNumber, unit: str) -> None:
        """Relate a key finding's count to the rows of every table with one column counting its unit."""
        for table in self.tables:
            columns = {j for _, j in table["grid"] if table["headers"][j].split()
                       and _singular(table["headers"][j].split()[-1]) == unit}
            if len(columns) != 1 or any(lab.lower() in _TOTAL_LABELS for lab in table["labels"]):
                continue
            j = columns.pop()
            parts = [cell.key for (_, col), cell in sorted(table["grid"].items()) if col == j]
            if len(parts) >= 2:
                self.page.relations.append(PageRelation("sum", item.key, parts,
                                                        source=f"headline total and the rows of {table['headers'][j]!r}"))

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


def names(subject: str, texts: list[str]) -> bool:
    """Whether a listed row names ``subject`` (a cell equal to it, or one item of a ``,``/``;`` list).

    Parameters
    ----------
    subject : str
        Lower-case subject (a typology, a place).
    texts : list of str
        The row's lower-case cell texts.

    Returns
    -------
    bool
        True when the row names it.
    """
    return any(subject == t or subject in re.split(r"\s*[,;]\s*", t) for t in texts)


def _lists_units(table: dict[str, Any], unit: str) -> bool:
    """Whether a table lists ``unit`` one per row: a column named after it holding identifiers, not counts."""
    for j, header in enumerate(table["headers"]):
        if _singular(header) != unit:
            continue
        cells = [row[j].get_text(" ", strip=True) for row in table["body"] if j < len(row)]
        if cells and sum(_cell(t) is None for t in cells) > len(cells) / 2:
            return True
    return False


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
            if before and before[0] in MONTHS or after[:2] == ["or", "more"] or after[:2] == ["or", "fewer"]:
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
