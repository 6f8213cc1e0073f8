"""CLI start-up: `--help`, every `NOUN --help` and read commands timed as whole processes.

Targets (issue 16): `modgate --help` and `modgate NOUN --help` ≤ 0.35 s CPU and ≤ 4× the
baseline; read commands (`sql "SELECT 1"`, `eval list`, `items list`) ≤ 0.6 s CPU.

Each command runs as its own process `MODGATE_BENCH_RUNS` times (default 3, 5 with
`MODGATE_BENCH_FULL=1`; after one warm-up run) in a fresh workspace (`modgate init`); the
figure is the child's CPU time (user + system,
from `os.wait4`), which other work on a shared machine inflates less than wall time; the median
wall time is printed beside it. The baseline, measured in the same run, is
`python -c "import typer, rich.console"`: what any Typer + Rich command pays before doing
anything. The absolute targets were set where that baseline takes about 0.08 s of CPU; on a
busier machine every process is slower, so the verdict is also given against the targets
scaled by the baseline's slowdown (`scaled`), beside the plain one.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FULL = os.environ.get("MODGATE_BENCH_FULL") == "1"
"""`MODGATE_BENCH_FULL=1`: the issue-scale run; by default a quick one (`make bench` ≤ 10 min)."""

RUNS = int(os.environ.get("MODGATE_BENCH_RUNS", "5" if FULL else "3"))
BIN = Path(sys.executable).parent
MODGATE = str(BIN / "modgate")
QUIET_BASELINE_S = 0.08
"""CPU seconds of the baseline on the machine the absolute targets were set on (issue 16)."""
HELP_TARGET_S, HELP_TARGET_RATIO, READ_TARGET_S = 0.35, 4.0, 0.6


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


def _nouns() -> list[str]:
    """Every top-level command of `modgate`, read from the app's COMMANDS table."""
    code = "from modgate.cli.main import COMMANDS; print(' '.join(COMMANDS))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return done.stdout.split()


def main() -> None:
    """Print each command's CPU and wall time beside the baseline, with the targets."""
    with tempfile.TemporaryDirectory(prefix="modgate-cli-bench-") as folder:
        workspace = Path(folder) / "ws"
        subprocess.run([MODGATE, "init", str(workspace)], check=True, capture_output=True)
        base_min, base_med, base_wall = _measure(
            [sys.executable, "-c", "import typer, rich.console"], workspace
        )
        scale = max(1.0, base_med / QUIET_BASELINE_S)
        print(f"runs per command: {RUNS} (+1 warm-up); CPU = user + system of the process")
        if os.environ.get("MODGATE_DATABASE_URL"):
            print("MODGATE_DATABASE_URL is set: the read commands read that database")
        print(
            f"baseline CPU {base_med:.3f} s = {scale:.2f}× the {QUIET_BASELINE_S} s the absolute "
            "targets assume; `scaled` judges against the targets × that factor"
        )
        print(
            f"{'command':<30} {'CPU min':>8} {'CPU med':>8} {'wall med':>9} {'× base':>7}  "
            f"{'target':<27} {'verdict':<7} scaled"
        )
        print(
            f"{'baseline: import typer, rich':<30} {base_min:8.3f} {base_med:8.3f} "
            f"{base_wall:9.3f} {1.0:7.2f}"
        )
        cases = [(["--help"], "help")]
        cases += [([noun, "--help"], "help") for noun in _nouns()]
        cases += [(["sql", "SELECT 1"], "read"), (["eval", "list"], "read")]
        cases += [(["items", "list"], "read")]
        missed = missed_scaled = 0
        worst_help: tuple[float, str] = (0.0, "")
        for args, what in cases:
            lo, med, wall = _measure([MODGATE, *args], workspace)
            ratio = med / base_med
            name = "modgate " + " ".join(args)
            if what == "help":
                ok = med <= HELP_TARGET_S and ratio <= HELP_TARGET_RATIO
                ok_scaled = med <= HELP_TARGET_S * scale and ratio <= HELP_TARGET_RATIO
                target = f"≤ {HELP_TARGET_S:.2f} s CPU and ≤ {HELP_TARGET_RATIO:.0f}× base"
                worst_help = max(worst_help, (med, name))
            else:
                ok = med <= READ_TARGET_S
                ok_scaled = med <= READ_TARGET_S * scale
                target = f"≤ {READ_TARGET_S:.2f} s CPU"
            missed += not ok
            missed_scaled += not ok_scaled
            print(
                f"{name:<30} {lo:8.3f} {med:8.3f} {wall:9.3f} {ratio:7.2f}  {target:<27} "
                f"{'MET' if ok else 'MISSED':<7} {'MET' if ok_scaled else 'MISSED'}"
            )
        print(f"slowest --help: {worst_help[1]} ({worst_help[0]:.3f} s CPU median)")
        print(f"targets missed: {missed} of {len(cases)} (scaled to this machine: {missed_scaled})")


if __name__ == "__main__":
    main()
