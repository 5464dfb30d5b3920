"""The second nbval run's configuration (tests/other_rounding.py) is valid on this machine."""

import subprocess
import sys

import other_rounding

# NumPy reads NPY_DISABLE_CPU_FEATURES at import: a baseline feature raises RuntimeError, a name
# it does not dispatch gives an ImportWarning (an error under -W error).
_CHECK = """
import os
try:
    from numpy._core import _multiarray_umath as m
except ImportError:
    from numpy.core import _multiarray_umath as m
off = [f for f in os.environ.get("NPY_DISABLE_CPU_FEATURES", "").split(",") if f]
print(",".join(f for f in off if m.__cpu_features__.get(f)))
"""


def test_lists_only_dispatched_features_present_here():
    found, baseline = other_rounding.cpu_features()
    env = other_rounding.other_rounding_env(found)
    off = env.get("NPY_DISABLE_CPU_FEATURES", "").split(",") if found else []
    assert not set(off) & set(baseline)
    assert sorted(off) == sorted(found)


def test_numpy_imports_cleanly_with_every_listed_feature_off():
    found, _ = other_rounding.cpu_features()
    env = {**other_rounding._clean_env(), **other_rounding.other_rounding_env(found)}
    out = subprocess.run([sys.executable, "-W", "error", "-c", _CHECK], env=env,
                         capture_output=True, text=True, check=True)
    assert out.stderr == ""
    assert out.stdout.strip() == "", f"still enabled: {out.stdout.strip()}"


def test_runs_the_command_and_returns_its_status():
    assert other_rounding.main([sys.executable, "-c", "import sys; sys.exit(3)"]) == 3
    assert other_rounding.main([]) == 2
