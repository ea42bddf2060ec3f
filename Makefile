# Two commands on a fresh machine: `make demo` and `make test`.
# Everything installs into .venv; only Python 3.11+, pip, venv and make are needed.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck check-coverage-agrees clean

$(STAMP): pyproject.toml requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	@bash examples/run-demo.sh $(BIN)

lint: $(STAMP)
	$(BIN)/ruff check src tests $(wildcard benchmarks docs/*.py)
	$(BIN)/ruff format --check src tests $(wildcard benchmarks docs/*.py)

typecheck: $(STAMP)
	$(BIN)/mypy --strict src

# The whole suite, gated by the project's own [tool.healthgate] (coverage >= 90).
test: $(STAMP) lint typecheck
	$(BIN)/pytest --healthgate -n 2
	$(BIN)/python tests/check_coverage_agrees.py

clean:
	rm -rf $(VENV) .healthgate .coverage .coverage.* .pytest_cache
