# Topic Inspector. `make demo` and `make test` work on a fresh Debian machine: they install what is missing.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PACKAGE_STAMP := $(VENV)/.package-stamp
ARGS ?=

.PHONY: demo test lint emulator bench package system-deps clean

$(STAMP): pyproject.toml scripts/system-deps
	scripts/system-deps
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

system-deps:
	scripts/system-deps

demo: $(STAMP)
	$(BIN)/topic-inspector --demo $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	scripts/with-keyring $(BIN)/pytest $(ARGS)

emulator: $(STAMP)
	$(BIN)/topic-inspector emulator $(ARGS)

# The Linux package (dist/topic-inspector_VERSION_ARCH.deb) from packaging/topic-inspector.spec
package: $(PACKAGE_STAMP)
	$(BIN)/python packaging/build_deb.py

$(PACKAGE_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,package]'
	touch $(PACKAGE_STAMP)

bench: $(STAMP)
	for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis build dist *.egg-info
