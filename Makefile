# The few commands people need. `make run` and `make test` set everything up from a clean clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT  # the embedded run's e-mail links use the port it serves on (settings.PHB_BASE_URL)
PYTEST_ARGS ?=

.PHONY: run test install assets migrate demo lint format check bench worker beat clean

run: install assets migrate demo  ## set up and serve the embedded default on http://127.0.0.1:$(PORT)
	@echo "Serving on http://127.0.0.1:$(PORT)/ (Ctrl+C to stop)"
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install assets  ## set up and run the whole test suite
	DJANGO_STATIC_MANIFEST=0 $(BIN)/pytest $(PYTEST_ARGS)

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@

install: $(VENV)/.installed

# Front-end packages (GOV.UK Frontend, htmx, sass) come from the npm registry and are served by the app.
node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: pages will be unstyled (install Node.js to get GOV.UK Frontend)"; fi

var/build/css/app.css: node_modules/.package-lock.json static/scss/app.scss
	@if [ -x node_modules/.bin/sass ]; then npm run --silent build:css; fi

assets: node_modules/.package-lock.json var/build/css/app.css

migrate: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_framework

demo: migrate
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py readiness_snapshot --backfill

worker: install  ## a Celery worker (needs CELERY_BROKER_URL)
	$(BIN)/celery -A phb_readiness worker --loglevel=INFO

beat: install  ## Celery beat, the daily jobs (needs CELERY_BROKER_URL; one per installation)
	$(BIN)/celery -A phb_readiness beat --loglevel=INFO

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: install
	$(BIN)/python manage.py makemigrations --check --dry-run

bench: install assets  ## the benchmark (docs/performance.md): SITES=1500 make bench, BENCH_ARGS="--json bench.json"
	PHB_BENCH=1 $(BIN)/python manage.py benchmark --sites $${SITES:-150} $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules var
