"""Whole processes, measured: wall time and peak memory (cold start, index build)."""

from __future__ import annotations

import json
import os
import shlex
import statistics
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the checkout: commands run from there


@dataclass(frozen=True)
class ProcessSample:
    wall_s: float
    peak_mib: float
    returncode: int


# A small process that starts the measured one and reports its wall time and peak
# memory (os.wait4's rusage). Why not wait4 from here: on Linux a child's ru_maxrss
# starts at the resident size of the process that forked it, so a child of this (big)
# process would look at least as big as we are. Forked from this small shim instead,
# the measured program starts near 10 MiB and its own peak shows.
_SHIM = """
import json, os, subprocess, sys, time
limit, cmd = float(sys.argv[1]), sys.argv[2:]
started = time.perf_counter()
proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
while True:
    pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
    if pid:
        break
    if time.perf_counter() - started > limit:
        proc.kill()
        pid, status, usage = os.wait4(proc.pid, 0)
        break
    time.sleep(0.005)
wall = time.perf_counter() - started
print(json.dumps({"wall_s": wall, "maxrss_kib": usage.ru_maxrss, "returncode": os.waitstatus_to_exitcode(status)}))
"""


def measure_process(cmd: Sequence[str], env: dict[str, str] | None = None, timeout_s: float = 600.0) -> ProcessSample:
    """Run a command to completion: its wall time and peak resident memory (ru_maxrss, KiB on Linux)."""
    shim = subprocess.run(
        [sys.executable, "-c", _SHIM, str(timeout_s), *cmd],
        cwd=ROOT, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=timeout_s + 60,
    )
    data = json.loads(shim.stdout.strip().splitlines()[-1])
    return ProcessSample(float(data["wall_s"]), data["maxrss_kib"] / 1024.0, int(data["returncode"]))


@dataclass
class ProcessStats:
    command: str
    runs: int
    wall_s_median: float | None
    peak_mib_median: float | None
    samples: list[ProcessSample] = field(default_factory=list)
    failed: int = 0


def repeat_process(cmd: Sequence[str], runs: int, env_for_run: Callable[[int], dict[str, str]] | None = None) -> ProcessStats:
    samples = [measure_process(cmd, env_for_run(i) if env_for_run else None) for i in range(runs)]
    ok = [s for s in samples if s.returncode == 0]
    return ProcessStats(
        command=shlex.join(["python", *cmd[1:]] if cmd and cmd[0] == sys.executable else list(cmd)),
        runs=runs,
        wall_s_median=statistics.median(s.wall_s for s in ok) if ok else None,
        peak_mib_median=statistics.median(s.peak_mib for s in ok) if ok else None,
        samples=samples,
        failed=len(samples) - len(ok),
    )
