"""What every executed report is checked for: no small count or raw text leaked, a readable first screen."""

import re

from tests.workspace import home
from workbench import catalog

#: Reports that draw a map.
MAP_NOTEBOOKS = {"hotspot_map", "intelligence_report"}

#: Column headers of numbers that are not counts of people (map cells of an emerging pattern: the map draws each).
NOT_PEOPLE = {"places"}


def count_cells(html: str) -> list[str]:
    """Text of every table cell, except the columns headed as numbers of places rather than of people."""
    from bs4 import BeautifulSoup

    out = []
    for table in BeautifulSoup(html, "html.parser").find_all("table"):
        head = [th.get_text(strip=True).lower() for th in table.select("thead th")]
        for tr in table.find_all("tr"):
            for i, cell in enumerate(tr.find_all(["td", "th"], recursive=False)):
                if not (i < len(head) and head[i] in NOT_PEOPLE):
                    out.append(cell.get_text(strip=True))
    return out


def contained(texts, page: str) -> list[str]:
    """The texts that occur in ``page``: ``[t for t in texts if t in page]``, without searching
    the whole page once per text (thousands of summaries against a 1 MB page).

    A text occurs only where the page holds its first ``k`` characters (``k``: the shortest
    text's length), so the page's ``k``-character windows are collected once and only the
    texts whose prefix is among them are searched for.
    """
    texts = list(texts)
    if not texts:
        return []
    k = min(len(t) for t in texts)
    if k == 0:
        return [t for t in texts if t in page]
    prefixes = {t[:k] for t in texts}
    seen = {page[i:i + k] for i in range(len(page) - k + 1)} & prefixes
    return [t for t in texts if t[:k] in seen and t in page]


def assert_no_leak(results, demo_home):
    with home(demo_home):
        incidents = catalog.load("incidents")
    from workbench.share.disclosure import policy_for

    texts = set(incidents["summary"].dropna()) | {t for t in incidents["source_record_id"].dropna() if len(t) > 5}
    names = set(incidents["source_name"].dropna())
    for r in results:
        html = r.html.read_text(encoding="utf-8")
        # source names: only for an audience whose policy shows them (law enforcement's named-source detail)
        secret = texts | (names if policy_for(r.parameters.get("audience", "partner")).drop_source_names else set())
        small = [c for c in count_cells(html) if re.fullmatch(r"\d+", c.replace(",", ""))
                 and 0 < int(c.replace(",", "")) < 10]
        assert small == [], (r.notebook, small[:5])
        leaked = contained(secret, html)
        assert leaked == [], (r.notebook, r.parameters.get("audience"), leaked[:3])


#: What a reader must never see in a report: H3 ids, "nan", Python reprs, scientific notation.
UNREADABLE = {
    "H3 cell id": re.compile(r"\b8[0-9a-f]{5,14}f{3,}\b"),
    "nan": re.compile(r"(?<![\w-])(nan|NaN|<NA>)(?![\w-])|(^|\t)None(\t|$)", re.MULTILINE),
    "Python repr": re.compile(r"(PosixPath\(|Timestamp\(|<IPython|<Figure size|array\(\[|dtype[:=]|\bdict_keys\(|\{'|\[np\.|"
                              r"np\.(float|int)\d*\()"),
    "scientific notation": re.compile(r"\b\d(\.\d+)?e[-+]?\d{1,3}\b", re.IGNORECASE),
    "snake_case header": re.compile(r"(^|\t)[a-z]+_[a-z_]+(\t|$)", re.MULTILINE),
}

#: The first screen as a reader sees it (1280 x 1000): where the key findings are, and which
#: charts or maps are drawn inside it (an image that has loaded; a map frame whose Leaflet panes
#: hold drawn vector paths in view).
FIRST_SCREEN = """() => {
  const h = window.innerHeight;
  const inView = r => r.top < h && r.bottom > 0 && r.height > 100;
  const kf = document.querySelector('.wb-key-findings');
  const drawn = [];
  for (const img of document.querySelectorAll('img')) {
    const r = img.getBoundingClientRect();
    if (inView(r) && img.complete && img.naturalWidth > 100) drawn.push('chart');
  }
  for (const svg of document.querySelectorAll('svg.main-svg')) {
    if (inView(svg.getBoundingClientRect()) && svg.querySelector('path')) drawn.push('svg chart');
  }
  for (const frame of document.querySelectorAll('iframe')) {
    const r = frame.getBoundingClientRect();
    const doc = frame.contentDocument;
    if (!inView(r) || !doc) continue;
    const w = doc.defaultView;
    const paths = [...doc.querySelectorAll('.leaflet-pane path')].filter(p => {
      const b = p.getBoundingClientRect();
      return b.width > 0 && b.height > 0 && b.right > 0 && b.bottom > 0 && b.left < w.innerWidth && b.top < w.innerHeight;
    });
    if (paths.length) drawn.push('map');
  }
  const maps = [...document.querySelectorAll('iframe')].map(f => f.contentDocument).filter(d => d && d.querySelector('.leaflet-container'));
  return {findings: kf ? kf.getBoundingClientRect().top : null, items: kf ? kf.querySelectorAll('li').length : 0,
          drawn: drawn, height: h, maps: maps.length,
          legends: maps.filter(d => d.querySelector('.wb-legend')).length};
}"""
