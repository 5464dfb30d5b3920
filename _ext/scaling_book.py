"""The book's own Sphinx extension: what Jupyter Book does not do by itself.

Loaded from ``_config.yml`` (``sphinx.local_extensions``). Each part is small and says
which part of the book needs it:

* **Figures for phones.** :mod:`scaling.plotting` gives every figure made with
  ``plotting.figure`` a second, stacked layout under the MIME type
  ``application/vnd.scaling.narrow+svg``. myst-nb drops MIME types it does not know, so
  this extension renders that one as an image too and puts it beside the figure as drawn,
  in the same ``<figure>`` (one caption, one number). ``_static/book.css`` shows the
  stacked layout below 640 px and the one as drawn elsewhere and in print.
* **The API reference** (``book/api/``). The directive ``{api-module} scaling.x`` writes a
  module's page from its ``__all__``: the module's docstring, a summary table, then every
  function, class and constant (autodoc, NumPy docstrings through napoleon, a link to the
  source through viewcode); ``{api-package} scaling`` writes the package's page. Nothing is
  listed by hand, so the reference cannot drift from the code.
* **Used in.** Every documented object's docstring ends with the chapters that use it,
  found by reading the notebooks' code (imports resolved: ``from scaling import devries``
  then ``devries.data_factor(...)`` is a use of ``scaling.devries.data_factor``) and their
  text (``scaling.x.y`` names and ``{py:...}`` roles).
* **Names link to the reference.** Inline code in the text that names a documented object,
  ``scaling.devries.data_factor`` or ``scaling.devries.data_factor(k_N, law)``, becomes a
  link to its entry, like ``{py:func}`~scaling.devries.data_factor``` does explicitly.
* **Citations** in one author-year style, in the text and in the bibliography
  (``book_bibliography.py``).
* **The Build-status page** (``book_status.py``): run times from myst-nb's records, versions.
* **Notebooks a reader can run.** The download button's notebooks are converted to plain
  Jupyter Markdown, with a first cell on installing the package (``notebook_download.py``).
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

import book_bibliography
import book_status
import notebook_download

LOGGER = logging.getLogger(__name__)

NARROW_MIME = "application/vnd.scaling.narrow+svg"  # scaling.plotting.NARROW_MIME (not imported: no matplotlib here)
SVG_MIME = "image/svg+xml"


# ------------------------------------------------------------------ figures for phones
def _patch_mystnb_renderer() -> None:
    """Have myst-nb render the stacked layout as an SVG image (it would drop an unknown MIME type).

    myst-nb's documented way to add a renderer is an entry point of an installed package; the
    book is no package, so the renderer's dispatch method is wrapped instead (myst-nb is pinned).
    """
    from myst_nb.core.render import NbElementRenderer

    if getattr(NbElementRenderer.render_mime_type, "_scaling_book", False):
        return
    original = NbElementRenderer.render_mime_type

    def render_mime_type(self: Any, data: Any) -> list[nodes.Element]:
        if data.mime_type == NARROW_MIME:
            rendered = self.render_image(dataclasses.replace(data, mime_type=SVG_MIME))
            for node in rendered:
                node["classes"].append("scaling-narrow")
            return rendered
        return original(self, data)

    render_mime_type._scaling_book = True  # type: ignore[attr-defined]
    NbElementRenderer.render_mime_type = render_mime_type  # type: ignore[method-assign]


class PairFigureLayouts(SphinxPostTransform):
    """Put the stacked layout beside the figure as drawn, before myst-nb keeps one MIME type per output."""

    default_priority = 3  # myst-nb's SelectMimeType runs at 4

    def run(self, **kwargs: Any) -> None:
        for bundle in list(self.document.findall(nodes.container)):
            if bundle.get("nb_element") != "mime_bundle":
                continue
            by_type = {child.get("mime_type"): child for child in bundle.children
                       if isinstance(child, nodes.container)}
            narrow, wide = by_type.get(NARROW_MIME), by_type.get(SVG_MIME)
            if narrow is None:
                continue
            bundle.remove(narrow)
            if wide is None:
                continue
            for image in wide.findall(nodes.image):
                image["classes"].append("scaling-wide")
            wide.extend(narrow.children)


# ------------------------------------------------------------------ the API reference
def _public(module: Any) -> list[tuple[str, Any]]:
    """The names a module exports, with their objects, in the order of ``__all__`` (a submodule
    named there but not imported by the package, as in ``scaling.lab``, is imported)."""
    out = []
    for name in getattr(module, "__all__", []):
        try:
            out.append((name, getattr(module, name)))
        except AttributeError:
            out.append((name, importlib.import_module(f"{module.__name__}.{name}")))
    return out


def _defined_here(obj: Any, module: Any) -> bool:
    """Whether ``module`` defines ``obj`` (a function or class imported from elsewhere is documented
    where it is defined; a constant, whatever its type, where the module exports it)."""
    if not (inspect.isclass(obj) or inspect.isfunction(obj)):
        return True
    return getattr(obj, "__module__", module.__name__) == module.__name__


class ApiModule(SphinxDirective):
    """``{api-module} scaling.x``: a module's docstring, a table of its contents, then each entry."""

    required_arguments = 1

    def _import(self, name: str) -> Any:
        from sphinx.ext.autodoc.mock import mock

        with mock(self.config.autodoc_mock_imports):  # as autodoc imports it: torch mocked
            return importlib.import_module(name)

    def run(self) -> list[nodes.Node]:
        name = self.arguments[0]
        module = self._import(name)
        lines = [f".. automodule:: {name}", "", f".. currentmodule:: {name}", ""]
        from sphinx.ext.autodoc.mock import mock

        with mock(self.config.autodoc_mock_imports):
            entries = _public(module)
        members = [(n, o) for n, o in entries if not inspect.ismodule(o)]
        submodules = [(n, o) for n, o in entries if inspect.ismodule(o)]
        if members or submodules:
            lines += [".. rubric:: Contents", "", ".. autosummary::", "   :nosignatures:", ""]
            lines += [f"   {n}" for n, _ in submodules + members]
            lines += [""]
        for n, obj in members:
            full = f"{name}.{n}"
            extra = [] if _defined_here(obj, module) else ["   :no-index:"]
            if inspect.isclass(obj):
                lines += [f".. autoclass:: {full}", "   :members:", "   :show-inheritance:", *extra, ""]
                if dataclasses.is_dataclass(obj):
                    lines[-1:-1] = ["   :undoc-members:", "   :exclude-members: __init__"]
            elif callable(obj):
                lines += [f".. autofunction:: {full}", *extra, ""]
            else:
                lines += [f".. autodata:: {full}", "   :no-value:", *extra, ""]
        return self._parse(lines)

    def _parse(self, lines: list[str]) -> list[nodes.Node]:
        """Parse the generated reStructuredText (autodoc writes docstrings as rST) into nodes, in a
        Markdown page too: the way MyST's ``{eval-rst}`` does."""
        from myst_parser.mdit_to_docutils.base import make_document
        from myst_parser.mocking import MockRSTParser

        document = self.state.document
        newdoc = make_document()
        newdoc["source"] = document["source"]
        newdoc.settings = document.settings
        newdoc.reporter = document.reporter
        MockRSTParser().parse("\n".join(lines), newdoc)
        for node in newdoc:
            if node.get("names"):
                document.note_explicit_target(node, node)
        return list(newdoc.children)


class ApiPackage(ApiModule):
    """``{api-package} scaling``: the package's docstring and the table of its modules."""

    def run(self) -> list[nodes.Node]:
        name = self.arguments[0]
        module = self._import(name)
        modules = sorted({n for n in getattr(module, "__all__", []) if inspect.ismodule(getattr(module, n))})
        lines = [".. rubric:: Modules", "", ".. autosummary::", "", *[f"   {name}.{m}" for m in modules],
                 f"   {name}.cli", f"   {name}.lab", ""]
        return self._parse(lines)


# ------------------------------------------------------------------ "Used in"
_CALL = re.compile(r"\bscaling(?:\.[A-Za-z_]\w*)+")
_ROLE = re.compile(r"\{py:[a-z]+\}`~?([\w.]+)")


def _parse(code: str) -> ast.AST | None:
    code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in code.splitlines())
    try:
        return ast.parse(code)
    except SyntaxError:
        return None


def _aliases(tree: ast.AST) -> dict[str, str]:
    """Local name -> the ``scaling`` path it stands for, from a cell's imports."""
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] == "scaling":
                    aliases[a.asname or "scaling"] = a.name if a.asname else "scaling"
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "scaling":
            for a in node.names:
                aliases[a.asname or a.name] = f"{node.module}.{a.name}"
    return aliases


def _names_in_code(tree: ast.AST, aliases: dict[str, str]) -> set[str]:
    """The dotted ``scaling.*`` names a cell's code uses (``devries.data_factor(...)`` with
    ``from scaling import devries`` in any cell of the notebook is ``scaling.devries.data_factor``)."""
    used = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in aliases:
            used.add(aliases[node.id])
        elif isinstance(node, ast.Attribute):
            parts = []
            cur: Any = node
            while isinstance(cur, ast.Attribute):
                parts.append(cur.attr)
                cur = cur.value
            if isinstance(cur, ast.Name) and cur.id in aliases:
                used.add(".".join([aliases[cur.id], *reversed(parts)]))
    return used


def collect_uses(srcdir: Path, notebooks: list[Path]) -> dict[str, set[str]]:
    """``scaling`` name -> the docnames of the notebooks that use it (in code or in their text)."""
    uses: dict[str, set[str]] = defaultdict(set)
    for path in notebooks:
        docname = path.relative_to(srcdir).with_suffix("").as_posix()
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        sources = ["".join(cell.get("source", "")) for cell in cells]
        trees = [_parse(src) if cell.get("cell_type") == "code" else None for cell, src in zip(cells, sources)]
        aliases: dict[str, str] = {}
        for tree in trees:
            if tree is not None:
                aliases.update(_aliases(tree))
        for cell, src, tree in zip(cells, sources, trees):
            if cell.get("cell_type") == "code":
                names = _names_in_code(tree, aliases) if tree is not None else set(_CALL.findall(src))
            else:
                names = set(_CALL.findall(src)) | set(_ROLE.findall(src))
            for name in names:
                uses[name].add(docname)
    return uses


def _on_builder_inited(app: Sphinx) -> None:
    srcdir = Path(app.srcdir)
    notebooks = [p for p in sorted((srcdir / "book").rglob("*.ipynb"))
                 if ".ipynb_checkpoints" not in p.parts and "_templates" not in p.parts]
    app.env.scaling_uses = collect_uses(srcdir, notebooks)  # type: ignore[attr-defined]


def _on_process_docstring(app: Sphinx, what: str, name: str, obj: Any, options: Any, lines: list[str]) -> None:
    if what == "module":
        return
    uses: dict[str, set[str]] = getattr(app.env, "scaling_uses", {})
    docs = set(uses.get(name, set()))
    for used, where in uses.items():  # a class is used where its methods and fields are
        if used.startswith(name + "."):
            docs |= where
    if docs:
        links = ", ".join(f":doc:`/{d}`" for d in sorted(docs))
        lines += ["", f":Used in: {links}"]


def _split_attribute_names(app: Sphinx, what: str, name: str, obj: Any, options: Any, lines: list[str]) -> None:
    """Before napoleon: an ``Attributes`` entry naming several fields (``sigma_null, sigma_alt``)
    becomes one entry per field with the same description, as napoleon expects."""
    if what != "class":
        return
    out: list[str] = []
    i, in_attributes = 0, False
    while i < len(lines):
        line = lines[i]
        if i + 1 < len(lines) and re.fullmatch(r"\s*-{3,}\s*", lines[i + 1]) and line.strip():
            in_attributes = line.strip() == "Attributes"
        m = re.fullmatch(r"(\s*)(\w+(?:\s*,\s*\w+)+)\s*", line) if in_attributes else None
        if m:
            indent = len(m.group(1))
            body = []
            j = i + 1
            while j < len(lines) and (not lines[j].strip() or len(lines[j]) - len(lines[j].lstrip()) > indent):
                body.append(lines[j])
                j += 1
            while body and not body[-1].strip():
                body.pop()
            for field in re.split(r"\s*,\s*", m.group(2)):
                out += [m.group(1) + field, *body]
            i = j
            continue
        out.append(line)
        i += 1
    lines[:] = out


def _napoleon_for_code_only(app: Sphinx) -> None:
    """Napoleon reads the first line of a constant's or field's docstring as ``type: description``
    (so "Width (inches) of a figure: about 720 px" would become a type); the package's constants
    and fields are documented in prose, so napoleon is kept to functions, classes and methods."""
    from sphinx.ext.napoleon import _process_docstring

    listeners = app.events.listeners.get("autodoc-process-docstring", [])
    for i, listener in enumerate(listeners):
        if listener.handler is _process_docstring:
            def only_code(app: Sphinx, what: str, *args: Any, _orig: Any = _process_docstring) -> None:
                if what not in ("data", "attribute", "property"):
                    _orig(app, what, *args)

            listeners[i] = listener._replace(handler=only_code)


# ------------------------------------------------------------------ names link to the reference
_LITERAL_NAME = re.compile(r"^(scaling(?:\.[A-Za-z_]\w*)+)(?:\(.*\))?$", re.S)


def _documented_name(dotted: str) -> str:
    """Where the reference documents a name: ``scaling.fit_parametric`` (a re-export) is
    ``scaling.fitting.fit_parametric``; other names are returned as they are."""
    parts = dotted.split(".")
    try:
        obj: Any = importlib.import_module(parts[0])
        for part in parts[1:]:
            obj = getattr(obj, part)
    except (ImportError, AttributeError):
        return dotted
    module, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    if (inspect.isfunction(obj) or inspect.isclass(obj)) and module and qualname:
        return f"{module}.{qualname}"
    return dotted


class LinkApiNames(SphinxPostTransform):
    """Inline code naming a documented ``scaling`` object becomes a link to its entry."""

    default_priority = 5  # before the references are resolved (10)

    def run(self, **kwargs: Any) -> None:
        domain = self.env.get_domain("py")
        for literal in list(self.document.findall(nodes.literal)):
            if isinstance(literal.parent, (nodes.reference, addnodes.pending_xref, nodes.literal_block)):
                continue
            if isinstance(literal.parent, addnodes.desc_signature) or "xref" in literal.get("classes", []):
                continue
            m = _LITERAL_NAME.match(literal.astext().strip())
            if not m:
                continue
            target = _documented_name(m.group(1))
            found = domain.find_obj(self.env, "", "", target, None, 1)
            if not found:
                continue
            xref = addnodes.pending_xref("", refdomain="py", reftype="obj", reftarget=target,
                                         refexplicit=True, refwarn=False, refdoc=self.env.docname)
            literal.replace_self(xref)
            literal["classes"].append("xref")
            xref += literal


# ------------------------------------------------------------------ configuration
JUPYTER_BOOK_DEFAULT_REPOSITORY = "https://github.com/executablebooks/jupyter-book"


def _on_config_inited(app: Sphinx, config: Any) -> None:
    """The repository buttons appear when, and only when, a repository address is set in
    ``_config.yml`` (Jupyter Book's own default address does not count); the book's version
    and year are available to Markdown pages as ``{{ version }}`` and ``{{ year }}``."""
    options = dict(config.html_theme_options or {})
    url = (options.get("repository_url") or "").rstrip("/")
    has_repository = bool(url) and url != JUPYTER_BOOK_DEFAULT_REPOSITORY
    for button in ("use_repository_button", "use_issues_button", "use_edit_page_button"):
        options[button] = has_repository
    if not has_repository:
        options.pop("repository_url", None)
    config.html_theme_options = options
    import scaling

    substitutions = dict(config.myst_substitutions or {})
    substitutions.setdefault("version", scaling.__version__)
    substitutions.setdefault("year", str(config.copyright).split(",")[0].strip()[:4])
    config.myst_substitutions = substitutions


class BookBibtex(SphinxDirective):
    """``{book-bibtex}``: the book's BibTeX entry, with its version and year from the configuration."""

    def run(self) -> list[nodes.Node]:
        subs = self.config.myst_substitutions
        entry = "\n".join([
            "@book{scaling-laws-reproduced,",
            "  author = {{The Scaling Laws, Reproduced authors}},",
            "  title  = {Scaling Laws, Reproduced},",
            f"  year   = {{{subs['year']}}},",
            f"  note   = {{An executable book. Version {subs['version']}}}",
            "}",
        ])
        block = nodes.literal_block(entry, entry, language="bibtex")
        self.set_source_info(block)
        return [block]


def _viewcode_own_module(app: Sphinx, modname: str, fullname: str) -> str | None:
    """Source links of the package's objects point into the module that documents them (viewcode
    would otherwise follow a name to where it came from: a mocked torch class, for the lab)."""
    return modname if modname and modname.split(".")[0] == "scaling" else None


def setup(app: Sphinx) -> dict[str, Any]:
    book_bibliography.register()
    app.connect("viewcode-follow-imported", _viewcode_own_module)
    app.connect("config-inited", _on_config_inited)
    app.add_directive("book-bibtex", BookBibtex)
    _patch_mystnb_renderer()
    app.add_post_transform(PairFigureLayouts)
    app.add_directive("api-module", ApiModule)
    app.add_directive("api-package", ApiPackage)
    app.connect("builder-inited", _on_builder_inited)
    app.connect("autodoc-process-docstring", _on_process_docstring, priority=600)
    app.connect("builder-inited", _napoleon_for_code_only)
    app.connect("autodoc-process-docstring", _split_attribute_names, priority=400)
    app.add_post_transform(LinkApiNames)
    book_status.setup(app)
    app.connect("build-finished", notebook_download.write_downloads, priority=900)  # after student_notebooks
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
