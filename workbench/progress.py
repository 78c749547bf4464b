"""Progress for long commands (ingest, run plans, doctor): a rich bar on a terminal, plain lines in a log.

A nightly cron job writes to a file, where a redrawn bar turns into thousands of control
characters; there every step is one plain, timestamped line (``[3/9] intelligence_report
(partner) ... ok 12.3 s``). On a terminal the same steps drive a ``rich`` progress bar on
standard error, and each finished step is still printed above it.
"""

from __future__ import annotations

import sys
import time
from typing import IO, Any


class Steps:
    """Report the progress of ``total`` steps.

    Parameters
    ----------
    total : int
        Number of steps.
    label : str
        What the steps are (``"reports"``, ``"sources"``, ``"checks"``).
    stream : file, optional
        Where to write (standard error by default).
    rich : bool, optional
        Force (True) or refuse (False) the rich bar; by default only when ``stream`` is a
        terminal.

    Examples
    --------
    >>> with Steps(2, "reports", stream=sys.stdout, rich=False) as steps:  # doctest: +SKIP
    ...     steps.start("hotspot_map")
    ...     steps.done("ok")
    """

    def __init__(self, total: int, label: str, stream: IO[str] | None = None, rich: bool | None = None) -> None:
        self.total, self.label = int(total), label
        self.stream = stream or sys.stderr
        self.rich = bool(getattr(self.stream, "isatty", lambda: False)()) if rich is None else rich
        self.n, self.current, self.t0, self.began = 0, "", 0.0, time.time()
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> "Steps":
        if self.rich:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                      TimeElapsedColumn(), console=Console(file=self.stream), transient=True)
            self._progress.start()
            self._task = self._progress.add_task(self.label, total=self.total)
        return self

    def __exit__(self, *_: Any) -> None:
        if self._progress is not None:
            self._progress.stop()
        self._line(f"{self.label}: {self.n}/{self.total} done in {time.time() - self.began:.0f} s")

    def _line(self, text: str) -> None:
        stamp = time.strftime("%H:%M:%S")
        if self._progress is not None:
            self._progress.console.print(f"{stamp} {text}", markup=False, highlight=False)
        else:
            print(f"{stamp} {text}", file=self.stream, flush=True)

    def start(self, name: str) -> None:
        """Begin a step.

        Parameters
        ----------
        name : str
            What is being done.
        """
        self.current, self.t0 = name, time.time()
        if self._progress is not None:
            self._progress.update(self._task, description=f"{self.label}: {name}")
        else:
            self._line(f"[{self.n + 1}/{self.total}] {name} ...")

    def done(self, outcome: str = "ok") -> None:
        """Finish the current step.

        Parameters
        ----------
        outcome : str
            One word or a short phrase (``ok``, ``FAILED``, ``skipped``).
        """
        self.n += 1
        self._line(f"[{self.n}/{self.total}] {self.current}: {outcome} ({time.time() - self.t0:.1f} s)")
        if self._progress is not None:
            self._progress.advance(self._task)
