"""Shared helpers of the benches: side-by-side runs of ours and a plain-library baseline.

Every bench prints its figure beside the baseline doing the same work and the ratio
(ours / baseline), measured in one run with the two alternating, so the ratio holds on a
loaded machine even when the absolute seconds do not. Each side runs as its own process
(``python <bench> --side <name> ...``); its wall time and its peak resident memory come
from :func:`os.wait4` (as ``/usr/bin/time`` reports them), so a side's memory is its own.

This module imports only the standard library: the process that starts the sides stays
small, so it adds nothing to their memory.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Sequence


@dataclass
class SideRun:
    """One run of one side, as measured from outside.

    Attributes
    ----------
    seconds : float
        Wall time of the whole process (start, imports, work, exit).
    peak_mb : float
        Peak resident memory of the process (``ru_maxrss``), in MB.
    result : dict
        The JSON object the side printed on its last line (its own figures).
    """

    seconds: float
    peak_mb: float
    result: dict = field(default_factory=dict)


def machine() -> str:
    """Describe the machine now: cores and load averages.

    Returns
    -------
    str
        ``"cores 2, load 1.52 / 1.80 / 1.91 (1 / 5 / 15 min)"``.
    """
    one, five, fifteen = os.getloadavg()
    return f"cores {os.cpu_count()}, load {one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min)"


def run_side(args: Sequence[str], timeout: float = 1800.0) -> SideRun:
    """Run one side in its own Python process and measure it.

    Parameters
    ----------
    args : sequence of str
        Arguments after the interpreter (script and options).
    timeout : float
        Seconds before the side is killed.

    Returns
    -------
    SideRun
        Wall time, peak memory and the side's JSON result (its last stdout line).

    Raises
    ------
    RuntimeError
        When the side fails (its stderr tail quoted).
    """
    import tempfile

    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, *args], stdout=out, stderr=err, text=True)
        deadline = start + timeout
        while True:  # reap the child ourselves: wait4 gives its own rusage (as /usr/bin/time)
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                raise subprocess.TimeoutExpired(args, timeout)
            time.sleep(0.02)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text, errors = out.read(), err.read()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({proc.returncode}):\n{errors[-3000:]}")
    peak_mb = usage.ru_maxrss / 1024  # KiB on Linux
    lines = [line for line in text.strip().splitlines() if line.startswith("{")]
    result = json.loads(lines[-1]) if lines else {}
    return SideRun(seconds, peak_mb, result)


def side_result(**figures: object) -> None:
    """Print a side's figures as its last stdout line (read by :func:`run_side`).

    Parameters
    ----------
    **figures : object
        JSON-serialisable figures (seconds of the work itself, counts...).
    """
    print(json.dumps(figures, default=str), flush=True)


def alternate(sides: dict[str, Sequence[str]], repeats: int) -> dict[str, list[SideRun]]:
    """Run each side ``repeats`` times, alternating (A B A B ... then B A on odd rounds).

    Parameters
    ----------
    sides : dict
        Side name -> arguments of :func:`run_side`.
    repeats : int
        Runs per side.

    Returns
    -------
    dict
        Side name -> its runs, in order.
    """
    runs: dict[str, list[SideRun]] = {name: [] for name in sides}
    names = list(sides)
    for i in range(repeats):
        for name in (names if i % 2 == 0 else names[::-1]):
            run = run_side(sides[name])
            runs[name].append(run)
            print(f"    run {i + 1} {name:<10} {run.seconds:7.2f} s  peak {run.peak_mb:7,.0f} MB", flush=True)
    return runs


def median(values: Sequence[float]) -> float:
    """The median of some figures.

    Parameters
    ----------
    values : sequence of float
        Figures.

    Returns
    -------
    float
        Their median.
    """
    return float(statistics.median(values))


def ratio_line(label: str, ours: float, baseline: float, unit: str = "s", baseline_name: str = "baseline") -> str:
    """One line: our figure, the baseline's and the ratio ours / baseline.

    Parameters
    ----------
    label : str
        What is measured.
    ours, baseline : float
        The two figures.
    unit : str
        Their unit.
    baseline_name : str
        What the baseline is.

    Returns
    -------
    str
        ``"<label>: workbench 9.10 s | <baseline_name> 7.00 s | ratio 1.30x"``.
    """
    ratio = ours / baseline if baseline else float("inf")
    return f"{label}: workbench {ours:,.2f} {unit} | {baseline_name} {baseline:,.2f} {unit} | ratio {ratio:.2f}x"
