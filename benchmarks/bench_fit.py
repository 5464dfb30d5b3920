"""Benchmark: the Approach-3 fit and its bootstrap, the replication's method versus ``scaling``.

Run with ``make benchmark`` (or ``python benchmarks/bench_fit.py``). On the 240 Chinchilla runs
(Besiroglu et al. 2024: the 5 highest losses dropped) it times, in one process:

1. the replication's fit as their notebook runs it (``replication_baseline.fit``: one L-BFGS-B per
   start of the 4,500-point grid, default tolerances, numerical gradient) against
   :func:`scaling.fitting.fit_parametric`;
2. the replication's bootstrap (``replication_baseline.bootstrap``: one BFGS per resample from
   Hoffmann et al.'s parameters) against :func:`scaling.fitting.bootstrap_parametric`, on the same
   4,000 resamples;
3. the two ``scaling`` functions with one BLAS thread and with the default number (the two
   configurations alternate, so that a change in the machine's load hits both), and, to show what
   the fits' own one-thread limit buys, once each without it.

The baselines run with one BLAS thread, their fastest configuration: SciPy's L-BFGS-B calls BLAS
on vectors of five, and with two threads on a busy machine each call can wait for a thread to
wake (the baseline fit was ten times slower that way on this project's shared machine).

Checks, each failing the run with exit status 1: the fast fit's objective is no worse than the
baseline's (to 1e-6 relative; only when the baseline ran every start), and neither thread
configuration of the fit or the bootstrap is more than 1.3x slower than the other.
``--starts K`` times the baseline fit on every (4500/K)-th start and ``--baseline-resamples K`` the
baseline bootstrap on the first K resamples, each scaled up (a quicker, rougher estimate).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

import replication_baseline as baseline
from scaling import datasets, fitting

THREAD_RATIO_LIMIT = 1.3


def _timed(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def _alternate(fn, repeat: int) -> dict[str, float]:
    """Median time of ``fn`` with one BLAS thread and with the default, runs interleaved."""
    times: dict[str, list[float]] = {"1": [], "default": []}
    for _ in range(repeat):
        for key, limit in (("1", 1), ("default", None)):
            with threadpool_limits(limits=limit, user_api="blas"):
                times[key].append(_timed(fn)[0])
    return {k: statistics.median(v) for k, v in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=4500, help="baseline starts to time (scaled to 4,500)")
    parser.add_argument("--resamples", type=int, default=4000, help="bootstrap resamples (the replication's 4,000)")
    parser.add_argument("--baseline-resamples", type=int, default=None,
                        help="baseline bootstrap resamples to time (scaled to --resamples)")
    parser.add_argument("--repeat", type=int, default=5, help="timings per thread configuration of the fast fit")
    args = parser.parse_args()

    runs = datasets.chinchilla_runs(drop_highest_loss=5)
    N, D, L = (runs[c].to_numpy() for c in ("N", "D", "loss"))
    n = len(runs)
    blas = [f"{i['internal_api']} {i['version']} ({i['architecture']}, {i['num_threads']} threads)"
            for i in threadpool_info() if i["user_api"] == "blas"]
    print(f"data: {n} Chinchilla runs; machine: {platform.machine()}, {os.cpu_count()} logical cores, "
          f"load average {os.getloadavg()[0]:.2f} at the start; BLAS: {'; '.join(sorted(set(blas)))}")

    # -- the fit
    grid = baseline.grid_in_their_order()
    step = max(len(grid) // max(args.starts, 1), 1)
    sub = grid[::step]
    scale_fit = len(grid) / len(sub)
    with threadpool_limits(limits=1, user_api="blas"):
        t_base, (base_params, base_obj) = _timed(lambda: baseline.fit(N, D, L, sub))
    t_base *= scale_fit
    fast = fitting.fit_parametric(N, D, L)
    t_fit = _alternate(lambda: fitting.fit_parametric(N, D, L), args.repeat)
    t_fit_unlimited = _timed(lambda: fitting.fit_parametric.__wrapped__(N, D, L))[0]

    # -- the bootstrap, on the same resamples for both
    idx = np.random.default_rng(0).integers(0, n, size=(args.resamples, n))
    kb = args.resamples if args.baseline_resamples is None else min(args.baseline_resamples, args.resamples)
    with threadpool_limits(limits=1, user_api="blas"):
        t_bboot, base_boot = _timed(lambda: baseline.bootstrap(N, D, L, idx[:kb]))
    t_bboot *= args.resamples / kb
    boot = fitting.bootstrap_parametric(N, D, L, resamples=idx)
    t_boot = _alternate(lambda: fitting.bootstrap_parametric(N, D, L, resamples=idx), args.repeat)
    t_boot_unlimited = _timed(lambda: fitting.bootstrap_parametric.__wrapped__(N, D, L, resamples=idx))[0]

    scaled_fit = "" if scale_fit == 1 else f" (timed on {len(sub)} starts, x{scale_fit:.0f})"
    scaled_boot = "" if kb == args.resamples else f" (timed on {kb}, x{args.resamples / kb:.0f})"
    print()
    print("| step | method | BLAS threads | time | replication's method / this |")
    print("|---|---|---|---|---|")
    print(f"| fit | replication's: L-BFGS-B from each of 4,500 starts{scaled_fit} | 1 | {t_base:.1f} s | 1 |")
    for key in ("1", "default"):
        print(f"| fit | `fit_parametric` (median of {args.repeat}) | {key} | {t_fit[key]:.2f} s | "
              f"{t_base / t_fit[key]:.0f}x |")
    print(f"| fit | `fit_parametric` without its one-thread limit (once) | default | {t_fit_unlimited:.2f} s | "
          f"{t_base / t_fit_unlimited:.0f}x |")
    print(f"| bootstrap, {args.resamples:,} resamples | replication's: BFGS per resample{scaled_boot} | 1 | "
          f"{t_bboot:.1f} s | 1 |")
    for key in ("1", "default"):
        print(f"| bootstrap, {args.resamples:,} resamples | `bootstrap_parametric` (median of "
              f"{args.repeat}) | {key} | {t_boot[key]:.2f} s | {t_bboot / t_boot[key]:.0f}x |")
    print(f"| bootstrap, {args.resamples:,} resamples | `bootstrap_parametric` without its one-thread limit "
          f"(once) | default | {t_boot_unlimited:.2f} s | {t_bboot / t_boot_unlimited:.0f}x |")
    print()
    print(f"objective: replication's method {base_obj:.10e}, fit_parametric {fast.objective:.10e}")
    law = fast.law
    print(f"optimum: E={law.E:.4f} A={law.A:.2f} B={law.B:.2f} alpha={law.alpha:.4f} beta={law.beta:.4f}")
    ours = boot.params[["alpha", "beta"]].to_numpy()[:kb]
    gap = np.abs(base_boot[:, 3:5] - ours)
    print(f"bootstrap, same resamples: |alpha, beta| of BFGS-per-resample minus ours: median "
          f"{np.median(gap):.1e}, largest {gap.max():.1e} (BFGS stops at its default gtol 1e-5)")
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")

    failed = []
    if scale_fit == 1:
        rel = (fast.objective - base_obj) / base_obj
        print(f"objective, fit_parametric vs the replication's method: {rel:+.2e} relative (must be <= 1e-6)")
        if rel > 1e-6:
            failed.append("fit_parametric's objective is worse than the replication's method's")
    for what, t in (("fit_parametric", t_fit), ("bootstrap_parametric", t_boot)):
        ratio = max(t.values()) / min(t.values())
        print(f"{what}: slower thread configuration / faster = {ratio:.2f} (must be <= {THREAD_RATIO_LIMIT})")
        if ratio > THREAD_RATIO_LIMIT:
            failed.append(f"{what} is {ratio:.2f}x slower in one BLAS configuration than in the other")
    if failed:
        sys.exit("; ".join(failed))


if __name__ == "__main__":
    main()
