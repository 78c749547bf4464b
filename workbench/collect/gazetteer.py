"""Moved to :mod:`workbench.places.gazetteer` (this name is kept for old imports)."""

from workbench.places.gazetteer import *  # noqa: F401,F403
