"""Scrub personal data from free text before it is stored.

Only patterns that can be recognised reliably are removed: e-mail addresses, phone
numbers, payment card / bank account / IBAN numbers, @handles, and the names of victims
where the text introduces them ("the victim, Maria Lopez, 23," / "named as X Y" / "la
víctima, X Y," / "la victime, X Y" / "a vítima, X Y" / "жертва, X Y" / "на ім'я X Y" /
"по имени X Y", in en, es, fr, pt, uk and ru): two to four capitalised words after such
a lead (particles such as "de la" allowed). Replacements are typed placeholders so an
analyst can see that something was removed. Names that no lead introduces are not
detected (no guessing at every capitalised pair, which would eat places and
organisations).
"""

from __future__ import annotations

import re

# Order matters: phones (+ or 0 first) before bare digit runs, so a number is labelled as what it is.
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("[email]", re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}", re.UNICODE)),
    ("[iban]", re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){3,7}(?:[ ]?[A-Z0-9]{1,3})?\b")),
    ("[phone]", re.compile(r"(?<![\w.])(?:\+\d{1,3}[ .-]?|0)\(?\d{2,4}\)?(?:[ .-]?\d{2,4}){1,4}(?![\w])")),
    ("[account]", re.compile(r"(?<![+\d])\b\d(?:[ -]?\d){11,18}\b")),
    ("[handle]", re.compile(r"(?<![\w@])@[A-Za-z0-9_]{3,30}\b")),
)

_DATE = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}")
#: What each pattern needs somewhere in the text to match at all, checked first (a C-level
#: substring test or a regex the engine can skip through): most text holds no "@", no phone
#: prefix and no 12-digit run, and the full patterns (look-behinds first) try every position.
_NEEDS = {
    "[email]": lambda text: "@" in text,
    "[handle]": lambda text: "@" in text,
    "[phone]": re.compile(r"\+\d|0\(?\d").search,          # "+" then a digit, or "0" then "(" or a digit
    "[account]": re.compile(r"\d(?:[ -]?\d){11}").search,   # twelve digits, spaces or hyphens between
}

_UPPER = "A-ZÀ-ÖØ-ÞĀĂĄĆČĎĐĒĖĘĚĞĪĮİŁŃŇŌŐŒŘŚŞŠŢŤŪŮŰŲŹŻŽА-ЯЁЄІЇҐ"
_CAP_WORD = rf"[{_UPPER}][\w'’-]+"
_PARTICLE = r"(?:de|da|do|dos|das|del|della|van|von|der|la|le|du|bin|ibn)"
_NAME = rf"{_CAP_WORD}(?:\s+(?:{_PARTICLE}\s+){{0,2}}{_CAP_WORD}){{1,3}}"
#: Leads that introduce a victim's name, per language (matched case-insensitively).
NAME_LEADS: dict[str, tuple[str, ...]] = {
    "en": (r"victim\s*,\s*", r"survivor\s*,\s*", r"named\s+as\s+", r"identified\s+as\s+", r"victim\s+named\s+"),
    "es": (r"v[ií]ctima\s*,\s*", r"identificad[oa]\s+como\s+", r"llamad[oa]\s+", r"de\s+nombre\s+"),
    "fr": (r"victime\s*,\s*", r"identifi[ée]e?\s+comme\s+", r"nomm[ée]e?\s+", r"pr[ée]nomm[ée]e?\s+"),
    "pt": (r"v[ií]tima\s*,\s*", r"identificad[oa]\s+como\s+", r"chamad[oa]\s+", r"de\s+nome\s+"),
    "uk": (r"жертва\s*,\s*", r"потерпіл\w*\s*,\s*", r"на\s+ім['’]я\s+"),
    "ru": (r"жертва\s*,\s*", r"потерпевш\w*\s*,\s*", r"по\s+имени\s+"),
}
_NAMED = re.compile(
    r"(?P<lead>(?<!\w)(?i:" + "|".join(lead for leads in NAME_LEADS.values() for lead in leads) + r"))"
    rf"(?P<name>{_NAME})(?!\w)"
)


def scrub_text(text: str | None, max_length: int | None = 2000) -> str | None:
    """Replace personal identifiers in free text with placeholders.

    Parameters
    ----------
    text : str or None
        Free text from a report or article.
    max_length : int or None
        Longer text is cut to this length, marked ``[truncated]`` (free text is context,
        not worth losing a record over).

    Returns
    -------
    str or None
        The text with e-mails, IBANs, account/card numbers, phone numbers and @handles
        replaced by ``[email]``, ``[iban]``, ``[account]``, ``[phone]``, ``[handle]``,
        and victims' names introduced by a lead by ``[name]`` (:func:`scrub_names`).
    """
    if text is None:
        return None
    out = str(text)
    if max_length is not None and len(out) > max_length:  # cut first: the patterns then scan bounded text
        out = out[: max_length - len(" [truncated]")] + " [truncated]"
    for placeholder, pattern in _PATTERNS:
        need = _NEEDS.get(placeholder)
        if need is not None and not need(out):
            continue
        out = pattern.sub(lambda m, p=placeholder: m.group(0) if _DATE.fullmatch(m.group(0)) else p, out)
    return scrub_names(out)


def scrub_names(text: str) -> str:
    """Replace victims' names that a lead introduces with ``[name]``.

    Parameters
    ----------
    text : str
        Free text.

    Returns
    -------
    str
        The text with each name after a lead (see :data:`NAME_LEADS`) replaced, the
        lead kept: ``"The victim, Maria Lopez, 23,"`` -> ``"The victim, [name], 23,"``.
    """
    return _NAMED.sub(lambda m: m.group("lead") + "[name]", text)
