"""Synthetic, seeded data for the demo, the tests and the benchmarks. No real person appears anywhere.

- :mod:`.demo`: the synthetic world and its incident sources (app, partner, community
  forms, news feeds);
- :mod:`.osint`: media-monitor article dumps; :mod:`.suppliers`: supplier sites and
  prevention campaigns; :mod:`.transactions`: bank transactions for typology
  screening; :mod:`.transfers`: labelled transfer files; :mod:`.bulk`: large exports in
  the canonical schema.

:func:`generate_demo` writes the whole demo: the incident sources, then every generator
in :data:`GENERATORS` (the one place demo generators are listed), and the ground truth.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from workbench.registry import Registry
from workbench.synthetic import osint, suppliers, transactions
from workbench.synthetic.demo import DemoConfig, generate_sources

__all__ = ["DemoConfig", "GENERATORS", "generate_demo"]

#: A demo generator: ``function(world, out_dir, seed)`` writes its files into ``out_dir``
#: after the incident sources and returns its ground truth (a JSON-able dict).
Generator = Callable[[pd.DataFrame, Path, int], dict[str, Any]]

#: Demo generators, run in this order; each one's ground truth is stored under its name.
GENERATORS: Registry[Generator] = Registry("demo generator")
GENERATORS.register("write_suppliers", suppliers.write_suppliers)
GENERATORS.register("write_campaign", suppliers.write_campaign)
GENERATORS.register("write_transactions", transactions.write_transactions)
GENERATORS.register("write_article_dump", osint.write_article_dump)


def generate_demo(out_dir: str | Path, config: DemoConfig | None = None) -> dict[str, Any]:
    """Write the synthetic world's raw source files and every registered generator's files.

    Parameters
    ----------
    out_dir : str or Path
        Folder for the files (created).
    config : DemoConfig, optional
        Size and seed; defaults to :class:`DemoConfig()`.

    Returns
    -------
    dict
        Ground truth: file names with record counts, planted hotspots and surge, and one
        entry per generator (also written to ``ground_truth.json``).
    """
    config = config or DemoConfig()
    out = Path(out_dir)
    truth, world = generate_sources(out, config)
    for name, generator in GENERATORS.items():
        truth[name] = generator(world, out, config.seed)
    (out / "ground_truth.json").write_text(json.dumps(truth, indent=1, default=str), encoding="utf-8")
    return truth
