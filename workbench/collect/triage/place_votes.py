"""Country votes of the places found in a text, and the place chosen inside the winning country.

The geoparser (:mod:`workbench.collect.triage.places`) finds candidate names; here each
name votes for the countries it can lie in:

- a country name gives its country :data:`VOTE_COUNTRY` (:data:`VOTE_ORIGIN` after "from",
  "desde", "procedentes de": the victims' or the goods' origin);
- a division or city name gives each country it can lie in :data:`VOTE_ADMIN1` (a
  division there) or :data:`VOTE_CITY` (a city), **weighed among its homonyms by
  prominence**: the country where the name is most prominent gets the whole vote,
  another ``sqrt(prominence / best)`` of it (at least :data:`HOMONYM_FLOOR`). A city's
  prominence is its population; a division's is its country's population over the number
  of divisions of that country in the gazetteer (a Bahamian district, about 12,000
  people, is no match for a US state or a Spanish province); the readings of one name in
  one country add up (Valencia the Spanish province and its city);
- a country is *named inside* (ranked before countries only named, so "a Birmingham
  cannabis factory ... trafficked through France" is Britain) when a reading there has
  :data:`NOTABLE_TOWN` people or more;
- the first place right after a locative word ("en Perú", "in Queens") adds
  :data:`VOTE_LOCATIVE`, shared the same way; a place followed by ", <country>" it does
  not lie in ("La Pampa, Perú") votes for that country instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

VOTE_COUNTRY, VOTE_ADMIN1, VOTE_CITY = 3.0, 2.0, 1.0
#: A country named as where people or goods come from ("trafficked from Nigeria").
VOTE_ORIGIN = 1.5
#: Least share of a name's vote for a homonym much smaller than the best reading.
HOMONYM_FLOOR = 0.2
#: A place right after "in", "en", "em", "au"... is where the story happens.
VOTE_LOCATIVE = 1.0
#: A town this large named in the text puts its country ahead of countries only named.
NOTABLE_TOWN = 50_000
#: Prominence of a division whose country's population is unknown.
DIVISION = 500_000


@dataclass(frozen=True)
class Candidate:
    """A place name found in the text.

    Attributes
    ----------
    position : int
        Index of its first token.
    written : str
        The name as written.
    kind : str
        ``"country"``, ``"admin1"`` or ``"city"``.
    entries : tuple
        country: ``(iso3,)``; admin1: ``((iso3, name, lat, lon), ...)``; city:
        ``((iso3, lat, lon, pop, name), ...)``.
    size : int
        Number of tokens.
    """

    position: int
    written: str
    kind: str
    entries: tuple
    size: int = 1


def _codes(cand: Candidate) -> set[str]:
    return {e if isinstance(e, str) else e[0] for e in cand.entries} - {None}


def name_votes(group: list[Candidate],
               division_pop: dict[tuple[str, bool], float]) -> tuple[dict[str, float], dict[str, float]]:
    """One name's votes per country (its division and city readings at one position).

    Parameters
    ----------
    group : list of Candidate
        The ``admin1`` and ``city`` candidates of one name.
    division_pop : dict
        ``(iso3, has coordinates) -> prominence`` of a division of that country and source.

    Returns
    -------
    tuple
        ``(votes, prominence)``: ISO3 -> vote (:data:`VOTE_ADMIN1` when a reading there is
        a division, else :data:`VOTE_CITY`, times ``sqrt(prominence / best)``, at least
        :data:`HOMONYM_FLOOR`), ISO3 -> prominence (sum of its readings there).
    """
    if len(group) == 1 and len(group[0].entries) == 1:  # one reading: the whole vote
        cand, e = group[0], group[0].entries[0]
        if e[0] is None:
            return {}, {}
        if cand.kind == "city":
            return {e[0]: VOTE_CITY}, {e[0]: float(e[3])}
        return {e[0]: VOTE_ADMIN1}, {e[0]: float(division_pop.get((e[0], e[2] is not None), DIVISION))}
    prominence: dict[str, float] = {}
    base: dict[str, float] = {}
    for cand in group:
        for e in cand.entries:
            if e[0] is None:
                continue
            if cand.kind == "city":
                p, kind_vote = float(e[3]), VOTE_CITY
            else:
                p, kind_vote = float(division_pop.get((e[0], e[2] is not None), DIVISION)), VOTE_ADMIN1
            prominence[e[0]] = prominence.get(e[0], 0.0) + p
            base[e[0]] = max(base.get(e[0], 0.0), kind_vote)
    if not prominence:
        return {}, {}
    top = max(prominence.values())
    votes = {c: base[c] * (max(HOMONYM_FLOOR, math.sqrt(p / top)) if top > 0 else 1.0) for c, p in prominence.items()}
    return votes, prominence


def candidate_votes(cands: list[Candidate], locative: list[int], apposed: dict[int, Any],
                    division_pop: dict[tuple[str, bool], float],
                    origins: list[int] = ()) -> tuple[dict[str, float], set[str], dict[str, int]]:
    """Country votes of the named places (see the module notes).

    Parameters
    ----------
    cands : list of Candidate
        In text order.
    locative : list of int
        Positions of places right after a locative word.
    apposed : dict
        Position -> the country named right after the place (", Perú").
    division_pop : dict
        See :func:`name_votes`.
    origins : list of int
        Positions of countries named as where people or goods come from ("women from
        Romania", "procedentes de Venezuela"): they get :data:`VOTE_ORIGIN`.

    Returns
    -------
    tuple
        ``(votes, named_inside, first_seen)``: ISO3 -> votes; the countries with a notable
        place named in the text; ISO3 -> position of its first mention.
    """
    votes: dict[str, float] = {}
    named_inside: set[str] = set()
    first_seen: dict[str, int] = {}
    groups: dict[int, list[Candidate]] = {}
    for cand in cands:  # in text order
        for e in cand.entries:
            code = e if cand.kind == "country" else e[0]
            if code is not None and code not in first_seen:
                first_seen[code] = cand.position
        groups.setdefault(cand.position, []).append(cand)
    for position, group in groups.items():
        countries = [c for c in group if c.kind == "country"]
        places = [c for c in group if c.kind != "country"]
        country = apposed.get(position)
        if country is not None and all(country not in _codes(c) for c in group):
            named_inside.add(country)  # "La Pampa, Perú": a homonym unknown to the gazetteer
            votes[country] = votes.get(country, 0.0) + VOTE_LOCATIVE
            continue
        for cand in countries:
            vote = VOTE_ORIGIN if position in origins else VOTE_COUNTRY
            votes[cand.entries[0]] = votes.get(cand.entries[0], 0.0) + vote
        shares, prominence = name_votes(places, division_pop)
        for code, share in shares.items():
            votes[code] = votes.get(code, 0.0) + share
            if prominence[code] >= NOTABLE_TOWN:  # a village named like an operation does not outrank a country
                named_inside.add(code)
        if position in locative:  # "en Perú", "in Queens": where the story happens
            if countries:
                for cand in countries:
                    votes[cand.entries[0]] += VOTE_LOCATIVE
                    named_inside.add(cand.entries[0])
            elif shares:
                total = sum(shares.values())
                for code, share in shares.items():
                    votes[code] += VOTE_LOCATIVE * share / total
                if len(shares) == 1:
                    named_inside.update(shares)
    return votes, named_inside, first_seen


def place_in(cands: list[Candidate], iso3: str, confidence: float, empty: dict[str, Any]) -> dict[str, Any]:
    """The first city, else the first division, named inside the chosen country, else the country itself.

    A division's namesake city ("em São Paulo") counts as a city unless another division
    of that country is named before it (a list of states).

    Parameters
    ----------
    cands : list of Candidate
        In text order.
    iso3 : str
        The chosen country.
    confidence : float
        Its share of the votes.
    empty : dict
        The geoparser's empty result (keys to fill).

    Returns
    -------
    dict
        ``place_name, country_iso3, lat, lon, precision, confidence``.
    """
    divisions = [c.position for c in cands if c.kind == "admin1" and any(e[0] == iso3 for e in c.entries)]
    for cand in cands:  # first city named inside the chosen country
        if cand.kind == "city":
            inside = [e for e in cand.entries if e[0] == iso3]
            # a state's namesake city ("São Paulo") after another state ("no Ceará, Bahia e São Paulo"): a list of states
            if inside and not (cand.position in divisions and divisions[0] < cand.position):
                e = max(inside, key=lambda h: h[3])
                return {"place_name": e[4], "country_iso3": iso3, "lat": e[1], "lon": e[2], "precision": "city",
                        "confidence": confidence}
    for cand in cands:
        if cand.kind == "admin1":
            inside = [e for e in cand.entries if e[0] == iso3]
            if inside:
                e = inside[0]
                return {"place_name": e[1], "country_iso3": iso3, "lat": e[2], "lon": e[3], "precision": "admin1",
                        "confidence": confidence}
    return {**empty, "country_iso3": iso3, "precision": "country", "confidence": confidence}
