"""Cheap word cues of the relevance model that generalise across topics and languages.

The lexicon (:mod:`workbench.collect.triage.lexicon`) matches whole phrases ("trata de
personas", "travail forcé"); news written from new searches inflects them in ways no
phrase list foresees ("traficante de seres humanos", "esclavizarlas", "réduits en
esclavage", "regime escravo"). :func:`token_cues` counts word **stems** of trafficking,
slavery, exploitation and coercion in en/es/fr/pt, and **counts of people** ("12 victims",
"15 mujeres rescatadas", "trois femmes"), from the folded words the lexicon already split.
"""

from __future__ import annotations

from typing import Sequence

#: Counts and people nouns of "12 victims", "15 mujeres rescatadas", "trois femmes" (folded words).
_NUMBER_WORDS = frozenset(
    "two three four five six seven eight nine ten dozen dozens dos tres cuatro cinco seis siete ocho nueve diez "
    "decenas deux trois quatre cinq sept huit neuf dix dizaines duas quatro sete oito nove dez dezenas".split())
_PEOPLE_NOUNS = frozenset(
    "victim victims women girls boys children minors workers people persons men survivors teen teens victima "
    "victimas mujeres menores nina ninas ninos trabajadores personas jovenes victime victimes femmes mineurs "
    "mineures enfants travailleurs ouvriers personnes jeunes vitima vitimas mulheres meninas criancas "
    "adolescentes trabalhadores pessoas".split())
#: Word stems of trafficking, slavery, exploitation and coercion in folded en/es/fr/pt words,
#: whatever the inflection the lexicon's phrases miss ("traficante de seres humanos",
#: "esclavizarlas", "réduits en esclavage", "regime escravo", "trafic d'enfants").
_STEM_PREFIXES = (
    "traffick", "trafic", "trafficant", "tratante", "esclav", "escrav", "slave", "enslav", "servitud", "explot",
    "exploit", "explora", "proxenet", "prostitu", "pimp", "brothel", "burdel", "bordel", "prostibul", "souteneur",
    "rufian", "cafeten", "forcad", "forzad", "contraint", "obligad", "obrigad", "aliciad", "captad", "reclutad",
    "recrut", "groom", "trafiqu")
_STEM_WORDS = frozenset(
    "tratas traite slavery servidao servidumbre bondage lenocinio aliciamento forced organs organes orgaos organos "
    "casar casarla casarse boda mariage casamento".split())


def token_cues(words: Sequence[str]) -> tuple[int, int]:
    """Counts of people and trafficking word stems in folded words.

    Parameters
    ----------
    words : sequence of str
        Folded words (:func:`workbench.collect.triage.lexicon.words_of` of a folded text).

    Returns
    -------
    tuple of int
        ``(people, stems)``: a number (digits or a number word) followed, directly or after
        one word, by a people noun (:data:`_PEOPLE_NOUNS`); words starting with one of
        :data:`_STEM_PREFIXES` or in :data:`_STEM_WORDS`, "trata" unless after "se"
        ("se trata de": "it is about"), "forcés à".
    """
    people = stems = 0
    for k, w in enumerate(words):
        if w in _STEM_WORDS or w.startswith(_STEM_PREFIXES):
            stems += 1
        elif w == "trata":  # "se trata de" is "it is about"
            stems += k == 0 or words[k - 1] != "se"
        elif (w == "force" or w == "forces") and k + 1 < len(words) and words[k + 1] == "a":
            stems += 1
        elif (w.isdigit() or w in _NUMBER_WORDS) and (
                (k + 1 < len(words) and words[k + 1] in _PEOPLE_NOUNS)
                or (k + 2 < len(words) and words[k + 2] in _PEOPLE_NOUNS)):
            people += 1
    return people, stems
