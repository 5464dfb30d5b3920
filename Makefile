# Scaling Laws, Reproduced: the two commands a reader needs are `make book` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Third-party data: use ../shared/data when it is there (no network needed);
# otherwise the loaders download and checksum the files into the user cache.
ifneq ($(wildcard ../shared/data/README.md),)
export SCALING_DATA_DIR ?= $(abspath ../shared/data)
endif
# matplotlib keeps its cache inside the venv. (No MPLBACKEND here: notebook kernels
# must keep their inline backend, or figures vanish from the pages.)
export MPLCONFIGDIR := $(abspath $(VENV))/.mplconfig
export PYTHONHASHSEED := 0

NOTEBOOKS := $(shell find book -name '*.ipynb' -not -path '*/.ipynb_checkpoints/*' | sort)
# the notebooks with cells whose printed output nbval compares (tag nbval-check-output)
CHECKED_NOTEBOOKS := $(shell grep -l '"nbval-check-output"' $(NOTEBOOKS))
NBVAL := -m pytest --nbval-lax --nbval-current-env -p no:randomly

.PHONY: book test install unit notebooks notebooks-other-rounding build-strict browser benchmark clean

$(STAMP): requirements.txt constraints.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -c constraints.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

install: $(STAMP)

## make book: execute every notebook and build the HTML site into _build/html
book: $(STAMP)
	$(BIN)/jupyter-book build . --builder html
	@echo "Open _build/html/index.html in a browser."

## make test: unit tests, nbval over every notebook (twice: as is, and with another machine's
## rounding), strict book build, browser tests
test: unit notebooks notebooks-other-rounding build-strict browser

unit: $(STAMP)
	$(BIN)/python -m pytest tests --ignore=tests/browser

notebooks: $(STAMP)
	$(BIN)/python $(NBVAL) $(NOTEBOOKS)

## make notebooks-other-rounding: nbval again over the notebooks with checked cells, with
## NumPy's SIMD dispatch off and another OpenBLAS kernel (tests/other_rounding.py), so that
## a checked output that moves with floating-point rounding fails here, not on the next machine
notebooks-other-rounding: $(STAMP)
	$(if $(CHECKED_NOTEBOOKS),$(BIN)/python tests/other_rounding.py $(BIN)/python $(NBVAL) $(CHECKED_NOTEBOOKS),@echo "no notebook has checked cells")

build-strict: $(STAMP)
	$(BIN)/jupyter-book build . --builder html -W -n --keep-going

## make browser: open the built site in headless Chromium with the network cut (skipped, saying
## so, when Chromium is missing: `apt-get install chromium`); needs _build/html from `make book`
browser: $(STAMP)
	$(BIN)/python -m pytest tests/browser

benchmark: $(STAMP)
	$(BIN)/python benchmarks/bench_fit.py $(ARGS)

clean:
	rm -rf _build .pytest_cache
