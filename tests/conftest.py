"""Shared test set-up: the third-party data are found through SCALING_DATA_DIR.

The Makefile sets SCALING_DATA_DIR to ../shared/data when that folder exists;
when pytest is run by hand from a checkout with ../shared beside it, do the same.
"""

import os
from pathlib import Path

_shared = Path(__file__).resolve().parents[1].parent / "shared" / "data"
if "SCALING_DATA_DIR" not in os.environ and (_shared / "README.md").is_file():
    os.environ["SCALING_DATA_DIR"] = str(_shared)
os.environ.setdefault("MPLBACKEND", "Agg")
