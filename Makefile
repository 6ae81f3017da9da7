# Developer and CI entry points. `make test` is what CI runs (.ci/run).
VENV ?= .venv
PY := $(VENV)/bin/python
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: setup venv test check demo bench clean

venv:
	@EXTRAS=dev scripts/setup/python.sh

## Everything the tests need: venv, PostgreSQL, the six tools' toolchains.
setup:
	@scripts/setup/all.sh

## Static checks, then the whole suite against real tools and a real server.
# One worker per core (at most 4: each test starts real tools and PostgreSQL sessions), a test
# file per worker, so a file's fixtures and its order stay as they are when run alone.
test: setup check
	$(PY) -m pytest -q -n auto --maxprocesses 4 --dist loadfile $(PYTEST_ARGS)

check: venv
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/mypy

## migrate -> status -> rollback -> migrate on the bundled Alembic example (SQLite, no server).
demo: venv
	@scripts/demo.sh

bench: setup
	$(PY) bench/overhead.py

clean:
	rm -rf $(VENV) .demo .pytest_cache .mypy_cache .ruff_cache
