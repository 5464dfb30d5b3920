"""Installing the package: the wheel carries the tables, and `make install` checks the Python it is given.

The wheel test builds the wheel from a copy of the repository (the clone is left untouched),
installs it with ``--no-deps`` into a fresh virtual environment outside the clone that borrows
this environment's packages (numpy, pandas, ...) through a ``.pth`` line, and loads every table
from there. Building needs setuptools from the package index (or pip's cache): where it cannot
be had, the test is skipped, saying so.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
DIST = PYPROJECT["project"]["name"]

# Signs in pip's output that the package index could not be reached (offline), not that the build is broken.
_OFFLINE = re.compile(r"Failed to establish a new connection|Temporary failure in name resolution|"
                      r"Network is unreachable|No matching distribution found for setuptools|"
                      r"Could not find a version that satisfies the requirement setuptools|ProxyError|"
                      r"Name or service not known|Max retries exceeded")


def _copy_of_the_repository(dest: Path) -> Path:
    """The repository's files without environments, builds and caches (what a fresh clone has)."""
    shutil.copytree(ROOT, dest, ignore=shutil.ignore_patterns(
        ".git", ".venv", "_build", "build", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis",
        ".jupyter_cache", ".ipynb_checkpoints"))
    return dest


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    src = _copy_of_the_repository(tmp / "src")
    res = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp / "dist"),
                          str(src)], capture_output=True, text=True, timeout=600)
    if res.returncode != 0:
        if _OFFLINE.search(res.stdout + res.stderr):
            pytest.skip("cannot build the wheel offline: pip needs setuptools from the package index (or its "
                        "cache) for the build; connect to the index and run again. pip said: "
                        + (res.stderr.strip().splitlines() or ["?"])[-1])
        pytest.fail(f"building the wheel failed:\n{res.stdout}\n{res.stderr}")
    (built,) = (tmp / "dist").glob("*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh venv outside the clone with only the wheel installed (dependencies borrowed from this one)."""
    tmp = tmp_path_factory.mktemp("venv")
    env_dir = tmp / "venv"
    venv.EnvBuilder(with_pip=False, symlinks=True).create(env_dir)
    python = env_dir / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    # This environment's site-packages as a plain path: its packages, but not its .pth files (so not the
    # editable install of the clone).
    (Path(purelib) / "borrowed_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    res = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                          "--no-index", "--quiet", str(wheel)], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    return python


def _run_outside(python: Path, code: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SCALING_DATA_DIR")}
    return subprocess.run([str(python), "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300)


def test_the_wheel_carries_every_table(installed, tmp_path):
    """`pip install .` then `published.table()` outside the clone: four notebooks call it."""
    from scaling import published

    tables = sorted(p.stem for p in (ROOT / "data").glob("*.csv"))
    assert len(tables) >= 5
    code = f"""
import json, pathlib, scaling
from scaling import published
assert not pathlib.Path(scaling.__file__).resolve().is_relative_to({str(ROOT)!r}), scaling.__file__
print(json.dumps({{name: published.table(name).to_csv(index=False) for name in {tables!r}}}))
"""
    res = _run_outside(installed, code, tmp_path)
    assert res.returncode == 0, res.stderr[-3000:]
    loaded = json.loads(res.stdout)
    assert sorted(loaded) == tables
    for name in tables:
        assert loaded[name] == published.table(name).to_csv(index=False), name


def test_the_wheel_holds_the_package_and_its_tables_only(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    tables = {f"scaling/data/{p.name}" for p in (ROOT / "data").glob("*.csv")}
    assert tables <= set(names)
    assert "scaling/py.typed" in names
    assert all(n.startswith(("scaling/", "scaling_laws_reproduced-")) for n in names), names
    assert not any(n.startswith("scaling/data/") and not n.endswith(".csv") for n in names)


def test_the_wheel_has_its_own_distribution_name_and_the_scaling_import(installed, tmp_path):
    code = f"""
from importlib.metadata import distribution, packages_distributions
print(distribution({DIST!r}).metadata["Name"], packages_distributions()["scaling"])
"""
    res = _run_outside(installed, code, tmp_path)
    assert res.returncode == 0, res.stderr[-3000:]
    assert res.stdout.split()[0] == DIST
    assert DIST in res.stdout.split(None, 1)[1]
    script = installed.parent / "scaling"  # the console script
    res = subprocess.run([str(script), "overhead", "--kn", "0.5", "--law", "devries"], capture_output=True,
                         text=True, timeout=120, cwd=tmp_path)
    assert res.returncode == 0 and "20.8%" in res.stdout, res.stderr


def test_the_distribution_name_is_not_the_unrelated_pypi_project():
    """`scaling` on PyPI is an unrelated project (unit conversion by similitude); the import name stays."""
    assert DIST == "scaling-laws-reproduced"
    assert PYPROJECT["tool"]["setuptools"]["packages"][0] == "scaling"


# ------------------------------------------------------------------------------------- make install
needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")


def _base_python() -> str:
    return os.path.realpath(getattr(sys, "_base_executable", sys.executable))


def _fake_python(tmp_path: Path, version: tuple[int, int, int]) -> Path:
    """A stand-in interpreter that reports another version (this machine has no Python 3.10)."""
    site = tmp_path / f"fake{version[0]}{version[1]}"
    site.mkdir()
    (site / "sitecustomize.py").write_text(f"import sys\nsys.version_info = {(*version, 'final', 0)!r}\n")
    stub = tmp_path / f"python{version[0]}.{version[1]}"
    stub.write_text(f'#!/bin/sh\nPYTHONPATH="{site}" exec "{_base_python()}" "$@"\n')
    stub.chmod(0o755)
    return stub


def _make(tmp_path: Path, *args: str, **env_extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "MAKE", "VIRTUAL_ENV"))}
    env.update(env_extra)
    return subprocess.run(["make", "--no-print-directory", "-C", str(ROOT), *args], capture_output=True,
                          text=True, timeout=600, env=env)


@needs_make
def test_make_names_the_python_it_found_when_too_old(tmp_path):
    old = _fake_python(tmp_path, (3, 10, 12))
    res = _make(tmp_path, "install", f"PYTHON={old}", f"VENV={tmp_path / 'venv'}")
    assert res.returncode != 0
    assert "Python 3.10.12" in res.stderr and "3.11 or newer" in res.stderr
    assert "PYTHON=python3.12 make" in res.stderr  # how to choose another
    assert "ResolutionImpossible" not in res.stdout + res.stderr
    assert not (tmp_path / "venv").exists()


@needs_make
def test_make_says_when_the_python_does_not_run(tmp_path):
    res = _make(tmp_path, "install", "PYTHON=python3.99-does-not-exist", f"VENV={tmp_path / 'venv'}")
    assert res.returncode != 0
    assert "cannot run PYTHON=python3.99-does-not-exist" in res.stderr and "PYTHON=python3.12" in res.stderr
    assert not (tmp_path / "venv").exists()


def test_the_makefile_minimum_python_is_the_one_pyproject_requires():
    minimum = re.search(r"^MIN_PYTHON := (\d+\.\d+)", (ROOT / "Makefile").read_text(), re.M)[1]
    assert PYPROJECT["project"]["requires-python"] == f">={minimum}"


def _python_that_cannot_make_venvs(tmp_path: Path) -> Path:
    """The real interpreter, except that ``-m venv`` fails at once: shows what make decides, without a rebuild."""
    stub = tmp_path / "python-no-venv"
    stub.write_text(f'#!/bin/sh\n[ "$1" = -m ] && [ "$2" = venv ] && exit 3\nexec "{_base_python()}" "$@"\n')
    stub.chmod(0o755)
    return stub


@needs_make
def test_a_half_made_venv_is_rebuilt_not_reused(tmp_path):
    """An install that failed leaves a venv without a stamp: the next `make` starts again, whatever PYTHON."""
    target = tmp_path / "venv"
    offline = {"PIP_CONFIG_FILE": os.devnull, "PIP_NO_INDEX": "1"}  # pip finds no packages: fails fast
    first = _make(tmp_path, "install", f"PYTHON={_base_python()}", f"VENV={target}", **offline)
    assert first.returncode != 0
    assert (target / "pyvenv.cfg").is_file() and not (target / ".installed").exists()  # half-made, unstamped
    (target / "left-by-the-failed-install").write_text("")
    again = _make(tmp_path, "install", f"PYTHON={_python_that_cannot_make_venvs(tmp_path)}", f"VENV={target}",
                  **offline)
    assert again.returncode != 0
    assert "is incomplete" in again.stderr and "rebuilding" in again.stderr
    assert not target.exists()  # removed, to be built afresh, not reused


@needs_make
def test_a_venv_made_with_another_python_is_rebuilt(tmp_path):
    target = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(target)
    (target / ".installed").write_text("/usr/bin/python3.9 3.9.2\n")
    newest = max((ROOT / name).stat().st_mtime for name in ("requirements.txt", "constraints.txt", "pyproject.toml"))
    if (target / ".installed").stat().st_mtime <= newest:
        pytest.skip("an input file was changed this very second; the stamp would be stale for that reason")
    res = _make(tmp_path, "install", f"PYTHON={_python_that_cannot_make_venvs(tmp_path)}", f"VENV={target}")
    assert "was made with another Python (/usr/bin/python3.9 3.9.2)" in res.stderr and "rebuilding" in res.stderr
    assert not target.exists()


@needs_make
def test_a_directory_that_is_not_a_venv_is_not_removed(tmp_path):
    target = tmp_path / "precious"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    res = _make(tmp_path, "install", f"PYTHON={_base_python()}", f"VENV={target}")
    assert res.returncode != 0 and "not a virtual environment" in res.stderr
    assert (target / "keep.txt").read_text() == "mine"


def test_this_environment_was_stamped_with_its_interpreter():
    stamp = ROOT / ".venv" / ".installed"
    if not stamp.is_file() or Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
        pytest.skip("not running in the clone's .venv made by `make install`")
    found = f"{_base_python()} {'.'.join(map(str, sys.version_info[:3]))}"
    assert stamp.read_text().splitlines()[0] == found
