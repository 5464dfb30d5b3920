"""Benchmark: the lab's training throughput, against the machine's own matrix-multiply peak.

Run with ``make benchmark`` (or ``python benchmarks/bench_lab.py``). It needs the lab's
optional extra (``make lab-install``) and says so, exiting 0, when PyTorch is absent.

In one process it measures

1. the machine's float32 matrix-multiply rate (a 1024 x 1024 by 1024 x 1024 product,
   median of several): the reference, "peak", for this machine and thread count;
2. for a small, a middle and a large lab model, a real training run of ``--steps``
   steps through :func:`scaling.lab.train.train` (random bytes: the speed does not
   depend on the text), with one thread and with all usable cores: tokens per second, and
   model FLOPs per second counted as ``C_total`` (Kaplan's Table 1 in full, training =
   3 x forward) over the training time, and that rate as a share of the matmul rate;
3. one single-threaded run per core at once, as ``sweep --jobs`` trains: the total rate.

The load average is printed: on a shared machine, the figures are lower bounds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

SHAPES = [(1, 32), (2, 64), (4, 128)]
"""(n_layer, d_model): N = 12,288, 98,304 and 786,432 non-embedding parameters."""


def _one_run(n_layer: int, d_model: int, steps: int, threads: int) -> dict:
    import numpy as np

    from scaling.lab import plan
    from scaling.lab.corpus import split_books
    from scaling.lab.train import train

    rng = np.random.default_rng(0)
    data = split_books({"random.bin": rng.integers(0, 256, 2_000_000, dtype=np.uint8).tobytes()}, 0.05)
    shape = plan.Shape(n_layer, d_model)
    config = plan.make_config(shape, tokens=steps * plan.BATCH_SIZE * shape.n_ctx)
    return train(config, data, threads=threads, command="bench", eval_windows=8)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300, help="training steps per model")
    args = parser.parse_args()
    try:
        import torch
    except ModuleNotFoundError:
        print("lab throughput: skipped, PyTorch is not installed (the lab's optional extra: make lab-install)")
        return 0
    import multiprocessing as mp

    from scaling.lab.train import configure_torch, default_threads, machine

    cores = default_threads()
    configure_torch("cpu", cores)
    print(f"lab throughput: torch {torch.__version__}, {machine()}, load average {os.getloadavg()[0]:.2f}")
    a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
    peaks = {}
    for threads in sorted({1, cores}):
        torch.set_num_threads(threads)
        for _ in range(3):
            a @ b
        times = []
        for _ in range(15):
            t = time.perf_counter()
            a @ b
            times.append(time.perf_counter() - t)
        peaks[threads] = 2 * 1024**3 / statistics.median(times)
        print(f"  matmul 1024^3 float32, {threads} thread(s) (the reference): {peaks[threads] / 1e9:6.1f} GFLOP/s")

    ctx = mp.get_context("spawn")
    for n_layer, d_model in SHAPES:
        label = f"L{n_layer}-d{d_model}"
        n = 12 * n_layer * d_model**2
        for threads in sorted({1, cores}):
            row = _one_run(n_layer, d_model, args.steps, threads)
            print(f"  {label:<9} N = {n:>9,}, one run, {threads} thread(s): {row['tokens_per_s']:>9,.0f} tokens/s  "
                  f"{row['flops_per_s'] / 1e9:6.1f} GFLOP/s ({100 * row['flops_per_s'] / peaks[threads]:4.1f} % of "
                  f"the matmul rate)")
        if cores > 1:  # what `sweep --jobs <cores>` does: one single-threaded run per core
            t = time.perf_counter()
            with ctx.Pool(cores) as pool:
                rows = pool.starmap(_one_run, [(n_layer, d_model, args.steps, 1)] * cores)
            wall = time.perf_counter() - t
            tokens = sum(r["D"] for r in rows)
            flops = sum(r["C_total"] for r in rows)
            busy = max(r["train_time_s"] for r in rows)
            print(f"  {label:<9} N = {n:>9,}, {cores} runs at once, 1 thread each: {tokens / busy:>9,.0f} tokens/s  "
                  f"{flops / busy / 1e9:6.1f} GFLOP/s in all ({wall:.0f} s with start-up)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
