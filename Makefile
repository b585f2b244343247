# pixorder: two commands. `make demo` and `make test` each set up .venv from scratch when needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test check lint bench clean browser desk

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check pixorder tests benchmarks
	$(BIN)/mypy pixorder

# The fast lane (well under a minute on 2 cores): lint, types and the unit tests, i.e. everything
# (on every core, pytest-xdist: each worker has its own embedded sandbox)
# not marked reliability, browser or slow, and not the notebooks. `make test` still runs everything.
check: lint
	$(BIN)/python -m pytest -q -p no:cacheprovider -n auto -m "not reliability and not browser and not slow" \
	  --ignore=tests/notebooks --ignore=tests/e2e --ignore=tests/reliability

# pytest exit code 5 means "no tests collected": treated as a failure of the suite's promise,
# except that it is reported clearly instead of as a bare error code.
test: lint browser
	$(BIN)/python -m pytest -q -p no:cacheprovider; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests (exit 5)"; exit 1; fi; exit $$rc

# JupyterLab on copies of the notebooks in .demo/ (git-ignored): autosave never touches the checkout.
demo: $(STAMP)
	$(BIN)/python -m pixorder.demo

# The pricing desk (a Voila app) on 127.0.0.1: prints its URL; the sandbox unless a provider key is set.
desk: $(STAMP)
	$(BIN)/pixorder desk

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) build *.egg-info

# Debian's Chromium for the real-browser tests (never Playwright's own download: no internet here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi; }
