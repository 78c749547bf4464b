"""Scrub personal data from free text before it is stored.

Only patterns that can be recognised reliably are removed: e-mail addresses, phone
numbers, payment card / bank account / IBAN numbers and @handles. Replacements are
typed placeholders so an analyst can see that something was removed.
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
        replaced by ``[email]``, ``[iban]``, ``[account]``, ``[phone]``, ``[handle]``.
    """
    if text is None:
        return None
    out = str(text)
    if max_length is not None and len(out) > max_length:  # cut first: the patterns then scan bounded text
        out = out[: max_length - len(" [truncated]")] + " [truncated]"
    for placeholder, pattern in _PATTERNS:
        out = pattern.sub(lambda m, p=placeholder: m.group(0) if _DATE.fullmatch(m.group(0)) else p, out)
    return out
