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
``SCALING_DATA_DIR`` if that is an existing writable folder (a folder that
does not exist is never created), or else into the user cache
(:func:`pooch.os_cache`).

A relative ``SCALING_DATA_DIR`` is resolved against the current working
directory at load time; a notebook's kernel runs in the notebook's folder, so
export an absolute path (``export SCALING_DATA_DIR="$PWD/../shared/data"`` from
a clone's root). Errors say how a relative path was resolved.

How they are read
-----------------
Each file is read once; its SHA-256 is checked on those bytes, and the table is
parsed from the same bytes (:func:`fetch_bytes`), so a file replaced on disk
after the check is never loaded, and nothing is unpickled before its checksum
passes. An unreadable file, or a folder in its place, is a
:class:`DataFileUnreadableError` naming it.
"""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pooch

from ._validate import UnknownName, show

__all__ = [
    "DataFile",
    "REGISTRY",
    "DataError",
    "DataFileMissingError",
    "DataFileUnreadableError",
    "ChecksumMismatchError",
    "ENV_VAR",
    "data_dir",
    "fetch",
    "fetch_bytes",
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


class DataFileUnreadableError(DataError, OSError):
    """A data file is on disk but cannot be read (permissions, a folder in its place, an I/O error)."""


class ChecksumMismatchError(DataError, ValueError):
    """A data file on disk does not have the SHA-256 it should have."""


_CACHE_NAME = "scaling-laws-reproduced"


def _user_cache() -> Path:
    return Path(pooch.os_cache(_CACHE_NAME))


def data_dir() -> Path:
    """The folder looked in first: ``$SCALING_DATA_DIR`` if set, else the user cache.

    A relative ``$SCALING_DATA_DIR`` is resolved against the current working
    directory when the data are loaded, which for a notebook is the notebook's
    own folder: export an absolute path (``export SCALING_DATA_DIR="$PWD/../shared/data"``).
    """
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser().resolve()
    return _user_cache()


def _env_note() -> str:
    """How ``$SCALING_DATA_DIR`` was read, for error messages: where a relative path led, and whether it exists."""
    env = os.environ.get(ENV_VAR)
    if not env:
        return f" {ENV_VAR} is not set."
    resolved = Path(env).expanduser().resolve()
    note = f" {ENV_VAR}={env!r}"
    if not Path(env).expanduser().is_absolute():
        note += (f" is a relative path, resolved against the current folder {Path.cwd()} to {resolved} (a "
                 f"notebook's kernel runs in the notebook's own folder: use an absolute path)")
    else:
        note += f" names {resolved}"
    if not resolved.exists():
        note += ", which does not exist (it is not created: make it, or correct the path)"
    elif not resolved.is_dir():
        note += ", which is not a folder"
    return note + "."


def _download_dir() -> Path:
    """Where a download goes: ``$SCALING_DATA_DIR`` if it is an existing writable folder, else the user cache.

    A folder that does not exist is never created: a mistyped or misresolved path must not
    leave empty folders behind (e.g. ``book/shared/data`` inside a clone).
    """
    env = os.environ.get(ENV_VAR)
    if env:
        preferred = data_dir()
        if preferred.is_dir() and os.access(preferred, os.W_OK):
            return preferred
    return _user_cache()


def _in_env_dir(path: Path) -> bool:
    """True if ``path`` sits in the folder named by ``$SCALING_DATA_DIR`` (possibly shared)."""
    env = os.environ.get(ENV_VAR)
    if not env:
        return False
    return path.resolve().parent == Path(env).expanduser().resolve()


def _check_name(name: object) -> DataFile:
    if not isinstance(name, str):
        raise TypeError(f"name must be a str naming a registered data file, got {type(name).__name__} {name!r}")
    if name not in REGISTRY:
        raise UnknownName(f"unknown data file {name!r} passed as name: name must be one of the registered "
                          f"files, {', '.join(sorted(REGISTRY))}")
    return REGISTRY[name]


def _read_verified(path: Path, entry: DataFile) -> bytes:
    """Read ``path`` once and return its bytes if their SHA-256 matches ``entry``; else raise with advice."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        reason = f"{type(exc).__name__}: {exc.strerror or exc}"
        raise DataFileUnreadableError(
            f"data file {entry.name} at {path} cannot be read ({reason}). Make it readable (chmod a+r "
            f"{path}), or point {ENV_VAR} at a folder holding a readable copy (or unset it to have the file "
            f"downloaded into the user cache)."
        ) from exc
    actual = hashlib.sha256(data).hexdigest()
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
    return data


def _on_disk(entry: DataFile) -> list[Path]:
    """The places looked in, in order; raise if one of them holds something other than a file."""
    first = data_dir()
    candidates = [first / entry.name]
    cache = _user_cache()
    if cache != first:
        candidates.append(cache / entry.name)
    for path in candidates:
        if path.is_file():
            return [path]
        if path.is_dir():
            raise DataFileUnreadableError(
                f"{path} is a folder, not the data file {entry.name}: move it out of the way (or point "
                f"{ENV_VAR} at another folder) and run again."
            )
        if path.is_symlink() or path.exists():
            raise DataFileUnreadableError(
                f"{path} is not a regular file (a broken symbolic link or a special file), so the data file "
                f"{entry.name} cannot be read from it: replace it with the file, or point {ENV_VAR} elsewhere."
            )
    return candidates


def _fetch(name: object) -> tuple[Path, bytes]:
    """The path and the verified bytes of a registered file, read once (downloaded first if need be)."""
    entry = _check_name(name)
    found = _on_disk(entry)
    if len(found) == 1 and found[0].is_file():
        return found[0], _read_verified(found[0], entry)
    try:
        got = pooch.retrieve(
            entry.url, known_hash=f"sha256:{entry.sha256}", fname=entry.name, path=_download_dir(),
            progressbar=False,
        )
    except ValueError as exc:  # pooch's hash mismatch after download
        raise ChecksumMismatchError(
            f"{entry.name} downloaded from {entry.url} does not have SHA-256 {entry.sha256}: {exc}"
        ) from exc
    except Exception as exc:  # network errors come in many types (requests, urllib, OSError)
        looked = ", ".join(str(p) for p in found)
        raise DataFileMissingError(
            f"data file {entry.name} is not on disk (looked in: {looked}) and could not be downloaded "
            f"from {entry.url} ({type(exc).__name__}: {exc}).{_env_note()} Either connect to the network and "
            f"run again, or download the file by hand and point {ENV_VAR} at the folder that holds it, as an "
            f"absolute path (in a clone with ../shared beside it, from the clone's root: "
            f"export {ENV_VAR}=\"$PWD/../shared/data\")."
        ) from exc
    path = Path(got)
    return path, _read_verified(path, entry)


def fetch(name: str) -> Path:
    """Return the local path of a verified copy of a registered data file.

    The file is read and its SHA-256 checked before the path is returned. To
    load it, prefer :func:`fetch_bytes`: opening the path again leaves a moment
    in which the file could be replaced; the bytes it returns are the ones checked.

    Parameters
    ----------
    name
        A file name in :data:`REGISTRY`, e.g. ``"svg_extracted_data.csv"``.

    Returns
    -------
    pathlib.Path
        A file whose SHA-256 matched the registry.

    Raises
    ------
    TypeError
        If ``name`` is not a str.
    ValueError
        If ``name`` is not a registered file (also a :class:`KeyError`).
    ChecksumMismatchError
        If the file on disk has the wrong checksum.
    DataFileUnreadableError
        If the file is there but cannot be read (permissions; a folder of that name).
    DataFileMissingError
        If the file is not on disk and cannot be downloaded (no network).
    """
    return _fetch(name)[0]


def fetch_bytes(name: str) -> bytes:
    """The contents of a registered data file, read once and verified against its SHA-256.

    Parse these bytes (``pandas.read_csv(io.BytesIO(data))``) rather than the
    file: they are exactly the bytes whose checksum passed.

    Parameters
    ----------
    name
        A file name in :data:`REGISTRY`.

    Raises
    ------
    TypeError, ValueError, DataError
        As :func:`fetch`.
    """
    return _fetch(name)[1]


# ------------------------------------------------------------------ Chinchilla runs
@lru_cache(maxsize=1)
def _chinchilla_raw() -> pd.DataFrame:
    path, data = _fetch("svg_extracted_data.csv")
    raw = pd.read_csv(io.BytesIO(data))
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
        raise TypeError(f"drop_highest_loss must be a whole number, got {show(drop_highest_loss)}")
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


def _check_which(which: object) -> str:
    if not isinstance(which, str):
        raise TypeError(f"which must be a str, one of {', '.join(PORIAN_FILES)}; got {type(which).__name__} "
                        f"{which!r}")
    if which not in PORIAN_FILES:
        raise UnknownName(f"unknown Porian et al. file which={which!r}: which must be one of "
                          f"{', '.join(repr(k) for k in PORIAN_FILES)}")
    return which


def _porian_raw(which: str) -> pd.DataFrame:
    return _porian_raw_cached(_check_which(which))


@lru_cache(maxsize=None)
def _porian_raw_cached(which: str) -> pd.DataFrame:
    # Unpickle only the bytes whose SHA-256 passed (unpickling runs code from the file): read once, never
    # reopened by path, where a file swapped in after the check would be loaded unchecked.
    path, data = _fetch(PORIAN_FILES[which])
    df = pd.read_pickle(io.BytesIO(data), compression="xz")
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

    Budgets at which their code found no optimum are left out: where the minimum of the
    interpolated loss lies at the smallest or largest sampled size (the runs do not bracket it),
    their file stores NaN for that budget (one budget of ``"rw"`` and of ``"owt2"``, two of
    ``"rw_attention"``). Their fits use only the budgets with an optimum, as
    :func:`scaling.chinchilla.fit_spline_optima` does.

    Returns
    -------
    pandas.DataFrame
        Columns ``setting``, descriptors, ``budget`` (FLOPs), ``N_opt``, ``tokens_opt``,
        ``loss_opt`` (from their interpolated loss-vs-N curve) and ``N_opt_log_std``
        (their bootstrap standard deviation of log N_opt); every value finite.
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
    values = ["N_opt", "tokens_opt", "loss_opt", "N_opt_log_std"]
    out = out[np.isfinite(out[values].to_numpy()).all(axis=1)]  # budgets without an optimum (NaN)
    return out[["setting", *_SETTING_COLUMNS, "budget", *values]].reset_index(drop=True)
