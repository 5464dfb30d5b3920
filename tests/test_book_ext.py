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


# ------------------------------------------------------------------ downloaded notebooks
notebook_download = pytest.importorskip("notebook_download")

RESOLVE = notebook_download.Resolver(
    cite=lambda keys, textual: {("kaplan2020", True): "Kaplan et al. (2020)",
                                ("kaplan2020", False): "(Kaplan et al., 2020)"}[(keys[0], textual)],
    number={"fig-x": "Figure 3.1.1", "ex-1": "Exercise 3.1.2"}.get,
    title={"../kaplan/05_frontier": "1.5 The compute-efficient frontier"}.get,
    glue={"k": "0.30530000000000001", "n": "12"},
)


def test_roles_become_what_the_page_shows():
    text = ("{cite:t}`kaplan2020` found it {cite:p}`kaplan2020`; see {numref}`fig-x`, "
            "{doc}`../kaplan/05_frontier`, the {term}`critical model size <Critical model size>`, "
            "{py:func}`~scaling.devries.data_factor` and {py:data}`scaling.published.DEVRIES2023`: "
            "{glue:text}`k:.1%` of N, {glue:text}`n` runs, {math}`x^2`.")
    assert notebook_download.convert_markdown(text, RESOLVE) == (
        "Kaplan et al. (2020) found it (Kaplan et al., 2020); see Figure 3.1.1, "
        "1.5 The compute-efficient frontier, the critical model size, "
        "`data_factor()` and `scaling.published.DEVRIES2023`: 30.5% of N, 12 runs, $x^2$.")


def test_directives_become_headings_and_quotes():
    text = """(sec-label)=
## A section

:::{exercise}
:label: ex-1
Find {glue:text}`n`.
:::
:::{solution-start} ex-1
:class: dropdown
:::
Twelve.
:::{solution-end}
:::

```{admonition} In short
:class: tip
It **works**.
```

```python
print("{term}`kept` in code")
```"""
    out = notebook_download.convert_markdown(text, RESOLVE)
    assert out == """## A section

#### Exercise 3.1.2

Find 12.

#### Solution to Exercise 3.1.2

Twelve.

> **In short**
>
> It **works**.

```python
print("{term}`kept` in code")
```"""


def test_a_downloaded_notebook_opens_with_how_to_run_it_and_drops_the_machinery():
    nb = {"cells": [
        {"cell_type": "markdown", "metadata": {}, "source": "# Title"},
        {"cell_type": "code", "metadata": {"tags": ["remove-cell"]}, "execution_count": 1,
         "source": "from myst_nb import glue\nglue('k', 0.3, display=False)",
         "outputs": [{"output_type": "display_data", "metadata": {},
                      "data": {"application/papermill.record/text/plain": "0.3"}}]},
        {"cell_type": "code", "execution_count": 2, "source": "plt.show()",
         "metadata": {"mystnb": {"figure": {"name": "fig-x", "caption": "A {term}`curve`."}}},
         "outputs": [{"output_type": "display_data", "metadata": {},
                      "data": {"image/svg+xml": "<svg/>", "application/vnd.scaling.narrow+svg": "<svg/>",
                               "text/plain": "<Figure>"}}]},
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    out = notebook_download.convert_notebook(nb, RESOLVE, "3.1 Title", uses_data=True)
    first, title, glue, figure, caption = out["cells"]
    assert "pip install -e ." in first["source"] and "SCALING_DATA_DIR" in first["source"]
    assert "myst_nb" not in glue["source"] and glue["outputs"] == []
    assert list(figure["outputs"][0]["data"]) == ["image/svg+xml", "text/plain"]
    assert caption["source"] == "*Figure 3.1.1.* A curve."
    assert nb["cells"][1]["source"].startswith("from myst_nb")  # the input is not changed


def test_repository_buttons_follow_the_repository_address():
    from types import SimpleNamespace

    def options(url):
        config = SimpleNamespace(html_theme_options={"repository_url": url} if url is not None else {},
                                 myst_substitutions={}, copyright="2026")
        scaling_book._on_config_inited(None, config)
        return config

    for url in (None, "", scaling_book.JUPYTER_BOOK_DEFAULT_REPOSITORY):
        config = options(url)
        assert not any(config.html_theme_options[b] for b in
                       ("use_repository_button", "use_issues_button", "use_edit_page_button"))
        assert "repository_url" not in config.html_theme_options
    config = options("https://example.org/owner/book")
    assert all(config.html_theme_options[b] for b in
               ("use_repository_button", "use_issues_button", "use_edit_page_button"))
    assert config.myst_substitutions["year"] == "2026" and config.myst_substitutions["version"]


def test_author_year_labels_letter_the_same_authors_in_the_same_year():
    book_bibliography = pytest.importorskip("book_bibliography")
    from pybtex.database import parse_string

    bib = parse_string("""
@misc{a, author = {de Vries, Harm}, title = {One}, year = {2023}}
@misc{b, author = {de Vries, Harm}, title = {Two}, year = {2023}}
@misc{c, author = {Pearce, Tim and Song, Jinyeop}, title = {Three}, year = {2024}}
@misc{d, author = {Kaplan, Jared and McCandlish, Sam and Henighan, Tom}, title = {Four}, year = {2020}}
""", "bibtex")
    labels = book_bibliography.author_year_labels(bib.entries.values())
    assert labels == [("de Vries", "2023a"), ("de Vries", "2023b"), ("Pearce and Song", "2024"),
                      ("Kaplan et al.", "2020")]


def test_every_public_module_has_its_page_in_the_api_reference():
    """The reference documents the whole package: a module added to scaling needs book/api/<name>.md
    (one line: the {api-module} directive) and an entry in _toc.yml."""
    import pkgutil

    import yaml

    import scaling
    import scaling.lab

    modules = [m.name for m in pkgutil.iter_modules(scaling.__path__) if not m.name.startswith("_")]
    modules += [f"lab.{m.name}" for m in pkgutil.iter_modules(scaling.lab.__path__) if not m.name.startswith("_")]
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    yaml.safe_load(toc)  # well-formed
    missing = []
    for name in modules:
        page = ROOT / "book" / "api" / f"{name}.md"
        if not page.is_file() or f"{{api-module}} scaling.{name}" not in page.read_text(encoding="utf-8"):
            missing.append(f"book/api/{name}.md")
        elif f"file: book/api/{name}\n" not in toc:
            missing.append(f"_toc.yml entry for book/api/{name}")
    assert not missing, f"public modules without their API page: {missing}"
