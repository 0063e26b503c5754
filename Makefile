# Frontdesk. `make run` starts the help desk on the embedded defaults; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1:8000

.PHONY: run test check lint format screenshots clean

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(PIP) install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# Web server, Celery worker and beat on SQLite and a file-system broker; Ctrl-C stops all three.
run: $(VENV)/.runtime
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@trap 'kill 0' INT TERM EXIT; \
	$(VENV)/bin/celery -A helpdesk worker --beat --loglevel=info --concurrency=2 & \
	$(PY) manage.py runserver $(HOST)

test: $(VENV)/.dev
	$(VENV)/bin/pytest -n auto

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: $(VENV)/.dev lint
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(MAKE) test

format: $(VENV)/.dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Regenerate the README's pictures from the browser tests.
screenshots: $(VENV)/.dev
	SCREENSHOT_DIR=docs/screenshots $(VENV)/bin/pytest tests/browser -p no:xdist -q

clean:
	rm -rf var/celery var/celerybeat-schedule*
