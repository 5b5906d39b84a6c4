# Two commands do all set-up on a fresh machine (see README):
#   make run    create .venv/, install, build the index if stale, start the app
#   make test   the same set-up, then the whole test suite
# make test-fast runs the tests that need no model, no browser and no server process.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
RUN_STAMP  := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test test-fast install install-test index eval bench clean

run: install index
	$(PY) app.py

test: install-test index
	$(PY) -m pytest

test-fast: install-test
	$(PY) -m pytest -m "not integration and not browser and not server"

# answering needs only the runtime (no torch)
install: $(RUN_STAMP)

$(RUN_STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $(RUN_STAMP)

# tests and training also need torch: first, from the CPU wheel (letting
# sentence-transformers resolve torch pulls the CUDA build and several GB of nvidia packages)
install-test: $(TEST_STAMP)

$(TEST_STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev,train]'
	touch $(RUN_STAMP) $(TEST_STAMP)

index: install
	$(PY) -m retrieval build --if-stale

# every writer's set (not the sealed ones) through the engine and the baseline; reports in
# reports/<task>/<writer>/, held to evals/thresholds.toml where it has floors
eval: install-test index
	for set in evals/sets/safety/*.jsonl evals/sets/retrieval/*.jsonl evals/sets/scope/*.jsonl; do \
	  $(PY) -m evals run $$set --out reports/$$(basename $$(dirname $$set))/$$(basename $$set .jsonl) \
	    --thresholds evals/thresholds.toml || exit 1; \
	done

# speed and memory (a measurement, not a test): reports/bench/bench.md
bench: install-test index
	$(PY) -m evals bench --out reports/bench

clean:
	rm -rf $(VENV) index/*.faiss index/*.json index/*.npy reports
