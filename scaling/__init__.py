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
planner
    The closed forms of ``devries`` for planning a run, without SciPy: what ``python -m scaling``
    and the book's calculator compute.
report
    Paper-vs-reproduced tables and the checks behind them.
plotting
    The book's figure style.
cli
    ``python -m scaling``.

Every submodule and every name re-exported below is available after a plain
``import scaling`` (``scaling.published.KAPLAN2020``, ``scaling.datasets.chinchilla_runs()``)
and as ``from scaling import fit_parametric``. Each is imported on first use (PEP 562), so
that ``import scaling`` costs nothing and ``python -m scaling plan`` loads NumPy and the
closed forms only, not pandas, SciPy or matplotlib.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_SUBMODULES = ("chinchilla", "cli", "datasets", "devries", "fitting", "kaplan", "laws", "planner", "plotting",
               "powerlaw", "published", "report", "units")
"""Submodules imported on first attribute access (``scaling.kaplan``)."""

_REEXPORTS = {
    "ChinchillaLaw": "laws",
    "PF_DAY": "units",
    "ParametricFit": "fitting",
    "PowerLawFit": "powerlaw",
    "compute_overhead": "devries",
    "data_factor": "devries",
    "fit_parametric": "fitting",
    "fit_power_law": "powerlaw",
    "training_compute": "units",
}
"""The most used names, by the submodule that defines them (``from scaling import ChinchillaLaw``)."""

__all__ = sorted({*_SUBMODULES, *_REEXPORTS} - {"cli"})

if TYPE_CHECKING:  # for type checkers and editors: the names as if imported eagerly
    from . import (chinchilla, cli, datasets, devries, fitting, kaplan, laws, planner, plotting, powerlaw,
                   published, report, units)
    from .devries import compute_overhead, data_factor
    from .fitting import ParametricFit, fit_parametric
    from .laws import ChinchillaLaw
    from .powerlaw import PowerLawFit, fit_power_law
    from .units import PF_DAY, training_compute


def __getattr__(name: str) -> Any:
    """Import a submodule, or the submodule that defines a re-exported name, on first access (PEP 562)."""
    if name in _SUBMODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    if name in _REEXPORTS:
        value = getattr(importlib.import_module(f"{__name__}.{_REEXPORTS[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_SUBMODULES) | set(_REEXPORTS))
