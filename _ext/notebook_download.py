"""Notebooks a reader can run: the download button offers each chapter in plain Jupyter Markdown.

At the end of an HTML build, every chapter's notebook in ``_sources/`` (where the page's
download button points) is replaced by a converted copy of the notebook the build executed:

* MyST roles become what the page shows: ``{cite:t}`kaplan2020``` -> "Kaplan et al. (2020)",
  ``{term}`name``` -> the word, ``{numref}`fig-x``` -> "Figure 3.1.1", ``{glue:text}`key:.2f```
  -> the value, ``{doc}``/``{ref}`` -> the title, ``{py:func}`~scaling.x.f``` -> ```f()```;
* directives become Markdown: exercises and solutions -> headings ("Exercise 3.1.1",
  "Solution to Exercise 3.1.1", the solution under its own heading), admonitions ->
  block quotes, ``{math}`` -> ``$$``;
* a first cell says how to install the package and where the data come from;
* the book's machinery is left out: the stacked phone layout of each figure, the glued
  values' records, and the import of ``myst_nb`` (a reader needs only ``scaling``).

The student notebooks (``_static/student/``, written by ``student_notebooks.py`` with the
solutions taken out) are converted the same way.

:func:`convert_markdown` and :func:`convert_notebook` work on plain data (no Sphinx), so the
tests can call them; :func:`write_downloads` is the ``build-finished`` hook.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

NARROW_MIME = "application/vnd.scaling.narrow+svg"
GLUE_PREFIX = "application/papermill.record/"

ADMONITIONS = {"admonition", "note", "tip", "hint", "important", "warning", "caution", "attention",
               "danger", "error", "seealso", "dropdown", "margin", "sidebar", "topic", "epigraph"}


@dataclass
class Resolver:
    """What the conversion needs to know about the book, each a function of a name."""

    cite: Callable[[list[str], bool], str] = lambda keys, textual: ", ".join(keys)
    """(keys, textual) -> "Kaplan et al. (2020)" (textual) or "(Kaplan et al., 2020)"."""
    number: Callable[[str], str | None] = lambda label: None
    """A figure, table, equation or exercise label -> "Figure 3.1.1" (None if unknown)."""
    title: Callable[[str], str | None] = lambda target: None
    """A document path (relative to the chapter) or a section label -> its title."""
    glue: dict[str, str] = field(default_factory=dict)
    """Glue key -> its ``text/plain`` value."""


_ROLE = re.compile(r"\{([A-Za-z][\w:.-]*)\}`([^`]*)`")
_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>:{3,}|`{3,})\{(?P<name>[\w:.-]+)\}[ \t]*(?P<args>.*)$")
_TARGET = re.compile(r"^\s*\(([^()\s]+)\)=\s*$")


def _explicit(content: str) -> tuple[str | None, str]:
    """``text <target>`` -> (text, target); ``target`` -> (None, target)."""
    m = re.fullmatch(r"\s*(.*?)\s*<([^<>]+)>\s*", content, re.S)
    if m and m.group(1):
        return m.group(1), m.group(2).strip()
    return None, content.strip()


def _format_glue(value: str, spec: str) -> str:
    from myst_nb.core.variables import format_plain_text

    return format_plain_text(value, spec)


def convert_role(name: str, content: str, resolve: Resolver) -> str:
    """One inline role, as plain Markdown."""
    base = name.split(":")[0]
    text, target = _explicit(content)
    if base == "cite":
        keys = [k.strip() for k in target.split(",") if k.strip()]
        textual = name in ("cite:t", "cite:ts", "cite:ct", "cite:cts", "cite:author", "cite:authors")
        return resolve.cite(keys, textual)
    if name == "abbr":
        return re.sub(r"\s*\(.*\)$", "", target)
    if name in ("term", "download", "sub", "sup", "kbd", "guilabel", "command", "file", "program",
                "envvar"):
        return text or target
    if name == "numref":
        number = resolve.number(target)
        if text:
            return text.replace("%s", number.split(" ", 1)[-1] if number else "").replace("{number}", (
                number.split(" ", 1)[-1] if number else ""))
        return number or target
    if name in ("ref", "doc"):
        return text or resolve.title(target) or target
    if name == "eq":
        number = resolve.number(target)
        return f"({number.split(' ', 1)[-1]})" if number else target
    if name.startswith("glue"):
        key, _, spec = target.rpartition(":") if ":" in target else (target, "", "")
        key = key or target
        value = resolve.glue.get(key)
        if value is None:
            return target
        return _format_glue(value, spec)
    if name == "math":
        return f"${content}$"
    if base == "py" or name in ("func", "meth", "class", "mod", "data", "attr", "obj", "exc"):
        role = name.split(":")[-1]
        shown = text or target
        if not text:
            shown = shown.lstrip("~")
            if target.startswith("~"):
                shown = shown.rsplit(".", 1)[-1]
            if role in ("func", "meth"):
                shown += "()"
        return f"`{shown}`"
    return text or target


def convert_inline(text: str, resolve: Resolver) -> str:
    """Every inline role of a line of Markdown."""
    return _ROLE.sub(lambda m: convert_role(m.group(1), m.group(2), resolve), text)


def _directive_end(lines: list[str], start: int, fence: str) -> int:
    """Index of the line closing the directive opened at ``start`` (or ``len(lines)``)."""
    char, width = fence[0], len(fence)
    depth = 0
    for i in range(start + 1, len(lines)):
        stripped = lines[i].strip()
        opened = _FENCE_OPEN.match(lines[i])
        if opened and opened.group("fence")[0] == char and len(opened.group("fence")) == width:
            depth += 1
        elif stripped and set(stripped) == {char} and len(stripped) >= width:
            if depth == 0:
                return i
            depth -= 1
    return len(lines)


def _options(body: list[str]) -> tuple[dict[str, str], list[str]]:
    """The ``:key: value`` options at the top of a directive's body, and the rest."""
    opts: dict[str, str] = {}
    i = 0
    while i < len(body):
        m = re.match(r"^\s*:([\w-]+):\s*(.*)$", body[i])
        if not m:
            break
        opts[m.group(1)] = m.group(2).strip()
        i += 1
    return opts, body[i:]


def _quote(lines: list[str]) -> list[str]:
    return [("> " + line).rstrip() for line in lines]


def convert_directive(name: str, args: str, body: list[str], resolve: Resolver, state: dict) -> list[str]:
    """One directive, as Markdown lines (its body already converted)."""
    opts, rest = _options(body)
    inner = convert_markdown("\n".join(rest), resolve, state).splitlines() if rest else []
    if name in ("exercise", "exercise-start"):
        label = opts.get("label", "")
        heading = resolve.number(label) or "Exercise"
        if args.strip():
            heading += f": {convert_inline(args.strip(), resolve)}"
        return [f"#### {heading}", "", *inner, ""]
    if name in ("solution", "solution-start"):
        target = args.strip()
        number = resolve.number(target)
        state["solution"] = True
        return [f"#### Solution to {number}" if number else "#### Solution", "", *inner, ""]
    if name in ("solution-end", "exercise-end"):
        return []
    if name in ADMONITIONS:
        title = convert_inline(args.strip(), resolve) if args.strip() else name.capitalize()
        quoted = _quote([f"**{title}**", "", *inner]) if name != "margin" else _quote(inner)
        return [*quoted, ""]
    if name in ("math", "amsmath"):
        return ["$$", *rest, "$$", ""]
    if name == "rubric":
        return [f"**{convert_inline(args.strip(), resolve)}**", ""]
    if name in ("code-block", "code", "code-cell", "sourcecode"):
        return [f"```{args.strip()}", *rest, "```", ""]
    if name in ("figure", "image"):
        alt = opts.get("alt", "")
        caption = " ".join(inner).strip()
        return [f"![{alt or caption}]({args.strip()})", "", *([f"*{caption}*", ""] if caption else [])]
    if name in ("glossary", "toctree", "nb-exec-table", "bibliography", "tableofcontents", "contents"):
        return []
    return [*inner, ""]


def convert_markdown(source: str, resolve: Resolver, state: dict | None = None) -> str:
    """A Markdown cell written in MyST, as plain Jupyter Markdown."""
    state = {} if state is None else state
    lines = source.splitlines()
    out: list[str] = []
    i = 0
    in_code = False
    while i < len(lines):
        line = lines[i]
        opened = _FENCE_OPEN.match(line)
        if not in_code and opened:
            end = _directive_end(lines, i, opened.group("fence"))
            body = lines[i + 1:end]
            out += convert_directive(opened.group("name"), opened.group("args"), body, resolve, state)
            i = end + 1
            continue
        if re.match(r"^\s*(```|~~~)", line):
            in_code = not in_code
            out.append(line)
            i += 1
            continue
        if in_code:
            out.append(line)
        elif _TARGET.match(line):
            pass  # a MyST label, (name)=
        else:
            line = re.sub(r"(\$\$)\s*\(([\w:.-]+)\)\s*$", r"\1", line)  # $$ ... $$ (label)
            out.append(convert_inline(line, resolve))
        i += 1
    text = "\n".join(out)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


GLUE_SHIM = "glue = lambda name, value, display=True: None  # the book pastes these values into its text"


def _shim_glue(code: str) -> str:
    return re.sub(r"^([ \t]*)from myst_nb import glue[ \t]*$", lambda m: m.group(1) + GLUE_SHIM, code,
                  flags=re.M)


def first_cell(title: str, uses_data: bool) -> str:
    """The cell that opens a downloaded notebook: how to install the package, where the data are."""
    data = (
        "It reads third-party data sets: `scaling.datasets` downloads each on first use from its "
        "public address, verifies its SHA-256 checksum and caches it. If you already have the "
        "files, point the environment variable `SCALING_DATA_DIR` at their folder (an absolute "
        "path) before starting Jupyter, and nothing is downloaded."
        if uses_data else
        "It needs no downloaded data: every number comes from the papers' published values, "
        "which the package carries."
    )
    return (
        f"> **Running this notebook.** This is *{title}*, a chapter of the book *Scaling Laws, "
        "Reproduced*, downloaded from its site. It needs Python 3.11 or newer and the book's "
        "package, `scaling` (distributed as `scaling-laws-reproduced`). From a clone of the "
        "book's repository:\n>\n"
        "> ```bash\n> pip install -e .            # or: make install, then . .venv/bin/activate\n> ```\n>\n"
        f"> {data} The figures and tables below are the outputs of the book's own run; "
        "run all cells to recompute them."
    )


def convert_notebook(nb: dict, resolve: Resolver, title: str, uses_data: bool) -> dict:
    """A chapter's notebook as a reader downloads it (a new dict; ``nb`` is not changed)."""
    nb = copy.deepcopy(nb)
    cells = []
    state: dict = {}
    for cell in nb.get("cells", []):
        src = "".join(cell.get("source", "")) if isinstance(cell.get("source"), list) else cell.get("source", "")
        if cell.get("cell_type") == "markdown":
            cell["source"] = convert_markdown(src, resolve, state)
            if not cell["source"].strip():
                continue
        elif cell.get("cell_type") == "code":
            cell["source"] = _shim_glue(src)
            outputs = []
            for out in cell.get("outputs", []):
                data = out.get("data")
                if isinstance(data, dict):
                    data.pop(NARROW_MIME, None)
                    for key in [k for k in data if k.startswith(GLUE_PREFIX)]:
                        data.pop(key)
                    if not data:
                        continue
                outputs.append(out)
            cell["outputs"] = outputs
        cells.append(cell)
        figure = cell.get("metadata", {}).get("mystnb", {}).get("figure", {}) if cell.get(
            "cell_type") == "code" else {}
        if figure.get("caption"):  # Jupyter does not show the caption: a cell under the figure does
            number = resolve.number(figure["name"]) if figure.get("name") else None
            caption = convert_markdown(figure["caption"], resolve, state)
            cells.append({"cell_type": "markdown", "metadata": {},
                          "source": f"*{number}.* {caption}" if number else f"*{caption}*"})
    intro = {"cell_type": "markdown", "metadata": {}, "source": first_cell(title, uses_data)}
    if cells and "id" in cells[0]:
        intro["id"] = "how-to-run"
    nb["cells"] = [intro, *cells]
    nb.setdefault("metadata", {})["kernelspec"] = {"display_name": "Python 3", "language": "python",
                                                   "name": "python3"}
    return nb


# ------------------------------------------------------------------ the build hook
def citation_formatter(bibfiles: list[Path]) -> Callable[[list[str], bool], str]:
    """(keys, textual) -> the book's author-year citation, as the site writes it (the labels of
    ``book_bibliography``, in the bibliography's order, so that letters such as 2023a agree)."""
    from pybtex.database import parse_file
    from pybtex.plugin import find_plugin

    from book_bibliography import author_year_labels

    entries: dict[str, Any] = {}
    for path in bibfiles:
        entries.update(parse_file(str(path), bib_format="bibtex").entries)
    style = find_plugin("pybtex.style.formatting", "book")()
    ordered = list(style.sort(entries.values()))
    labels = dict(zip((e.key for e in ordered), author_year_labels(ordered)))

    def cite(keys: list[str], textual: bool) -> str:
        parts = [labels.get(k, (k, "")) for k in keys]
        if textual:
            return ", ".join(f"{n} ({y})" for n, y in parts)
        return "(" + "; ".join(f"{n}, {y}" for n, y in parts) + ")"

    return cite


def _resolver(app: Any, docname: str, cite: Callable[[list[str], bool], str], glue: dict[str, str]) -> Resolver:
    env = app.env
    std = env.get_domain("std")
    fmt = app.config.numfig_format

    def number(label: str) -> str | None:
        found = std.labels.get(label.lower()) or std.anonlabels.get(label.lower())
        doc, node_id = (found[0], found[1]) if found else (docname, label)
        for figtype, numbers in env.toc_fignumbers.get(doc, {}).items():
            if node_id in numbers:
                num = ".".join(map(str, numbers[node_id]))
                pattern = fmt.get(figtype) or {"exercise": "Exercise %s", "solution": "Solution %s"}.get(
                    figtype, f"{figtype.capitalize()} %s")
                return pattern % num
        return None

    def title(target: str) -> str | None:
        found = std.labels.get(target.lower())
        if found:
            return found[2]
        doc = target.lstrip("/") if target.startswith("/") else str(
            (Path(docname).parent / target).as_posix())
        doc = re.sub(r"\.(md|ipynb)$", "", doc)
        parts: list[str] = []
        for part in doc.split("/"):
            if part == "..":
                parts = parts[:-1]
            elif part not in ("", "."):
                parts.append(part)
        doc = "/".join(parts)
        if doc in env.titles:
            secnum = env.toc_secnumbers.get(doc, {}).get("")
            prefix = ".".join(map(str, secnum)) + " " if secnum else ""
            return prefix + env.titles[doc].astext()
        return None

    return Resolver(cite=cite, number=number, title=title, glue=glue)


def write_downloads(app: Any, exception: Exception | None) -> None:
    """``build-finished`` (after ``student_notebooks`` has written its notebooks): replace each
    notebook in ``_sources/`` and ``_static/student/`` by its converted copy."""
    if exception is not None or app.builder.format != "html":
        return
    env = app.env
    outdir = Path(app.outdir)
    executed_dir = outdir.parent / "jupyter_execute"
    cite = citation_formatter([Path(app.srcdir) / f for f in app.config.bibtex_bibfiles])
    uses = getattr(env, "scaling_uses", {})
    for docname in sorted(env.found_docs):
        source = Path(env.doc2path(docname))
        if source.suffix != ".ipynb":
            continue
        target = outdir / "_sources" / f"{docname}.ipynb"
        if not target.parent.is_dir():
            continue
        executed = executed_dir / f"{docname}.ipynb"
        nb = json.loads((executed if executed.is_file() else source).read_text(encoding="utf-8"))
        glue_file = executed_dir / f"{docname}.glue.json"
        glue = {}
        if glue_file.is_file():
            glue = {k: v.get("data", {}).get("text/plain", "")
                    for k, v in json.loads(glue_file.read_text(encoding="utf-8")).items()}
        title = env.titles[docname].astext() if docname in env.titles else docname
        secnum = env.toc_secnumbers.get(docname, {}).get("")
        if secnum:
            title = ".".join(map(str, secnum)) + " " + title
        uses_data = any(docname in docs for name, docs in uses.items() if name.startswith("scaling.datasets"))
        resolve = _resolver(app, docname, cite, glue)
        converted = convert_notebook(nb, resolve, title, uses_data)
        target.write_text(json.dumps(converted, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        # the student notebook of the chapter (solutions taken out, _ext/student_notebooks.py), if any
        student = outdir / "_static" / "student" / f"{docname}.ipynb"
        if student.is_file():
            nb = json.loads(student.read_text(encoding="utf-8"))
            converted = convert_notebook(nb, resolve, title + " (student version)", uses_data)
            student.write_text(json.dumps(converted, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
