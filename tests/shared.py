"""Build an expensive test artefact once per test session, shared by every xdist worker.

``make test`` runs two pytest-xdist workers, each its own process with its own
session-scoped fixtures. An artefact that costs minutes (the demo workspace, the
executed report notebooks) would be built once per worker, and a file of tests that
inspect it would run on one worker only, making it the critical path. Instead each
such artefact is a named *unit* built under a file lock in a folder every worker of the
session sees (``<basetemp>/shared/<unit>``, beside the workers' own ``popen-gw*``
folders), by whichever worker asks first; the others wait for it and read what it left.

While a worker waits for a unit another worker is building, it builds another unit this
session will need (:func:`wanted_units`, from the collected tests' fixtures), so both
workers execute notebooks from the start and neither idles. A unit is built once per
session, never rebuilt: tests treat it as read-only. A build that raised leaves its
error in the unit folder, and every test that needs the unit fails with it.
"""

from __future__ import annotations

import fcntl
import os
import pickle
import shutil
import traceback
from pathlib import Path
from typing import Any, Callable

#: Unit name -> builder: ``build(folder, get)`` writes into ``folder`` and returns a picklable
#: value (``get(name)`` returns another unit's value, building it first when needed).
UNITS: dict[str, Callable[[Path, Callable[[str], Any]], Any]] = {}
#: Fixture name -> the units a test using it needs (read by :func:`wanted_units`).
FIXTURE_UNITS: dict[str, tuple[str, ...]] = {}
_VALUES: dict[str, Any] = {}  # this worker's unpickled values


def unit(name: str, fixtures: tuple[str, ...] = (), needs: tuple[str, ...] = ()) -> Callable:
    """Register a builder as the unit ``name``, needed by tests using any of ``fixtures``.

    ``needs`` lists the units this one reads (built first), so helping never starts a unit
    whose inputs another worker is still building.
    """
    def register(build: Callable[[Path, Callable[[str], Any]], Any]) -> Callable:
        UNITS[name] = build
        build.needs = needs
        for fixture in fixtures:
            FIXTURE_UNITS[fixture] = FIXTURE_UNITS.get(fixture, ()) + (name,)
        return build
    return register


def shared_root(tmp_path_factory: Any) -> Path:
    """The session's folder shared by every worker (the base temp folder without xdist)."""
    base = tmp_path_factory.getbasetemp()
    root = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "shared"
    root.mkdir(exist_ok=True)
    return root


def wanted_units(items: list) -> list[str]:
    """Units the collected tests need, with the units they read, in registration order."""
    names = {u for item in items for f in getattr(item, "fixturenames", ()) for u in FIXTURE_UNITS.get(f, ())}
    todo = list(names)
    while todo:
        for need in UNITS[todo.pop()].needs:
            if need not in names:
                names.add(need)
                todo.append(need)
    return [name for name in UNITS if name in names]


class _Lock:
    """An exclusive ``fcntl`` lock on a file (released when the process dies, too)."""

    def __init__(self, path: Path) -> None:
        self.handle = open(path, "a+")

    def acquire(self, block: bool) -> bool:
        try:
            fcntl.flock(self.handle.fileno(), fcntl.LOCK_EX | (0 if block else fcntl.LOCK_NB))
        except BlockingIOError:
            return False
        return True

    def release(self) -> None:
        fcntl.flock(self.handle.fileno(), fcntl.LOCK_UN)
        self.handle.close()


class SharedUnits:
    """The units of one session, as seen from one worker.

    Parameters
    ----------
    root : Path
        From :func:`shared_root`.
    wanted : list of str
        Units this session needs, in the order a waiting worker builds them.
    """

    def __init__(self, root: Path, wanted: list[str]) -> None:
        self.root = root
        self.wanted = wanted

    def _done(self, name: str) -> bool:
        folder = self.root / name
        return (folder / "value.pickle").exists() or (folder / "error.txt").exists()

    def _try_build(self, name: str, block: bool) -> bool:
        """Build ``name`` unless built; False when another worker holds its lock (and not blocking)."""
        lock = _Lock(self.root / f"{name}.lock")
        if not lock.acquire(block):
            lock.handle.close()
            return False
        try:
            if not self._done(name):
                folder = self.root / name
                shutil.rmtree(folder, ignore_errors=True)  # a build killed half way
                folder.mkdir()
                try:
                    value = UNITS[name](folder / "out", self.get)
                except BaseException:
                    (folder / "error.txt").write_text(traceback.format_exc(), encoding="utf-8")
                    raise
                with open(folder / "value.tmp", "wb") as handle:
                    pickle.dump(value, handle)
                os.replace(folder / "value.tmp", folder / "value.pickle")
        finally:
            lock.release()
        return True

    def _help(self, name: str) -> bool:
        """Build another unit while waiting; its failure is left for the tests that need it."""
        try:
            return self._try_build(name, block=False)
        except Exception:
            return True

    def _ready(self, name: str) -> bool:
        return all(self._done(need) for need in UNITS[name].needs)

    def get(self, name: str) -> Any:
        """The value of unit ``name``: built here, or by another worker (helping meanwhile)."""
        if name in _VALUES:
            return _VALUES[name]
        for need in UNITS[name].needs:
            self.get(need)
        while not self._done(name):
            if self._try_build(name, block=False):
                break
            others = [u for u in self.wanted if u != name and not self._done(u) and self._ready(u)]
            if not any(self._help(other) for other in others):
                self._try_build(name, block=True)  # nothing left to help with: wait for its builder
        folder = self.root / name
        if (folder / "error.txt").exists():
            raise RuntimeError(f"shared test unit {name!r} failed to build:\n"
                               + (folder / "error.txt").read_text(encoding="utf-8"))
        with open(folder / "value.pickle", "rb") as handle:
            _VALUES[name] = pickle.load(handle)
        return _VALUES[name]
