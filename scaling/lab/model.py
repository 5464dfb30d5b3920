"""The lab's model: a small decoder-only transformer in PyTorch (imports torch).

GPT-2's layout (Radford et al. 2019) at a toy scale: a byte embedding tied with the
output layer, learned absolute position embeddings, ``n_layer`` pre-LN blocks of
causal multi-head self-attention and a GELU feed-forward layer of width ``4 d_model``,
and a final layer norm. The linear layers have no biases, so the model's matrices are
exactly Kaplan's non-embedding parameters ``N = 12 n_layer d_model**2``
(:attr:`scaling.lab.plan.Shape.N`; the tests check this against the module).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from .plan import Shape

__all__ = ["Block", "ByteTransformer", "count_parameters"]


class Block(nn.Module):
    """One pre-LN transformer block: ``x + attn(ln(x))``, then ``x + mlp(ln(x))``."""

    def __init__(self, d_model: int, n_head: int) -> None:
        super().__init__()
        self.n_head = n_head
        self.ln_1 = nn.LayerNorm(d_model)
        self.qkv = nn.Linear(d_model, 3 * d_model, bias=False)
        self.attn_out = nn.Linear(d_model, d_model, bias=False)
        self.ln_2 = nn.LayerNorm(d_model)
        self.ff_in = nn.Linear(d_model, 4 * d_model, bias=False)
        self.ff_out = nn.Linear(4 * d_model, d_model, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, t, d = x.shape
        q, k, v = self.qkv(self.ln_1(x)).split(d, dim=2)
        q, k, v = (z.view(b, t, self.n_head, d // self.n_head).transpose(1, 2) for z in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.attn_out(y.transpose(1, 2).reshape(b, t, d))
        return x + self.ff_out(F.gelu(self.ff_in(self.ln_2(x))))


class ByteTransformer(nn.Module):
    """A byte-level language model of a given :class:`~scaling.lab.plan.Shape`.

    ``forward(idx, targets)`` takes byte ids of shape ``(batch, time)`` with
    ``time <= n_ctx`` and returns the mean cross-entropy in nats per byte.
    """

    def __init__(self, shape: Shape) -> None:
        super().__init__()
        self.shape = shape
        d = shape.d_model
        self.tok = nn.Embedding(shape.n_vocab, d)
        self.pos = nn.Embedding(shape.n_ctx, d)
        self.blocks = nn.ModuleList(Block(d, shape.n_head) for _ in range(shape.n_layer))
        self.ln_f = nn.LayerNorm(d)
        self._init_weights()

    def _init_weights(self) -> None:
        # GPT-2's: N(0, 0.02) everywhere, the projections into the residual stream scaled by 1/sqrt(2 n_layer).
        for name, p in self.named_parameters():
            if p.dim() >= 2:
                std = 0.02 / math.sqrt(2 * self.shape.n_layer) if name.endswith(("attn_out.weight", "ff_out.weight")) else 0.02
                nn.init.normal_(p, mean=0.0, std=std)

    def forward(self, idx: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        t = idx.shape[1]
        h = self.tok(idx) + self.pos.weight[:t]
        for block in self.blocks:
            h = block(h)
        logits = self.ln_f(h) @ self.tok.weight.T  # tied output layer
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))


def count_parameters(model: ByteTransformer) -> dict[str, int]:
    """Parameters by kind: ``non_embedding`` (the blocks' matrices), ``embedding``, ``layernorm``, ``total``."""
    non_emb = sum(p.numel() for n, p in model.named_parameters() if n.startswith("blocks.") and p.dim() == 2)
    emb = model.tok.weight.numel() + model.pos.weight.numel()
    total = sum(p.numel() for p in model.parameters())
    return {"non_embedding": non_emb, "embedding": emb, "layernorm": total - non_emb - emb, "total": total}
