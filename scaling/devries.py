"""de Vries (2023): the compute overhead of smaller-than-optimal models. Filled in by the Part III work."""

from __future__ import annotations

from .laws import ChinchillaLaw

__all__ = ["data_factor", "compute_overhead"]


def data_factor(k_N: float, law: ChinchillaLaw) -> float:
    """Not written yet."""
    raise NotImplementedError("data_factor is written by the Part III issue")


def compute_overhead(k_N: float, law: ChinchillaLaw) -> float:
    """Not written yet."""
    raise NotImplementedError("compute_overhead is written by the Part III issue")
