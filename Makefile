# Two commands for a newcomer: `make run` starts the centre, `make test` runs the suite.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
export HOST PORT

.PHONY: run test venv devvenv migrate lint messages bench clean

$(VENV)/.installed: requirements.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed
devvenv: $(VENV)/.dev-installed

migrate: venv
	$(PY) manage.py migrate --noinput

run: venv
	$(PY) manage.py run_centre --host $(HOST) --port $(PORT)

# Browser tests run in a process of their own: Playwright's sync API keeps an event loop
# running in the main thread, which the asyncio socket tests must not share.
test: devvenv
	$(PY) -m pytest -m "not browser" $(PYTEST_ARGS)
	$(PY) -m pytest -m browser $(PYTEST_ARGS)

lint: devvenv
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run

messages: venv
	$(PY) manage.py makemessages -l ru -l en --ignore=.venv --ignore=bench --ignore=tests
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf var staticfiles .pytest_cache
