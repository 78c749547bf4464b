"""The synthetic generators' text lives in resource YAML and writes the same bytes as before."""

import hashlib
import string
import tomllib
from fnmatch import fnmatch
from pathlib import Path

import pytest

from workbench.synthetic import demo, labelled_news, osint
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
    with pytest.raises(KeyError, match="unknown synthetic template file 'nope'; known: \\['articles', 'demo', 'labelled_news'\\]"):
        load_templates("nope")


def _fields(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


def test_every_translation_uses_only_the_placeholders_its_generator_fills():
    fills = {  # template -> the fields its generator passes to str.format
        "titles": {"n", "what", "place", "country", "code", "k", "m"},
        "sentences": {"n", "what", "place", "country", "code", "k", "m"},
        "named": {"name", "place"}, "boilerplate": {"outlet"}, "irrelevant": {"place", "m"},
        "descriptions": {"n", "sector", "place"}, "news": {"n", "what", "place"},
        "relevant": {"n", "what", "sector", "place", "date"}, "hard_negative": {"n", "sector", "place", "date"},
        "unrelated": {"n", "place", "date"}, "date_words": {"d", "m", "y"},
    }
    found = {}
    for text in (load_templates("articles"), load_templates("demo"), load_templates("labelled_news")):
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


#: SHA-256 (first 16 hex digits) of seeded generated labelled news sets (every column but the
#: coordinates, which come from the gazetteer, not the templates), computed with
#: make_labelled_set BEFORE its templates moved from Python dict literals to
#: resources/synthetic_labelled_news.yaml (600 articles draw every one of the 58 templates).
LABELLED_BEFORE_THE_MOVE = {
    "n=600 seed=0": "e79cc78e786a33bf",
    "n=120 seed=3 uk/ru/pt, half hard negatives": "3ad85a2e9f665719",
}


def _labelled_digest(frame) -> str:
    body = frame.drop(columns=["lat", "lon"]).to_json(orient="records", force_ascii=False, date_format="iso")
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]


def test_the_labelled_news_set_is_the_same_as_before_its_templates_moved():
    from workbench.synthetic.labelled_news import make_labelled_set

    now = {
        "n=600 seed=0": _labelled_digest(make_labelled_set(600, seed=0)),
        "n=120 seed=3 uk/ru/pt, half hard negatives": _labelled_digest(make_labelled_set(
            120, seed=3, languages=("uk", "ru", "pt"), hard_negative_share=0.5, unrelated_share=0.2)),
    }
    assert now == LABELLED_BEFORE_THE_MOVE


def test_the_labelled_news_templates_cover_every_language_and_type():
    langs = set(labelled_news.PLACES)
    assert langs == {"en", "es", "fr", "pt", "uk", "ru"}
    for table in (labelled_news.WHAT, labelled_news.SECTOR, labelled_news.RELEVANT, labelled_news.HARD_NEGATIVE,
                  labelled_news.UNRELATED, labelled_news.DATE_WORDS, labelled_news.MONTH_NAMES,
                  labelled_news.SECTOR_LABOUR, labelled_news.HOUSE, labelled_news.STREETS):
        assert set(table) == langs
    assert all(set(words) == set(labelled_news.SECTOR_OF_WHAT) for words in labelled_news.WHAT.values())
    sectors = {s for options in labelled_news.SECTOR_OF_WHAT.values() for s in options if s}
    assert all(sectors <= set(names) for names in labelled_news.SECTOR.values())
    assert all(len(months) == 12 for months in labelled_news.MONTH_NAMES.values())
    assert all(len(p) == 3 and len(p[2]) == 3 for places in labelled_news.PLACES.values() for p in places)
