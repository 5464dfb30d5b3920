"""_ext/execute_notebooks.py: the notebooks it runs are found by the build's cache lookup.

``make book`` runs the notebooks one per core into ``_build/.jupyter_cache`` before
``jupyter-book build``; the build must then find each one there (myst-nb matches a notebook
to the cache by the hash of its code) instead of running it again.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import nbformat
import pytest
from jupyter_cache import get_cache

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("execute_notebooks", ROOT / "_ext" / "execute_notebooks.py")
execute_notebooks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(execute_notebooks)


def _notebook(path: Path, source: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell("# A page"), nbformat.v4.new_code_cell(source)]
    nbformat.write(nb, path)
    return path


def test_executed_notebooks_are_what_the_build_finds_in_the_cache(tmp_path, capsys):
    books = [_notebook(tmp_path / "a.ipynb", "print(6 * 7)"),
             _notebook(tmp_path / "b.ipynb", "from pathlib import Path\nprint(Path.cwd().name)")]
    cache_dir = tmp_path / "_build" / ".jupyter_cache"
    assert execute_notebooks.main([str(cache_dir), *map(str, books)]) == 0
    assert "2 notebooks, 0 already cached, 2 executed" in capsys.readouterr().out
    cache = get_cache(str(cache_dir))
    outputs = []
    for path in books:  # the lookup myst-nb makes with the notebook as it reads it
        record = cache.match_cache_notebook(nbformat.read(path, as_version=4))
        _, merged = cache.merge_match_into_notebook(nbformat.read(path, as_version=4))
        assert record is not None
        outputs.append(merged.cells[1].outputs[0]["text"].strip())
    assert outputs == ["42", tmp_path.name]  # run in the notebook's own folder, as the build runs it
    assert execute_notebooks.main([str(cache_dir), *map(str, books)]) == 0
    assert "2 notebooks, 2 already cached, 0 executed" in capsys.readouterr().out


def test_a_failing_notebook_is_left_for_the_build_to_report(tmp_path, capsys):
    bad = _notebook(tmp_path / "bad.ipynb", "raise ValueError('no')")
    cache_dir = tmp_path / "cache"
    assert execute_notebooks.main([str(cache_dir), str(bad)]) == 0
    assert "1 failed (the build runs them again and shows why)" in capsys.readouterr().out
    with pytest.raises(KeyError):
        get_cache(str(cache_dir)).match_cache_notebook(nbformat.read(bad, as_version=4))


@pytest.mark.parametrize("argv", [[], ["cache"], ["cache", "no/such.ipynb"]])
def test_bad_arguments_are_refused(argv, tmp_path, capsys):
    argv = [str(tmp_path / a) if i == 0 else a for i, a in enumerate(argv)]
    assert execute_notebooks.main(argv) == 2
    assert "execute_notebooks" in capsys.readouterr().err


def test_a_result_missing_after_the_parallel_run_is_run_again_on_its_own(tmp_path, capsys, monkeypatch):
    """Whatever made the parallel run leave no result (a kernel that died at start, a lost record),
    the notebook is run again one at a time, and the build then finds it."""
    from jupyter_cache.executors.base import ExecutorRunResult

    real = execute_notebooks.load_executor

    class LosesEverything:
        def run_and_cache(self, **kwargs):
            return ExecutorRunResult(succeeded=[], excepted=[], errored=[])

    monkeypatch.setattr(execute_notebooks, "load_executor",
                        lambda name, cache: LosesEverything() if name == "local-parallel" else real(name, cache))
    nb = _notebook(tmp_path / "a.ipynb", "print(6 * 7)")
    cache_dir = tmp_path / "cache"
    assert execute_notebooks.main([str(cache_dir), str(nb)]) == 0
    assert "1 executed" in (out := capsys.readouterr().out) and "1 run again one at a time" in out
    assert get_cache(str(cache_dir)).match_cache_notebook(nbformat.read(nb, as_version=4)) is not None
