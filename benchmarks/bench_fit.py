"""Benchmark: Hoffmann et al.'s Approach-3 fit, per-start L-BFGS-B versus ``scaling.fit_parametric``.

Run with ``make benchmark`` (or ``python benchmarks/bench_fit.py``). On the 240 Chinchilla runs
(Besiroglu et al. 2024: the 5 highest losses dropped) it times, in the same process:

1. the straightforward method, one SciPy L-BFGS-B call per start of the 4,500-start grid with
   default tolerances and SciPy's numerical gradient (what the replication's code does);
2. :func:`scaling.fitting.fit_parametric` (batched damped Newton, pruning, L-BFGS-B polish);
3. :func:`scaling.fitting.bootstrap_parametric` with 1,000 resamples;

checks that the fast fit's objective is no worse than the baseline's (to 1e-6 relative) and
prints the speed-up. ``--analytic`` also times the per-start method with the analytic gradient;
``--starts K`` times the baseline on every (4500/K)-th start only and scales its time up
(for a quick look; the objective check is then skipped).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

from scaling import datasets
from scaling.fitting import PAPER_GRID, bootstrap_parametric, fit_parametric, fit_parametric_per_start


def _time(fn, repeat: int = 1):
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--analytic", action="store_true", help="also time per-start L-BFGS-B with the analytic gradient")
    parser.add_argument("--starts", type=int, default=len(PAPER_GRID), help="baseline starts to time (scaled to 4,500)")
    parser.add_argument("--resamples", type=int, default=1000, help="bootstrap resamples to time")
    args = parser.parse_args()

    runs = datasets.chinchilla_runs(drop_highest_loss=5)
    N, D, L = runs["N"].to_numpy(), runs["D"].to_numpy(), runs["loss"].to_numpy()
    print(f"data: {len(runs)} Chinchilla runs; grid: {len(PAPER_GRID)} starts")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} logical cores, "
          f"load average {os.getloadavg()[0]:.2f}")

    step = max(len(PAPER_GRID) // max(args.starts, 1), 1)
    grid = PAPER_GRID[::step]
    scale = len(PAPER_GRID) / len(grid)
    t_base, base = _time(lambda: fit_parametric_per_start(N, D, L, grid=grid))
    t_base *= scale
    print(f"per-start L-BFGS-B (numerical gradient): {t_base:8.2f} s  objective {base.objective:.10e}"
          + ("" if scale == 1 else f"  (timed on {len(grid)} starts, scaled x{scale:.0f})"))
    if args.analytic:
        t_an, an = _time(lambda: fit_parametric_per_start(N, D, L, grid=grid, analytic_gradient=True))
        t_an *= scale
        print(f"per-start L-BFGS-B (analytic gradient):  {t_an:8.2f} s  objective {an.objective:.10e}")

    t_fast, fast = _time(lambda: fit_parametric(N, D, L), repeat=5)
    print(f"fit_parametric (median of 5):             {t_fast:8.3f} s  objective {fast.objective:.10e}")
    ratio = t_base / t_fast
    print(f"speed-up over per-start (numerical gradient): {ratio:.0f}x")
    if args.analytic:
        print(f"speed-up over per-start (analytic gradient):  {t_an / t_fast:.0f}x")
    if scale == 1:
        rel = (fast.objective - base.objective) / base.objective
        status = "ok" if rel <= 1e-6 else "WORSE"
        print(f"objective, fast vs per-start: {rel:+.2e} relative ({status}; must be <= 1e-6)")
        if rel > 1e-6:
            raise SystemExit("fit_parametric's objective is worse than the per-start baseline's")
    law = fast.law
    print(f"optimum: E={law.E:.4f} A={law.A:.2f} B={law.B:.2f} alpha={law.alpha:.4f} beta={law.beta:.4f}")

    t_boot, boot = _time(lambda: bootstrap_parametric(N, D, L, n_resamples=args.resamples, seed=0))
    print(f"bootstrap_parametric ({args.resamples} resamples, seed 0): {t_boot:.2f} s; "
          f"alpha 10-90 %: {boot.interval('alpha')[0]:.4f}-{boot.interval('alpha')[1]:.4f}")
    print(f"per-start baseline would take about {args.resamples * t_base / 60:.0f} min for the same bootstrap")


if __name__ == "__main__":
    main()
