# leakline — everything a fresh clone needs. `make demo` and `make test` bootstrap .venv.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed-stamp
PYTEST_ARGS ?= -n 2

.PHONY: all install demo test lint typecheck pytest bench selftest clean system-deps

all: test

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# System packages some tests need (PostgreSQL server, poppler for PDF checks); apt only if missing.
system-deps:
	@bash scripts/system-deps.sh

demo: install
	$(BIN)/leakline demo

test: install system-deps lint typecheck pytest

lint: install
	$(BIN)/ruff check src tests benchmarks

typecheck: install
	$(BIN)/mypy

pytest: install
	$(BIN)/pytest $(PYTEST_ARGS)

selftest: install
	$(BIN)/leakline selftest

bench: install
	$(BIN)/python benchmarks/run.py $(BENCH)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build src/*.egg-info
