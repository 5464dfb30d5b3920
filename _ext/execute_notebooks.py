"""Execute the book's notebooks two (or more) at a time into Jupyter Book's execution cache.

``make book`` runs this before ``jupyter-book build``. The build executes notebooks one after
another (``execute_notebooks: cache`` in ``_config.yml``), which on a 2-core machine leaves a
core idle for most of the build. This script uses jupyter-cache, the library behind that
setting, and its ``local-parallel`` executor: each notebook runs in its own folder (as the build
runs it) in a pool of one process per core, and its outputs are stored in the same cache
(``_build/.jupyter_cache``) under the same hash of its code. The build then finds every
notebook already executed and only renders it. A notebook that is unchanged since the last
build is not run again; one that fails here is left out of the cache, so the build runs it
itself and reports the error in its usual way. A notebook whose kernel failed to start (two
kernels started at once can race for a port) is run again on its own first.

Usage: ``python _ext/execute_notebooks.py CACHE NOTEBOOK...``
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import yaml
from jupyter_cache import get_cache
from jupyter_cache.executors import load_executor

# the build's own limit per notebook (execute.timeout in _config.yml), so both runs allow the same
TIMEOUT_S = int(yaml.safe_load((Path(__file__).resolve().parent.parent / "_config.yml").read_text())
                ["execute"]["timeout"])


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
    records = [cache.add_nb_to_project(str(p)) for p in notebooks]
    start = time.perf_counter()
    result = load_executor("local-parallel", cache).run_and_cache(
        filter_pks=[r.pk for r in records], timeout=TIMEOUT_S, allow_errors=False)
    ran = len(result.succeeded) + len(result.excepted) + len(result.errored)
    succeeded, retried = len(result.succeeded), 0
    if result.errored:
        # "errored" is a failure outside the notebook's code, such as a kernel that died at start:
        # two kernels started at the same moment can pick the same free port (jupyter_client).
        # Those are run again one at a time; a notebook whose own code raised ("excepted") is not.
        retried = len(result.errored)
        again = load_executor("local-serial", cache).run_and_cache(
            filter_uris=list(result.errored), timeout=TIMEOUT_S, allow_errors=False)
        succeeded += len(again.succeeded)
    failed = ran - succeeded
    print(f"execute_notebooks: {len(notebooks)} notebooks, {len(notebooks) - ran} already cached, "
          f"{succeeded} executed in {time.perf_counter() - start:.0f} s"
          + (f" ({retried} started again one at a time after a kernel failed to start)" if retried else "")
          + (f", {failed} failed (the build runs them again and shows why)" if failed else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
