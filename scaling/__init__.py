"""scaling: the helper package of the book *Scaling Laws, Reproduced*.

Modules
-------
units
    FLOPs, PF-days, ``6 N D``, Kaplan's parameter and FLOP counts.
powerlaw
    Power laws fitted on log-log axes, with standard errors.
laws
    :class:`ChinchillaLaw`, ``L(N, D) = E + A/N**alpha + B/D**beta``, and its optimal allocation.
published
    Every published constant the book reproduces, with its citation.
datasets
    Loaders for the third-party data (downloaded, checksummed, cached).
kaplan
    Kaplan et al. (2020): L(N), L(D), L(C), L(N, D), L(N, S), critical batch, frontier.
fitting
    Hoffmann et al.'s Approach 3 (:func:`fit_parametric`), IsoFLOP profiles, bootstrap.
chinchilla
    Hoffmann et al.'s Approaches 1 and 2 and the allocation fits.
devries
    de Vries (2023): data factor, compute overhead, critical model size.
report
    Paper-vs-reproduced tables and the checks behind them.
plotting
    The book's figure style. Imported on first access (``scaling.plotting``),
    so that ``import scaling`` does not pay for importing matplotlib.

Every submodule above is available after a plain ``import scaling``, e.g.
``scaling.published.KAPLAN2020`` or ``scaling.datasets.chinchilla_runs()``.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from . import chinchilla, datasets, devries, fitting, kaplan, laws, powerlaw, published, report, units
from .devries import compute_overhead, data_factor
from .fitting import ParametricFit, fit_parametric
from .laws import ChinchillaLaw
from .powerlaw import PowerLawFit, fit_power_law
from .units import PF_DAY, training_compute

__version__ = "0.1.0"

_LAZY_SUBMODULES = ("plotting",)
"""Submodules imported on first attribute access: ``plotting`` imports matplotlib (about 0.5 s)."""

__all__ = [
    # submodules
    "chinchilla",
    "datasets",
    "devries",
    "fitting",
    "kaplan",
    "laws",
    "plotting",
    "powerlaw",
    "published",
    "report",
    "units",
    # the most used names, re-exported
    "ChinchillaLaw",
    "PF_DAY",
    "ParametricFit",
    "PowerLawFit",
    "compute_overhead",
    "data_factor",
    "fit_parametric",
    "fit_power_law",
    "training_compute",
]


def __getattr__(name: str) -> ModuleType:
    """Import :data:`_LAZY_SUBMODULES` on first access (PEP 562)."""
    if name in _LAZY_SUBMODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY_SUBMODULES))
