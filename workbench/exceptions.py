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


# -- bad input: a record, field, file or parameter that cannot be read ---------------------


class DateParseError(WorkbenchError, ValueError):
    """Raised when a value is not a date in any accepted form."""


class ParameterError(WorkbenchError, ValueError):
    """A notebook name, parameter name or parameter value that cannot be run.

    The message is one line, suitable for a command's error output.
    """


class EmptyReadError(WorkbenchError, ValueError):
    """A non-empty file gave no records at all: a wrong collector, crosswalk or format, not data."""


class PartnerFileError(WorkbenchError, ValueError):
    """The partner file as a whole cannot be read (names the file and what is wrong)."""


class SourceFileError(WorkbenchError, ValueError):
    """A source file as a whole cannot be read; the message names the file and why."""


class RecordError(WorkbenchError, ValueError):
    """A field of one record cannot be read; the message names the field."""


class PeriodError(WorkbenchError, ValueError):
    """A value that is not a year, quarter, month or date."""


class PointFileError(WorkbenchError, ValueError):
    """The point file as a whole cannot be read (names the file and why)."""


class SchemaError(WorkbenchError, ValueError):
    """Raised when a whole batch cannot be checked (e.g. a required column is missing)."""


class UnknownVocabularyError(WorkbenchError, KeyError):
    """Raised when a taxonomy vocabulary name does not exist."""


# -- the store -----------------------------------------------------------------------------


class StoreIntegrityError(WorkbenchError, ValueError):
    """The store's manifest and files disagree; the message is one line and says what to run."""


class StoreLockTimeout(WorkbenchError, TimeoutError):
    """Raised when another writer holds the store for too long."""


class ReconciliationError(WorkbenchError, RuntimeError):
    """Raised when rows in != rows stored + rows quarantined (a bug, never data)."""
