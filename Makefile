# Tandem: two commands for a new user (`make demo`, `make test`), two more for developers
# (`make check`, `make bench`).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Users get the runtime set only (requirements.lock); developers add the dev set on top.
RUNTIME := $(VENV)/.runtime
STAMP := $(VENV)/.installed

.PHONY: demo test check bench lock clean

$(RUNTIME): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==26.3
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(RUNTIME)

$(STAMP): $(RUNTIME) requirements-dev.lock
	$(BIN)/python -m pip install --quiet -r requirements-dev.lock
	touch $(STAMP)

demo: $(RUNTIME)
	$(BIN)/tandem demo $(if $(PORT),--port $(PORT),)

test: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 $(PYTEST_ARGS)

check: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy src

# Every benchmark in bench/ (QUICK=1: the small sizes, a minute or two).
bench: $(STAMP)
	$(BIN)/python -m bench.run_all $(if $(QUICK),--quick,)

# Re-resolve both pinned sets after changing pyproject.toml's dependencies, each in a fresh
# venv so that nothing installed by hand leaks into them.
LOCKVENV := .lock-venv
lock:
	rm -rf $(LOCKVENV) && $(PYTHON) -m venv $(LOCKVENV)
	$(LOCKVENV)/bin/python -m pip install --quiet .
	{ echo "# Runtime dependencies, fully resolved (what \`make demo\` and \`pip install .\` need). Regenerate: make lock"; \
	  $(LOCKVENV)/bin/python -m pip freeze | grep -v '^tandem'; } > requirements.lock
	$(LOCKVENV)/bin/python -m pip install --quiet ".[dev]" -c requirements.lock
	{ echo "# The runtime set plus the dev extra (tests, linters, types, browsers). Regenerate: make lock"; \
	  $(LOCKVENV)/bin/python -m pip freeze | grep -v '^tandem'; } > requirements-dev.lock
	rm -rf $(LOCKVENV)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
