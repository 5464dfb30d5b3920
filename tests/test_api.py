"""The public API promised by the book: everything reachable after a plain ``import scaling``.

Each check runs in a fresh interpreter, because inside the test session other
tests have already imported the submodules, which would hide a missing import
in ``scaling/__init__.py``.
"""

import subprocess
import sys
import textwrap

import pytest

import scaling


def run_fresh(code: str) -> str:
    """Run ``code`` in a new Python process and return its stdout; fail with its stderr."""
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_documented_names_reachable_after_plain_import():
    out = run_fresh(
        """
        import scaling
        print(scaling.published.KAPLAN2020.alpha_N)
        print(callable(scaling.datasets.chinchilla_runs))
        print(scaling.ChinchillaLaw.__name__)
        print(callable(scaling.fit_parametric), callable(scaling.data_factor), callable(scaling.compute_overhead))
        """
    )
    alpha_n, runs, law, funcs = out.splitlines()
    assert float(alpha_n) == pytest.approx(0.076)
    assert runs == "True"
    assert law == "ChinchillaLaw"
    assert funcs == "True True True"


def test_every_name_in_all_resolves_in_a_fresh_interpreter():
    out = run_fresh(
        """
        import scaling
        missing = [name for name in scaling.__all__ if not hasattr(scaling, name)]
        print(missing)
        """
    )
    assert out.strip() == "[]"


def test_import_does_not_load_matplotlib_but_plotting_is_reachable():
    out = run_fresh(
        """
        import sys
        import scaling
        print("matplotlib" in sys.modules)
        print(len(scaling.plotting.PALETTE) > 0)
        print("matplotlib" in sys.modules)
        """
    )
    assert out.split() == ["False", "True", "True"]


def test_all_lists_the_public_submodules():
    submodules = {"units", "powerlaw", "laws", "published", "datasets", "report",
                  "kaplan", "fitting", "chinchilla", "devries", "plotting"}
    assert submodules <= set(scaling.__all__)
    assert "plotting" in dir(scaling)


def test_unknown_attribute_is_still_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        scaling.nope  # noqa: B018
