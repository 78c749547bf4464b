"""Key Judgements in the language of the UK PHIA probability yardstick.

A Key Judgement is a computed statement (a trend, a surge, a new hotspot, a growing
corridor) with the probability that it is true, expressed in the yardstick's words and
bands, plus an analytical confidence, the sources behind it and their grading, the
assumptions it rests on and the indicators that would change it.

The yardstick (Professional Head of Intelligence Assessment, 2019) has seven terms with
published percentage bands and deliberate gaps between them:

==========================  =========
term                        band (%)
==========================  =========
remote chance               0 - 5
highly unlikely             10 - 20
unlikely                    25 - 35
realistic possibility       40 - 50
likely / probably           55 - 75
highly likely               80 - 90
almost certain              95 - 100
==========================  =========

:func:`yardstick` maps a probability in a gap (e.g. 0.52) to the nearer band (ties go to
the band nearer 50%). A *judgement* in a gap never claims more than its probability: it
takes the neighbouring band nearer 50% (the more cautious word) and prints the
probability as beyond that band's edge, so the printed term always matches the printed
probability: p = 0.93 reads "highly likely (80-90%; p > 0.90)", never "almost certain
(95-100%; p = 0.93)". The judgement records ``in_gap`` and keeps the exact probability.
The check
:func:`check_judgements` flags any judgement whose term has no probability behind it,
whose probability is outside the term's band (beyond the half-gap either side), or whose
term is not a yardstick term. :func:`check_text` scans finished prose (a rendered report)
for yardstick words used without a stated band, so loose "probably"s cannot slip in.

Probability and confidence are different things: probability is what the numbers say
given the data; confidence is how far the data can be trusted (grading of the sources,
their number and independence, the volume of evidence).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from workbench.share.disclosure import display_count, percentage


@dataclass(frozen=True)
class Band:
    """One yardstick term and its published band.

    Attributes
    ----------
    term : str
        The words used in the judgement.
    low, high : float
        Published band, as probabilities (0-1).
    aliases : tuple of str
        Other forms of the term (``probably`` for ``likely``).
    """

    term: str
    low: float
    high: float
    aliases: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """The band as printed, e.g. ``"55-75%"``."""
        return f"{self.low * 100:.0f}-{self.high * 100:.0f}%"


#: The PHIA probability yardstick (2019), lowest first.
YARDSTICK: tuple[Band, ...] = (
    Band("remote chance", 0.00, 0.05),
    Band("highly unlikely", 0.10, 0.20, ("very unlikely",)),
    Band("unlikely", 0.25, 0.35, ("improbable",)),
    Band("realistic possibility", 0.40, 0.50),
    Band("likely", 0.55, 0.75, ("probably", "probable")),
    Band("highly likely", 0.80, 0.90, ("very likely",)),
    Band("almost certain", 0.95, 1.00, ("almost certainly",)),
)

#: Analytical confidence levels, lowest first.
CONFIDENCE = ("low", "moderate", "high")

_BY_TERM = {b.term: b for b in YARDSTICK}
#: Words of every term and alias, longest first (so "highly likely" wins over "likely").
_WORDS = sorted({w for b in YARDSTICK for w in (b.term, *b.aliases)}, key=len, reverse=True)
_WORD_RE = re.compile(r"\b(" + "|".join(re.escape(w) for w in _WORDS) + r")\b", re.IGNORECASE)
_BAND_AFTER = re.compile(r"^\s*\(\s*\d{1,3}\s*[-\u2013]\s*\d{1,3}\s*%")


def band(term: str) -> Band:
    """Look up a yardstick term (or alias).

    Parameters
    ----------
    term : str
        e.g. ``"likely"``, ``"probably"``.

    Returns
    -------
    Band
        Its band.

    Raises
    ------
    ValueError
        When the term is not on the yardstick.
    """
    key = term.strip().lower()
    for b in YARDSTICK:
        if key == b.term or key in b.aliases:
            return b
    raise ValueError(f"{term!r} is not a PHIA yardstick term; use one of {[b.term for b in YARDSTICK]}")


def _catchment(i: int) -> tuple[float, float]:
    """Band ``i`` widened to the middle of the gaps either side (ties to the cautious side)."""
    lo = 0.0 if i == 0 else (YARDSTICK[i - 1].high + YARDSTICK[i].low) / 2
    hi = 1.0 if i == len(YARDSTICK) - 1 else (YARDSTICK[i].high + YARDSTICK[i + 1].low) / 2
    return round(lo, 9), round(hi, 9)


def yardstick(probability: float) -> tuple[Band, bool]:
    """Express a probability on the yardstick.

    Parameters
    ----------
    probability : float
        In [0, 1].

    Returns
    -------
    (Band, bool)
        The band, and whether the probability lies in a gap between published bands (then
        the nearer band is used; at the exact middle of a gap, the band nearer 50%).

    Raises
    ------
    ValueError
        When ``probability`` is not a number in [0, 1].
    """
    try:
        p = float(probability)
    except (TypeError, ValueError):
        raise ValueError(f"probability must be a number in [0, 1], got {probability!r}") from None
    if not 0.0 <= p <= 1.0 or p != p:
        raise ValueError(f"probability must be in [0, 1], got {probability!r}")
    for b in YARDSTICK:
        if b.low <= p <= b.high:
            return b, False
    candidates = []
    for i, b in enumerate(YARDSTICK):
        lo, hi = _catchment(i)
        if lo <= p <= hi:
            candidates.append((round(min(abs(p - b.low), abs(p - b.high)), 9), abs((b.low + b.high) / 2 - 0.5), b))
    return min(candidates, key=lambda c: (c[0], c[1]))[2], True


@dataclass
class KeyJudgement:
    """One assessed statement.

    Attributes
    ----------
    kind : str
        ``trend``, ``surge``, ``new_hotspot`` or ``corridor_growth``.
    subject : str
        What it is about (a country, a corridor, a place), as shown.
    statement : str
        The proposition, completing "It is <term> that ...", without probability words.
    probability : float or None
        Probability that the statement is true, from the model named in ``basis``.
    term : str
        The yardstick term (set from ``probability`` by :func:`judgement`).
    confidence : str
        Analytical confidence: ``low``, ``moderate`` or ``high``.
    basis : str
        How the probability was computed.
    evidence : dict
        Counts and figures behind it (counts are shown through the audience's policy).
    sources : dict
        Grading summary: incidents, share graded B2 or better, source types.
    assumptions : list of str
        What the judgement takes for granted.
    indicators : list of str
        Observations that would change it.
    in_gap : bool
        The probability lies between two published bands (the term is then the cautious
        neighbour, see the module docstring).
    caveats : list of str
        Artefact checks that lowered the confidence (:mod:`workbench.share.scrutiny`).
    """

    kind: str
    subject: str
    statement: str
    probability: float | None
    term: str
    confidence: str
    basis: str
    evidence: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, Any] = field(default_factory=dict)
    assumptions: list[str] = field(default_factory=list)
    indicators: list[str] = field(default_factory=list)
    in_gap: bool = False
    caveats: list[str] = field(default_factory=list)

    @property
    def sentence(self) -> str:
        """The judgement as one sentence: "It is likely (55-75%; p = 0.62) that ...".

        The printed probability always lies in the printed band: in a gap it is shown as
        beyond the cautious band's edge ("p > 0.90").
        """
        b = band(self.term)
        pct = ""
        if self.probability is not None:
            p = float(self.probability)
            if p > b.high and self.in_gap:
                pct = f"; p > {b.high:.2f}"
            elif p < b.low and self.in_gap:
                pct = f"; p < {b.low:.2f}"
            else:
                pct = f"; p = {min(max(p, b.low), b.high):.2f}"  # 2 decimals never round out of the band
        return f"It is {b.term} ({b.label}{pct}) that {self.statement}."


def judgement(kind: str, subject: str, statement: str, probability: float, confidence: str, basis: str,
              **details: Any) -> KeyJudgement:
    """Build a Key Judgement, choosing its term from its probability.

    Parameters
    ----------
    kind, subject, statement, basis : str
        See :class:`KeyJudgement`.
    probability : float
        Probability that ``statement`` is true, in [0, 1].
    confidence : str
        ``low``, ``moderate`` or ``high``.
    **details
        ``evidence``, ``sources``, ``assumptions``, ``indicators``.

    Returns
    -------
    KeyJudgement
        With ``term`` and ``in_gap`` set from ``probability``.

    Raises
    ------
    ValueError
        On a probability outside [0, 1] or an unknown confidence level.
    """
    if confidence not in CONFIDENCE:
        raise ValueError(f"judgement {subject!r}: field 'confidence'={confidence!r}: expected one of {CONFIDENCE}")
    b, gap = yardstick(probability)
    if gap:
        b = cautious_band(float(probability))
    return KeyJudgement(kind, subject, statement, float(probability), b.term, confidence, basis,
                        in_gap=gap, **details)


def _gap_neighbours(p: float) -> tuple[Band, Band] | None:
    """The two published bands either side of the gap holding ``p`` (None: ``p`` is in a band)."""
    for lower, upper in zip(YARDSTICK, YARDSTICK[1:]):
        if lower.high < p < upper.low:
            return lower, upper
    return None


def cautious_band(probability: float) -> Band:
    """The band a judgement uses: its own, or in a gap the neighbour nearer 50%.

    Parameters
    ----------
    probability : float
        In [0, 1].

    Returns
    -------
    Band
        The band containing ``probability``; in a gap between two bands, the one nearer
        50% (the more cautious word: 0.93 is "highly likely", 0.07 "highly unlikely").
    """
    sides = _gap_neighbours(float(probability))
    if sides is None:
        return yardstick(probability)[0]
    lower, upper = sides
    return lower if (lower.high + upper.low) / 2 >= 0.5 else upper


def check_judgements(judgements: list[KeyJudgement]) -> list[str]:
    """Flag judgements whose yardstick term is not backed by their probability.

    Parameters
    ----------
    judgements : list of KeyJudgement
        Judgements to check.

    Returns
    -------
    list of str
        One problem per line, naming the judgement; empty when all are sound.
    """
    problems = []
    for j in judgements:
        name = f"judgement {j.subject!r} ({j.kind})"
        try:
            b = band(j.term)
        except ValueError as exc:
            problems.append(f"{name}: {exc}")
            continue
        if j.probability is None or j.probability != j.probability:
            problems.append(f"{name}: term {b.term!r} has no probability behind it")
            continue
        lo, hi = _catchment(YARDSTICK.index(b))
        sides = _gap_neighbours(float(j.probability))
        if j.in_gap and sides is not None:
            if b not in sides:
                problems.append(f"{name}: p = {j.probability:.3f} lies between {sides[0].term!r} and "
                                f"{sides[1].term!r}, not next to {b.term!r}")
        elif not lo <= j.probability <= hi:
            problems.append(f"{name}: p = {j.probability:.3f} is outside the band of {b.term!r} ({b.label})")
        elif not b.low <= j.probability <= b.high and not j.in_gap:
            problems.append(f"{name}: p = {j.probability:.3f} lies in a gap of the yardstick but is not marked so")
        if j.confidence not in CONFIDENCE:
            problems.append(f"{name}: confidence {j.confidence!r} is not one of {CONFIDENCE}")
    return problems


def check_text(text: str) -> list[str]:
    """Flag yardstick words in prose that do not carry their band.

    Every use of a yardstick word (or alias) must be followed by its band in brackets,
    e.g. ``likely (55-75%)``, and the band must be that word's band. HTML tags are
    ignored.

    Parameters
    ----------
    text : str
        Rendered text or HTML.

    Returns
    -------
    list of str
        One problem per unbacked or mismatched use, with its context.
    """
    plain = html.unescape(re.sub(r"<[^>]+>", " ", text))
    plain = re.sub(r"\s+", " ", plain)
    problems = []
    for m in _WORD_RE.finditer(plain):
        word = m.group(1).lower()
        b = band(word)
        after = plain[m.end():m.end() + 24]
        context = plain[max(0, m.start() - 40):m.end() + 24]
        hit = _BAND_AFTER.match(after)
        if not hit:
            problems.append(f"{word!r} used without its band: ...{context}...")
        elif not after.replace("\u2013", "-").lstrip().startswith(f"({b.label}"):
            problems.append(f"{word!r} carries the wrong band: ...{context}...")
    return problems


def judgement_table(judgements: list[KeyJudgement]) -> pd.DataFrame:
    """Summarise judgements as a table (no counts).

    Parameters
    ----------
    judgements : list of KeyJudgement
        Judgements.

    Returns
    -------
    pandas.DataFrame
        ``judgement, probability, confidence`` per judgement.
    """
    return pd.DataFrame({
        "judgement": [j.sentence for j in judgements],
        "probability": [f"{j.probability:.2f}" if j.probability is not None else "none" for j in judgements],
        "confidence": [j.confidence for j in judgements],
    })


def yardstick_table() -> pd.DataFrame:
    """The yardstick as a reference table for reports.

    Returns
    -------
    pandas.DataFrame
        ``term, band`` rows, lowest first. Each term is printed with its band.
    """
    return pd.DataFrame({"term": [f"{b.term} ({b.label})" for b in YARDSTICK],
                         "also written": [", ".join(f"{a} ({b.label})" for a in b.aliases) or "-" for b in YARDSTICK]})


def graded_share(sources: dict[str, Any], k: int) -> str:
    """Words for the share of incidents graded B2 or better, never giving a small count away.

    The percentage is withheld when the graded count, the total or the rest is below
    ``k`` (:func:`workbench.share.disclosure.percentage`): "23 incidents; 22% graded B2
    or better" would give 5 away.

    Parameters
    ----------
    sources : dict
        ``incidents`` and ``well_graded_share`` of a judgement's sources.
    k : int
        Threshold (1: no control, e.g. an unsuppressed audience).

    Returns
    -------
    str
        e.g. ``"40% graded B2 or better"`` or ``"share graded B2 or better withheld (small numbers)"``.
    """
    total = int(sources.get("incidents", 0) or 0)
    graded = round(float(sources.get("well_graded_share", 0) or 0) * total)
    shown = percentage(graded, total, k) if total else None
    return f"{shown} graded B2 or better" if shown else "share graded B2 or better withheld (small numbers)"


def render_judgements(judgements: list[KeyJudgement], policy: Any) -> str:
    """Render judgements as escaped HTML for the audience.

    Counts in ``evidence`` and ``sources`` are shown through the audience's policy (a
    count below k reads ``<k``); source names never appear (only source types).

    Parameters
    ----------
    judgements : list of KeyJudgement
        Judgements, most important first.
    policy : DisclosurePolicy
        The audience's policy.

    Returns
    -------
    str
        HTML: one block per judgement.

    Raises
    ------
    ValueError
        When any judgement fails :func:`check_judgements` (a term without a probability
        behind it, or outside its band): such a report is not rendered.
    """
    problems = check_judgements(judgements)
    if problems:
        raise ValueError("judgements fail the yardstick check:\n" + "\n".join(problems))

    def count(value: Any) -> str:
        if isinstance(value, (int,)) and not isinstance(value, bool):
            return display_count(value, policy.k) if policy.suppress else f"{value:,}"
        return str(value)

    if not judgements:
        return "<p>No judgement could be supported by the data in scope.</p>"
    blocks = []
    for n, j in enumerate(judgements, 1):
        evidence = "; ".join(f"{k}: {count(v)}" for k, v in j.evidence.items())
        src = j.sources
        sources = (f"{count(src.get('incidents', 0))} incidents from {', '.join(src.get('types', [])) or 'no source'}; "
                   f"{graded_share(src, policy.k if policy.suppress else 1)}") if src else "none recorded"
        gap = (f" The probability ({j.probability:.2f}) lies between two published bands; the more cautious "
               "neighbouring band is used."
               if j.in_gap else "")
        assumptions = "".join(f"<li>{html.escape(a)}</li>" for a in j.assumptions)
        indicators = "".join(f"<li>{html.escape(i)}</li>" for i in j.indicators)
        blocks.append(
            f'<div class="wb-judgement"><h3>KJ{n}. {html.escape(j.subject)}</h3>'
            f'<p class="wb-kj-sentence"><strong>{html.escape(j.sentence)}</strong></p>'
            f"<p>Analytical confidence: <strong>{html.escape(j.confidence)}</strong>.{html.escape(gap)}</p>"
            + "".join(f'<p class="wb-kj-caveat">Scrutiny: {html.escape(c)}</p>' for c in j.caveats) +
            f"<p>Basis: {html.escape(j.basis)}</p>"
            f"<p>Evidence: {html.escape(evidence)}</p>"
            f"<p>Sources: {html.escape(sources)}</p>"
            f"<p>Assumptions:</p><ul>{assumptions}</ul>"
            f"<p>Indicators that would change this judgement:</p>"
            f"<ul>{indicators}</ul></div>")
    return "\n".join(blocks)
