# NewsScope: `make run` starts the dashboard on the sample corpus; `make test` runs the whole suite.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
SAMPLE := data/sample/raw
OUT    := data/processed
PORT   ?= 8501

.PHONY: run test test-fast build-sample bench bench-quick install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

# Re-install only when the project's dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# Incremental: on unchanged input this reuses every cached result and loads no model.
build-sample: install
	$(BIN)/newsscope build $(SAMPLE) --out $(OUT)

run: build-sample
	$(BIN)/streamlit run app.py --server.port $(PORT) --server.headless true

test: install
	$(BIN)/python -m pytest -q

test-fast: install
	$(BIN)/python -m pytest -q -m "not slow and not browser"

# Speed and memory figures (scripts, not tests; results in benchmarks/RESULTS.md). Minutes to an hour.
bench: install
	$(BIN)/python -m benchmarks

bench-quick: install
	$(BIN)/python -m benchmarks --quick

clean:
	rm -rf $(OUT) data/.processed.versions data/.processed.lock tests/artifacts
