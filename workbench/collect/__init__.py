"""Collect: read each kind of source into candidate incidents plus rejected records.

Every collector takes a file and its catalog metadata and returns a
:class:`~workbench.collect.base.CollectResult`. Collectors are registered by name in one
place, :data:`workbench.collect.registry.COLLECTORS` (a catalog entry names its collector
in ``metadata.collector``); :func:`collect` reads a file with the collector it names.
"""

from workbench.collect.base import CollectResult, file_sha256
from workbench.collect.registry import COLLECTORS, collect

__all__ = ["COLLECTORS", "CollectResult", "collect", "file_sha256"]
