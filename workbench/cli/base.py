"""The ``workbench`` command's Typer app, its error handling and the helpers its commands share."""

from __future__ import annotations

import sys

import typer

from workbench import catalog
from workbench.integrity import check_store


app = typer.Typer(help="Intelligence-Led Prevention Workbench: collect, analyse, share, apply.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)

#: Set by ``--debug``: show tracebacks instead of one error line.
_DEBUG = False
#: Commands that read or write the store: each checks the store's integrity first.
STORE_COMMANDS = frozenset({"ingest", "run", "status", "extract", "hotspots", "screen", "campaign-export"})


@app.callback()
def _options(debug: bool = typer.Option(False, "--debug", help="Show full tracebacks on errors.")) -> None:
    """Intelligence-Led Prevention Workbench: collect, analyse, share, apply."""
    global _DEBUG
    _DEBUG = debug


def debugging() -> bool:
    """Whether ``--debug`` was given (show tracebacks instead of one error line).

    Returns
    -------
    bool
        The flag of the current invocation.
    """
    return _DEBUG


def _check_store(command: str) -> None:
    """Stop with one line when the store's manifest and files disagree (``workbench repair`` fixes it)."""
    try:
        root = catalog.store_root()
        declared = bool(catalog.sources())
    except Exception:  # noqa: BLE001 - no readable store entry: the command itself says what is wrong
        return
    check_store(root)
    if command == "run-now" and not (root / "manifest.json").exists() and declared:
        raise RuntimeError(f"the store at {root} holds nothing yet: run `workbench ingest` first "
                           "(a report on an empty store would be published as if there were no incidents)")


def _guarded(command: str, func):
    """Wrap a command: store check first; any error as one ``error:`` line, exit 1 (``--debug``: traceback)."""
    import functools

    import click

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            if command in STORE_COMMANDS:
                _check_store(command)
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort, click.exceptions.ClickException, KeyboardInterrupt):
            raise
        except Exception as exc:  # noqa: BLE001 - every error path: one line, no traceback
            if _DEBUG:
                raise
            text = " ".join(str(exc).split()) or type(exc).__name__
            if isinstance(exc, (OSError, KeyError, TypeError, AttributeError, RuntimeError)) and \
                    type(exc).__name__ not in text:
                text = f"{type(exc).__name__}: {text}"
            typer.echo(f"error: {text[:500]} (--debug for details)", err=True)
            raise typer.Exit(code=1) from None

    return wrapper


def _entry_failure(exc: BaseException) -> str:
    """One-line reason an entry was not ingested.

    Expected failures (unreadable file, unknown entry: ``ValueError``, ``KeyError``,
    ``OSError``) say only their message; anything else is named by its type too, with a
    pointer to ``--debug``.

    Parameters
    ----------
    exc : BaseException
        What was raised while ingesting the entry.

    Returns
    -------
    str
        At most about 400 characters, on one line.
    """
    text = " ".join(str(exc).split())
    if isinstance(exc, (ValueError, KeyError, OSError)) and text:
        return text[:400]
    reason = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return f"{reason[:400]} (unexpected; --debug for the traceback)"


def _fail(message: object, code: int = 2) -> None:
    """Print one ``error:`` line on stderr and exit with ``code`` (2: bad usage, 1: failure)."""
    text = " ".join(str(message).split()) or "failed"
    typer.echo(f"error: {text}", err=True)
    raise typer.Exit(code=code)


def _parse_params(pairs: list[str]) -> dict[str, object]:
    """Parse ``key=value`` pairs into strings.

    Values stay text here; :func:`workbench.parameters.validate_parameters` coerces each to
    the type the notebook declares (so ``top=15`` becomes 15 and ``region=ESP`` stays text).
    """
    params: dict[str, object] = {}
    for pair in pairs:
        if "=" not in pair:
            _fail(f"-p {pair!r} is not name=value")
        key, value = pair.split("=", 1)
        if key.strip() in params:
            _fail(f"-p {key.strip()!r} given twice")
        params[key.strip()] = value
    return params


def guard_commands() -> None:
    """Wrap every registered command once: store check first, any error as one ``error:`` line, exit 1.

    Called by :mod:`workbench.cli` after the command modules have registered their commands.
    """
    for command in app.registered_commands:
        if not getattr(command.callback, "__wrapped__", None):
            command.callback = _guarded(command.name or command.callback.__name__.replace("_", "-"), command.callback)


def main() -> None:  # pragma: no cover - console entry
    """Console entry point."""
    app(sys.argv[1:])
