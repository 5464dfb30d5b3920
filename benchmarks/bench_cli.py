"""Benchmark: how long ``python -m scaling`` takes to answer, against ``python -c "import numpy"``.

Run with ``make benchmark`` (or ``python benchmarks/bench_cli.py``). A calculator should answer in
about a quarter of a second; the floor for any command that uses NumPy is the interpreter's start-up
plus NumPy's import. So each command is timed against that floor, in the same run, as hyperfine
does: a few warm-up runs, then ``--runs`` runs of every command and of the baseline, interleaved
(round-robin, so that a burst of load on a shared machine hits all of them alike), each a fresh
process timed from start to exit; the median of each is compared with the baseline's median.

For reference it also times the imports the commands no longer make: ``scipy.optimize`` (which
:mod:`scaling.devries` needs) and pandas (which ``import scaling`` used to load).

Exit status 1 if a command is more than ``--goal`` times the baseline (3 by default), so that
``make benchmark`` fails when a heavy import creeps back into a command.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

COMMANDS: list[tuple[str, list[str]]] = [
    ("plan --compute 1e24", ["-m", "scaling", "plan", "--compute", "1e24"]),
    ("plan --loss 2.0", ["-m", "scaling", "plan", "--loss", "2.0"]),
    ("plan --compute 1e24 --kn 0.5", ["-m", "scaling", "plan", "--compute", "1e24", "--kn", "0.5"]),
    ("plan --loss 2.0 --inference-tokens 1e13", ["-m", "scaling", "plan", "--loss", "2.0", "--inference-tokens", "1e13"]),
    ("shrink --params 8B --tokens 15T", ["-m", "scaling", "shrink", "--params", "8B", "--tokens", "15T"]),
    ("overhead --kn 0.75 0.5 0.3", ["-m", "scaling", "overhead", "--kn", "0.75", "0.5", "0.3"]),
    ("plan --compute 1e24 --json", ["-m", "scaling", "plan", "--compute", "1e24", "--json"]),
    ("--help", ["-m", "scaling", "--help"]),
]
BASELINE = ("python -c 'import numpy' (the floor)", ["-c", "import numpy"])
REFERENCE = [
    ("python -c 'import scipy.optimize' (for reference)", ["-c", "import numpy, scipy.optimize"]),
    ("python -c 'import pandas' (for reference)", ["-c", "import pandas"]),
]


def _once(args: list[str]) -> float:
    start = time.perf_counter()
    res = subprocess.run([sys.executable, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if res.returncode != 0:
        raise SystemExit(f"bench_cli: `python {' '.join(args)}` failed ({res.returncode}): {res.stderr.decode()[-500:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs of each command (default 15)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed runs of each first (default 2)")
    parser.add_argument("--goal", type=float, default=3.0, help="largest acceptable ratio to the baseline")
    args = parser.parse_args()
    jobs = [BASELINE, *COMMANDS, *REFERENCE]
    for _ in range(args.warmup):
        for _, argv in jobs:
            _once(argv)
    times: dict[str, list[float]] = {label: [] for label, _ in jobs}
    for _ in range(args.runs):
        for label, argv in jobs:
            times[label].append(_once(argv))
    base = statistics.median(times[BASELINE[0]])
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"command-line start-up: median of {args.runs} runs each, interleaved, {sys.executable} "
          f"(load average {load:.2f})")
    width = max(len(label) for label in times)
    print(f"  {'command':<{width}}  {'median':>8}  {'min':>8}  {'/ numpy':>7}")
    worst = 0.0
    commands = {label for label, _ in COMMANDS}
    for label, _ in jobs:
        med, low = statistics.median(times[label]), min(times[label])
        ratio = med / base
        if label in commands:
            worst = max(worst, ratio)
        print(f"  {label:<{width}}  {med * 1000:6.0f} ms  {low * 1000:6.0f} ms  {ratio:6.2f}x")
    verdict = "within" if worst <= args.goal else "ABOVE"
    print(f"  slowest command: {worst:.2f}x the import of NumPy ({verdict} the goal of {args.goal:g}x)")
    return 0 if worst <= args.goal else 1


if __name__ == "__main__":
    sys.exit(main())
