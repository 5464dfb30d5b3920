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

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._validate import NotRepresentable, broadcast_shape, exact_or_log, finite, positive, representable, show

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
            allowed = ">= 0" if name == "E" else "> 0"
            if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
                raise TypeError(f"ChinchillaLaw.{name} must be a real number {allowed}, got {show(value)}")
            try:
                value = float(value)
            except OverflowError:  # a Python integer beyond double precision
                raise ValueError(
                    f"ChinchillaLaw.{name} must be finite (a real number {allowed}), got {show(value)}"
                ) from None
            if not math.isfinite(value):
                raise ValueError(f"ChinchillaLaw.{name} must be finite (a real number {allowed}), got {show(value)}")
            object.__setattr__(self, name, value)
        if self.E < 0:
            raise ValueError(f"ChinchillaLaw.E is an irreducible loss and must be >= 0, got {show(self.E)}")
        for name in ("A", "B", "alpha", "beta"):
            if getattr(self, name) <= 0:
                raise ValueError(
                    f"ChinchillaLaw.{name} must be > 0 (otherwise loss does not fall with scale), "
                    f"got {show(getattr(self, name))}"
                )
        if not isinstance(self.source, str):
            raise TypeError(f"ChinchillaLaw.source must be a string (a citation), got {show(self.source)}")

    # ------------------------------------------------------------------ loss
    @representable
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
        return _scalar_or_array(self.E + self._term(self.A, n, self.alpha) + self._term(self.B, d, self.beta))

    @staticmethod
    def _term(
        scale: float, x: NDArray[np.float64], exponent: float, log_x: NDArray[np.float64] | None = None
    ) -> NDArray[np.float64]:
        """``scale * x**-exponent``, in log space where a step leaves the double range (``log_x``: ``ln x``, if known)."""
        power = x ** (-exponent)
        lx = (lambda: np.log(x)) if log_x is None else (lambda: log_x)
        return exact_or_log(scale * power, lambda: math.log(scale) - exponent * lx(), x, power)

    # ------------------------------------------------------- allocation
    @property
    def a(self) -> float:
        """Allocation exponent of parameters, ``N_opt ∝ C**a`` with ``a = beta / (alpha + beta)``."""
        total = self.alpha + self.beta
        return self.beta / total if math.isfinite(total) else 1.0 / (1.0 + self.alpha / self.beta)

    @property
    def b(self) -> float:
        """Allocation exponent of tokens, ``D_opt ∝ C**b`` with ``b = alpha / (alpha + beta)``."""
        total = self.alpha + self.beta
        return self.alpha / total if math.isfinite(total) else 1.0 / (1.0 + self.beta / self.alpha)

    @property
    def G(self) -> float:
        """The allocation prefactor ``G = (alpha A / (beta B))**(1 / (alpha + beta))`` (eq. 4).

        Raises :class:`ValueError` for a law whose ``G`` is beyond double precision
        (e.g. ``alpha + beta`` of 1e-300); :meth:`optimal_allocation` does not need ``G``.
        """
        log_g = self._log_G
        if not -708.0 < log_g < 709.0:
            raise ValueError(
                f"{self!r}: G = exp({log_g:.6g}) is not representable in double precision; "
                "alpha, beta, A and B must keep log(alpha A / (beta B)) / (alpha + beta) within (-708, 709)"
            )
        with np.errstate(all="ignore"):
            ratio = np.float64(self.alpha) * self.A / (np.float64(self.beta) * self.B)
            direct = ratio ** (1.0 / (self.alpha + self.beta))
        return float(exact_or_log(direct, lambda: log_g, ratio))

    @property
    def _log_G(self) -> float:
        """``ln G``, from the logs of the parameters (finite, or +-inf for a law whose G is beyond any double)."""
        log_ratio = math.log(self.alpha) + math.log(self.A) - math.log(self.beta) - math.log(self.B)
        total = self.alpha + self.beta
        if math.isfinite(total):
            return log_ratio / total
        return log_ratio / self.alpha / (1.0 + self.beta / self.alpha)

    @representable
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

        Raises
        ------
        TypeError, ValueError
            If ``C`` is not finite and positive, or ``N_opt`` or ``D_opt`` is outside the
            range of double precision.
        """
        c = positive(C, "C")
        return tuple(_scalar_or_array(x) for x in self._log_allocation(c)[2:])  # type: ignore[return-value]

    def _log_allocation(
        self, c: NDArray[np.float64]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        """``(ln N_opt, ln D_opt, N_opt, D_opt)`` at budgets ``c``; the last two as eq. 4 is written
        wherever every step is an ordinary double, and from the logs elsewhere."""
        c6 = c / 6.0
        log_c6 = np.log(c) - math.log(6.0)
        log_g = self._log_G
        if not math.isfinite(log_g):
            raise NotRepresentable(f"ln G = {log_g} for this law: N_opt and D_opt are beyond double precision")
        log_n = log_g + self.a * log_c6
        log_d = self.b * log_c6 - log_g
        if -708.0 < log_g < 709.0:
            g = self.G
            pa, pb = c6**self.a, c6**self.b
            n_opt = exact_or_log(g * pa, lambda: log_n, c6, pa)
            d_opt = exact_or_log(pb / g, lambda: log_d, c6, pb)
        else:
            n_opt, d_opt = np.exp(log_n), np.exp(log_d)
        return log_n, log_d, n_opt, d_opt

    @representable
    def tokens_per_parameter(self, C: ArrayLike) -> NDArray[np.float64] | float:
        """``D_opt / N_opt`` at a budget of ``C`` FLOPs (about 20 at Chinchilla's scale)."""
        c = positive(C, "C")
        log_n, log_d, n_opt, d_opt = self._log_allocation(c)
        ratio = exact_or_log(d_opt / n_opt, lambda: log_d - log_n, n_opt, d_opt)
        return _scalar_or_array(ratio)

    @representable
    def optimal_loss(self, C: ArrayLike) -> NDArray[np.float64] | float:
        """Loss of the compute-optimal model at a budget of ``C`` FLOPs (nats per token).

        ``L(N_opt, D_opt)``; where ``N_opt`` or ``D_opt`` would leave the double range the
        two terms are computed from their logarithms, so the loss stays right.
        """
        c = positive(C, "C")
        log_n, log_d, n_opt, d_opt = self._log_allocation(c)
        reducible = self._term(self.A, n_opt, self.alpha, log_n) + self._term(self.B, d_opt, self.beta, log_d)
        return _scalar_or_array(self.E + reducible)

    @representable(positive=True)
    def compute_for_params(self, N: ArrayLike) -> NDArray[np.float64] | float:
        """The budget (FLOPs) at which ``N`` parameters is compute-optimal: inverse of ``N_opt(C)``.

        Raises
        ------
        TypeError, ValueError
            If ``N`` is not finite and positive, or the budget is outside the range of
            double precision.
        """
        n = positive(N, "N")
        log_g = self._log_G
        if not math.isfinite(log_g):
            raise NotRepresentable(f"ln G = {log_g} for this law: the budgets are beyond double precision")
        inv_a = 1.0 + self.alpha / self.beta  # 1 / a
        log_c = math.log(6.0) + (np.log(n) - log_g) * inv_a
        if not -708.0 < log_g < 709.0 or self.a == 0:
            return _scalar_or_array(np.exp(log_c))
        base = n / self.G
        power = base ** (1.0 / self.a)
        return _scalar_or_array(exact_or_log(6.0 * power, lambda: log_c, base, power))

    # --------------------------------------------------------- helpers
    @classmethod
    def from_log_params(
        cls, a: float, b: float, e: float, alpha: float, beta: float, source: str = ""
    ) -> "ChinchillaLaw":
        """Build a law from the fit's log-parametrisation ``A = e**a, B = e**b, E = e**e``.

        Raises
        ------
        TypeError
            If an argument is not a real number.
        ValueError
            If ``a``, ``b`` or ``e`` is not finite or its exponential is outside the range of
            double precision (each must lie in (-708, 709); ``e`` may also be very negative,
            giving ``E = 0``), or ``alpha`` or ``beta`` is not finite and positive.
        """
        logs = {name: float(finite(v, name, scalar=True)) for name, v in (("a", a), ("b", b), ("e", e))}
        for name in ("a", "b"):
            if not -708.0 < logs[name] < 709.0:
                raise ValueError(
                    f"{name} must be in (-708, 709) so that {name.upper()} = exp({name}) is representable "
                    f"(a positive double), got {show(logs[name])}"
                )
        if logs["e"] >= 709.0:
            raise ValueError(
                f"e must be below 709 so that E = exp(e) is representable, got {show(logs['e'])}"
            )
        al = float(positive(alpha, "alpha", scalar=True))
        be = float(positive(beta, "beta", scalar=True))
        return cls(E=math.exp(logs["e"]), A=math.exp(logs["a"]), B=math.exp(logs["b"]), alpha=al, beta=be,
                   source=source)

    def as_dict(self) -> dict[str, float]:
        """The five parameters as a plain dict (for tables and JSON); :meth:`from_dict` reads it back."""
        return {"E": self.E, "A": self.A, "B": self.B, "alpha": self.alpha, "beta": self.beta}

    # ------------------------------------------------------- saving a law
    PARAMETERS = ("E", "A", "B", "alpha", "beta")
    """The five parameters, in the order of :meth:`as_dict` and of the JSON format."""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "ChinchillaLaw":
        """A law from a mapping with the keys ``E``, ``A``, ``B``, ``alpha``, ``beta`` (and optionally ``source``).

        The inverse of :meth:`as_dict` (which leaves out ``source``) and of the JSON that
        :meth:`to_json` writes. The values are checked as the constructor checks them.

        Raises
        ------
        TypeError
            If ``data`` is not a mapping, or a value is not a real number (text such as
            ``"1.69"``, a boolean, ``None``), or ``source`` is not text.
        ValueError
            If a parameter is missing, a key is not one of the six (a misspelt ``Alpha`` is
            refused, not ignored), or a value is out of range (``E < 0``; ``A``, ``B``,
            ``alpha``, ``beta`` not > 0; anything not finite).
        """
        if not isinstance(data, Mapping):
            raise TypeError(f"a law must be given as a mapping of its parameters, got {type(data).__name__} {show(data)}")
        allowed = (*cls.PARAMETERS, "source")
        unknown = [str(k) for k in data if k not in allowed]
        if unknown:
            raise ValueError(
                f"unknown law parameter(s) {', '.join(map(repr, unknown))}: a law has exactly "
                f"{', '.join(cls.PARAMETERS)} (and optionally source); names are case-sensitive"
            )
        missing = [k for k in cls.PARAMETERS if k not in data]
        if missing:
            raise ValueError(
                f"the law is missing {', '.join(missing)}: give all five of {', '.join(cls.PARAMETERS)}"
            )
        return cls(**{k: data[k] for k in cls.PARAMETERS}, source=data.get("source", ""))

    def to_json(self) -> str:
        """The law as a JSON object: the five parameters at full precision, and ``source`` (a fit can be saved so).

        ``ChinchillaLaw.from_json(law.to_json()) == law``, and ``python -m scaling ... --law-file
        law.json`` reads the file. Python's ``repr`` of a float, which JSON keeps, round-trips exactly.

        Examples
        --------
        >>> law = ChinchillaLaw(E=1.69, A=406.4, B=410.7, alpha=0.34, beta=0.28, source="printed")
        >>> print(law.to_json())
        {"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28, "source": "printed"}
        """
        return json.dumps({**self.as_dict(), "source": self.source}, allow_nan=False)

    @classmethod
    def from_json(cls, text: str) -> "ChinchillaLaw":
        """A law from the JSON :meth:`to_json` writes (an object with ``E``, ``A``, ``B``, ``alpha``, ``beta``).

        Raises
        ------
        TypeError
            If ``text`` is not a string, or a value is not a number (see :meth:`from_dict`).
        ValueError
            If ``text`` is not JSON (the message gives the line and column), is not a JSON
            object, holds ``NaN`` or ``Infinity`` (which Python's ``json`` would otherwise
            accept), or its parameters are missing, unknown or out of range.
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be a str (the JSON of a law), got {type(text).__name__}")

        def refuse(constant: str) -> float:
            raise ValueError(f"{constant} is not a finite number: a law's parameters must be finite")

        try:
            data = json.loads(text, parse_constant=refuse)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
        if not isinstance(data, dict):
            raise ValueError(
                f"the JSON of a law must be an object such as "
                f'{{"E": 1.69, "A": 406.4, "B": 410.7, "alpha": 0.34, "beta": 0.28}}, got a {type(data).__name__}'
            )
        return cls.from_dict(data)
