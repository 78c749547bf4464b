"""Words around a place name that say what it is to the story: where it happened, or where people came from.

Read by the geoparser (:mod:`workbench.collect.triage.places`) on its tokens
(``(word, start, end)`` as written):

- **locatives**: the first place right after "in", "en", "em", "au"... or after "en <up to
  three words> de" ("en zona minera ilegal de Perú", "in the north of England"), with the
  places listed with it ("en Madrid, Málaga y Toledo"), is where the story happens; not
  after a recruitment word ("captadas en Paraguay": the victims' origin);
- **origins**: a country after "from", "desde", "procedentes de", "originaires de" is
  where people or goods came from;
- **appositions**: a place followed by ", <country>" ("La Pampa, Perú").
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from workbench.collect.triage.place_votes import Candidate
from workbench.text.fold import fold_text


@lru_cache(maxsize=200_000)
def fold_token(token: str) -> str:
    """``fold_text`` of one token, remembered (the geoparser folds the same words again and again).

    Parameters
    ----------
    token : str
        A word as written.

    Returns
    -------
    str
        Lower case, no accents.
    """
    return fold_text(token)


#: Words after which a capitalised name is the place of the event ("in Peru", "en Bogotá").
LOCATIVES = frozenset({"in", "at", "near", "en", "em", "no", "na", "nos", "nas", "au", "aux", "dans", "perto",
                       "cerca"})
#: Words before a locative that make the place the victims' origin ("captadas en Paraguay", "recruited in Lagos").
RECRUITED = frozenset({"recruited", "lured", "captadas", "captados", "captada", "captado", "reclutadas", "reclutados",
                       "reclutada", "reclutado", "recrutadas", "recrutados", "recrutada", "recrutado", "aliciadas",
                       "aliciados", "aliciada", "aliciado", "recrutees", "recrutes", "recrutee", "recrute", "nacidas",
                       "nacidos", "nascidas", "nascidos", "born", "nees", "nes"})
#: Words right before a country that make it the origin of people or goods ("women from Romania").
ORIGIN_WORDS = frozenset({"from", "desde"})
#: Words before "de"/"du"/"da" that make the country an origin ("procedentes de Venezuela").
ORIGIN_BEFORE_OF = frozenset({"procedentes", "procedente", "oriundas", "oriundos", "oriunda", "oriundo", "originaires",
                              "originaire", "naturales", "natural", "naturais", "provenientes", "proveniente",
                              "provenant", "venues", "venus", "venant", "vindas", "vindos", "traidas", "traidos",
                              "trazidas", "trazidos", "nacionales", "nacionais", "ressortissants", "ressortissantes"})
_OF = frozenset({"of", "de", "du", "da", "do", "del", "della", "des"})
_ARTICLES = frozenset({"la", "le", "les", "l", "el", "the", "o", "a", "os", "as"})
#: What separates the places of one list ("Madrid, Málaga y Toledo", "Mérida e Cancún").
_LIST_GAP = re.compile(r"\s*(?:,|,?\s+(?:and|y|e|et|und|ou|o|or)\b)\s*", re.I)
#: A token: (word as written, start, end).
Token = tuple[str, int, int]


def locative_positions(text: str, cands: list[Candidate], tokens: list[Token]) -> list[int]:
    """Positions of the first place right after a locative word ("en Perú") and of the places listed with it.

    Parameters
    ----------
    text : str
        The text as written.
    cands : list of Candidate
        The candidates, in text order.
    tokens : list of tuple
        The text's tokens, ``(word, start, end)``.

    Returns
    -------
    list of int
        Candidate positions (empty when no place follows a locative word).
    """
    at_position: dict[int, int] = {}
    for c in cands:  # how many candidates start at each word
        at_position[c.position] = at_position.get(c.position, 0) + 1
    countries_at = {c.position for c in cands if c.kind == "country"}
    # the first place right after a locative word ("en Perú", "in Queens"), unless its name is both a
    # country and a division ("in Georgia"); later ones ("captadas en Paraguay") are often origins
    first = [k for k, c in enumerate(cands) if c.position > 0 and after_locative(tokens, c.position)
             and not (c.position in countries_at and at_position[c.position] > 1)
             and not (c.position > 1 and fold_token(tokens[c.position - 2][0]) in RECRUITED)][:1]
    if not first:
        return []
    out = [cands[first[0]].position]
    end = tokens[cands[first[0]].position + cands[first[0]].size - 1][2]
    for cand in cands[first[0] + 1:]:  # "en Madrid, Málaga y Toledo": the places listed with it
        if cand.position == out[-1]:
            continue
        if _LIST_GAP.fullmatch(text[end:tokens[cand.position][1]]) is None:
            break
        out.append(cand.position)
        end = tokens[cand.position + cand.size - 1][2]
    return out


def after_locative(tokens: list[Token], position: int) -> bool:
    """Is the word at ``position`` right after a locative ("en Perú") or after "en <up to 3 words> de"?

    "en zona minera ilegal de Perú", "in the north of England", "dans le sud de la
    France"; not after an origin ("en una furgoneta procedente de Francia").

    Parameters
    ----------
    tokens : list of tuple
        The text's tokens, ``(word, start, end)``.
    position : int
        Index of the place's first token.

    Returns
    -------
    bool
    """
    k = position - 1
    if fold_token(tokens[k][0]) in LOCATIVES:
        return True
    if after_origin(tokens, position):  # "en una furgoneta procedente de Francia": where it came from
        return False
    if k > 0 and fold_token(tokens[k][0]) in _ARTICLES:  # "de la France"
        k -= 1
    if k < 2 or fold_token(tokens[k][0]) not in _OF:
        return False
    for j in range(k - 1, max(k - 5, -1), -1):  # at most three lower-case words between
        word = tokens[j][0]
        if fold_token(word) in LOCATIVES and j < k - 1:
            return True
        if not word.islower():
            return False
    return False


def after_origin(tokens: list[Token], position: int) -> bool:
    """Is the word at ``position`` after "from", "desde", "procedentes de", "originaires de"...?

    Parameters
    ----------
    tokens : list of tuple
        The text's tokens, ``(word, start, end)``.
    position : int
        Index of the place's first token.

    Returns
    -------
    bool
        True when the place is where people or goods came from.
    """
    if position == 0:
        return False
    prev = fold_token(tokens[position - 1][0])
    if prev in ORIGIN_WORDS:
        return True
    return position > 1 and prev in _OF and fold_token(tokens[position - 2][0]) in ORIGIN_BEFORE_OF


def apposed_countries(text: str, cands: list[Candidate], tokens: list[Token]) -> dict[int, Any]:
    """Position of a place -> the country named right after it, after a comma ("La Pampa, Perú").

    Parameters
    ----------
    text : str
        The text as written.
    cands : list of Candidate
        The candidates, in text order.
    tokens : list of tuple
        The text's tokens, ``(word, start, end)``.

    Returns
    -------
    dict
        Position -> ISO3 of the country named after it.
    """
    # "La Pampa, Perú": a place followed by a country it does not lie in is a homonym unknown to the gazetteer
    apposed = {}
    for a, b in zip(cands, cands[1:]):
        if b.kind == "country" and a.kind != "country" and text[tokens[a.position + a.size - 1][2]:
                                                                    tokens[b.position][1]].strip() == ",":
            apposed[a.position] = b.entries[0]
    return apposed


def apposed_readings(text: str, cands: list[Candidate], tokens: list[Token]) -> list[Candidate]:
    """Keep the readings of a place that lie in the division or country named after it.

    "San Mateo, California" is the Californian town, not the Philippine one; "Kent,
    Washington" the town nearest the state's label point. A place whose readings all lie
    elsewhere is left alone (:func:`apposed_countries` handles "La Pampa, Perú").

    Parameters
    ----------
    text : str
        The text as written.
    cands : list of Candidate
        The candidates, in text order.
    tokens : list of tuple
        The text's tokens, ``(word, start, end)``.

    Returns
    -------
    list of Candidate
        The candidates, those before ", <division or country>" narrowed to it.
    """
    narrowed: dict[int, tuple[set[str], Any]] = {}  # position -> (countries, division label point)
    for a, b in zip(cands, cands[1:]):
        if a.position == b.position or a.kind == "country" or b.kind == "city":
            continue
        if text[tokens[a.position + a.size - 1][2]:tokens[b.position][1]].strip() != ",":
            continue
        if b.kind == "country":
            narrowed[a.position] = ({b.entries[0]}, None)
        else:
            points = [e for e in b.entries if e[2] is not None]
            narrowed[a.position] = ({e[0] for e in b.entries}, points[0] if len(points) == 1 else None)
    if not narrowed:
        return cands
    out = []
    for cand in cands:
        rule = narrowed.get(cand.position)
        inside = [e for e in cand.entries if e[0] in rule[0]] if rule is not None and cand.kind != "country" else None
        if rule is not None and cand.kind != "country" and not any(e[0] in rule[0] for c in cands
                                                                   if c.position == cand.position and c.kind != "country"
                                                                   for e in c.entries):
            inside = None  # no reading there: a homonym the gazetteer lacks ("La Pampa, Perú")
        if inside is None:
            out.append(cand)
        elif inside:
            point = rule[1]
            if cand.kind == "city" and point is not None and len(inside) > 1:  # the one nearest the state's point
                inside = [min(inside, key=lambda e: (e[1] - point[2]) ** 2 + (e[2] - point[3]) ** 2)]
            out.append(Candidate(cand.position, cand.written, cand.kind, tuple(inside), cand.size))
    return out
