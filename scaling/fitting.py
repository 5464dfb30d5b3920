"""Fitting Hoffmann et al.'s parametric law (Approach 3). Filled in by the Part II work."""

from __future__ import annotations

from dataclasses import dataclass

from numpy.typing import ArrayLike

from .laws import ChinchillaLaw

__all__ = ["ParametricFit", "fit_parametric"]


@dataclass(frozen=True)
class ParametricFit:
    """Result of :func:`fit_parametric`."""

    law: ChinchillaLaw
    objective: float


def fit_parametric(N: ArrayLike, D: ArrayLike, L: ArrayLike, delta: float = 1e-3) -> ParametricFit:
    """Fit ``L = E + A/N**alpha + B/D**beta`` (Approach 3). Not written yet."""
    raise NotImplementedError("fit_parametric is written by the Part II issue")
