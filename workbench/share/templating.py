"""Jinja2 rendering of report blocks, the gallery and the failure page (autoescaping on)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any


@lru_cache(maxsize=1)
def environment():  # -> jinja2.Environment
    """The Jinja2 environment of report blocks (autoescaping on).

    Returns
    -------
    jinja2.Environment
        Loading ``share/templates/blocks``.
    """
    import jinja2

    folder = Path(__file__).resolve().parent / "templates" / "blocks"
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render_block(template: str, **context: Any) -> str:
    """Render a block template.

    Parameters
    ----------
    template : str
        File name in ``share/templates/blocks``.
    **context
        Template variables (escaped on output).

    Returns
    -------
    str
        HTML.
    """
    return environment().get_template(template).render(**context)
