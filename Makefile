# CôngVăn — the two commands of the Quick start are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: install run run-production-like test test-once bench lint clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	bash .ci/install-system
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/pip install -q --disable-pip-version-check -e '.[signing,dev]'
	touch $@

## Install, migrate, seed the demo province and start everything on http://127.0.0.1:8000
run: install
	$(BIN)/python -m backend up

## The production topology on loopback: PostgreSQL, Redis, SeaweedFS S3, nginx → 2 web, 2 workers, signing server
run-production-like: install
	bash .ci/install-system --production-like
	$(BIN)/python -m backend production-like

## ruff and mypy, then the whole suite twice: SQLite + in-process stores, then PostgreSQL + Redis
test: install
	bash .ci/test-suite

## One pass with the current environment (TEST_DATABASE_URL / TEST_REDIS_URL if set)
test-once: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python -m tests.perf.bench_signing

## ruff, then mypy (configured in pyproject.toml: strict on backend.lib, backend.domain, signing_server)
lint: install
	bash .ci/lint

clean:
	rm -rf $(VENV) data .test-services .prodlike
