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
devries
    de Vries (2023): data factor, compute overhead, critical model size.
plotting
    The book's figure style.
"""

from .devries import compute_overhead, data_factor
from .fitting import ParametricFit, fit_parametric
from .laws import ChinchillaLaw
from .powerlaw import PowerLawFit, fit_power_law
from .units import PF_DAY, training_compute

__version__ = "0.1.0"

__all__ = [
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
