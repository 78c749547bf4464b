"""Ids seen in earlier parts of a batch, kept compactly (a batch streamed part by part).

A batch written part by part (the bulk collector's chunks) must still reject a row whose
id repeats an earlier part's. Holding millions of ids as Python strings would cost more
memory than the parts themselves, so :class:`SeenIds` keeps the store's own ids (16
lower-case hex characters, :func:`workbench.schema.incident_id`) as the 64-bit numbers
they spell, in one sorted array (8 bytes an id), and any other id as text. Membership is
exact: a 16-hex-character id and its number are one-to-one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_HEX = np.full(256, 255, dtype=np.uint8)  # byte -> its value as a lower-case hex digit (255: not one)
_HEX[np.frombuffer(b"0123456789", dtype=np.uint8)] = np.arange(10, dtype=np.uint8)
_HEX[np.frombuffer(b"abcdef", dtype=np.uint8)] = np.arange(10, 16, dtype=np.uint8)
_SHIFTS = np.arange(60, -1, -4, dtype=np.uint64)


class SeenIds:
    """The ids of the parts seen so far; :meth:`add` tells which of a new part's were among them.

    Attributes
    ----------
    numbers : numpy.ndarray
        Sorted uint64 values of the 16-hex-character ids seen.
    others : set of str
        Any other id seen.
    """

    def __init__(self) -> None:
        self.numbers = np.zeros(0, dtype=np.uint64)
        self.others: set[str] = set()

    def __len__(self) -> int:
        return len(self.numbers) + len(self.others)

    def add(self, ids: pd.Series) -> np.ndarray:
        """Remember a part's ids and tell which were seen in earlier parts.

        Parameters
        ----------
        ids : pandas.Series
            The part's ids (text; missing values are never "seen").

        Returns
        -------
        numpy.ndarray
            Boolean mask: the id was added by an earlier call (repeats within this part are
            not flagged here: ``ids.duplicated()`` tells those).
        """
        text = ids.to_numpy(dtype=object, na_value=None)
        numbers, is_hex = _hex_numbers(text)
        seen = np.zeros(len(text), dtype=bool)
        mine = numbers[is_hex]
        found = np.zeros(len(mine), dtype=bool)
        if len(self.numbers) and len(mine):
            at = np.searchsorted(self.numbers, mine)
            found = self.numbers[np.minimum(at, len(self.numbers) - 1)] == mine
            seen[np.flatnonzero(is_hex)[found]] = True
        other = np.flatnonzero(~is_hex)
        for i in other:
            if text[i] is not None and text[i] in self.others:
                seen[i] = True
        fresh = np.unique(mine[~found])
        if len(fresh):
            self.numbers = np.insert(self.numbers, np.searchsorted(self.numbers, fresh), fresh)
        self.others.update(str(text[i]) for i in other if text[i] is not None)
        return seen


def _hex_numbers(text: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The uint64 each 16-lower-case-hex-character id spells, and which ids are such (others: 0)."""
    numbers = np.zeros(len(text), dtype=np.uint64)
    is_hex = np.array([isinstance(t, str) and len(t) == 16 and t.isascii() for t in text], dtype=bool)
    if not is_hex.any():
        return numbers, is_hex
    rows = np.flatnonzero(is_hex)
    digits = _HEX[np.array(text[rows].tolist(), dtype="S16").view(np.uint8).reshape(-1, 16)]
    valid = (digits != 255).all(axis=1)
    is_hex[rows[~valid]] = False
    numbers[rows[valid]] = (digits[valid].astype(np.uint64) << _SHIFTS).sum(axis=1, dtype=np.uint64)
    return numbers, is_hex
