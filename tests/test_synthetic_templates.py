"""The synthetic generators' text lives in resource YAML and writes the same bytes as before."""

import hashlib
import string
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import pytest

from workbench.synthetic import demo, osint
from workbench.synthetic.templates import TEMPLATE_FILES, load_templates

REPO = Path(__file__).resolve().parent.parent

#: SHA-256 (first 16 hex digits) of the files whose text comes from the templates, for the
#: test workspace's demo (seed 7, scale 0.3, 80 news items), computed with the generators
#: BEFORE their templates moved from Python dict literals to resources/synthetic_*.yaml.
#: A deliberate change to a generator changes these: recompute them then, and say why.
BEFORE_THE_MOVE = {
    "app_reports.jsonl": "16a7a3941cb8d5cb",
    "community_reports.csv": "7ca9d8b1b44b5dcf",
    "partner_harbour_light.csv": "6216de5fca67cef5",
    "news_feed.rss": "5788bd1621d05ec3",
    "news_feed.atom": "54c9b127629e2bd7",
    "media_dump_1.jsonl": "4cc8fdcc6c72a6ec",
    "media_dump_2.csv": "c763e6046ab6c62e",
    "ground_truth.json": "1fff28b4e71e80e7",
}


def test_the_demo_writes_the_same_bytes_as_before_the_templates_moved(demo_home):
    raw = demo_home / "data" / "demo"
    now = {name: hashlib.sha256((raw / name).read_bytes()).hexdigest()[:16] for name in BEFORE_THE_MOVE}
    assert now == BEFORE_THE_MOVE


@pytest.mark.parametrize("name", sorted(TEMPLATE_FILES))
def test_every_template_file_ships_as_package_data(name):
    patterns = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["workbench"]
    assert any(fnmatch(TEMPLATE_FILES[name], p) for p in patterns), f"{TEMPLATE_FILES[name]} not in package-data"
    assert (REPO / "workbench" / TEMPLATE_FILES[name]).is_file()
    assert load_templates(name) is load_templates(name)  # read once


def test_an_unknown_template_file_is_named():
    with pytest.raises(KeyError, match="unknown synthetic template file 'nope'; known: \\['articles', 'demo'\\]"):
        load_templates("nope")


def _fields(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


def test_every_translation_uses_only_the_placeholders_its_generator_fills():
    fills = {  # template -> the fields its generator passes to str.format
        "titles": {"n", "what", "place", "country", "code", "k", "m"},
        "sentences": {"n", "what", "place", "country", "code", "k", "m"},
        "named": {"name", "place"}, "boilerplate": {"outlet"}, "irrelevant": {"place", "m"},
        "descriptions": {"n", "sector", "place"}, "news": {"n", "what", "place"},
    }
    found = {}
    for text in (load_templates("articles"), load_templates("demo")):
        for key, value in text.items():
            if key in fills:
                items = value.values() if isinstance(value, dict) else value
                for item in items:
                    for template in [item] if isinstance(item, str) else item:
                        found.setdefault(key, set()).update(_fields(template))
    assert found.keys() == fills.keys()
    assert {k: v - fills[k] for k, v in found.items()} == {k: set() for k in fills}
    # the languages the article generator draws have every kind of text
    for lang in osint.LANGS:
        assert lang in osint.WHAT and lang in osint.TITLES and lang in osint.SENTENCES and lang in osint.PREFIX
    assert set(demo.NEWS) == set(demo.NEWS_WHAT)
