"""Moved to :mod:`workbench.text.pii` (this name is kept for old imports)."""

from workbench.text.pii import *  # noqa: F401,F403
