"""Units and accounting: FLOPs, PF-days, parameter counts.

Conventions used throughout the book (Kaplan et al. 2020, Section 2.1):

* ``N`` counts parameters, ``D`` training tokens, ``C`` training compute in
  floating-point operations (FLOPs) unless a name says ``pf_days``.
* One PF-day is :data:`PF_DAY` = 1e15 FLOP/s x 86,400 s = 8.64e19 FLOPs.
* Training costs about 6 FLOPs per parameter per token (2 forward, 4
  backward): ``C = 6 N D``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._validate import NotRepresentable, broadcast_shape, positive, representable, whole

__all__ = [
    "PF_DAY",
    "training_compute",
    "tokens_for_compute",
    "to_pf_days",
    "from_pf_days",
    "kaplan_params",
    "total_params",
    "ForwardFlops",
    "forward_flops",
]

PF_DAY: float = 1e15 * 24 * 3600
"""One petaflop/s-day in FLOPs: 1e15 x 24 x 3600 = 8.64e19 (Kaplan et al. 2020, Section 1.3)."""


@representable(positive=True)
def training_compute(N: ArrayLike, D: ArrayLike) -> NDArray[np.float64] | float:
    """Training compute ``C = 6 N D`` in FLOPs.

    Parameters
    ----------
    N
        Parameters (count), > 0.
    D
        Training tokens (count), > 0. Broadcasts against ``N``.

    Returns
    -------
    float or ndarray
        FLOPs; a float when both inputs are scalars.

    Raises
    ------
    TypeError
        If an input is not numeric or is boolean.
    ValueError
        If an input is not finite and positive, the shapes of ``N`` and
        ``D`` neither match nor broadcast, or ``6 N D`` is outside the range of
        double precision (above about 1.8e308 or below 2.2e-308 FLOPs).
    """
    n = positive(N, "N")
    d = positive(D, "D")
    broadcast_shape(N=n, D=d)
    out = 6.0 * n * d
    return float(out) if out.ndim == 0 else out


@representable(positive=True)
def tokens_for_compute(C: ArrayLike, N: ArrayLike) -> NDArray[np.float64] | float:
    """Tokens ``D = C / (6 N)`` that a budget ``C`` (FLOPs) buys for a model of ``N`` parameters.

    Parameters
    ----------
    C
        Training compute (FLOPs), > 0.
    N
        Parameters (count), > 0. Broadcasts against ``C``.

    Returns
    -------
    float or ndarray
        Tokens (count); a float when both inputs are scalars.

    Raises
    ------
    TypeError
        If an input is not numeric or is boolean.
    ValueError
        If an input is not finite and positive, the shapes of ``C`` and
        ``N`` neither match nor broadcast, or the result is outside the range
        of double precision.
    """
    c = positive(C, "C")
    n = positive(N, "N")
    broadcast_shape(C=c, N=n)
    out = c / (6.0 * n)
    return float(out) if out.ndim == 0 else out


@representable(positive=True)
def to_pf_days(flops: ArrayLike) -> NDArray[np.float64] | float:
    """Convert FLOPs to PF-days (divide by :data:`PF_DAY`).

    Parameters
    ----------
    flops
        Compute in FLOPs, finite and > 0 (scalar or array).

    Returns
    -------
    float or ndarray
        Compute in PF-days.

    Raises
    ------
    ValueError
        If any value is zero, negative, NaN or infinite, or the result is
        outside the range of double precision.
    """
    out = positive(flops, "flops") / PF_DAY
    return float(out) if out.ndim == 0 else out


@representable(positive=True)
def from_pf_days(pf_days: ArrayLike) -> NDArray[np.float64] | float:
    """Convert PF-days to FLOPs (multiply by :data:`PF_DAY`).

    Parameters
    ----------
    pf_days
        Compute in PF-days, finite and > 0 (scalar or array).

    Returns
    -------
    float or ndarray
        Compute in FLOPs.

    Raises
    ------
    ValueError
        If any value is zero, negative, NaN or infinite, or the result is
        outside the range of double precision.
    """
    out = positive(pf_days, "pf_days") * PF_DAY
    return float(out) if out.ndim == 0 else out


def _positive_int(value: int, name: str) -> int:
    return whole(value, name, minimum=1)


def kaplan_params(
    n_layer: int, d_model: int, d_attn: int | None = None, d_ff: int | None = None
) -> int:
    """Non-embedding parameters ``N = 2 d_model n_layer (2 d_attn + d_ff)`` (Kaplan eq. 2.1).

    With the standard shape ``d_attn = d_model`` and ``d_ff = 4 d_model`` this is
    ``12 n_layer d_model**2``. Embedding matrices (``(n_vocab + n_ctx) d_model``)
    and biases and layer norms are excluded, as in the paper.

    Parameters
    ----------
    n_layer
        Number of transformer blocks.
    d_model
        Width of the residual stream.
    d_attn
        Total width of the attention heads (defaults to ``d_model``).
    d_ff
        Width of the feed-forward layer (defaults to ``4 d_model``).

    Returns
    -------
    int
        Parameter count (a Python integer, exact at any size).

    Raises
    ------
    TypeError
        If a size is not a number (a boolean, None, text...).
    ValueError
        If a size is not a whole number >= 1.
    """
    n_layer = _positive_int(n_layer, "n_layer")
    d_model = _positive_int(d_model, "d_model")
    d_attn = d_model if d_attn is None else _positive_int(d_attn, "d_attn")
    d_ff = 4 * d_model if d_ff is None else _positive_int(d_ff, "d_ff")
    return 2 * d_model * n_layer * (2 * d_attn + d_ff)


def total_params(n_layer: int, d_model: int, n_vocab: int, n_ctx: int = 0, *, per_layer: int = 12) -> int:
    """All the weights of a standard transformer: ``per_layer n_layer d_model**2`` plus the embeddings.

    ``per_layer n_layer d_model**2`` counts the blocks (12 for Kaplan's eq. 2.1 with
    ``d_attn = d_model``, ``d_ff = 4 d_model``; 13 adds a rough allowance for the wider
    feed-forward layers some models use); ``n_vocab d_model`` the token embedding (one matrix
    shared by input and output, as in GPT-2 and GPT-3); ``n_ctx d_model`` learned position
    embeddings (pass ``n_ctx=0`` for models with relative positions, such as Gopher and
    Chinchilla). Biases and layer norms are left out.

    Parameters
    ----------
    n_layer, d_model
        Number of blocks and width of the residual stream.
    n_vocab
        Vocabulary size (tokens).
    n_ctx
        Context length with learned position embeddings (tokens), or 0.
    per_layer
        Weights per block in units of ``d_model**2`` (a whole number >= 1).

    Returns
    -------
    int
        Parameter count (a Python integer, exact at any size).

    Raises
    ------
    TypeError, ValueError
        If a size is not a whole number (>= 1; ``n_ctx`` >= 0).
    """
    n_layer = _positive_int(n_layer, "n_layer")
    d_model = _positive_int(d_model, "d_model")
    n_vocab = _positive_int(n_vocab, "n_vocab")
    n_ctx = whole(n_ctx, "n_ctx", minimum=0)
    per_layer = _positive_int(per_layer, "per_layer")
    return per_layer * n_layer * d_model**2 + (n_vocab + n_ctx) * d_model


@dataclass(frozen=True)
class ForwardFlops:
    """Forward-pass FLOPs per token, term by term (Kaplan et al. 2020, Table 1).

    Each field is FLOPs per token for one forward pass. Multiply-accumulate
    counts as 2 FLOPs; biases, nonlinearities and layer norms are neglected.
    """

    embed: float
    """``4 d_model``: token plus position embedding lookups."""
    attention_qkv: float
    """``2 n_layer d_model 3 d_attn``: the query, key and value projections."""
    attention_mask: float
    """``2 n_layer n_ctx d_attn``: the context-dependent score and weighting term."""
    attention_project: float
    """``2 n_layer d_attn d_model``: the output projection of attention."""
    feedforward: float
    """``2 n_layer 2 d_model d_ff``: the two feed-forward matrices."""
    deembed: float
    """``2 d_model n_vocab``: the output (de-embedding) layer."""

    @property
    def total(self) -> float:
        """All terms: the exact Table-1 forward cost per token."""
        return (
            self.embed
            + self.attention_qkv
            + self.attention_mask
            + self.attention_project
            + self.feedforward
            + self.deembed
        )

    @property
    def non_embedding(self) -> float:
        """``2N + 2 n_layer n_ctx d_attn``: the cost Kaplan keeps (eq. 2.2)."""
        return self.attention_qkv + self.attention_mask + self.attention_project + self.feedforward

    @property
    def without_context(self) -> float:
        """``2N``: the cost when the context term is dropped, so training is ``6N`` per token."""
        return self.attention_qkv + self.attention_project + self.feedforward

    @property
    def context_fraction(self) -> float:
        """Share of the non-embedding forward cost due to the context term (dimensionless).

        ``attention_mask / non_embedding = 2 n_layer n_ctx d_attn / (2N + 2 n_layer n_ctx d_attn)``,
        which for the standard shape (``d_attn = d_model``, ``d_ff = 4 d_model``)
        is ``n_ctx / (12 d_model + n_ctx)``. Kaplan's ``n_ctx / (12 d_model)``
        is the context term relative to ``2N`` instead (``attention_mask /
        without_context``); the two agree when ``n_ctx << 12 d_model``.
        """
        return self.attention_mask / self.non_embedding


@representable(positive=True)
def forward_flops(
    n_layer: int,
    d_model: int,
    n_ctx: int,
    n_vocab: int = 50257,
    d_attn: int | None = None,
    d_ff: int | None = None,
) -> ForwardFlops:
    """Forward-pass FLOPs per token of a decoder-only transformer (Kaplan Table 1).

    Parameters
    ----------
    n_layer, d_model
        Depth and width.
    n_ctx
        Context length in tokens.
    n_vocab
        Vocabulary size (GPT-2's 50,257 by default).
    d_attn, d_ff
        Attention and feed-forward widths (default ``d_model`` and ``4 d_model``).

    Returns
    -------
    ForwardFlops
        The per-term breakdown; ``.non_embedding`` is eq. 2.2's ``2N + 2 n_layer n_ctx d_model``.

    Raises
    ------
    TypeError
        If a size is not a number.
    ValueError
        If a size is not a whole number >= 1, or a term exceeds double precision (1.8e308).
    """
    n_layer = _positive_int(n_layer, "n_layer")
    d_model = _positive_int(d_model, "d_model")
    n_ctx = _positive_int(n_ctx, "n_ctx")
    n_vocab = _positive_int(n_vocab, "n_vocab")
    d_attn = d_model if d_attn is None else _positive_int(d_attn, "d_attn")
    d_ff = 4 * d_model if d_ff is None else _positive_int(d_ff, "d_ff")
    out = ForwardFlops(
        embed=4.0 * d_model,
        attention_qkv=2.0 * n_layer * d_model * 3 * d_attn,
        attention_mask=2.0 * n_layer * n_ctx * d_attn,
        attention_project=2.0 * n_layer * d_attn * d_model,
        feedforward=2.0 * n_layer * 2 * d_model * d_ff,
        deembed=2.0 * d_model * n_vocab,
    )
    if not math.isfinite(out.total):
        raise NotRepresentable("the total forward FLOPs would be above the largest double")
    return out
