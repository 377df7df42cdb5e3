# NewsScope: `make run` starts the dashboard on the sample corpus; `make test` runs the whole suite.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
SAMPLE := data/sample/raw
OUT    := data/processed
PORT   ?= 8501

.PHONY: run test test-fast build-sample bench bench-quick install lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

# Installs exactly the lock (requirements-dev.txt, which includes requirements.txt): --no-deps, so nothing the lock
# does not name can enter, then `pip check` that the pins agree. Re-installs only when a lock file changes.
$(VENV)/.installed: requirements.txt requirements-dev.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --no-deps -r requirements-dev.txt
	$(BIN)/python -m pip check
	touch $@

install: $(VENV)/.installed

# Deliberate, never automatic: re-resolve pyproject.toml's ranges against today's index in a throw-away venv and
# rewrite requirements.txt and requirements-dev.txt from it. Review the diff, run `make test`, commit both files.
lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv || python3 -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet -e '.[dev]'
	.lock-venv/bin/python tools/lock.py
	rm -rf .lock-venv

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
