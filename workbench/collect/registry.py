"""The one place collectors are registered: a catalog entry's ``metadata.collector`` -> function.

Every collector is a function ``(path, metadata) -> CollectResult``
(:class:`workbench.collect.base.CollectResult`). To add one, write it in its own module
under ``workbench/collect/`` and add one line below; nothing registers itself by being
imported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from workbench.collect import aggregates, app, bulk, ctdc, dumps, flows, osint, partner, points
from workbench.collect.base import CollectResult
from workbench.registry import Registry

#: A collector: reads one source file with its catalog metadata.
Collector = Callable[[Path, dict[str, Any]], CollectResult]

#: Collector name (``metadata.collector`` in a catalog entry) -> collector function.
COLLECTORS: Registry[Collector] = Registry("collector")
COLLECTORS.register("app", app.collect_app)
COLLECTORS.register("partner", partner.collect_partner)
COLLECTORS.register("osint", osint.collect_feed)
COLLECTORS.register("osint_dump", dumps.collect_dump)
COLLECTORS.register("news_export", dumps.collect_dump)
COLLECTORS.register("bulk", bulk.collect_bulk)
COLLECTORS.register("ctdc", ctdc.collect_ctdc)
COLLECTORS.register("points", points.collect_points)
COLLECTORS.register("aggregates", aggregates.collect_aggregates)
COLLECTORS.register("flows", flows.collect_flows)


def collect(path: str | Path, metadata: dict[str, Any]) -> CollectResult:
    """Read one source file with the collector its metadata names.

    Parameters
    ----------
    path : str or Path
        The file.
    metadata : dict
        The catalog entry's metadata; must have ``collector`` and ``source_name``.

    Returns
    -------
    CollectResult
        Candidates and rejects.

    Raises
    ------
    KeyError
        When the metadata names no known collector (the message lists the known ones).
    """
    name = metadata.get("collector")
    if name not in COLLECTORS:
        raise KeyError(f"metadata names collector {name!r}; known: {COLLECTORS.names()}")
    return COLLECTORS.get(name)(Path(path), metadata)
