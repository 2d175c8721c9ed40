# The two commands of the README:  `make serve`  and  `make test`.
# Each creates .venv/ if missing (torch first: a plain `torch` requirement would pull a CUDA build),
# installs the project, assembles the embedder weights offline if missing, then serves / tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.chidao-installed

CHROMIUM := /usr/bin/chromium

.PHONY: serve test lint models install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --disable-pip-version-check -q torch==2.13.0
	$(BIN)/pip install --disable-pip-version-check -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

models: $(STAMP)
	$(BIN)/chidao models fetch

serve: models
	$(BIN)/chidao serve

# The browser tests drive Debian's Chromium (a test tool's own browser download fails here).
$(CHROMIUM):
	apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium

# Formatting, lint and types first: a few seconds, and a failure there needs no model to show.
lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy

test: lint models $(CHROMIUM)
	$(BIN)/python -m pytest -q -rs

clean:
	rm -rf $(VENV) .chidao
