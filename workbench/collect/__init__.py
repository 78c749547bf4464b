"""Collect: read each kind of source into candidate incidents plus rejected records.

Every collector takes a file and its catalog metadata and returns a
:class:`~workbench.collect.base.CollectResult`. Collectors are registered by name in
:data:`COLLECTORS` (a catalog entry names its collector in ``metadata.collector``).
"""

from workbench.collect.base import COLLECTORS, CollectResult, collect, file_sha256, register_collector

__all__ = ["COLLECTORS", "CollectResult", "collect", "file_sha256", "register_collector"]
