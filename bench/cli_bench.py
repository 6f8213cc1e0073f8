"""CLI start-up: `--help` and read commands timed as whole processes, beside a bare-Typer baseline.

Targets (issue 16): `modgate --help` and `modgate NOUN --help` ≤ 0.35 s CPU and ≤ 4× the
baseline; read commands (`sql "SELECT 1"`, `eval list`, `items list`) ≤ 0.6 s CPU.

Each command runs as its own process `RUNS` times in a fresh workspace (`modgate init`); the
figure is the child's CPU time (user + system, from `os.wait4`), which other work on a shared
machine does not inflate the way wall time is inflated; wall time is printed beside it.
The baseline, measured in the same run, is `python -c "import typer, rich.console"`: what any
Typer + Rich command pays before doing anything.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = int(os.environ.get("MODGATE_BENCH_RUNS", "7"))
BIN = Path(sys.executable).parent
MODGATE = str(BIN / "modgate")


def _run(argv: list[str], cwd: Path) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one process."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {err}")
    return usage.ru_utime + usage.ru_stime, wall


def _measure(argv: list[str], cwd: Path) -> tuple[float, float, float]:
    """(min CPU, median CPU, median wall) over RUNS runs, after one warm-up run."""
    _run(argv, cwd)
    samples = [_run(argv, cwd) for _ in range(RUNS)]
    cpus = [c for c, _ in samples]
    return min(cpus), statistics.median(cpus), statistics.median(w for _, w in samples)


def main() -> None:
    """Print each command's CPU and wall time beside the baseline, with the targets."""
    with tempfile.TemporaryDirectory(prefix="modgate-cli-bench-") as folder:
        workspace = Path(folder) / "ws"
        subprocess.run([MODGATE, "init", str(workspace)], check=True, capture_output=True)
        base_min, base_med, base_wall = _measure(
            [sys.executable, "-c", "import typer, rich.console"], workspace
        )
        print(f"runs per command: {RUNS} (+1 warm-up); CPU = user + system of the process")
        print(
            f"{'command':<32} {'CPU min':>8} {'CPU med':>8} {'wall med':>9} {'× base':>7}  target"
        )
        print(
            f"{'baseline: import typer, rich':<32} {base_min:8.3f} {base_med:8.3f} "
            f"{base_wall:9.3f} {1.0:7.2f}"
        )
        cases = [
            (["--help"], "help"),
            (["eval", "--help"], "help"),
            (["items", "--help"], "help"),
            (["enforcer", "--help"], "help"),
            (["sql", "SELECT 1"], "read"),
            (["eval", "list"], "read"),
            (["items", "list"], "read"),
        ]
        missed = 0
        for args, what in cases:
            lo, med, wall = _measure([MODGATE, *args], workspace)
            ratio = med / base_med
            if what == "help":
                ok = med <= 0.35 and ratio <= 4.0
                target = "≤ 0.35 s CPU and ≤ 4× base"
            else:
                ok = med <= 0.6
                target = "≤ 0.60 s CPU"
            missed += not ok
            print(
                f"{'modgate ' + ' '.join(args):<32} {lo:8.3f} {med:8.3f} {wall:9.3f} "
                f"{ratio:7.2f}  {target} {'MET' if ok else 'MISSED'}"
            )
        print(f"targets missed: {missed}")


if __name__ == "__main__":
    main()
