"""Moved to :mod:`workbench.text.dates` (this name is kept for old imports)."""

from workbench.text.dates import *  # noqa: F401,F403
