"""Published constants, each as a named object with its citation.

These are the *targets* the book reproduces, transcribed from the papers.
They are inputs to comparisons ("paper vs reproduced" tables) and to the
laws the papers state; the book never feeds a published *result* into the
computation that is supposed to reproduce it.

Sources
-------
* Kaplan et al. (2020), "Scaling Laws for Neural Language Models", arXiv:2001.08361.
* Hoffmann et al. (2022), "Training Compute-Optimal Large Language Models", arXiv:2203.15556.
* Besiroglu et al. (2024), "Chinchilla Scaling: A replication attempt", arXiv:2404.10102.
* de Vries (2023), "Go smol or go home", harmdevries.com/post/model-size-vs-compute-overhead.

Transcribed tables (Table 2, 3, A3 of Hoffmann et al., ...) live as CSV files
in the repository's ``data/`` folder; :func:`table` reads them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING

from ._validate import positive, show, text, whole
from .laws import ChinchillaLaw

if TYPE_CHECKING:  # pandas is imported by table() alone: the constants load without it (python -m scaling)
    import pandas as pd

__all__ = [
    "KaplanConstants",
    "KaplanJointND",
    "KaplanJointNS",
    "KaplanAllocation",
    "KAPLAN2020",
    "KAPLAN2020_ND",
    "KAPLAN2020_NS",
    "KAPLAN2020_ALLOCATION",
    "HOFFMANN2022",
    "HOFFMANN2022_UNROUNDED",
    "BESIROGLU2024",
    "BESIROGLU2024_REPORTED",
    "BESIROGLU2024_PRINTED_E",
    "BESIROGLU2024_SE",
    "BESIROGLU2024_SE_RERUN",
    "DEVRIES2023",
    "CHINCHILLA_LAWS",
    "CHINCHILLA_TOKENS_PER_PARAMETER",
    "Model",
    "MODELS",
    "DATA_DIR",
    "table",
]

KAPLAN_CITATION = "Kaplan et al. (2020), arXiv:2001.08361"
HOFFMANN_CITATION = "Hoffmann et al. (2022), arXiv:2203.15556"
BESIROGLU_CITATION = "Besiroglu et al. (2024), arXiv:2404.10102"
DEVRIES_CITATION = "de Vries (2023), 'Go smol or go home'"


def _check_constants(obj: object) -> None:
    """Every number field of a Kaplan dataclass must be a finite real number > 0 (exponents and scales)."""
    cls = type(obj).__name__
    for f in fields(obj):  # type: ignore[arg-type]
        value = getattr(obj, f.name)
        if f.name == "source":
            text(value, f"{cls}.source")
            continue
        object.__setattr__(obj, f.name, float(positive(value, f"{cls}.{f.name}", scalar=True)))


# --------------------------------------------------------------------------- Kaplan
@dataclass(frozen=True)
class KaplanConstants:
    """The single-variable fits of Kaplan et al. (2020), Section 1.2 and Table 5.

    Losses are nats per token on WebText2; ``N`` counts non-embedding
    parameters; compute scales are in PF-days; ``B_star`` in tokens.
    """

    alpha_N: float
    """Exponent of ``L(N) = (N_c / N)**alpha_N`` (eq. 1.1)."""
    N_c: float
    """Scale of L(N), non-embedding parameters."""
    alpha_D: float
    """Exponent of ``L(D) = (D_c / D)**alpha_D`` (eq. 1.2)."""
    D_c: float
    """Scale of L(D), tokens."""
    alpha_C: float
    """Exponent of the naive fixed-batch ``L(C) = (C_c / C)**alpha_C``."""
    C_c: float
    """Scale of the naive L(C), PF-days."""
    alpha_C_min: float
    """Exponent of ``L(C_min) = (C_c_min / C_min)**alpha_C_min`` (eq. 1.3)."""
    C_c_min: float
    """Scale of L(C_min), PF-days, as in the text and Table 5 (Figure 1's legend prints 2.3e8)."""
    alpha_B: float
    """Exponent of the critical batch size ``B_crit(L) = B_star / L**(1 / alpha_B)`` (eq. 1.4)."""
    B_star: float
    """Scale of B_crit, tokens (Table 5: 2.1e8; eq. 1.4 rounds it to 2e8)."""
    alpha_S: float
    """Exponent of the steps term of L(N, S) (eq. 1.6, Table 3)."""
    S_c: float
    """Scale of the steps term of L(N, S), optimisation steps."""
    C_c_min_figure1: float = 2.3e8
    """The C_min scale as printed in the legends of Figures 1 and 13 (disagrees with the text's 3.1e8)."""
    C_c_figure13: float = 2.0e7
    """The scale of the naive L(C) as printed in Figure 13's legend, ``L = (C/2.0e7)**-0.057`` (Table 5: 1.6e7)."""
    source: str = field(default=KAPLAN_CITATION + ", Section 1.2 and Table 5", compare=False)

    def __post_init__(self) -> None:
        _check_constants(self)


KAPLAN2020 = KaplanConstants(
    alpha_N=0.076,
    N_c=8.8e13,
    alpha_D=0.095,
    D_c=5.4e13,
    alpha_C=0.057,
    C_c=1.6e7,
    alpha_C_min=0.050,
    C_c_min=3.1e8,
    alpha_B=0.21,
    B_star=2.1e8,
    alpha_S=0.76,
    S_c=2.1e3,
)
"""Kaplan et al. (2020) headline fits (Section 1.2, Table 5)."""


@dataclass(frozen=True)
class KaplanJointND:
    """``L(N, D) = [(N_c / N)**(alpha_N / alpha_D) + D_c / D]**alpha_D`` (eq. 1.5, Table 2)."""

    alpha_N: float
    alpha_D: float
    N_c: float
    D_c: float
    source: str = field(default=KAPLAN_CITATION + ", eq. 1.5 and Table 2", compare=False)

    def __post_init__(self) -> None:
        _check_constants(self)


KAPLAN2020_ND = KaplanJointND(alpha_N=0.076, alpha_D=0.103, N_c=6.4e13, D_c=1.8e13)
"""The joint L(N, D) fit with its own constants (Kaplan Table 2)."""


@dataclass(frozen=True)
class KaplanJointNS:
    """``L(N, S) = (N_c / N)**alpha_N + (S_c / S_min)**alpha_S`` (eq. 1.6, Table 3)."""

    alpha_N: float
    alpha_S: float
    N_c: float
    S_c: float
    source: str = field(default=KAPLAN_CITATION + ", eq. 1.6 and Table 3", compare=False)

    def __post_init__(self) -> None:
        _check_constants(self)


KAPLAN2020_NS = KaplanJointNS(alpha_N=0.077, alpha_S=0.76, N_c=6.5e13, S_c=2.1e3)
"""The learning-curve fit L(N, S) with its own constants (Kaplan Table 3)."""


@dataclass(frozen=True)
class KaplanAllocation:
    """Measured compute-efficient allocation, ``quantity = prefactor * C_min**exponent`` (Table 6).

    ``C_min`` in PF-days; N in non-embedding parameters, B and D in tokens, S in steps.
    """

    N_prefactor: float
    N_exponent: float
    B_prefactor: float
    B_exponent: float
    S_prefactor: float
    S_exponent: float
    D_prefactor: float
    D_exponent: float
    N_fixed_batch_prefactor: float = 1.6e9
    """Figure 14's fixed-batch fit ``N = 1.6e9 C**0.88``."""
    N_fixed_batch_exponent: float = 0.88
    source: str = field(default=KAPLAN_CITATION + ", Table 6 and Figure 14", compare=False)

    def __post_init__(self) -> None:
        _check_constants(self)


KAPLAN2020_ALLOCATION = KaplanAllocation(
    N_prefactor=1.3e9,
    N_exponent=0.73,
    B_prefactor=2.0e6,
    B_exponent=0.24,
    S_prefactor=5.4e3,
    S_exponent=0.03,
    D_prefactor=2e10,
    D_exponent=0.27,
)
"""Kaplan's measured compute-efficient frontier (Table 6)."""


# ------------------------------------------------------------------ Chinchilla laws
HOFFMANN2022 = ChinchillaLaw(
    E=1.69,
    A=406.4,
    B=410.7,
    alpha=0.34,
    beta=0.28,
    source=HOFFMANN_CITATION + ", eq. (10) / Appendix D.2 (rounded, as printed)",
)
"""Hoffmann et al.'s Approach-3 law as printed (rounded)."""

HOFFMANN2022_UNROUNDED = ChinchillaLaw(
    E=math.exp(0.5267228),
    A=math.exp(6.0073404),
    B=math.exp(6.0179186),
    alpha=0.33917084,
    beta=0.2849083,
    source=HOFFMANN_CITATION + ", unrounded values from the TeX source, as quoted by " + BESIROGLU_CITATION,
)
"""Hoffmann et al.'s Approach-3 law, unrounded (from a comment in the paper's TeX source)."""

BESIROGLU2024 = ChinchillaLaw(
    E=1.8172,
    A=477.84,
    B=2143.86,
    alpha=0.3473,
    beta=0.3672,
    source=BESIROGLU_CITATION + ": their notebook data_analysis.ipynb (epoch-research/analyzing-chinchilla), "
    "'Replicate exactly': the best of 4,500 L-BFGS-B starts of the summed Huber loss (objective 1.01827e-3); "
    "not printed in the paper",
)
"""Approach 3 refitted to the 240 extracted runs exactly as Hoffmann et al. describe it (summed Huber
loss, delta = 1e-3, best of the 4,500-start grid), as the replication's notebook prints it
(``A=477.84171..., B=2143.86378..., E=1.81723..., alpha=0.34731..., beta=0.36718...``).
These are **not** the estimates the paper reports: those are :data:`BESIROGLU2024_REPORTED`."""

BESIROGLU2024_REPORTED = ChinchillaLaw(
    E=1.82,
    A=482.01,
    B=2085.43,
    alpha=0.3478,
    beta=0.3658,
    source=BESIROGLU_CITATION + ", reported estimates: a maximum-likelihood fit (Huber density of the "
    "log-loss residuals, delta = 1e-3, with a fitted scale; BFGS from Hoffmann et al.'s parameters)",
)
"""The replication's reported estimates. They are **not** bootstrap medians: their notebook obtains
them from a separate maximum-likelihood fit, the log-loss residuals having the density
``exp(-Huber_delta(r/s)) / (s Z(delta))`` with ``delta = 1e-3`` and a fitted scale ``s``, minimised by
BFGS from Hoffmann et al.'s unrounded parameters (``scaling.fitting.fit_parametric_likelihood``
reproduces it). Only the standard errors, :data:`BESIROGLU2024_SE`, come from the bootstrap."""

BESIROGLU2024_PRINTED_E: float = 1.8172
"""The irreducible loss ``E`` as the replication's paper prints it, beside :data:`BESIROGLU2024_REPORTED`'s
A, B, alpha and beta (nats per token). :data:`BESIROGLU2024_REPORTED` holds ``E = 1.82``, the value their
notebook printed (two decimals) in the run behind the paper (commit 4c97be9 of epoch-research/analyzing-chinchilla;
a rerun, commit f341459, prints 1.81686); the paper's four decimals, 1.8172, are 0.15 % lower. The maximum-likelihood fit that gives the other four estimates has ``E = 1.81686`` (1.8169 to four
decimals); 1.8172 is instead the ``E`` of the summed-Huber optimum, :data:`BESIROGLU2024` (1.81724)."""

BESIROGLU2024_SE: dict[str, float] = {"E": 0.03, "A": 124.58, "B": 1293.23, "alpha": 0.02, "beta": 0.02}
"""Standard errors the replication reports for :data:`BESIROGLU2024_REPORTED`: the standard deviations
over 4,000 bootstrap resamples (``numpy.random.seed(42)``), each refitted by BFGS on the summed Huber
loss from Hoffmann et al.'s parameters. They match the first run of their notebook (commit 4c97be9);
its later reruns print :data:`BESIROGLU2024_SE_RERUN`."""

BESIROGLU2024_SE_RERUN: dict[str, float] = {
    "E": 0.02566, "A": 124.52232, "B": 1293.28410, "alpha": 0.01540, "beta": 0.02060,
}
"""The same bootstrap standard errors as printed by the latest version of their notebook (commit f341459):
same resamples, a rerun of the same code."""

BESIROGLU2024_INTERVALS_RERUN: dict[str, tuple[float, float]] = {
    "A": (285.214, 743.626), "B": (1042.357, 5810.344), "E": (1.769, 1.871),
    "alpha": (0.317, 0.373), "beta": (0.331, 0.415),
}
"""The 2.5th and 97.5th percentiles of the 4,000 bootstrap fits ("95% Confidence Intervals for Parameter
Estimates"), as the latest version of their notebook prints them (commit f341459)."""

BESIROGLU2024_LIKELIHOOD_PRINTED: dict[str, float] = {
    "a": 6.17795598, "b": 7.64273236, "e": 0.59711196, "alpha": 0.34781303, "beta": 0.36585412,
    "log_scale": -12.26662388, "neg_log_likelihood": -879.7731390602353,
}
"""The maximum-likelihood fit as their notebook prints it (``result.x`` to 8 decimals and
``result.fun``; ``A = e**a``, ``B = e**b``, ``E = e**e``, scale ``e**log_scale``). SciPy's BFGS ended
it with "Desired error not necessarily achieved due to precision loss" (``success: False``); the later
rerun stopped at the same ``x`` with ``fun = -879.7731390602344``."""

BESIROGLU2024_OBJECTIVE: float = 1.01827e-3
"""Summed Huber objective at :data:`BESIROGLU2024` (their notebook prints 0.0010182740346...)."""

DEVRIES2023 = ChinchillaLaw(
    E=1.62,
    A=406.4,
    B=410.7,
    alpha=0.336,
    beta=0.283,
    source=DEVRIES_CITATION + " (alpha, beta adjusted to match Table A3; E plays no part)",
)
"""de Vries' adjusted parameters (alpha 0.336, beta 0.283)."""

CHINCHILLA_LAWS: dict[str, ChinchillaLaw] = {
    "printed": HOFFMANN2022,
    "unrounded": HOFFMANN2022_UNROUNDED,
    "replicated": BESIROGLU2024,
    "devries": DEVRIES2023,
}
"""The parameter sets by short name (used by the command-line tool's ``--law``)."""


# --------------------------------------------------------------------------- models
@dataclass(frozen=True)
class Model:
    """A published model: its size and training data, and its shape where known."""

    name: str
    params: float
    """Parameters as the model's paper quotes them."""
    tokens: float | None
    """Training tokens (``None`` where the paper does not publish them)."""
    n_layer: int | None = None
    d_model: int | None = None
    n_heads: int | None = None
    n_ctx: int | None = None
    source: str = ""
    n_vocab: int | None = None
    """Vocabulary size, where published (for the embedding count)."""

    def __post_init__(self) -> None:
        if not text(self.name, "Model.name"):
            raise ValueError("Model.name must be a non-empty string, got ''")
        object.__setattr__(self, "params", float(positive(self.params, "Model.params", scalar=True)))
        if self.tokens is not None:
            object.__setattr__(self, "tokens", float(positive(self.tokens, "Model.tokens", scalar=True)))
        for name in ("n_layer", "d_model", "n_heads", "n_ctx", "n_vocab"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, whole(value, f"Model.{name}", minimum=1))
        text(self.source, "Model.source")

    def _tokens(self) -> float:
        if self.tokens is None:
            raise ValueError(f"{self.name}: the training tokens are not published, so this is undefined")
        return self.tokens

    def _representable(self, value: float, what: str) -> float:
        if not (math.isfinite(value) and value >= 2.2250738585072014e-308):
            raise ValueError(
                f"{self.name}: {what} for params={show(self.params)}, tokens={show(self.tokens)} is not "
                "representable in double precision (it must lie between 2.2e-308 and 1.8e308)"
            )
        return value

    @property
    def compute(self) -> float:
        """Training compute ``6 N D`` in FLOPs."""
        return self._representable(6.0 * self.params * self._tokens(), "the compute 6 N D")

    @property
    def tokens_per_parameter(self) -> float:
        """``D / N``."""
        return self._representable(self._tokens() / self.params, "D / N")


MODELS: dict[str, Model] = {
    m.name: m
    for m in [
        Model("GPT-2 Small", 117e6, None, 12, 768, 12, 1024, "Radford et al. (2019), Table 2", 50257),
        Model("GPT-2 Medium", 345e6, None, 24, 1024, 16, 1024, "Radford et al. (2019), Table 2", 50257),
        Model("GPT-2 Large", 762e6, None, 36, 1280, 20, 1024, "Radford et al. (2019), Table 2", 50257),
        Model("GPT-2 XL", 1542e6, None, 48, 1600, 25, 1024, "Radford et al. (2019), Table 2", 50257),
        Model("GPT-3 175B", 175e9, 300e9, 96, 12288, 96, 2048, "Brown et al. (2020), Tables 2.1 and 2.2", 50257),
        Model("Gopher", 280e9, 300e9, 80, 16384, 128, 2048, HOFFMANN_CITATION + ", Table 4; Rae et al. (2021), Table 1", 32000),
        Model("Chinchilla", 70e9, 1.4e12, 80, 8192, 64, 2048, HOFFMANN_CITATION + ", Table 4", 32000),
        Model("LLaMA-7B", 6.9e9, 1.0e12, 32, 4096, 32, 2048, "Touvron et al. (2023a), as used by " + DEVRIES_CITATION),
        Model("SantaCoder", 1.1e9, 236e9, None, None, None, 2048, "Allal et al. (2023), as used by " + DEVRIES_CITATION),
        Model("Llama 2 7B", 7e9, 2.0e12, 32, 4096, 32, 4096, "Touvron et al. (2023b), Table 1"),
        Model("Llama 2 70B", 70e9, 2.0e12, 80, 8192, 64, 4096, "Touvron et al. (2023b), Table 1"),
        Model("Llama 3 8B", 8e9, 15e12, 32, 4096, 32, 8192, "Grattafiori et al. (2024), Llama 3 model card"),
        Model("Llama 3 70B", 70e9, 15e12, 80, 8192, 64, 8192, "Grattafiori et al. (2024), Llama 3 model card"),
    ]
}
"""Published models by name. GPT-2's token counts are not published (``tokens=None``)."""


# --------------------------------------------------------------------------- tables
# In a clone (or an editable install) the tables are the repository's data/ folder; an installed wheel
# carries a copy inside the package, scaling/data/ (pyproject.toml maps one onto the other).
_HERE = Path(__file__).resolve().parent
DATA_DIR: Path = _HERE / "data" if (_HERE / "data").is_dir() else _HERE.parent / "data"
"""The tables transcribed from the papers, with their sources: the repository's ``data/`` folder, or its
copy inside an installed wheel."""


def table(name: str) -> pd.DataFrame:
    """Read a transcribed table from ``data/<name>.csv``.

    Each CSV starts with ``#`` comment lines that give its source (paper,
    table, page); they are skipped here. Cells the paper leaves empty are NaN.

    Raises
    ------
    TypeError
        If ``name`` is not a string.
    FileNotFoundError
        If there is no such table; the message lists the ones there are. (It is also a
        :class:`ValueError`: a name outside the list of tables.)
    """
    text(name, "name")
    have = sorted(p.stem for p in DATA_DIR.glob("*.csv"))
    path = DATA_DIR / f"{name}.csv"
    if name not in have or not path.is_file():
        raise _NoSuchTable(
            f"no transcribed table {name!r} at {path}; name must be one of: {', '.join(have) or 'none'} "
            "(the tables ship with the repository: install it with `pip install -e .` from a clone)"
        )
    import pandas as pd

    return pd.read_csv(path, comment="#")


class _NoSuchTable(FileNotFoundError, ValueError):
    """:func:`table` was asked for a table that is not there: a missing file and a bad name both."""


# ------------------------------------------------------------------ quoted budgets
GPT3_COMPUTE_FLOPS: float = 3.14e23
"""GPT-3 175B's training compute, Brown et al. (2020), Table D.1 (FLOPs)."""

GPT3_COMPUTE_PF_DAYS: float = 3.64e3
"""GPT-3 175B's training compute, Brown et al. (2020), Table D.1 (PF-days)."""

CHINCHILLA_BUDGET_FLOPS: float = 5.76e23
"""Gopher's training budget as Hoffmann et al. (2022) print it (FLOPs): Figure 2's caption and Table 3's 67 B row.

Section 4 says Chinchilla and Gopher used the same number of FLOPs but prints no number; Appendix F says
the authors' own, slightly more accurate count gives 6.3e23 against this 5.76e23, the value of Rae et al. (2021).
"""

GPT3_TOKENS_PER_PARAMETER: float = 1.7
"""'About 1.7 tokens per parameter' for GPT-3, as the book's second source text quotes it.

It is 300 B / 175 B (Brown et al. 2020, as listed in Hoffmann et al. 2022, Table 1); neither paper prints the ratio.
"""

CHINCHILLA_TOKENS_PER_PARAMETER: float = 20.0
"""The 'about 20 tokens per parameter' rule of thumb drawn from Hoffmann et al. (2022)."""


# ------------------------------------------------------------------ Kaplan's training set-up
@dataclass(frozen=True)
class KaplanSetup:
    """How Kaplan et al. (2020) trained their models (Section 2.2-2.3 and Appendix D.6)."""

    optimizer: str
    steps: int
    """Training steps of a standard run."""
    batch_sequences: int
    """Sequences per batch."""
    n_ctx: int
    """Context length, tokens."""
    warmup_steps: int
    schedule: str
    lr_intercept: float
    """Learning-rate fit ``LR(N) = lr_intercept + lr_slope * ln N`` (eq. D.1)."""
    lr_slope: float
    dataset: str
    documents: float
    dataset_gb: float
    dataset_tokens: float
    """WebText2 tokens (training plus test)."""
    test_tokens: float
    n_vocab: int
    N_range: tuple[float, float]
    """Smallest and largest non-embedding parameter counts studied."""
    D_range: tuple[float, float]
    """Smallest and largest data set sizes studied, tokens."""
    seed_noise: float
    """The paper's estimate of the loss variation between random seeds, "roughly 0.02" (Section 4.2).

    The paper does not say how it was measured; it uses it as the threshold on the relative overfitting
    penalty delta L of eq. 4.3, i.e. as a fraction of the loss, which is how eq. 4.4's prefactor follows.
    """
    source: str = field(default=KAPLAN_CITATION + ", Sections 2.2-2.3, 4.2 and Appendix D.6", compare=False)

    @property
    def batch_tokens(self) -> int:
        """Tokens per batch, ``batch_sequences * n_ctx`` (2**19)."""
        return self.batch_sequences * self.n_ctx


KAPLAN2020_SETUP = KaplanSetup(
    optimizer="Adam (Adafactor above 1 B parameters)",
    steps=250_000,
    batch_sequences=512,
    n_ctx=1024,
    warmup_steps=3000,
    schedule="linear warm-up, then cosine decay to zero",
    lr_intercept=0.003239,
    lr_slope=-0.0001395,
    dataset="WebText2",
    documents=20.3e6,
    dataset_gb=96.0,
    dataset_tokens=2.29e10,
    test_tokens=6.6e8,
    n_vocab=50257,
    N_range=(768.0, 1.5e9),
    D_range=(22e6, 23e9),
    seed_noise=0.02,
)
"""Kaplan et al.'s standard training set-up and data set."""
