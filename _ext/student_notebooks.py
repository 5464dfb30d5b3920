"""Student notebooks: the book's chapters with every worked solution taken out.

The book's notebooks are the *solution* notebooks: each exercise is followed by its worked
solution, written with sphinx-exercise's syntax, either gated over several cells::

    :::{solution-start} prelim-ex-pfdays        <- ends a markdown cell (or stands inside one)
    :class: dropdown
    :::
    ... code and markdown cells, the solution ...
    :::{solution-end}                           <- starts a markdown cell (or stands inside one)
    :::

or as one block inside a markdown cell (``:::{solution} label`` ... ``:::``, or with backticks).
:func:`student_notebook` turns one into a *student* notebook, as the scikit-learn MOOC derives
its exercise notebooks from its solution notebooks: every solution is removed, wherever its
markers fall (a markdown cell holding the end of one solution, the next exercise and the start
of the next solution is split), and replaced by the cells waiting for the answer:

* a code cell ``raise NotImplementedError("Exercise <label>: write your answer here")``,
  tagged ``answer`` and ``raises-exception``, if the solution had code or the exercise's kind
  is *implement*, *plot* or *data*;
* a markdown cell "**Your answer:**", tagged ``answer``, if the solution had prose or the
  exercise's kind is *argue* (and when neither rule applies).

Both carry ``metadata.course = {"exercise": label, "kind": kind}``. An exercise declares its
kind with a class, ``:class: kind-implement`` (or ``kind-plot``, ``kind-argue``, ``kind-data``).
Every output and execution count is dropped (a later cell's output, a glued value or an
image could show a solution's result), so is the cells' execution metadata; notebook metadata
keeps only the kernel and language.

**The rule for the rest of a chapter**: a student notebook runs top to bottom with every
answer cell left as it is. Answer cells raise ``NotImplementedError`` (allowed: they are tagged
``raises-exception``, which nbclient, nbval and Jupyter Book honour); no other cell may fail,
so no cell outside a solution may use a name that only a solution defines.
:func:`run_student_notebook` checks exactly that.

Use it three ways:

* ``python _ext/student_notebooks.py [--out _build/student] [notebook ...]`` (``make exercises``)
  writes every chapter's student notebook under ``_build/student/`` with the paths of ``book/``
  and prints what each holds;
* as a Sphinx extension (``student_notebooks`` in ``_config.yml``) it writes them into the HTML
  site as ``_static/student/<page>.ipynb`` after the build and offers each beside the full
  notebook: in the page's download menu and under the chapter's "Exercises" heading;
* ``tests/test_student_notebooks.py`` checks that no solution survives and that each runs.

It also gives part pages a ``{course-counts} <part>`` directive: a table of the part's chapters,
exercises by kind and quiz questions, counted when the book is built.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "KINDS",
    "StudentNotebookError",
    "Exercise",
    "Solution",
    "Conversion",
    "convert",
    "student_notebook",
    "solution_leaks",
    "write_student_notebooks",
    "run_student_notebook",
    "main",
]

KINDS: dict[str, str] = {
    "implement": "Implement",
    "plot": "Plot",
    "argue": "Argue",
    "data": "Compute with the data",
}
"""The four kinds of exercise (issue 13), by the class that marks them (``kind-<key>``)."""

ANSWER_TAG = "answer"
RAISES_TAG = "raises-exception"
STATIC_DIR = "_static/student"
"""Where the HTML site keeps the student notebooks (``<outdir>/_static/student/<page>.ipynb``)."""

_OPENER = re.compile(r"^(?P<indent>[ ]{0,3})(?P<fence>:{3,}|`{3,}|~{3,})\s*(?:\{(?P<name>[^}\s]+)\})?\s*(?P<arg>.*?)\s*$")
_OPTION = re.compile(r"^\s*:(?P<key>[\w-]+):\s*(?P<value>.*?)\s*$")


class StudentNotebookError(ValueError):
    """A notebook whose solutions cannot be taken out (unbalanced or unlabelled markers)."""


@dataclass
class Exercise:
    """An ``{exercise}`` block: its label and kind (``None`` when it declares none)."""

    label: str
    kind: str | None
    cell: int


@dataclass
class Solution:
    """One solution: what it held, and where."""

    label: str
    first_cell: int
    code: list[str] = field(default_factory=list)
    """Sources of its code (and raw) cells."""
    prose: list[str] = field(default_factory=list)
    """Its markdown lines (the directive's own markers excluded)."""

    @property
    def has_code(self) -> bool:
        return any(src.strip() for src in self.code)

    @property
    def has_prose(self) -> bool:
        return any(line.strip() for line in self.prose)


@dataclass
class Conversion:
    """A student notebook and what was taken out of the solution notebook."""

    notebook: dict[str, Any]
    exercises: list[Exercise]
    solutions: list[Solution]

    @property
    def answer_cells(self) -> list[dict[str, Any]]:
        return [c for c in self.notebook["cells"] if ANSWER_TAG in c.get("metadata", {}).get("tags", [])]


# ------------------------------------------------------------------ parsing markdown
def _source(cell: dict[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _is_closer(line: str, fence: str) -> bool:
    """A bare fence of the same character, at least as long as the opening one (MyST's rule)."""
    stripped = line.strip()
    return bool(stripped) and set(stripped) == {fence[0]} and len(stripped) >= len(fence)


def _options(lines: list[str], start: int) -> tuple[dict[str, str], int]:
    """The ``:key: value`` options (or a ``---`` YAML block) of a directive from ``lines[start]``;
    returns them and the index of the first line after them."""
    opts: dict[str, str] = {}
    i = start
    if i < len(lines) and lines[i].strip() == "---":
        i += 1
        while i < len(lines) and lines[i].strip() != "---":
            key, _, value = lines[i].partition(":")
            opts[key.strip()] = value.strip()
            i += 1
        return opts, min(i + 1, len(lines))
    while i < len(lines):
        m = _OPTION.match(lines[i])
        if not m:
            break
        opts[m.group("key")] = m.group("value")
        i += 1
    return opts, i


def _kind(options: dict[str, str], label: str, where: str) -> str | None:
    kinds = [c[len("kind-"):] for c in options.get("class", "").split() if c.startswith("kind-")]
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise StudentNotebookError(
            f"{where}: exercise {label!r} has the class kind-{unknown[0]}, but the kinds are "
            + ", ".join(f"kind-{k}" for k in KINDS))
    if len(kinds) > 1:
        raise StudentNotebookError(f"{where}: exercise {label!r} declares two kinds ({', '.join(kinds)}); give one")
    return kinds[0] if kinds else None


def find_exercises(nb: dict[str, Any], where: str = "notebook") -> list[Exercise]:
    """Every ``{exercise}`` (or ``{exercise-start}``) block of a notebook's markdown cells."""
    found = []
    for index, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "markdown":
            continue
        lines = _source(cell).splitlines()
        for i, line in enumerate(lines):
            m = _OPENER.match(line)
            if m and m.group("name") in ("exercise", "exercise-start"):
                opts, _ = _options(lines, i + 1)
                label = opts.get("label", "").strip()
                if not label:
                    raise StudentNotebookError(f"{where}, cell {index}: an {{{m.group('name')}}} without a :label:")
                found.append(Exercise(label, _kind(opts, label, f"{where}, cell {index}"), index))
    return found


# ------------------------------------------------------------------ the conversion
def _new_markdown(text: str, metadata: dict[str, Any] | None = None, cell_id: str | None = None) -> dict[str, Any]:
    cell: dict[str, Any] = {"cell_type": "markdown", "metadata": metadata or {}, "source": text}
    if cell_id:
        cell["id"] = cell_id
    return cell


def _answer_cells(solution: Solution, kind: str | None, ids: "_Ids") -> list[dict[str, Any]]:
    meta = {"exercise": solution.label, "kind": kind}
    wants_code = solution.has_code or kind in ("implement", "plot", "data")
    wants_prose = solution.has_prose or kind == "argue" or not wants_code
    cells = []
    if wants_code:
        cells.append({
            "cell_type": "code",
            "execution_count": None,
            "id": ids.new(f"answer-{solution.label}"),
            "metadata": {"tags": [ANSWER_TAG, RAISES_TAG], "course": dict(meta)},
            "outputs": [],
            "source": f'raise NotImplementedError("Exercise {solution.label}: write your answer here")',
        })
    if wants_prose:
        cells.append(_new_markdown("**Your answer:**", {"tags": [ANSWER_TAG], "course": dict(meta)},
                                   ids.new(f"answer-{solution.label}-text")))
    return cells


class _Ids:
    """Cell ids unique within the notebook (nbformat 4.5: 1-64 of [a-zA-Z0-9-_])."""

    def __init__(self, cells: Iterable[dict[str, Any]]) -> None:
        self.used = {c.get("id") for c in cells if c.get("id")}

    def new(self, base: str) -> str:
        base = re.sub(r"[^A-Za-z0-9_-]", "-", base)[:56] or "cell"
        candidate, n = base, 1
        while candidate in self.used:
            n += 1
            candidate = f"{base}-{n}"
        self.used.add(candidate)
        return candidate


def _clean_code_cell(cell: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(cell)
    out["outputs"] = []
    out["execution_count"] = None
    out.get("metadata", {}).pop("execution", None)
    return out


def convert(nb: dict[str, Any], where: str = "notebook", full_notebook: str | None = None) -> Conversion:
    """Take every solution out of a notebook (nbformat 4 as a dict); see the module docstring.

    Parameters
    ----------
    nb
        The solution notebook, as read by :func:`json.load` (not modified).
    where
        Its name, for error messages.
    full_notebook
        Where the full chapter can be found (a path or an address), named in the note that
        heads the student notebook; ``None`` for no note.

    Raises
    ------
    StudentNotebookError
        A ``{solution-start}`` never ended, a ``{solution-end}`` or block closer without its start,
        a solution without a label, or an exercise with an unknown or double kind.
    """
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise StudentNotebookError(f"{where}: not a notebook (no list of cells)")
    exercises = find_exercises(nb, where)
    kinds = {e.label: e.kind for e in exercises}
    ids = _Ids(nb["cells"])
    cells_out: list[dict[str, Any]] = []
    solutions: list[Solution] = []
    gated: Solution | None = None

    def finish(sol: Solution) -> None:
        solutions.append(sol)
        cells_out.extend(_answer_cells(sol, kinds.get(sol.label), ids))

    for index, cell in enumerate(nb["cells"]):
        kind = cell.get("cell_type")
        if kind != "markdown":
            if gated is not None:
                gated.code.append(_source(cell))
            else:
                cells_out.append(_clean_code_cell(cell) if kind == "code" else copy.deepcopy(cell))
            continue
        lines = _source(cell).splitlines(keepends=True)
        kept: list[str] = []
        pieces = 0

        def flush() -> None:
            nonlocal kept, pieces
            text = "".join(kept).strip("\n")
            kept = []
            if not text.strip():
                return
            meta = copy.deepcopy(cell.get("metadata", {})) if pieces == 0 else {}
            cid = cell.get("id") if pieces == 0 else ids.new(f"{cell.get('id', 'md')}-part")
            pieces += 1
            cells_out.append(_new_markdown(text, meta, cid))

        i = 0
        fence_block: str | None = None  # inside a plain code fence of the markdown: no directives there
        open_fences: list[str] = []     # directives opened in this cell and not yet closed
        while i < len(lines):
            line = lines[i]
            sink = gated.prose if gated is not None else kept
            if fence_block is not None:
                sink.append(line)
                if _is_closer(line, fence_block):
                    fence_block = None
                i += 1
                continue
            m = _OPENER.match(line.rstrip("\n"))
            name = m.group("name") if m else None
            here = f"{where}, cell {index}"
            if m and not name:
                # a bare fence: the closer of an open directive, or a plain code block's opener
                if open_fences and _is_closer(line, open_fences[-1]):
                    open_fences.pop()
                elif m.group("fence")[0] in "`~":
                    fence_block = m.group("fence")
                sink.append(line)
                i += 1
                continue
            if gated is not None:
                if name == "solution-end":
                    _, j = _options(lines, i + 1)
                    if j < len(lines) and _is_closer(lines[j], m.group("fence")):
                        j += 1
                    finish(gated)
                    gated = None
                    i = j
                    continue
                if name in ("solution-start", "solution"):
                    raise StudentNotebookError(
                        f"{here}: a {{{name}}} inside solution {gated.label!r}, which has no {{solution-end}} before it")
                if name:
                    open_fences.append(m.group("fence"))
                gated.prose.append(line)
                i += 1
                continue
            if name == "solution-end":
                raise StudentNotebookError(f"{here}: a {{solution-end}} without a {{solution-start}} before it")
            if name == "solution-start":
                label = m.group("arg").strip()
                if not label:
                    raise StudentNotebookError(f"{here}: a {{solution-start}} without the exercise's label")
                _, j = _options(lines, i + 1)
                if j < len(lines) and _is_closer(lines[j], m.group("fence")):
                    j += 1
                flush()
                gated = Solution(label, index)
                i = j
                continue
            if name == "solution":
                label = m.group("arg").strip()
                if not label:
                    raise StudentNotebookError(f"{here}: a {{solution}} without the exercise's label")
                _, j = _options(lines, i + 1)
                sol = Solution(label, index)
                while j < len(lines) and not _is_closer(lines[j], m.group("fence")):
                    sol.prose.append(lines[j])
                    j += 1
                if j >= len(lines):
                    raise StudentNotebookError(f"{here}: the {{solution}} block of {label!r} is never closed")
                flush()
                sol.code.extend(_fenced_code(sol.prose))  # a code fence inside a one-block solution is code
                finish(sol)
                i = j + 1
                continue
            if name:
                open_fences.append(m.group("fence"))
            kept.append(line)
            i += 1
        flush()
    if gated is not None:
        raise StudentNotebookError(
            f"{where}: the {{solution-start}} of {gated.label!r} (cell {gated.first_cell}) has no {{solution-end}}")
    labels = [s.label for s in solutions]
    twice = sorted({x for x in labels if labels.count(x) > 1})
    if twice:
        raise StudentNotebookError(f"{where}: more than one solution for {', '.join(twice)}")

    if full_notebook is not None:
        cells_out[1 if cells_out and _is_title(cells_out[0]) else 0:0] = [_note(len(solutions), full_notebook, ids)]
    meta = {k: copy.deepcopy(v) for k, v in nb.get("metadata", {}).items() if k in ("kernelspec", "language_info")}
    student = {"cells": cells_out, "metadata": meta, "nbformat": nb.get("nbformat", 4),
               "nbformat_minor": nb.get("nbformat_minor", 5)}
    return Conversion(student, exercises, solutions)


def _fenced_code(lines: list[str]) -> list[str]:
    out, current, fence = [], None, None
    for line in lines:
        m = _OPENER.match(line.rstrip("\n"))
        if fence is None and m and not m.group("name") and m.group("fence")[0] in "`~":
            fence, current = m.group("fence"), []
        elif fence is not None and _is_closer(line, fence):
            out.append("".join(current or []))
            fence, current = None, None
        elif current is not None:
            current.append(line)
    return out


def _is_title(cell: dict[str, Any]) -> bool:
    return cell.get("cell_type") == "markdown" and _source(cell).lstrip().startswith("# ")


def _note(n_solutions: int, full: str, ids: _Ids) -> dict[str, Any]:
    what = ("The worked solution of this chapter's exercise is" if n_solutions == 1
            else f"The worked solutions of this chapter's {n_solutions} exercises are")
    text = (
        f"*Student version.* {what} taken out. Each exercise "
        "is followed by the cells waiting for your answer (tagged `answer`): a code cell that raises "
        "`NotImplementedError` until you replace it, and/or a markdown cell for your argument. The "
        "notebook runs top to bottom with the answers left blank; no later cell needs them. The full "
        f"chapter, solutions included, is {full}."
    ) if n_solutions else (
        f"*Student version* of the chapter (outputs cleared; this chapter has no exercises). The full "
        f"chapter is {full}."
    )
    return _new_markdown(text, {"tags": ["student-note"]}, ids.new("student-note"))


def student_notebook(nb: dict[str, Any], where: str = "notebook", full_notebook: str | None = None) -> dict[str, Any]:
    """The student notebook of ``nb`` (see :func:`convert`)."""
    return convert(nb, where, full_notebook).notebook


# ------------------------------------------------------------------ the check that nothing leaks
_TRIVIAL = re.compile(r"^[\s:`~#*_\-=()\[\]{},.;|>]*$")


def _lines_of(text: str) -> set[str]:
    return {ln.strip() for ln in text.splitlines() if ln.strip()}


def _all_text(nb: dict[str, Any]) -> str:
    """Everything a notebook holds, as text: sources, outputs and metadata."""
    parts = [json.dumps(nb.get("metadata", {}), ensure_ascii=False)]
    for cell in nb.get("cells", []):
        parts.append(_source(cell))
        parts.append(json.dumps(cell.get("metadata", {}), ensure_ascii=False))
        for out in cell.get("outputs", []) or []:
            text = out.get("text")
            if text is not None:
                parts.append("".join(text) if isinstance(text, list) else str(text))
            for value in (out.get("data") or {}).values():
                parts.append("".join(value) if isinstance(value, list) else json.dumps(value, ensure_ascii=False))
            for key in ("ename", "evalue"):
                if out.get(key):
                    parts.append(str(out[key]))
    return "\n".join(parts)


def solution_leaks(original: dict[str, Any], student: dict[str, Any], where: str = "notebook") -> list[str]:
    """Lines of a solution that survive anywhere in the student notebook (an empty list if none).

    Every line of every solution (its code and its prose) is compared with the student
    notebook's text: sources, outputs and metadata. A line counts only if it is the solution's
    own: lines that the solution notebook also has outside its solutions (``plt.show()``, a
    blank line, a fence) are not evidence of a leak. A surviving line is one that equals a line
    of the student notebook, or, if it is longer than 24 characters, occurs anywhere in its text.
    """
    conversion = convert(original, where)
    solution_lines: dict[str, str] = {}
    for sol in conversion.solutions:
        for text in sol.code + ["".join(sol.prose)]:
            for ln in _lines_of(text):
                solution_lines.setdefault(ln, sol.label)
    # what the solution notebook says outside its solutions: the student notebook of it, with outputs
    outside = _lines_of(_all_text(_outside_solutions(original, where)))
    student_text = _all_text(student)
    student_lines = _lines_of(student_text)
    leaks = []
    for ln, label in solution_lines.items():
        if ln in outside or _TRIVIAL.match(ln):
            continue
        if ln in student_lines or (len(ln) > 24 and ln in student_text):
            leaks.append(f"{where}: solution {label!r}: {ln!r}")
    return leaks


def _outside_solutions(nb: dict[str, Any], where: str) -> dict[str, Any]:
    """The solution notebook without its solutions but with its other cells' outputs."""
    conversion = convert(nb, where)
    by_id = {c.get("id"): c for c in nb["cells"] if c.get("id")}
    cells = []
    for cell in conversion.notebook["cells"]:
        if ANSWER_TAG in cell.get("metadata", {}).get("tags", []):
            continue
        original = by_id.get(cell.get("id"))
        cells.append(original if original is not None and original.get("cell_type") == "code" else cell)
    return {"cells": cells, "metadata": nb.get("metadata", {})}


# ------------------------------------------------------------------ files
def notebooks_under(book: Path) -> list[Path]:
    return sorted(p for p in book.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def write_student_notebooks(book: Path, out: Path, notebooks: Iterable[Path] | None = None,
                            full_notebook: str = "`{rel}` in the book's repository") -> list[tuple[Path, Conversion]]:
    """Write the student notebook of each of ``notebooks`` (default: every one under ``book``)
    to ``out`` with the same relative path; returns what was written."""
    book, out = Path(book), Path(out)
    written = []
    for path in (notebooks_under(book) if notebooks is None else [Path(p) for p in notebooks]):
        rel = path.resolve().relative_to(book.resolve())
        where = str(Path(book.name) / rel)
        try:
            nb = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise StudentNotebookError(f"{path}: cannot read the notebook ({err})") from None
        conversion = convert(nb, where, full_notebook.format(rel=(Path(book.name) / rel).as_posix()))
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".ipynb.tmp")
        tmp.write_text(json.dumps(conversion.notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        tmp.replace(target)
        written.append((target, conversion))
    return written


# ------------------------------------------------------------------ running one
def run_student_notebook(path: Path, cwd: Path, timeout: int = 300) -> list[str]:
    """Execute a student notebook top to bottom; returns the problems (an empty list if none).

    Problems: a cell that is not an answer cell raised (the first one stops the run), or an
    answer code cell that did not raise ``NotImplementedError`` (or raised something else).
    ``cwd`` is the folder the chapter runs in (its folder under ``book/``).
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(str(path), as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=False,
                            resources={"metadata": {"path": str(cwd)}})
    try:
        client.execute()
    except CellExecutionError as err:
        first = str(err).strip().splitlines()
        return [f"{path}: a cell that is not an answer cell failed: " + " | ".join(first[-3:])]
    problems = []
    for index, cell in enumerate(nb.cells):
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.cell_type != "code" or ANSWER_TAG not in tags:
            continue
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if not errors or errors[0].get("ename") != "NotImplementedError":
            got = errors[0].get("ename") if errors else "no error"
            problems.append(f"{path}, cell {index}: the answer cell should raise NotImplementedError, got {got}")
    return problems


# ------------------------------------------------------------------ Sphinx
def _is_student_page(app: Any, docname: str) -> bool:
    try:
        src = Path(app.env.doc2path(docname))
    except Exception:  # noqa: BLE001 - a page Sphinx made itself (genindex, search)
        return False
    return src.suffix == ".ipynb" and docname.startswith("book/")


def _student_uri(docname: str) -> str:
    return f"{STATIC_DIR}/{docname}.ipynb"


def _add_download_item(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    """Put the student notebook in the page's download menu, right after the full notebook."""
    if not _is_student_page(app, pagename):
        return
    for group in context.get("header_buttons", []):
        if group.get("label") != "download-buttons":
            continue
        buttons = group.setdefault("buttons", [])
        item = {
            "type": "link",
            "url": context["pathto"](_student_uri(pagename), 1),
            "text": ".ipynb (student)",
            "icon": "fas fa-pencil-alt",
            "tooltip": "Download the student notebook: solutions taken out, answer cells to fill in",
            "label": "download-student-notebook-button",
        }
        at = next((i + 1 for i, b in enumerate(buttons) if b.get("label") == "download-notebook-button"), 0)
        buttons.insert(at, item)


def _add_exercise_link(app: Any, doctree: Any, docname: str) -> None:
    """Under the chapter's "Exercises" heading, a line linking the student notebook."""
    if not _is_student_page(app, docname):
        return
    from docutils import nodes

    depth = docname.count("/")
    uri = "../" * depth + _student_uri(docname)
    for section in doctree.findall(nodes.section):
        title = section.next_node(nodes.title)
        if title is None or title.astext().strip().rstrip("#").strip().lower() not in ("exercise", "exercises"):
            continue
        para = nodes.paragraph(classes=["student-notebook-link"])
        para += nodes.Text("To work on these, download the ")
        para += nodes.reference("", "student notebook", refuri=uri, internal=False)
        para += nodes.Text(" (.ipynb): the solutions are taken out and a cell waits for each answer.")
        section.insert(section.index(title) + 1, para)
        break


def _write_for_site(app: Any, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    src = Path(app.srcdir)
    docs = sorted(d for d in app.env.found_docs if _is_student_page(app, d))
    out = Path(app.outdir) / STATIC_DIR
    book = src / "book"
    paths = [Path(app.env.doc2path(d)) for d in docs]
    write_student_notebooks(book, out / "book", paths,
                            full_notebook="the page's .ipynb download (`{rel}` in the book's repository)")


def part_counts(book: Path, part: str) -> dict[str, Any]:
    """What a part holds for the course: its chapters, exercises by kind, quiz questions by type."""
    folder = Path(book) / part
    chapters = sorted(p for p in folder.glob("[0-9]*.ipynb"))
    exercises: list[Exercise] = []
    for path in chapters:
        exercises += find_exercises(json.loads(path.read_text(encoding="utf-8")), str(path))
    by_kind = {k: sum(e.kind == k for e in exercises) for k in KINDS}
    quiz = {"choice": 0, "numeric": 0}
    if (folder / "quiz.yml").is_file():
        import quiz as quiz_ext  # the sibling extension in _ext/

        quiz = quiz_ext.load_quiz(folder / "quiz.yml").counts
    short = [p.stem for p in chapters if len(find_exercises(json.loads(p.read_text(encoding="utf-8")))) < 3]
    return {"chapters": len(chapters), "exercises": len(exercises), "by_kind": by_kind,
            "no_kind": sum(e.kind is None for e in exercises), "quiz": quiz,
            "chapters_with_fewer_than_three": short}


def _counts_directive():
    from docutils import nodes
    from sphinx.util.docutils import SphinxDirective

    class CourseCounts(SphinxDirective):
        """``{course-counts} <part>``: a table of the part's exercises by kind and quiz questions,
        counted from the notebooks and the quiz file when the book is built."""

        required_arguments = 1

        def run(self) -> list[nodes.Node]:
            book = Path(self.env.srcdir) / "book"
            part = self.arguments[0].strip("/")
            if not (book / part).is_dir():
                raise self.error(f"course-counts: no folder book/{part}")
            for path in sorted((book / part).glob("[0-9]*.ipynb")) + [book / part / "quiz.yml"]:
                if path.exists():
                    self.env.note_dependency(str(path))
            try:
                c = part_counts(book, part)
            except (StudentNotebookError, ValueError) as err:
                raise self.error(f"course-counts: {err}") from None
            rows = [("chapters", str(c["chapters"])), ("exercises", str(c["exercises"]))]
            rows += [(f"exercises: {label.lower()}", str(c["by_kind"][k])) for k, label in KINDS.items()]
            if c["no_kind"]:
                rows.append(("exercises without a kind", str(c["no_kind"])))
            rows.append(("quiz questions", f"{c['quiz']['choice'] + c['quiz']['numeric']} "
                         f"({c['quiz']['choice']} multiple choice, {c['quiz']['numeric']} numeric)"))
            table = nodes.table(classes=["course-counts"])
            group = nodes.tgroup(cols=2)
            table += group
            group += nodes.colspec(colwidth=3)
            group += nodes.colspec(colwidth=2)
            body = nodes.tbody()
            group += body
            for name, value in rows:
                row = nodes.row()
                for text in (name, value):
                    entry = nodes.entry()
                    entry += nodes.paragraph(text=text)
                    row += entry
                body += row
            return [table]

    return CourseCounts


def setup(app: Any) -> dict[str, Any]:
    app.add_directive("course-counts", _counts_directive())
    app.connect("doctree-resolved", _add_exercise_link)
    app.connect("html-page-context", _add_download_item, priority=600)
    app.connect("build-finished", _write_for_site)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}


# ------------------------------------------------------------------ command line
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python _ext/student_notebooks.py",
        description="Write the student notebooks (solutions taken out) of the book's chapters.")
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks under --book (default: all)")
    parser.add_argument("--book", type=Path, default=Path("book"), help="the book's folder (default: book)")
    parser.add_argument("--out", type=Path, default=Path("_build/student"),
                        help="where to write them, with the paths under --book (default: _build/student)")
    args = parser.parse_args(argv)
    try:
        written = write_student_notebooks(args.book, args.out, args.notebooks or None)
    except (StudentNotebookError, ValueError) as err:
        print(f"student notebooks: error: {err}", file=sys.stderr)
        return 2
    width = max((len(str(p)) for p, _ in written), default=10)
    print(f"{'student notebook':<{width}}  exercises  by kind{'':<40}  answer cells")
    for path, conv in written:
        counts = {k: sum(e.kind == k for e in conv.exercises) for k in KINDS}
        unmarked = sum(e.kind is None for e in conv.exercises)
        kinds = ", ".join(f"{k} {n}" for k, n in counts.items() if n) or "-"
        if unmarked:
            kinds += f" (no kind: {unmarked})"
        print(f"{str(path):<{width}}  {len(conv.exercises):>9}  {kinds:<47}  {len(conv.answer_cells):>12}")
    print(f"{len(written)} student notebooks written under {args.out}")
    parts = sorted({p.parent.name for p in notebooks_under(args.book) if p.parent != args.book})
    for part in parts:
        c = part_counts(args.book, part)
        kinds = ", ".join(f"{k} {n}" for k, n in c["by_kind"].items())
        print(f"{part}: {c['chapters']} chapters, {c['exercises']} exercises ({kinds}, no kind {c['no_kind']}), "
              f"quiz {c['quiz']['choice']} + {c['quiz']['numeric']} questions"
              + (f"; fewer than three exercises: {', '.join(c['chapters_with_fewer_than_three'])}"
                 if c["chapters_with_fewer_than_three"] else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
