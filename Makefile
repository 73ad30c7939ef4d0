# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
# Settings default to DEBUG off (production); the developer's commands turn it on.
export DEBUG ?= 1

.PHONY: run serve install install-dev test lint worker beat bench migrate seed clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/python manage.py migrate --noinput

# Customer links sent by tasks (and by the demo seed) point here; pages build theirs from the
# request. `make run` serves on 127.0.0.1:$(PORT), so its links follow PORT unless SITE_URL is set.
SITE_URL ?= http://127.0.0.1:$(PORT)

seed: migrate
	DEMO_COMPANY=1 EMAIL_BACKEND=django.core.mail.backends.dummy.EmailBackend \
	  SITE_URL=$(SITE_URL) $(BIN)/python manage.py seed_demo

## run: install, migrate, load the demo data and serve on 127.0.0.1:$(PORT) (SQLite, eager tasks)
run: seed
	DEMO_COMPANY=1 SITE_URL=$(SITE_URL) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## test: the whole suite; on PostgreSQL when DATABASE_URL points there, else SQLite; in
## TEST_WORKERS processes (each with a test database of its own)
TEST_WORKERS ?= 2
test: install-dev
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .

## worker / beat: Celery against CELERY_BROKER_URL (e.g. redis://127.0.0.1:6379/0)
worker: install
	$(BIN)/celery -A q2c worker --loglevel=info --queues=$${CELERY_QUEUE:-q2c}

beat: install
	$(BIN)/celery -A q2c beat --loglevel=info

## bench: benchmarks at scale on PostgreSQL (DATABASE_URL), one JSON line per figure
bench: install-dev
	@for script in bench/bench_*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) q2c.sqlite3 staticfiles
