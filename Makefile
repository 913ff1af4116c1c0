# Two commands matter: `make run` starts the platform, `make test` runs everything.
# Both set up what they need first (virtualenv, pinned packages, Kafka jars).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
JARS := var/kafka/libs/.complete

.PHONY: setup jars run run-sqlite stop test pytest lint migrate schemas bench clean

setup: $(STAMP) jars

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

jars: $(STAMP)
	$(PY) -m deploy.kafka.broker jars >/dev/null

run: setup
	$(PY) -m deploy.stack run

run-sqlite: setup
	$(PY) -m deploy.stack run --sqlite

stop: $(STAMP)
	$(PY) -m deploy.stack stop

test: setup lint pytest

pytest: setup
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache

migrate: $(STAMP)
	$(PY) -m services.sifo migrate
	$(PY) -m services.energy migrate
	$(PY) -m services.portfolio migrate
	$(PY) -m services.state_aid migrate
	$(PY) -m services.trividend migrate

schemas: $(STAMP)
	$(PY) -m shared.eventbus.schema_export --out docs/events shared.contracts.sifo shared.contracts.energy shared.contracts.state_aid shared.contracts.portfolio shared.contracts.trividend

bench: setup
	$(PY) -m bench.run

clean:
	rm -rf var .mypy_cache .ruff_cache .pytest_cache
