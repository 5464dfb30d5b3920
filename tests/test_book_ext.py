"""The book's Sphinx extension (_ext/scaling_book.py): the parts that need no build to test."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))

scaling_book = pytest.importorskip("scaling_book")


def _notebook(tmp_path: Path, *cells: tuple[str, str]) -> Path:
    nb = {"cells": [{"cell_type": kind, "source": src, "metadata": {}} for kind, src in cells],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "book" / "part" / "01_x.ipynb"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def test_used_in_resolves_imports_across_cells(tmp_path):
    path = _notebook(
        tmp_path,
        ("code", "%matplotlib inline\nfrom scaling import devries as dv, plotting\n"
                 "from scaling.published import DEVRIES2023\nimport scaling"),
        ("code", "x = dv.data_factor(0.5, DEVRIES2023)\nprint(f'{dv.compute_overhead(0.5, DEVRIES2023):.1%}')\n"
                 "y = scaling.units.PF_DAY"),
        ("markdown", "See {py:func}`~scaling.devries.asymptote` and `scaling.kaplan.size_window`."),
    )
    uses = scaling_book.collect_uses(tmp_path, [path])
    for name in ("scaling.devries.data_factor", "scaling.devries.compute_overhead", "scaling.published.DEVRIES2023",
                 "scaling.units.PF_DAY", "scaling.devries.asymptote", "scaling.kaplan.size_window"):
        assert uses[name] == {"book/part/01_x"}, name
    assert "scaling.plotting.figure" not in uses


def test_a_re_exported_name_links_where_it_is_documented():
    assert scaling_book._documented_name("scaling.fit_parametric") == "scaling.fitting.fit_parametric"
    assert scaling_book._documented_name("scaling.published.DEVRIES2023") == "scaling.published.DEVRIES2023"
    assert scaling_book._documented_name("scaling.nope") == "scaling.nope"


def test_attribute_entries_naming_several_fields_are_split():
    lines = ["Result.", "", "Attributes", "----------", "sigma_null, sigma_alt", "    Residual scales.", "n",
             "    Runs."]
    scaling_book._split_attribute_names(None, "class", "x", None, None, lines)
    assert lines[4:] == ["sigma_null", "    Residual scales.", "sigma_alt", "    Residual scales.", "n", "    Runs."]
