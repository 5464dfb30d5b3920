"""Run a command with the numerics rounded as on another machine (``make notebooks-other-rounding``).

Usage: ``python tests/other_rounding.py COMMAND [ARG ...]``

A checked notebook cell must print only what is stable far beyond its printed digits. A
value that moves with floating-point rounding (an optimiser stopped by its tolerance, say)
passes on the machine that recorded it and fails on the next. To catch that on one machine,
this script runs ``COMMAND`` with two changes another CPU would make:

- NumPy's SIMD dispatch turned off: ``NPY_DISABLE_CPU_FEATURES`` lists every dispatched
  feature NumPy found on this CPU, so every ufunc (``exp``, ``log``, sums, ...) takes its
  baseline code path, whose results differ in the last bits from the AVX2 / AVX-512 paths.
- On x86-64, OpenBLAS forced to its Nehalem (SSE) kernels with ``OPENBLAS_CORETYPE``, in
  place of the Haswell / SkylakeX kernels it picks on a newer CPU: dot products and
  matrix products are summed in another order.

The feature list is computed here, from what NumPy reports in a clean interpreter, because
NumPy refuses some names: a baseline feature (``X86_V2`` for NumPy 2.4 on x86-64) stops
the import with a RuntimeError, and a name outside this build's dispatch list (``AVX2`` for
NumPy 2.4, ``FOO``) gives an ImportWarning and is ignored. Only features that are both
dispatched and present are listed, so the run never errors for a feature this CPU lacks.
OpenBLAS's Nehalem kernels need SSE4.2 at most, which every CPU that runs NumPy 2.4
(baseline x86-64-v2) has. On other architectures only NumPy's dispatch changes.

The configuration is printed on stderr; the command's exit status is returned.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys

_PROBE = """
try:
    from numpy._core import _multiarray_umath as m
except ImportError:  # NumPy 1.x
    from numpy.core import _multiarray_umath as m
print(" ".join(f for f in m.__cpu_dispatch__ if m.__cpu_features__.get(f)))
print(" ".join(m.__cpu_baseline__))
"""

#: OpenBLAS kernel forced on x86-64: SSE only, so every x86-64-v2 CPU runs it.
OPENBLAS_KERNEL = "Nehalem"


def _clean_env() -> dict[str, str]:
    env = dict(os.environ)
    for name in ("NPY_DISABLE_CPU_FEATURES", "NPY_ENABLE_CPU_FEATURES", "OPENBLAS_CORETYPE"):
        env.pop(name, None)
    return env


def cpu_features() -> tuple[list[str], list[str]]:
    """NumPy's dispatched SIMD features present on this CPU, and its baseline features.

    Asked of a fresh interpreter without any ``NPY_*_CPU_FEATURES`` variable, so that a
    variable already set in this environment does not hide a feature.
    """
    out = subprocess.run([sys.executable, "-c", _PROBE], env=_clean_env(), check=True,
                         capture_output=True, text=True).stdout.splitlines()
    return out[0].split(), out[1].split()


def other_rounding_env(found: list[str]) -> dict[str, str]:
    """The variables (name -> value) that change the rounding, given the dispatched features ``found``."""
    env: dict[str, str] = {}
    if found:
        env["NPY_DISABLE_CPU_FEATURES"] = ",".join(found)
    if platform.machine().lower() in ("x86_64", "amd64"):
        env["OPENBLAS_CORETYPE"] = OPENBLAS_KERNEL
    return env


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    try:
        found, baseline = cpu_features()
    except subprocess.CalledProcessError as err:
        print(f"other rounding: could not ask NumPy for this CPU's features:\n{err.stderr}", file=sys.stderr)
        return 2
    changes = other_rounding_env(found)
    print("other rounding: " + " ".join(f"{k}={v}" for k, v in changes.items()), file=sys.stderr)
    if not found:
        print(f"other rounding: this CPU has no NumPy SIMD feature beyond the baseline ({' '.join(baseline)}), "
              "so only the BLAS kernel changes" if changes else
              "other rounding: nothing to change on this machine; the run repeats the first", file=sys.stderr)
    env = _clean_env()
    env.update(changes)
    return subprocess.run(argv, env=env).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
