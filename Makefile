# grondmotief: `make demo` and `make test` work on a fresh machine from a clean clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench docs docs-check clean venv

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## Run the main job on the demo study: check, suggestions (cached), report chapters.
demo: $(STAMP)
	$(BIN)/grondmotief check
	$(BIN)/grondmotief suggest --coder anna --format summary
	$(BIN)/grondmotief report
	@echo
	@echo "Chapters written to $(CURDIR)/chapters/:"
	@ls -1 chapters/*.md | sed 's/^/  /'
	@echo "Try: $(BIN)/grondmotief quote --theme subsidies --limit 3"

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run $(ONLY)

docs: $(STAMP)
	$(BIN)/python -m grondmotief.cli.docs > docs/cli.md

docs-check: $(STAMP)
	$(BIN)/python -m grondmotief.cli.docs | diff -u docs/cli.md - && echo "docs/cli.md is current"

clean:
	rm -rf $(VENV) .grondmotief .pytest_cache .hypothesis
