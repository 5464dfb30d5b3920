"""The Build-status page: every notebook's run, and the versions the site was built with.

``{book-status}`` is replaced, when the page is written, by a sentence on how long the notebooks
ran (their total and the slowest), a table of every notebook (chapter, how it was run, run time
in seconds, status as a word), and a table of the versions of Python and of the packages that
computed and built the book. The times are myst-nb's own execution records (``exec_data``), so
the page cannot claim a time the build did not measure; it is rewritten whenever a notebook is
executed again.
"""

from __future__ import annotations

import platform
from importlib import metadata
from typing import Any

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxDirective

PACKAGES = ("scaling-laws-reproduced", "numpy", "scipy", "pandas", "matplotlib", "pooch", "threadpoolctl",
            "jupyter-book", "myst-nb", "sphinx", "sphinx-book-theme", "sphinxcontrib-bibtex", "ipykernel",
            "nbval")
"""The packages whose versions the page lists: the computation first, then the build."""


class book_status(nodes.General, nodes.Element):  # noqa: N801 (docutils node names are lower case)
    """Placeholder replaced by :class:`FillBookStatus`."""


class BookStatus(SphinxDirective):
    """``{book-status}``: the execution table and the versions (filled in when the page is written)."""

    def run(self) -> list[nodes.Node]:
        from myst_nb.ext.execution_tables import METADATA_KEY
        from myst_nb.sphinx_ import NbMetadataCollector

        # myst-nb rewrites the pages that carry this flag whenever a notebook is executed again
        NbMetadataCollector.set_doc_data(self.env, self.env.docname, METADATA_KEY, True)
        return [book_status()]


def _table(headings: list[str], rows: list[list[nodes.Node | str]], numeric: set[int]) -> nodes.table:
    table = nodes.table(classes=["colwidths-auto", "book-status-table"])
    group = nodes.tgroup(cols=len(headings))
    table += group
    for _ in headings:
        group += nodes.colspec(colwidth=1)
    head = nodes.thead()
    group += head
    row = nodes.row()
    head += row
    for i, h in enumerate(headings):
        row += nodes.entry("", nodes.paragraph(text=h), classes=["num"] if i in numeric else [])
    body = nodes.tbody()
    group += body
    for cells in rows:
        row = nodes.row()
        body += row
        for i, cell in enumerate(cells):
            para = nodes.paragraph()
            para += cell if isinstance(cell, nodes.Node) else nodes.Text(cell)
            row += nodes.entry("", para, classes=["num"] if i in numeric else [])
    return table


class FillBookStatus(SphinxPostTransform):
    """Replace ``{book-status}`` with the sentence and the two tables."""

    default_priority = 8  # as myst-nb's own execution table: before references are resolved

    def run(self, **kwargs: Any) -> None:
        from myst_nb.sphinx_ import NbMetadataCollector

        for placeholder in list(self.document.findall(book_status)):
            data = NbMetadataCollector.get_doc_data(self.env)
            runs = {doc: d["exec_data"] for doc, d in data.items() if d.get("exec_data")}
            placeholder.replace_self(self._nodes(runs))

    def _order(self, doc: str) -> tuple:
        number = self.env.toc_secnumbers.get(doc, {}).get("")
        return (1, *number) if number else (0, doc)

    def _title(self, doc: str) -> str:
        number = self.env.toc_secnumbers.get(doc, {}).get("")
        title = self.env.titles[doc].astext() if doc in self.env.titles else doc
        return (".".join(map(str, number)) + " " if number else "") + title

    def _nodes(self, runs: dict[str, dict]) -> list[nodes.Node]:
        builder = self.app.builder
        rows = []
        for doc in sorted(runs, key=self._order):
            run = runs[doc]
            link = nodes.reference("", self._title(doc), internal=True,
                                   refuri=builder.get_relative_uri(self.env.docname, doc))
            runtime = run.get("runtime")
            rows.append([link, nodes.literal(text=f"{doc}.ipynb"), str(run.get("method", "")),
                         "-" if runtime is None else f"{runtime:.1f}",
                         "ok" if run.get("succeeded") else "failed"])
        times = [(r.get("runtime") or 0.0, doc) for doc, r in runs.items()]
        out: list[nodes.Node] = []
        if times:
            total = sum(t for t, _ in times)
            slowest_time, slowest = max(times)
            failed = sum(not r.get("succeeded") for r in runs.values())
            summary = nodes.paragraph()
            summary += nodes.Text(
                f"{len(runs)} notebooks ran in {total:.1f} s together on the machine that built this "
                f"site; the slowest, ")
            summary += nodes.reference("", self._title(slowest), internal=True,
                                       refuri=builder.get_relative_uri(self.env.docname, slowest))
            summary += nodes.Text(f", in {slowest_time:.1f} s. "
                                  + ("Every notebook ran without an error." if not failed else
                                     f"{failed} notebook(s) failed."))
            out.append(summary)
        out.append(_table(["chapter", "notebook", "run", "time (s)", "status"], rows, {3}))
        versions = [["Python", platform.python_version()]]
        for package in PACKAGES:
            try:
                versions.append([package, metadata.version(package)])
            except metadata.PackageNotFoundError:
                continue
        out.append(nodes.rubric(text="Versions"))
        out.append(_table(["package", "version"], versions, set()))
        return out


def setup(app: Any) -> None:
    app.add_node(book_status)
    app.add_directive("book-status", BookStatus)
    app.add_post_transform(FillBookStatus)
