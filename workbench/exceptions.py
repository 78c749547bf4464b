"""Every exception the workbench raises on purpose, in one place.

Each class keeps the built-in base it always had (``ValueError`` for bad input,
``KeyError`` for an unknown name...), so ``except ValueError`` keeps working, and all of
them are also :class:`WorkbenchError`, so a caller can catch the workbench's own errors
in one clause. The modules that raise them re-export them under their old names.
"""

from __future__ import annotations


class WorkbenchError(Exception):
    """Base class of every error the workbench raises on purpose."""


class RegistryError(WorkbenchError, KeyError, ValueError):
    """An unknown or duplicate name in a :class:`workbench.registry.Registry`.

    Both a ``KeyError`` (a failed look-up) and a ``ValueError`` (a bad argument), so
    callers written against either keep working; the message is shown as written.
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""
