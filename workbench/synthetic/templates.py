"""The text of the synthetic generators, kept as data: ``workbench/resources/synthetic_*.yaml``.

The multilingual templates (report descriptions, headlines, article sentences, outlet
names) and the partner's own category labels are resource files shipped with the
package and read with :mod:`importlib.resources`, so translating or adding a language
edits YAML, not code. Order matters: the generators draw from these lists and mappings
with a seeded random generator, so the same seed writes the same files only while the
order is kept.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

#: The template files: name -> resource path inside the package.
TEMPLATE_FILES = {"demo": "resources/synthetic_demo.yaml", "articles": "resources/synthetic_articles.yaml",
                  "labelled_news": "resources/synthetic_labelled_news.yaml"}


@lru_cache(maxsize=None)
def load_templates(name: str) -> dict[str, Any]:
    """Read one template file (cached: every caller shares the same, read-only, mapping).

    Parameters
    ----------
    name : str
        ``"demo"`` (app reports, community forms, news feeds, the partner's categories),
        ``"articles"`` (media-monitor article dumps) or ``"labelled_news"`` (the generated
        labelled news set for evaluating triage).

    Returns
    -------
    dict
        The file's top-level mapping, in file order.

    Raises
    ------
    KeyError
        For an unknown name (the message lists the known ones).
    ValueError
        When the file does not hold a mapping.
    """
    if name not in TEMPLATE_FILES:
        raise KeyError(f"unknown synthetic template file {name!r}; known: {sorted(TEMPLATE_FILES)}")
    text = resources.files("workbench").joinpath(TEMPLATE_FILES[name]).read_text(encoding="utf-8")
    loaded = yaml.safe_load(text)
    if not isinstance(loaded, dict):
        raise ValueError(f"{TEMPLATE_FILES[name]}: expected a mapping of templates, got {type(loaded).__name__}")
    return loaded
