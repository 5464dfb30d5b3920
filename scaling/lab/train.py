"""Train one lab model and measure it (imports torch).

:func:`train` runs one :class:`~scaling.lab.plan.RunConfig`: AdamW (betas 0.9, 0.95,
weight decay on matrices and embeddings), gradient clipping at 1, the warm-up and cosine
schedule of :func:`~scaling.lab.plan.learning_rate_at`, float32. The training stream is
cut into non-overlapping windows of ``n_ctx + 1`` bytes, visited in a random order drawn
from the run's seed; a run longer than the stream starts a new random order (an epoch).
At the end the model is evaluated on :data:`EVAL_WINDOWS` fixed windows of the held-out
validation split and of the training stream.

Reproducible: the seed fixes the initialisation and the data order, and
:func:`configure_torch` switches on PyTorch's deterministic algorithms with a fixed
number of threads, so the same configuration on the same kind of machine gives the
same losses (on another CPU or thread count, the same up to rounding).
"""

from __future__ import annotations

import datetime
import math
import os
import platform
import sys
import time
from collections.abc import Callable

import numpy as np
import torch

from .. import __version__
from .corpus import Splits
from .model import ByteTransformer, count_parameters
from .plan import RunConfig, learning_rate_at

__all__ = ["EVAL_WINDOWS", "TrainingError", "configure_torch", "default_threads", "evaluate", "train", "machine"]

EVAL_WINDOWS = 512
"""Windows of ``n_ctx`` bytes the final losses are measured on (65,536 bytes at ``n_ctx`` = 128)."""


class TrainingError(ValueError):
    """A run cannot start (bad device or threads) or diverged."""


def default_threads() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def configure_torch(device: str, threads: int, deterministic: bool = True) -> torch.device:
    """Fix PyTorch's threads and (by default) switch on its deterministic algorithms.

    Raises
    ------
    TrainingError
        If ``device`` is not ``cpu`` or ``cuda[:k]``, or CUDA is asked for but absent,
        or ``threads`` is not a whole number >= 1.
    """
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise TrainingError(f"threads must be a whole number >= 1, got {threads!r}")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise TrainingError(f"unknown device {device!r} ({exc}); use cpu or cuda") from None
    if dev.type not in ("cpu", "cuda"):
        raise TrainingError(f"unsupported device {device!r}; use cpu or cuda")
    if dev.type == "cuda":
        # cuBLAS is deterministic only with a fixed workspace; it must be set before CUDA starts.
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        if not torch.cuda.is_available():
            raise TrainingError(
                "--device cuda asked for, but PyTorch sees no CUDA GPU (this torch is "
                f"{torch.__version__}; the lab's pinned build is CPU-only). Use --device cpu."
            )
        torch.backends.cudnn.benchmark = False
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    torch.set_num_threads(threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:  # can be set once per process only, before any parallel work
        pass
    # On the GPU some kernels have no deterministic version: warn there instead of failing.
    torch.use_deterministic_algorithms(deterministic, warn_only=dev.type != "cpu")
    return dev


def machine() -> str:
    """The processor and the cores this process may use, e.g. ``Intel(R) Xeon(R) Processor, 2 cores``."""
    name = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    name = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{name}, {default_threads()} cores"


def _eval_starts(length: int, n_ctx: int, windows: int) -> np.ndarray:
    if length < n_ctx + 1:
        raise TrainingError(f"a stream of {length} bytes is shorter than one window of {n_ctx + 1}")
    n = min(windows, (length - 1) // n_ctx)
    return np.linspace(0, length - n_ctx - 1, n).astype(np.int64)


@torch.no_grad()
def evaluate(model: ByteTransformer, stream: torch.Tensor, windows: int = EVAL_WINDOWS,
             batch: int = 64) -> float:
    """Mean loss (nats per byte) of ``model`` on ``windows`` evenly spaced windows of ``stream``."""
    n_ctx = model.shape.n_ctx
    starts = torch.from_numpy(_eval_starts(len(stream), n_ctx, windows)).to(stream.device)
    offsets = torch.arange(n_ctx + 1, device=stream.device)
    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    for i in range(0, len(starts), batch):
        chunk = stream[starts[i:i + batch, None] + offsets].long()
        loss = model(chunk[:, :-1], chunk[:, 1:])
        total += float(loss) * len(chunk)
        count += len(chunk)
    model.train(was_training)
    return total / count


class _Batches:
    """Non-overlapping windows of ``n_ctx + 1`` bytes in a seeded random order, epoch after epoch."""

    def __init__(self, stream: torch.Tensor, n_ctx: int, batch_size: int, seed: int) -> None:
        self.stream, self.n_ctx, self.batch_size = stream, n_ctx, batch_size
        self.n_windows = (len(stream) - 1) // n_ctx
        if self.n_windows < batch_size:
            raise TrainingError(
                f"the training stream ({len(stream):,} bytes) holds fewer than one batch of "
                f"{batch_size} windows of {n_ctx + 1} bytes"
            )
        self.gen = torch.Generator().manual_seed(seed)
        self.order = torch.randperm(self.n_windows, generator=self.gen)
        self.pos = 0
        self.offsets = torch.arange(n_ctx + 1, device=stream.device)

    def __next__(self) -> tuple[torch.Tensor, torch.Tensor]:
        take = []
        need = self.batch_size
        while need:
            part = self.order[self.pos:self.pos + need]
            take.append(part)
            need -= len(part)
            self.pos += len(part)
            if self.pos == self.n_windows:
                self.order = torch.randperm(self.n_windows, generator=self.gen)
                self.pos = 0
        starts = torch.cat(take).to(self.stream.device) * self.n_ctx
        chunk = self.stream[starts[:, None] + self.offsets].long()
        return chunk[:, :-1], chunk[:, 1:]


def _optimizer(model: ByteTransformer, config: RunConfig) -> torch.optim.AdamW:
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    return torch.optim.AdamW(
        [{"params": decay, "weight_decay": config.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=config.lr, betas=(0.9, 0.95), eps=1e-8,
    )


def train(
    config: RunConfig,
    data: Splits,
    *,
    device: str = "cpu",
    threads: int | None = None,
    deterministic: bool = True,
    command: str = "",
    progress: Callable[[int], None] | None = None,
    eval_windows: int = EVAL_WINDOWS,
) -> dict[str, object]:
    """Train one model and return its results row (:data:`scaling.lab.results.COLUMNS`).

    Parameters
    ----------
    config
        The run.
    data
        Training and validation streams (:func:`scaling.lab.corpus.splits`).
    device, threads, deterministic
        Where and how to run (:func:`configure_torch`); ``threads`` defaults to the usable cores.
    command
        The command line, recorded in the row.
    progress
        Called after every step with the tokens of that step.
    eval_windows
        Windows the final losses are measured on.

    Raises
    ------
    TrainingError
        If the device is not available, or the loss becomes NaN or infinite (the run diverged).
    """
    t_start = time.perf_counter()
    threads = default_threads() if threads is None else threads
    dev = configure_torch(device, threads, deterministic)
    torch.manual_seed(config.seed)
    shape = config.shape
    model = ByteTransformer(shape).to(dev)
    counts = count_parameters(model)
    if counts["non_embedding"] != shape.N or counts["total"] != shape.N_total:
        raise AssertionError(f"parameter count {counts} disagrees with the plan's N = {shape.N}")
    opt = _optimizer(model, config)
    train_stream = torch.from_numpy(np.array(data.train, dtype=np.uint8)).to(dev)  # a writable copy
    val_stream = torch.from_numpy(np.array(data.validation, dtype=np.uint8)).to(dev)
    batches = _Batches(train_stream, shape.n_ctx, config.batch_size, config.seed)
    params = list(model.parameters())
    model.train()
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)
    t_train, cpu_train = time.perf_counter(), time.process_time()
    for step in range(config.steps):
        x, y = next(batches)
        loss = model(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        lr = learning_rate_at(config, step)
        for group in opt.param_groups:
            group["lr"] = lr
        opt.step()
        if step % 50 == 0 or step == config.steps - 1:
            value = loss.item()
            if not math.isfinite(value):
                raise TrainingError(
                    f"run {config.config_id} ({shape.label}, lr {config.lr:.3g}) diverged at step {step}: "
                    f"loss {value}. Lower the learning rate (--lr-factor) and run again."
                )
        if progress is not None:
            progress(config.tokens_per_step)
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)
    train_time = time.perf_counter() - t_train
    cpu_time = time.process_time() - cpu_train
    val_loss = evaluate(model, val_stream, eval_windows)
    train_loss = evaluate(model, train_stream, eval_windows)
    if not (math.isfinite(val_loss) and math.isfinite(train_loss)):
        raise TrainingError(f"run {config.config_id} ended with a non-finite loss (validation {val_loss})")
    wall = time.perf_counter() - t_start
    return {
        "config_id": config.config_id,
        "budget": config.budget,
        "n_layer": shape.n_layer,
        "d_model": shape.d_model,
        "n_head": shape.n_head,
        "n_ctx": shape.n_ctx,
        "n_vocab": shape.n_vocab,
        "N": shape.N,
        "N_embedding": shape.N_embedding,
        "N_total": shape.N_total,
        "embedding_share": shape.embedding_share,
        "D": config.tokens,
        "C": config.C,
        "C_6ND": config.C_6ND,
        "C_total": config.C_total,
        "context_fraction": shape.context_fraction,
        "batch_size": config.batch_size,
        "steps": config.steps,
        "warmup_steps": config.warmup_steps,
        "lr": config.lr,
        "final_lr_fraction": config.final_lr_fraction,
        "weight_decay": config.weight_decay,
        "seed": config.seed,
        "epochs": config.tokens / (batches.n_windows * shape.n_ctx),
        "train_loss": train_loss,
        "val_loss": val_loss,
        "wall_time_s": wall,
        "train_time_s": train_time,
        "cpu_time_s": cpu_time,
        "tokens_per_s": config.tokens / train_time,
        "flops_per_s": config.C_total / train_time,
        "device": str(dev) if dev.type == "cpu" else f"{dev} ({torch.cuda.get_device_name(dev)})",
        "threads": threads,
        "deterministic": deterministic,
        "corpus": config.corpus,
        "scaling_version": __version__,
        "torch_version": torch.__version__,
        "python_version": platform.python_version(),
        "machine": machine(),
        "finished_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": command or " ".join(sys.argv),
    }
