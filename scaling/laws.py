"""Loss laws: the Chinchilla parametric law and its compute-optimal allocation.

The parametric law of Hoffmann et al. (2022), eq. (2):

.. math:: L(N, D) = E + \\frac{A}{N^\\alpha} + \\frac{B}{D^\\beta}

and its closed-form minimum under the constraint ``C = 6 N D`` (eq. 4):

.. math::
    N_{opt}(C) = G (C/6)^a, \\quad D_{opt}(C) = G^{-1} (C/6)^b, \\quad
    G = \\left(\\frac{\\alpha A}{\\beta B}\\right)^{1/(\\alpha+\\beta)},
    \\quad a = \\frac{\\beta}{\\alpha+\\beta}, \\quad b = \\frac{\\alpha}{\\alpha+\\beta}.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._validate import broadcast_shape, positive

__all__ = ["ChinchillaLaw"]


def _scalar_or_array(x: NDArray[np.float64]) -> NDArray[np.float64] | float:
    return float(x) if np.ndim(x) == 0 else x


@dataclass(frozen=True)
class ChinchillaLaw:
    """``L(N, D) = E + A / N**alpha + B / D**beta`` (Hoffmann et al. 2022, eq. 2).

    Parameters
    ----------
    E
        Irreducible loss, nats per token (>= 0).
    A, B
        Scales of the parameter and data terms (> 0).
    alpha, beta
        Exponents of the parameter and data terms (> 0).
    source
        Where the values come from (a citation); not part of equality.

    Examples
    --------
    >>> law = ChinchillaLaw(E=1.69, A=406.4, B=410.7, alpha=0.34, beta=0.28)
    >>> round(law.loss(70e9, 1.4e12), 3)
    1.937
    """

    E: float
    A: float
    B: float
    alpha: float
    beta: float
    source: str = field(default="", compare=False, repr=False)

    def __post_init__(self) -> None:
        for name in ("E", "A", "B", "alpha", "beta"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
                raise TypeError(f"ChinchillaLaw.{name} must be a real number, got {value!r}")
            if not math.isfinite(value):
                raise ValueError(f"ChinchillaLaw.{name} must be finite, got {value!r}")
            object.__setattr__(self, name, float(value))
        if self.E < 0:
            raise ValueError(f"ChinchillaLaw.E is an irreducible loss and must be >= 0, got {self.E!r}")
        for name in ("A", "B", "alpha", "beta"):
            if getattr(self, name) <= 0:
                raise ValueError(
                    f"ChinchillaLaw.{name} must be > 0 (otherwise loss does not fall with scale), "
                    f"got {getattr(self, name)!r}"
                )

    # ------------------------------------------------------------------ loss
    def loss(self, N: ArrayLike, D: ArrayLike) -> NDArray[np.float64] | float:
        """Predicted loss (nats per token) of ``N`` parameters trained on ``D`` tokens.

        Parameters
        ----------
        N
            Parameters (count), > 0.
        D
            Training tokens (count), > 0. Broadcasts against ``N`` (pass a
            column and a row for a grid).

        Returns
        -------
        float or ndarray
            Loss in nats per token; a float when both inputs are scalars.

        Raises
        ------
        TypeError
            If an input is not numeric or is boolean.
        ValueError
            If an input is not finite and positive, or the shapes of ``N`` and
            ``D`` neither match nor broadcast.
        """
        n = positive(N, "N")
        d = positive(D, "D")
        broadcast_shape(N=n, D=d)
        return _scalar_or_array(self.E + self.A * n ** (-self.alpha) + self.B * d ** (-self.beta))

    # ------------------------------------------------------- allocation
    @property
    def a(self) -> float:
        """Allocation exponent of parameters, ``N_opt ∝ C**a`` with ``a = beta / (alpha + beta)``."""
        return self.beta / (self.alpha + self.beta)

    @property
    def b(self) -> float:
        """Allocation exponent of tokens, ``D_opt ∝ C**b`` with ``b = alpha / (alpha + beta)``."""
        return self.alpha / (self.alpha + self.beta)

    @property
    def G(self) -> float:
        """The allocation prefactor ``G = (alpha A / (beta B))**(1 / (alpha + beta))`` (eq. 4)."""
        return (self.alpha * self.A / (self.beta * self.B)) ** (1.0 / (self.alpha + self.beta))

    def optimal_allocation(
        self, C: ArrayLike
    ) -> tuple[NDArray[np.float64] | float, NDArray[np.float64] | float]:
        """Compute-optimal ``(N_opt, D_opt)`` for a budget of ``C`` FLOPs under ``C = 6 N D``.

        Parameters
        ----------
        C
            Training compute in FLOPs, > 0 (scalar or array).

        Returns
        -------
        (N_opt, D_opt)
            Parameters and tokens; ``6 * N_opt * D_opt == C``.
        """
        c6 = positive(C, "C") / 6.0
        n_opt = self.G * c6**self.a
        d_opt = c6**self.b / self.G
        return _scalar_or_array(n_opt), _scalar_or_array(d_opt)

    def tokens_per_parameter(self, C: ArrayLike) -> NDArray[np.float64] | float:
        """``D_opt / N_opt`` at a budget of ``C`` FLOPs (about 20 at Chinchilla's scale)."""
        n_opt, d_opt = self.optimal_allocation(C)
        return _scalar_or_array(np.asarray(d_opt) / np.asarray(n_opt))

    def optimal_loss(self, C: ArrayLike) -> NDArray[np.float64] | float:
        """Loss of the compute-optimal model at a budget of ``C`` FLOPs."""
        n_opt, d_opt = self.optimal_allocation(C)
        return self.loss(n_opt, d_opt)

    def compute_for_params(self, N: ArrayLike) -> NDArray[np.float64] | float:
        """The budget (FLOPs) at which ``N`` parameters is compute-optimal: inverse of ``N_opt(C)``."""
        n = positive(N, "N")
        return _scalar_or_array(6.0 * (n / self.G) ** (1.0 / self.a))

    # --------------------------------------------------------- helpers
    @classmethod
    def from_log_params(
        cls, a: float, b: float, e: float, alpha: float, beta: float, source: str = ""
    ) -> "ChinchillaLaw":
        """Build a law from the fit's log-parametrisation ``A = e**a, B = e**b, E = e**e``."""
        return cls(E=math.exp(e), A=math.exp(a), B=math.exp(b), alpha=alpha, beta=beta, source=source)

    def as_dict(self) -> dict[str, float]:
        """The five parameters as a plain dict (for tables and JSON)."""
        return {"E": self.E, "A": self.A, "B": self.B, "alpha": self.alpha, "beta": self.beta}
