"""Execute the book's notebooks two (or more) at a time into Jupyter Book's execution cache.

``make book`` runs this before ``jupyter-book build``. The build executes notebooks one after
another (``execute_notebooks: cache`` in ``_config.yml``), which on a 2-core machine leaves a
core idle for most of the build. This script uses jupyter-cache, the library behind that
setting, and its ``local-parallel`` executor: each notebook runs in its own folder (as the build
runs it) in a pool of one process per core, and its outputs are stored in the same cache
(``_build/.jupyter_cache``) under the same hash of its code. The build then finds every
notebook already executed and only renders it. A notebook that is unchanged since the last
build is not run again; one that fails here is left out of the cache, so the build runs it
itself and reports the error in its usual way. Any other notebook that the build would not
find in the cache afterwards (a kernel that failed to start, as two kernels started at once can
race for a port; or, seen once in a test, a result missing from the cache for no reported
reason) is run again on its own first.

Usage: ``python _ext/execute_notebooks.py CACHE NOTEBOOK...``
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
import yaml
from jupyter_cache import get_cache
from jupyter_cache.executors import load_executor

# the build's own limit per notebook (execute.timeout in _config.yml), so both runs allow the same
TIMEOUT_S = int(yaml.safe_load((Path(__file__).resolve().parent.parent / "_config.yml").read_text())
                ["execute"]["timeout"])


def _cached(cache, path: Path) -> bool:
    """True if the build will find this notebook's results: myst-nb's own lookup, by the hash of its code."""
    try:
        cache.match_cache_notebook(nbformat.read(path, as_version=4))
    except KeyError:
        return False
    return True


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    cache_path, notebooks = Path(argv[0]), [Path(p).resolve() for p in argv[1:]]
    missing = [str(p) for p in notebooks if not p.is_file()]
    if missing:
        print(f"execute_notebooks: no such notebook: {', '.join(missing)}", file=sys.stderr)
        return 2
    cache_path.mkdir(parents=True, exist_ok=True)
    cache = get_cache(str(cache_path))
    for p in notebooks:
        cache.add_nb_to_project(str(p))
    todo = [p for p in notebooks if not _cached(cache, p)]
    start = time.perf_counter()
    excepted: set[str] = set()
    if todo:
        result = load_executor("local-parallel", cache).run_and_cache(
            filter_uris=[str(p) for p in todo], timeout=TIMEOUT_S, allow_errors=False)
        excepted = set(result.excepted)  # the notebook's own code raised: running it again cannot help
    again = [p for p in todo if not _cached(cache, p) and str(p) not in excepted]
    if again:
        load_executor("local-serial", cache).run_and_cache(
            filter_uris=[str(p) for p in again], timeout=TIMEOUT_S, allow_errors=False)
    failed = [p for p in todo if not _cached(cache, p)]
    print(f"execute_notebooks: {len(notebooks)} notebooks, {len(notebooks) - len(todo)} already cached, "
          f"{len(todo) - len(failed)} executed in {time.perf_counter() - start:.0f} s"
          + (f" ({len(again)} run again one at a time, not found in the cache after the parallel run)"
             if again else "")
          + (f", {len(failed)} failed (the build runs them again and shows why)" if failed else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
