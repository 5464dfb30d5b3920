"""Loaders for the third-party data sets the book analyses.

The files are **not** part of this repository. Each is fetched on first use
from its public address, pinned to a commit so that it cannot change under
us, its SHA-256 is verified, and it is cached (with :mod:`pooch`).

Where the files come from
-------------------------
* ``svg_extracted_data.csv``: the 245 Chinchilla training runs extracted by
  Epoch AI from Figure 4 of Hoffmann et al. (2022), for Besiroglu et al.
  (2024), "Chinchilla Scaling: A replication attempt". No licence stated:
  cite it, do not redistribute it.
* ``summary_df*.pickle.xz``: the sweeps of Porian et al. (2024),
  "Resolving Discrepancies in Compute-Optimal Scaling of Language Models"
  (MIT licence).

Where they are looked for
-------------------------
The environment variable ``SCALING_DATA_DIR`` names a folder that may already
hold the files (the Makefile and ``.ci/run`` set it to ``../shared/data`` when
that folder exists, so no network is needed). A file found there is used
after its checksum is verified. Otherwise the file is downloaded into
``SCALING_DATA_DIR`` if it is writable, or into the user cache
(:func:`pooch.os_cache`) if it is not or the variable is unset.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pooch

__all__ = [
    "DataFile",
    "REGISTRY",
    "DataError",
    "DataFileMissingError",
    "ChecksumMismatchError",
    "ENV_VAR",
    "data_dir",
    "fetch",
    "chinchilla_runs",
    "PORIAN_FILES",
    "porian_settings",
    "porian_runs",
    "porian_optima",
]

ENV_VAR = "SCALING_DATA_DIR"

_EPOCH = (
    "https://raw.githubusercontent.com/epoch-research/analyzing-chinchilla/"
    "92258837425e1b5f2851d624287f0120583a3d0e/data/"
)
_PORIAN = (
    "https://raw.githubusercontent.com/formll/resolving-scaling-law-discrepancies/"
    "859f146abdb9c03f679fb04e9a870402f5585757/data/"
)


@dataclass(frozen=True)
class DataFile:
    """A third-party file: its name, pinned public address, SHA-256 and citation."""

    name: str
    url: str
    sha256: str
    citation: str
    licence: str


REGISTRY: dict[str, DataFile] = {
    f.name: f
    for f in [
        DataFile(
            "svg_extracted_data.csv",
            _EPOCH + "svg_extracted_data.csv",
            "193478df4e90f040016431996c45682659306840ecdadf83cfb9cd5ca0aa1b30",
            "Besiroglu, Erdil, Barnett & You (2024), arXiv:2404.10102; data extracted from "
            "Hoffmann et al. (2022), Figure 4",
            "none stated: cite, do not redistribute",
        ),
        DataFile(
            "summary_df.pickle.xz",
            _PORIAN + "summary_df.pickle.xz",
            "afbf07ec92d23182f56a44dd43599f2a7e9716fd70492fbc0a35f6093272b74f",
            "Porian, Wortsman, Jitsev, Schmidt & Carmon (2024), arXiv:2406.19146",
            "MIT",
        ),
        DataFile(
            "summary_df_att.pickle.xz",
            _PORIAN + "summary_df_att.pickle.xz",
            "40218b8320817bf3c34f82c57aaa28c53ccb5feb9bb3928ee6fc70868ac22af7",
            "Porian, Wortsman, Jitsev, Schmidt & Carmon (2024), arXiv:2406.19146",
            "MIT",
        ),
        DataFile(
            "summary_df_kaplan_tuned_hparams.pickle.xz",
            _PORIAN + "summary_df_kaplan_tuned_hparams.pickle.xz",
            "09b6b91c9c6fa0e4c2684dcbed82475ee62d6c4fc60db5ca2ce5653b08f0ae55",
            "Porian, Wortsman, Jitsev, Schmidt & Carmon (2024), arXiv:2406.19146",
            "MIT",
        ),
        DataFile(
            "summary_df_owt2.pickle.xz",
            _PORIAN + "summary_df_owt2.pickle.xz",
            "7aed67d1ad9bc1d7b0518e3814cee1129216b423b4538d4b724873dd670cff30",
            "Porian, Wortsman, Jitsev, Schmidt & Carmon (2024), arXiv:2406.19146",
            "MIT",
        ),
    ]
}
"""Every third-party file the book uses, by file name."""


class DataError(Exception):
    """Base class of the data loaders' errors."""


class DataFileMissingError(DataError, FileNotFoundError):
    """A data file is not on disk and could not be downloaded."""


class ChecksumMismatchError(DataError, ValueError):
    """A data file on disk does not have the SHA-256 it should have."""


def data_dir() -> Path:
    """The folder looked in first: ``$SCALING_DATA_DIR`` if set, else the user cache."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser().resolve()
    return Path(pooch.os_cache("scaling-laws-reproduced"))


def _download_dir(preferred: Path) -> Path:
    if os.environ.get(ENV_VAR) and preferred.is_dir() and os.access(preferred, os.W_OK):
        return preferred
    if os.environ.get(ENV_VAR) and not preferred.exists():
        try:
            preferred.mkdir(parents=True)
            return preferred
        except OSError:
            pass
    return Path(pooch.os_cache("scaling-laws-reproduced"))


def _in_env_dir(path: Path) -> bool:
    """True if ``path`` sits in the folder named by ``$SCALING_DATA_DIR`` (possibly shared)."""
    env = os.environ.get(ENV_VAR)
    if not env:
        return False
    return path.resolve().parent == Path(env).expanduser().resolve()


def _verify(path: Path, entry: DataFile) -> Path:
    """Return ``path`` if its SHA-256 matches ``entry``, else raise with advice fit for where it is."""
    actual = pooch.file_hash(str(path), alg="sha256")
    if actual != entry.sha256:
        problem = (
            f"{entry.name} at {path} has SHA-256 {actual}, expected {entry.sha256}: the file is "
            f"corrupt or a different version."
        )
        if _in_env_dir(path):
            # The folder may be shared with other checkouts (e.g. ../shared/data):
            # deleting the file there would break them too, so do not suggest it.
            advice = (
                f" It is in the folder named by {ENV_VAR} ({path.parent}), which other checkouts "
                f"may share, so do not simply delete it: replace it with a good copy (the pinned "
                f"original is at {entry.url}), or point {ENV_VAR} at another folder (or unset it) "
                f"to have the file downloaded there (or into the user cache) instead."
            )
        else:
            advice = (
                f" It is a cached download: delete it and run again to fetch it afresh from "
                f"{entry.url}."
            )
        raise ChecksumMismatchError(problem + advice)
    return path


def fetch(name: str) -> Path:
    """Return the local path of a verified copy of a registered data file.

    Parameters
    ----------
    name
        A file name in :data:`REGISTRY`, e.g. ``"svg_extracted_data.csv"``.

    Returns
    -------
    pathlib.Path
        A file whose SHA-256 matches the registry.

    Raises
    ------
    KeyError
        If ``name`` is not a registered file.
    ChecksumMismatchError
        If the file on disk has the wrong checksum.
    DataFileMissingError
        If the file is not on disk and cannot be downloaded (no network).
    """
    if name not in REGISTRY:
        raise KeyError(f"unknown data file {name!r}; registered files: {', '.join(sorted(REGISTRY))}")
    entry = REGISTRY[name]
    first = data_dir()
    candidates = [first / name]
    cache = Path(pooch.os_cache("scaling-laws-reproduced"))
    if cache != first:
        candidates.append(cache / name)
    for path in candidates:
        if path.is_file():
            return _verify(path, entry)
    target = _download_dir(first)
    try:
        got = pooch.retrieve(
            entry.url, known_hash=f"sha256:{entry.sha256}", fname=name, path=target, progressbar=False
        )
    except ValueError as exc:  # pooch's hash mismatch after download
        raise ChecksumMismatchError(
            f"{name} downloaded from {entry.url} does not have SHA-256 {entry.sha256}: {exc}"
        ) from exc
    except Exception as exc:  # network errors come in many types (requests, urllib, OSError)
        looked = ", ".join(str(p) for p in candidates)
        raise DataFileMissingError(
            f"data file {name} is not on disk (looked in: {looked}) and could not be downloaded "
            f"from {entry.url} ({type(exc).__name__}: {exc}). Either connect to the network and run "
            f"again, or download the file by hand and point {ENV_VAR} at the folder that holds it "
            f"(in a checkout with ../shared beside it: export {ENV_VAR}=../shared/data)."
        ) from exc
    return Path(got)


# ------------------------------------------------------------------ Chinchilla runs
@lru_cache(maxsize=1)
def _chinchilla_raw() -> pd.DataFrame:
    path = fetch("svg_extracted_data.csv")
    raw = pd.read_csv(path)
    needed = {"Model Size", "Training FLOP", "loss"}
    missing = needed - set(raw.columns)
    if missing:
        raise DataError(f"{path} lacks the columns {sorted(missing)}; is it the right file?")
    return raw


def chinchilla_runs(drop_highest_loss: int = 0) -> pd.DataFrame:
    """The Chinchilla training runs extracted from Hoffmann et al. (2022), Figure 4.

    Parameters
    ----------
    drop_highest_loss
        Drop this many runs with the highest loss. Besiroglu et al. (2024)
        drop 5 (all near 1e19 FLOPs, losses 3.45 to 5.01) and fit the other 240.

    Returns
    -------
    pandas.DataFrame
        One row per run, sorted by compute then size, with columns ``N``
        (parameters), ``D`` (tokens, ``C / 6N``), ``C`` (FLOPs) and ``loss``
        (final training loss, nats per token). 245 rows when nothing is dropped.
    """
    if isinstance(drop_highest_loss, bool) or not isinstance(drop_highest_loss, (int, np.integer)):
        raise TypeError(f"drop_highest_loss must be a whole number, got {drop_highest_loss!r}")
    raw = _chinchilla_raw()
    if not 0 <= drop_highest_loss < len(raw):
        raise ValueError(f"drop_highest_loss must be between 0 and {len(raw) - 1}, got {drop_highest_loss}")
    df = pd.DataFrame(
        {
            "N": raw["Model Size"].astype(float),
            "C": raw["Training FLOP"].astype(float),
            "loss": raw["loss"].astype(float),
        }
    )
    df["D"] = df["C"] / (6.0 * df["N"])
    if drop_highest_loss:
        df = df.drop(df["loss"].nlargest(drop_highest_loss).index)
    return df[["N", "D", "C", "loss"]].sort_values(["C", "N"]).reset_index(drop=True)


# --------------------------------------------------------------------- Porian sweeps
PORIAN_FILES: dict[str, str] = {
    "rw": "summary_df.pickle.xz",
    "rw_attention": "summary_df_att.pickle.xz",
    "rw_kaplan_tuned": "summary_df_kaplan_tuned_hparams.pickle.xz",
    "owt2": "summary_df_owt2.pickle.xz",
}
"""Short names of the Porian et al. files: RefinedWeb, RefinedWeb with attention FLOPs counted,
Kaplan's parameter count with tuned hyperparameters, and OpenWebText2."""

_SETTING_COLUMNS = ["dataset", "hparams", "warmup", "decay", "param_count"]


@lru_cache(maxsize=None)
def _porian_raw(which: str) -> pd.DataFrame:
    if which not in PORIAN_FILES:
        raise KeyError(f"unknown Porian et al. file {which!r}; choose one of {', '.join(PORIAN_FILES)}")
    # Only unpickle after fetch() has verified the SHA-256: loading a pickle runs code from the file.
    path = fetch(PORIAN_FILES[which])
    df = pd.read_pickle(path)
    missing = set(_SETTING_COLUMNS + ["data", "fit_results"]) - set(df.columns)
    if missing:
        raise DataError(f"{path} lacks the columns {sorted(missing)}; is it the right file?")
    return df


def _setting_label(row: pd.Series) -> str:
    return "/".join(str(row[c]) for c in _SETTING_COLUMNS)


def porian_settings(which: str = "rw") -> pd.DataFrame:
    """The settings of one Porian et al. file, with their own fitted exponent.

    Returns
    -------
    pandas.DataFrame
        One row per setting: ``setting`` (a label ``dataset/hparams/warmup/decay/param_count``),
        the five descriptor columns, and ``n_exponent`` / ``t_exponent``: the paper's own
        fit of ``N_opt ∝ C**a`` and ``D_opt ∝ C**b``.
    """
    raw = _porian_raw(which)
    out = raw[_SETTING_COLUMNS].copy()
    out.insert(0, "setting", raw.apply(_setting_label, axis=1))
    out["n_exponent"] = [float(fr["basic"]["n_exponent"]) for fr in raw["fit_results"]]
    out["t_exponent"] = [float(fr["basic"]["t_exponent"]) for fr in raw["fit_results"]]
    return out.reset_index(drop=True)


def porian_runs(which: str = "rw") -> pd.DataFrame:
    """Every training run of one Porian et al. file as a tidy table.

    Parameters
    ----------
    which
        A key of :data:`PORIAN_FILES`: ``"rw"``, ``"rw_attention"``, ``"rw_kaplan_tuned"``, ``"owt2"``.

    Returns
    -------
    pandas.DataFrame
        One row per run with columns ``setting``, the descriptor columns
        (``dataset, hparams, warmup, decay, param_count``), ``budget`` (FLOPs),
        ``N`` (parameters, counted as the setting counts them), ``tokens`` and ``loss``.
    """
    raw = _porian_raw(which)
    frames = []
    for _, row in raw.iterrows():
        label = _setting_label(row)
        for _, b in row["data"].iterrows():
            n = np.atleast_1d(np.asarray(b["orig_n"], dtype=float))
            t = np.atleast_1d(np.asarray(b["orig_t"], dtype=float))
            loss = np.atleast_1d(np.asarray(b["orig_loss"], dtype=float))
            frame = pd.DataFrame({"budget": float(b["flops"]), "N": n, "tokens": t, "loss": loss})
            frame.insert(0, "setting", label)
            for c in _SETTING_COLUMNS:
                frame[c] = row[c]
            frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out = out[["setting", *_SETTING_COLUMNS, "budget", "N", "tokens", "loss"]]
    return out.dropna(subset=["N", "tokens", "loss"]).reset_index(drop=True)


def porian_optima(which: str = "rw") -> pd.DataFrame:
    """The compute-optimal point per setting and budget, as Porian et al. estimated it.

    Returns
    -------
    pandas.DataFrame
        Columns ``setting``, descriptors, ``budget`` (FLOPs), ``N_opt``, ``tokens_opt``,
        ``loss_opt`` (from their interpolated loss-vs-N curve) and ``N_opt_log_std``
        (their bootstrap standard deviation of log N_opt).
    """
    raw = _porian_raw(which)
    frames = []
    for _, row in raw.iterrows():
        pairs = row["optimal_pairs"]
        frame = pd.DataFrame(
            {
                "budget": pairs["flops"].astype(float).to_numpy(),
                "N_opt": pairs["n"].astype(float).to_numpy(),
                "tokens_opt": pairs["t"].astype(float).to_numpy(),
                "loss_opt": pairs["loss"].astype(float).to_numpy(),
                "N_opt_log_std": pairs["n_star_std"].astype(float).to_numpy(),
            }
        )
        frame.insert(0, "setting", _setting_label(row))
        for c in _SETTING_COLUMNS:
            frame[c] = row[c]
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    return out[["setting", *_SETTING_COLUMNS, "budget", "N_opt", "tokens_opt", "loss_opt", "N_opt_log_std"]]
