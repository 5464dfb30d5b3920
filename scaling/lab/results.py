"""The lab's results file: one CSV row per finished run, appended atomically (no PyTorch needed).

A row is written only when its run has finished, as one ``write`` of one whole line on a
file opened for appending, under an exclusive lock, then flushed to disk: an interrupted
sweep leaves every finished run and no half row. Before a sweep trains anything the whole
file is read and checked (:func:`read_results`), so a corrupt or foreign file stops it at
once, without touching the file.
"""

from __future__ import annotations

import csv
import fcntl
import io
import math
import os
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

__all__ = ["COLUMNS", "ResultsError", "read_results", "finished_ids", "append_row", "format_row"]

COLUMNS: tuple[str, ...] = (
    "config_id",      # hash of every setting that decides the result (plan.RunConfig.config_id)
    "budget",         # IsoFLOP budget the run was planned for (FLOPs); empty for a single run
    "n_layer", "d_model", "n_head", "n_ctx", "n_vocab",
    "N",              # non-embedding parameters, 12 n_layer d_model^2 (scaling.units.kaplan_params)
    "N_embedding",    # token (tied) + position embeddings
    "N_total",        # every trainable parameter, as PyTorch counts them
    "embedding_share",
    "D",              # training tokens (bytes)
    "C",              # (6N + 6 n_layer n_ctx d_model) D, FLOPs
    "C_6ND",          # 6 N D, FLOPs
    "C_total",        # C plus the embedding and de-embedding terms, FLOPs
    "context_fraction",
    "batch_size", "steps", "warmup_steps", "lr", "final_lr_fraction", "weight_decay",
    "seed",
    "epochs",         # D over the training stream's length: above 1, the run repeats text
    "train_loss",     # final model, nats per byte, on fixed training windows
    "val_loss",       # final model, nats per byte, on the held-out validation split
    "wall_time_s", "train_time_s",
    "cpu_time_s",     # processor time of the training loop, all threads (robust to a shared machine)
    "tokens_per_s",   # D / train_time_s
    "flops_per_s",    # C_total / train_time_s (the model FLOPs actually run)
    "device", "threads", "deterministic",
    "corpus", "scaling_version", "torch_version", "python_version", "machine", "finished_utc",
    "command",
)
"""The columns, in order; the first line of every results file."""

_INT = {"n_layer", "d_model", "n_head", "n_ctx", "n_vocab", "N", "N_embedding", "N_total", "D",
        "batch_size", "steps", "warmup_steps", "seed", "threads"}
_FLOAT = {"C", "C_6ND", "C_total", "embedding_share", "context_fraction", "lr", "final_lr_fraction",
          "weight_decay", "epochs", "train_loss", "val_loss", "wall_time_s", "train_time_s", "cpu_time_s",
          "tokens_per_s", "flops_per_s"}
_HEADER = ",".join(COLUMNS)


class ResultsError(ValueError):
    """A results file is corrupt, foreign, or cannot be written."""


def _check_value(path: Path, line: int, col: str, value: str) -> None:
    if col in _INT:
        try:
            int(value)
        except ValueError:
            raise ResultsError(
                f"{path}, line {line}: column {col} should be a whole number, got {value!r}"
            ) from None
    elif col == "deterministic" and value not in ("True", "False"):
        raise ResultsError(f"{path}, line {line}: column deterministic should be True or False, got {value!r}")
    elif col in _FLOAT or (col == "budget" and value != ""):
        try:
            x = float(value)
        except ValueError:
            raise ResultsError(f"{path}, line {line}: column {col} should be a number, got {value!r}") from None
        if not math.isfinite(x):
            raise ResultsError(f"{path}, line {line}: column {col} is {value}, not a finite number")


def read_results(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read and check a results file; an absent or empty file gives an empty table.

    Parameters
    ----------
    path
        The CSV file.

    Returns
    -------
    pandas.DataFrame
        One row per finished run, with :data:`COLUMNS` (``budget`` is NaN for single runs).

    Raises
    ------
    ResultsError
        If the file is not a lab results file (another header), has a line with the
        wrong number of fields or a value of the wrong type, ends in a half-written
        line, or repeats a configuration. The message names the file and the line.
    """
    p = Path(path)
    if p.is_dir():
        raise ResultsError(f"{p} is a folder, not a results file: give a file name such as runs.csv")
    if not p.exists() or p.stat().st_size == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    try:
        raw = p.read_bytes()
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ResultsError(f"{p} is not a text file, so not a lab results file; give another --out") from None
    except OSError as exc:
        raise ResultsError(f"cannot read {p}: {exc}") from None
    first = text.split("\n", 1)[0].rstrip("\r")
    if first != _HEADER:
        raise ResultsError(
            f"{p} is not a lab results file: its first line is not the lab's header "
            f"({first[:80]!r}...). Give another --out, or move that file away."
        )
    if not text.endswith("\n"):
        last = text.count("\n") + 1
        raise ResultsError(
            f"{p}, line {last}: the last line is incomplete (no line end), as if a write was cut "
            f"off. Check that line; delete it (the run it describes will be trained again) and rerun."
        )
    rows = list(csv.reader(io.StringIO(text)))
    seen: dict[str, int] = {}
    for i, row in enumerate(rows[1:], start=2):
        if len(row) != len(COLUMNS):
            raise ResultsError(
                f"{p}, line {i}: {len(row)} fields, expected {len(COLUMNS)}. The file is corrupt there: "
                f"fix or delete that line (its run will be trained again) and rerun."
            )
        for col, value in zip(COLUMNS, row):
            _check_value(p, i, col, value)
        cid = row[0]
        if cid in seen:
            raise ResultsError(
                f"{p}, lines {seen[cid]} and {i}: the configuration {cid} appears twice; delete one."
            )
        seen[cid] = i
    df = pd.DataFrame(rows[1:], columns=list(COLUMNS))
    for col in _INT:
        df[col] = df[col].astype("int64")
    for col in _FLOAT | {"budget"}:
        df[col] = pd.to_numeric(df[col].replace("", float("nan")), errors="raise").astype(float)
    df["deterministic"] = df["deterministic"].map({"True": True, "False": False})
    return df


def finished_ids(path: str | os.PathLike[str]) -> set[str]:
    """The ``config_id`` of every run already in the file (checking the file as :func:`read_results`)."""
    return set(read_results(path)["config_id"])


def _fmt(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ResultsError(f"refusing to write the non-finite value {value}")
        return repr(value)
    return str(value)


def format_row(row: Mapping[str, object]) -> str:
    """One CSV line (with its line end) of a row that has exactly :data:`COLUMNS`."""
    missing = [c for c in COLUMNS if c not in row]
    extra = [c for c in row if c not in COLUMNS]
    if missing or extra:
        raise ResultsError(f"a row must have the columns {COLUMNS}; missing {missing}, unknown {extra}")
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([_fmt(row[c]) for c in COLUMNS])
    return buf.getvalue()


def append_row(path: str | os.PathLike[str], row: Mapping[str, object]) -> bool:
    """Append one finished run to ``path`` atomically; write the header first if the file is new.

    Returns
    -------
    bool
        True if written; False if the file already holds this ``config_id`` (another
        process finished the same run first), in which case nothing is written.

    Raises
    ------
    ResultsError
        If the file is foreign or corrupt, or cannot be written.
    """
    p = Path(path)
    line = format_row(row).encode("utf-8")
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(p, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    except OSError as exc:
        raise ResultsError(f"cannot write the results file {p}: {exc}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        if p.stat().st_size == 0:
            payload = (_HEADER + "\n").encode("utf-8") + line
        else:
            if row["config_id"] in finished_ids(p):
                return False
            payload = line
        written = os.write(fd, payload)
        if written != len(payload):
            raise ResultsError(f"short write to {p} ({written} of {len(payload)} bytes); check the disk")
        os.fsync(fd)
        return True
    except OSError as exc:
        raise ResultsError(f"cannot write the results file {p}: {exc}") from None
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
