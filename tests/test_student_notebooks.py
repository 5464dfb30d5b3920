"""The student notebooks (``make exercises``, ``_ext/student_notebooks.py``).

Three promises, each checked on every chapter of the book:

* every worked solution is gone, replaced by the cells waiting for the answer;
* nothing of a solution survives anywhere in the student notebook (sources, outputs, metadata);
* the student notebook runs top to bottom with every answer left blank: the answer cells raise
  ``NotImplementedError`` and no other cell fails.

Running the notebooks takes about as long as executing the book (about 75 s for all 17 on two
cores), so ``make unit`` runs one chapter (the preliminaries) and ``make test`` all of them
(``SCALING_STUDENT_NOTEBOOKS=all``, the ``student-notebooks`` target). A notebook that has passed is
recorded in ``_build/.student-notebook-runs.json`` under a hash of everything its run depends on
(the student notebook itself, the ``scaling`` package's source, the pinned requirements and the
versions of Python, NumPy, SciPy and pandas), and is not run again until one of them changes.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import platform
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))

import student_notebooks as sn  # noqa: E402

BOOK = ROOT / "book"
NOTEBOOKS = sn.notebooks_under(BOOK)
IDS = [p.relative_to(BOOK).as_posix() for p in NOTEBOOKS]
RUN_ALL = os.environ.get("SCALING_STUDENT_NOTEBOOKS", "") == "all"
QUICK = {"preliminaries.ipynb"}
CACHE = ROOT / "_build" / ".student-notebook-runs.json"


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def conversions() -> dict[str, tuple[dict, sn.Conversion]]:
    out = {}
    for path, rel in zip(NOTEBOOKS, IDS):
        nb = _load(path)
        out[rel] = (nb, sn.convert(nb, rel, full_notebook=f"book/{rel}"))
    return out


# ------------------------------------------------------------------ the book's notebooks
def test_the_book_has_notebooks_with_solutions(conversions):
    assert len(NOTEBOOKS) >= 10
    assert sum(len(c.solutions) for _, c in conversions.values()) >= 10


@pytest.mark.parametrize("rel", IDS)
def test_every_solution_is_replaced_by_answer_cells(conversions, rel):
    original, conv = conversions[rel]
    labels = [s.label for s in conv.solutions]
    exercises = {e.label for e in conv.exercises}
    assert set(labels) <= exercises, f"{rel}: solutions for no exercise of this notebook: {set(labels) - exercises}"
    answered: dict[str, list[dict]] = {}
    for cell in conv.answer_cells:
        answered.setdefault(cell["metadata"]["course"]["exercise"], []).append(cell)
    assert sorted(answered) == sorted(labels), f"{rel}: answer cells {sorted(answered)} for solutions {labels}"
    for label, cells in answered.items():
        for cell in cells:
            if cell["cell_type"] == "code":
                assert cell["source"] == f'raise NotImplementedError("Exercise {label}: write your answer here")'
                assert "raises-exception" in cell["metadata"]["tags"]
            else:
                assert cell["source"] == "**Your answer:**"
    # nothing was executed in it, and cell ids stay unique
    student = conv.notebook
    assert all(not c.get("outputs") and c.get("execution_count") is None
               for c in student["cells"] if c["cell_type"] == "code")
    ids = [c.get("id") for c in student["cells"]]
    assert len(ids) == len(set(ids)) and all(ids)
    assert set(student["metadata"]) <= {"kernelspec", "language_info"}
    # no solution marker is left, and every cell that was not part of a solution is still there
    text = json.dumps(student)
    assert "solution-start" not in text and "solution-end" not in text and "{solution}" not in text
    kept_code = [c["source"] for c in student["cells"] if c["cell_type"] == "code" and "answer" not in
                 c["metadata"].get("tags", [])]
    solution_code = [s for sol in conv.solutions for s in sol.code]
    original_code = ["".join(c["source"]) for c in original["cells"] if c["cell_type"] == "code"]
    assert len(kept_code) + len(solution_code) == len(original_code)


@pytest.mark.parametrize("rel", IDS)
def test_no_solution_survives_in_the_student_notebook(conversions, rel):
    original, conv = conversions[rel]
    assert sn.solution_leaks(original, conv.notebook, rel) == []


def test_the_leak_check_finds_a_leak(conversions):
    """Put one line of a solution back (in a cell, an output, a cell's metadata): each is found."""
    original, conv = conversions["preliminaries.ipynb"]
    sol = next(s for s in conv.solutions if s.has_code)
    line = next(ln for ln in sol.code[0].splitlines() if len(ln.strip()) > 30)
    for where in ("source", "output", "metadata"):
        student = copy.deepcopy(conv.notebook)
        cell = next(c for c in student["cells"] if c["cell_type"] == "code" and "answer" not in
                    c["metadata"].get("tags", []))
        if where == "source":
            cell["source"] += "\n" + line
        elif where == "output":
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["x\n", line + "\n"]}]
        else:
            cell["metadata"]["note"] = "see: " + line
        leaks = sn.solution_leaks(original, student, "preliminaries.ipynb")
        assert any(line.strip() in leak for leak in leaks), where
    # a solution's output, glued or printed, is found too
    student = copy.deepcopy(conv.notebook)
    student["cells"][-1]["source"] += "\n" + "Fewer points *and* a narrower range of $\\log N$ both widen the interval: the"
    assert sn.solution_leaks(original, student, "preliminaries.ipynb")


# ------------------------------------------------------------------ the rules, on small notebooks
def _nb(*cells: tuple[str, str]) -> dict:
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {"kernelspec": {"name": "python3"}, "extra": 1},
            "cells": [{"cell_type": t, "id": f"c{i}", "metadata": {}, "source": s,
                       **({"outputs": [{"output_type": "stream", "name": "stdout", "text": "secret 42\n"}],
                           "execution_count": 3} if t == "code" else {})}
                      for i, (t, s) in enumerate(cells)]}


def _kinds(nb: dict) -> list[tuple[str, str, str | None]]:
    return [(c["cell_type"], c["metadata"]["course"]["exercise"], c["metadata"]["course"]["kind"])
            for c in sn.convert(nb).answer_cells]


def test_gated_solution_across_cells_with_text_in_the_marker_cells():
    nb = _nb(
        ("markdown", "# T\n\n:::{exercise}\n:label: e1\n:class: kind-data\nQ1\n:::\n\n"
                     ":::{solution-start} e1\n:class: dropdown\n:::\n\nFirst the formula, secret prose A."),
        ("code", "x = secret_function(1)"),
        ("markdown", "Secret prose B.\n:::{solution-end}\n:::\n\n:::{exercise}\n:label: e2\n:class: kind-argue\nQ2\n:::\n"
                     ":::{solution-start} e2\n:class: dropdown\n:::"),
        ("markdown", "Because secret prose C.\n"),
        ("markdown", ":::{solution-end}\n:::\n\n## Take-aways\n\nkept"),
    )
    conv = sn.convert(nb)
    cells = conv.notebook["cells"]
    text = json.dumps(conv.notebook)
    assert "secret" not in text.lower() and "extra" not in conv.notebook["metadata"]
    assert [s.label for s in conv.solutions] == ["e1", "e2"]
    assert _kinds(nb) == [("code", "e1", "data"), ("markdown", "e1", "data"), ("markdown", "e2", "argue")]
    assert cells[0]["source"].startswith("# T") and "Q1" in cells[0]["source"]
    assert "Q2" in text and cells[-1]["source"] == "## Take-aways\n\nkept"


def test_single_solution_blocks_colon_and_backtick():
    nb = _nb(
        ("markdown", ":::{exercise}\n:label: a\n:class: kind-implement\nQ\n:::\n\n"
                     "::::{solution} a\n:class: dropdown\nSecret text.\n:::{note}\nsecret note\n:::\n"
                     "```python\nsecret_code()\n```\n::::\n\nafter a"),
        ("markdown", "```{exercise}\n:label: b\nQ\n```\n```{solution} b\nSecret b.\n```\nafter b"),
    )
    conv = sn.convert(nb)
    text = json.dumps(conv.notebook)
    assert "ecret" not in text and "after a" in text and "after b" in text
    assert _kinds(nb) == [("code", "a", "implement"), ("markdown", "a", "implement"), ("markdown", "b", None)]


def test_a_plain_code_fence_hides_marker_lookalikes():
    nb = _nb(("markdown", "```text\n:::{solution-end}\n:::\n```\nkept"))
    conv = sn.convert(nb)
    assert conv.solutions == [] and "solution-end" in conv.notebook["cells"][0]["source"]


def test_kind_decides_the_answer_cells():
    prose_only = lambda kind: _nb(  # noqa: E731
        ("markdown", f":::{{exercise}}\n:label: e\n:class: {kind}\nQ\n:::\n:::{{solution-start}} e\n:::"),
        ("markdown", "Secret.\n:::{solution-end}\n:::"))
    assert _kinds(prose_only("kind-plot")) == [("code", "e", "plot"), ("markdown", "e", "plot")]
    assert _kinds(prose_only("kind-argue")) == [("markdown", "e", "argue")]
    assert _kinds(prose_only("dropdown")) == [("markdown", "e", None)]
    code_only = _nb(("markdown", ":::{exercise}\n:label: e\n:class: kind-argue\nQ\n:::\n:::{solution-start} e\n:::"),
                    ("code", "secret()"), ("markdown", ":::{solution-end}\n:::"))
    assert _kinds(code_only) == [("code", "e", "argue"), ("markdown", "e", "argue")]


@pytest.mark.parametrize("cells, message", [
    ([("markdown", ":::{solution-start} e\n:::"), ("code", "x")], "has no {solution-end}"),
    ([("markdown", ":::{solution-end}\n:::")], "without a {solution-start}"),
    ([("markdown", ":::{solution-start}\n:::")], "without the exercise's label"),
    ([("markdown", ":::{solution} e\ntext")], "never closed"),
    ([("markdown", ":::{exercise}\n:label: e\n:class: kind-essay\n:::")], "kind-essay"),
    ([("markdown", ":::{exercise}\n:label: e\n:class: kind-plot kind-argue\n:::")], "two kinds"),
    ([("markdown", ":::{exercise}\nno label\n:::")], "without a :label:"),
    ([("markdown", ":::{solution} e\na\n:::\n:::{solution} e\nb\n:::")], "more than one solution"),
])
def test_malformed_markers_are_clear_errors(cells, message):
    with pytest.raises(sn.StudentNotebookError, match=message.replace("{", r"\{").replace("}", r"\}")):
        sn.convert(_nb(*cells), "x.ipynb")


def test_command_line_writes_every_chapter_and_reports_errors(tmp_path, capsys):
    assert sn.main(["--book", str(BOOK), "--out", str(tmp_path / "student")]) == 0
    written = sorted(p.relative_to(tmp_path / "student").as_posix() for p in (tmp_path / "student").rglob("*.ipynb"))
    assert written == IDS
    assert f"{len(IDS)} student notebooks written" in capsys.readouterr().out
    broken = tmp_path / "book"
    broken.mkdir()
    (broken / "x.ipynb").write_text(json.dumps(_nb(("markdown", ":::{solution-start} e\n:::"))))
    (broken / "y.ipynb").write_text("{not json")
    for name in ("x.ipynb", "y.ipynb"):
        assert sn.main(["--book", str(broken), "--out", str(tmp_path / "o"), str(broken / name)]) == 2
        err = capsys.readouterr().err
        assert "error:" in err and name in err and "Traceback" not in err


# ------------------------------------------------------------------ they run
def _run_key(student: dict) -> str:
    import numpy
    import pandas
    import scipy

    h = hashlib.sha256(json.dumps(student, sort_keys=True).encode())
    for path in sorted((ROOT / "scaling").rglob("*.py")) + [ROOT / "requirements.txt", ROOT / "constraints.txt"]:
        h.update(path.as_posix().encode())
        h.update(path.read_bytes())
    h.update(f"{platform.python_version()} {numpy.__version__} {scipy.__version__} {pandas.__version__}".encode())
    h.update(os.environ.get("SCALING_DATA_DIR", "").encode())
    return h.hexdigest()


@pytest.mark.parametrize("rel", IDS)
def test_student_notebook_runs_with_the_answers_left_blank(conversions, rel, tmp_path):
    if not RUN_ALL and rel not in QUICK:
        pytest.skip("run by `make test` (SCALING_STUDENT_NOTEBOOKS=all); `make unit` runs the preliminaries only")
    student = conversions[rel][1].notebook
    key = _run_key(student)
    try:
        cache = json.loads(CACHE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        cache = {}
    if cache.get(rel) == key:
        return  # this very notebook passed with this very package, requirements and Python
    path = tmp_path / Path(rel).name
    path.write_text(json.dumps(student), encoding="utf-8")
    problems = sn.run_student_notebook(path, (BOOK / rel).parent)
    assert problems == []
    cache[rel] = key
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    CACHE.write_text(json.dumps(cache, indent=1, sort_keys=True), encoding="utf-8")


def test_the_run_check_fails_a_notebook_that_needs_an_answer(tmp_path):
    """A cell after the exercise that uses the solution's name fails the check; so does an answer
    cell that does not raise NotImplementedError."""
    nb = _nb(("markdown", ":::{exercise}\n:label: e\nQ\n:::\n:::{solution-start} e\n:::"),
             ("code", "answer_value = 6 * 7"), ("markdown", ":::{solution-end}\n:::"),
             ("code", "print(answer_value)"))
    path = tmp_path / "needs.ipynb"
    path.write_text(json.dumps(sn.student_notebook(nb)))
    problems = sn.run_student_notebook(path, tmp_path, timeout=60)
    assert problems and "not an answer cell" in problems[0] and "NameError" in problems[0]
    student = sn.student_notebook(nb)
    student["cells"] = student["cells"][:-1]
    next(c for c in student["cells"] if c["cell_type"] == "code")["source"] = "raise ValueError('no')"
    path.write_text(json.dumps(student))
    assert "got ValueError" in sn.run_student_notebook(path, tmp_path, timeout=60)[0]


def test_part_counts_add_up(conversions):
    for part in ("kaplan", "chinchilla", "devries"):
        counts = sn.part_counts(BOOK, part)
        exercises = sum(len(conversions[rel][1].exercises) for rel in IDS if rel.startswith(part + "/"))
        assert counts["exercises"] == exercises == sum(counts["by_kind"].values()) + counts["no_kind"]
        assert counts["chapters"] == sum(rel.startswith(part + "/") for rel in IDS)
    assert sum(sn.part_counts(BOOK, "devries")["quiz"].values()) >= 8
