"""Every chapter follows one skeleton and keeps its code thin (CONTRIBUTING.md, "Writing a chapter").

Read from the notebooks' JSON, without running them:

* **thin code**, in every notebook: no code line longer than :data:`MAX_LINE` characters (it would
  scroll sideways on the page), and no code cell a reader sees (not folded by ``hide-input``,
  ``remove-input`` or ``remove-cell``, and not inside a folded solution) longer than
  :data:`MAX_VISIBLE_LINES` lines;
* **the skeleton**, in converted chapters: a title, an Overview (what and why, the time it takes,
  the prerequisites, the ``scaling`` functions it uses as ``{py:func}`` links), Take-aways,
  exercises with folded solutions; every figure referenced from the text with ``{numref}``, its
  code folded; results shown with ``scaling.report`` (``comparison``/``table``), not printed.

The converted chapters are listed in ``tests/converted_chapters.txt``: for them every rule fails
the test. The other notebooks are reported only (the summary at the end of the run lists what
each still has to fix); a chapter helper converts a notebook, adds it to the list, and so
empties the report.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "book").rglob("*.ipynb")
                   if ".ipynb_checkpoints" not in p.parts)
CONVERTED = [line.strip() for line in (ROOT / "tests" / "converted_chapters.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")]

MAX_LINE = 88
"""Longest code line (characters): the column shows about 88 characters of code at 1366 px."""
MAX_VISIBLE_LINES = 15
"""Longest code cell a reader sees (lines): what makes the number, not the scaffolding around it."""
FOLDED = {"hide-input", "remove-input", "remove-cell"}


def _cells(path: str) -> list[dict]:
    return json.loads((ROOT / path).read_text(encoding="utf-8"))["cells"]


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _tags(cell: dict) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def code_problems(path: str) -> list[str]:
    """Code lines too long, and visible code cells too long, in one notebook."""
    problems = []
    in_solution = False
    for i, cell in enumerate(_cells(path)):
        src = _source(cell)
        if cell["cell_type"] == "markdown":
            # code between {solution-start} and {solution-end} is folded with its solution
            for m in re.finditer(r"\{solution-(start|end)\}", src):
                in_solution = m.group(1) == "start"
            continue
        if cell["cell_type"] != "code":
            continue
        lines = src.rstrip().splitlines()
        for n, line in enumerate(lines, 1):
            if len(line) > MAX_LINE:
                problems.append(f"cell {i}, line {n}: {len(line)} characters (at most {MAX_LINE})")
        folded = bool(_tags(cell) & FOLDED) or in_solution
        if not folded and len(lines) > MAX_VISIBLE_LINES:
            problems.append(f"cell {i}: {len(lines)} visible lines (at most {MAX_VISIBLE_LINES}; "
                            "move scaffolding into scaling or fold it with hide-input)")
    return problems


def skeleton_problems(path: str) -> list[str]:
    """What a converted chapter lacks of the skeleton."""
    cells = _cells(path)
    markdown = "\n\n".join(_source(c) for c in cells if c["cell_type"] == "markdown")
    problems = []
    first = _source(cells[0]) if cells and cells[0]["cell_type"] == "markdown" else ""
    if not re.match(r"#\s+\S", first):
        problems.append("the first cell is not a markdown cell with the chapter's # title")
    overview = re.search(r"^##\s+Overview\s*$(.*?)(?=^##\s)", markdown, re.M | re.S)
    if overview is None:
        problems.append("no '## Overview' section (before the story)")
    else:
        body = overview.group(1)
        for what, pattern in (("the time it takes", r"\*\*Time\b"),
                              ("its prerequisites", r"\*\*Prerequisites\b"),
                              ("the scaling functions it uses, as {py:...} links", r"\{py:(func|class|mod|data)\}`")):
            if not re.search(pattern, body):
                problems.append(f"the Overview does not give {what}")
    if not re.search(r"^##\s+Take-aways\s*$", markdown, re.M):
        problems.append("no '## Take-aways' section")
    exercises = re.findall(r"\{exercise(?:-start)?\}", markdown)
    if not exercises:
        problems.append("no exercise")
    for m in re.finditer(r"\{solution(?:-start)?\}[^\n]*\n((?::[a-z-]+:[^\n]*\n)*)", markdown):
        if ":class: dropdown" not in m.group(1):
            problems.append("a solution is not folded (`:class: dropdown`)")
    for i, cell in enumerate(cells):
        if cell["cell_type"] != "code":
            continue
        figure = cell.get("metadata", {}).get("mystnb", {}).get("figure", {})
        name = figure.get("name")
        if name:
            if not re.search(r"\{numref\}`(?:[^`<]*<)?" + re.escape(name) + r">?`", markdown):
                problems.append(f"figure {name!r} (cell {i}) is never referenced with {{numref}}")
            if not _tags(cell) & FOLDED:
                problems.append(f"figure {name!r} (cell {i}): its plotting code is not folded (hide-input)")
        src = _source(cell)
        if re.search(r"\.to_string\(|format_table\(", src):
            problems.append(f"cell {i} prints a table as text: show it with scaling.report.comparison() "
                            "or scaling.report.table()")
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_code_is_thin(path: str) -> None:
    problems = code_problems(path)
    if path in CONVERTED:
        assert not problems, f"{path}:\n  " + "\n  ".join(problems)
    # the others: reported by test_report_the_notebooks_still_to_convert


@pytest.mark.parametrize("path", CONVERTED)
def test_converted_chapter_follows_the_skeleton(path: str) -> None:
    assert (ROOT / path).is_file(), f"{path} is listed in tests/converted_chapters.txt but does not exist"
    problems = skeleton_problems(path)
    assert not problems, f"{path}:\n  " + "\n  ".join(problems)


def test_report_the_notebooks_still_to_convert(request: pytest.FixtureRequest) -> None:
    """Report only: what each notebook not yet converted would fail (it fails nothing)."""
    lines = []
    for path in NOTEBOOKS:
        if path in CONVERTED:
            continue
        problems = code_problems(path) + skeleton_problems(path)
        lines.append(f"{path}: {len(problems)} to fix" + "".join(f"\n    {p}" for p in problems[:6])
                     + (f"\n    ... and {len(problems) - 6} more" if len(problems) > 6 else ""))
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and lines:
        capture = request.config.pluginmanager.getplugin("capturemanager")
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            reporter.write_line(f"chapters not yet converted ({len(lines)} of {len(NOTEBOOKS)} notebooks; "
                                "tests/converted_chapters.txt lists the converted ones):")
            for line in lines:
                reporter.write_line("  " + line)


@pytest.mark.parametrize("path", NOTEBOOKS)
def test_no_figure_is_compared_by_nbval(path: str) -> None:
    """nbval compares every output of a cell tagged nbval-check-output, images included (only PNG
    and JPEG are skipped); an SVG's coordinates move with rounding, so no figure cell is tagged."""
    tagged = [i for i, cell in enumerate(_cells(path)) if "nbval-check-output" in _tags(cell) and (
        cell.get("metadata", {}).get("mystnb", {}).get("figure")
        or any(k.startswith("image/") or "svg" in k for out in cell.get("outputs", [])
               for k in out.get("data", {})))]
    assert not tagged, f"{path}: cells {tagged} draw a figure and are tagged nbval-check-output"
