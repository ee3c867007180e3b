# incubator: `make run` serves the app, `make test` runs the whole suite.
# Everything is installed into .venv by these targets; nothing needs installing by hand.

# Any Python from 3.11 to 3.13; python3.11 when present, else python3.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev
PO     := incubator/translations/zh_Hans_CN/LC_MESSAGES/messages.po
MO     := $(PO:.po=.mo)
HOST   ?= 127.0.0.1
PORT   ?= 5000
PYTEST_ARGS ?=

export FLASK_APP := wsgi

.PHONY: run scheduler install install-dev translations db demo test typecheck test-sqlite \
        test-postgres imports browser-deps lint format messages backup clean loadtest

# DEMO=0 starts on an empty database (real data: see README, "Set-up on real data").
DEMO ?= 1

run: install translations db $(if $(filter 0,$(DEMO)),,demo)
	$(BIN)/flask run --host $(HOST) --port $(PORT)

# The scheduler process (monthly reminders), in a second terminal next to `make run`.
scheduler: install translations db
	$(BIN)/flask scheduler run

$(BIN)/python:
	@$(PYTHON) -c 'import sys; v = sys.version_info[:2]; \
	  sys.exit(0 if (3, 11) <= v <= (3, 13) else "incubator needs Python 3.11 to 3.13, " \
	  "found %d.%d: run make PYTHON=/path/to/python3.11" % v)'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEVSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(STAMP)

install: $(STAMP)
install-dev: $(DEVSTAMP)

# Compiled catalogues are build output (not committed).
$(MO): $(PO) | $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d incubator/translations
translations: $(MO)

db: install
	@mkdir -p instance
	$(BIN)/flask db upgrade

demo: install
	$(BIN)/flask demo seed

# Re-extract the strings after changing code or templates; then translate the new
# entries of $(PO) (the test suite fails while one is untranslated).
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location \
	  --sort-output --omit-header -o /tmp/incubator-messages.pot .
	$(BIN)/pybabel update -i /tmp/incubator-messages.pot -d incubator/translations \
	  --no-fuzzy-matching --ignore-obsolete

# Debian chromium + a CJK font for the browser tests, when missing and we are root.
browser-deps:
	@if [ -x /usr/bin/chromium ] && dpkg -s fonts-wqy-microhei >/dev/null 2>&1; then \
	  echo "chromium and fonts-wqy-microhei are present"; \
	elif [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq --no-install-recommends chromium fonts-wqy-microhei; \
	else \
	  echo "chromium or fonts-wqy-microhei missing and not root: browser tests will skip"; \
	fi

test: install-dev translations browser-deps
	@if [ "$(REQUIRE_POSTGRES)" = 1 ] && [ -z "$(TEST_DATABASE_URL)" ]; then \
	  echo "REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is empty"; exit 1; fi
	$(MAKE) --no-print-directory imports
	$(MAKE) --no-print-directory typecheck
	$(MAKE) --no-print-directory test-sqlite
	@if [ -n "$(TEST_DATABASE_URL)" ]; then \
	  $(MAKE) --no-print-directory test-postgres; \
	else \
	  echo "TEST_DATABASE_URL is not set: the PostgreSQL run is skipped."; fi

# The layer contract (pyproject.toml, [tool.importlinter]): an upward import fails.
imports: install-dev
	@echo "== import layers"
	$(BIN)/lint-imports --no-cache

# mypy over the whole package ([tool.mypy] in pyproject.toml), cached in .mypy_cache.
typecheck: install-dev
	@echo "== mypy"
	$(BIN)/mypy

test-sqlite:
	@echo "== test suite on SQLite"
	TEST_DATABASE_URL= $(BIN)/pytest $(PYTEST_ARGS)

test-postgres:
	@echo "== test suite on PostgreSQL"
	$(BIN)/pytest $(PYTEST_ARGS)

# gunicorn (4 workers x 16 threads) on a database of its own, 64 clients writing and
# reading for 60 s; fails on any 5xx, lost or duplicated row, or unaudited read.
# LOAD_ARGS="--clients 16 --seconds 10"; LOAD_DATABASE_URL=postgresql+psycopg://...
# (a server: the run creates and drops its own database on it) for PostgreSQL.
LOAD_ARGS ?=
loadtest: install-dev translations
	$(BIN)/python -m tests.load.loadtest $(LOAD_ARGS)

lint: install-dev
	$(BIN)/ruff check incubator tests config.py wsgi.py setup.py
	$(BIN)/ruff format --check incubator tests config.py wsgi.py setup.py

format: install-dev
	$(BIN)/ruff format incubator tests config.py wsgi.py setup.py

# One archive with the database and every uploaded file (see README, Backups).
backup: install
	@mkdir -p backups
	$(BIN)/flask backup backups/incubator-$$(date +%Y%m%d-%H%M%S).tar.gz

# Timings of named operations on a generated data set (not part of `make test`):
# median, IQR, min and max, and each median as a multiple of a baseline timed in
# the same run. BENCH_ORGS sizes the data set; BENCH_ARGS goes to pytest.
.PHONY: bench
bench: install-dev translations
	TEST_DATABASE_URL= $(BIN)/pytest tests/benchmarks/bench_operations.py \
	  -p no:cacheprovider --benchmark-only --benchmark-sort=name \
	  --benchmark-columns=min,median,iqr,max,rounds $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache build dist *.egg-info
	find . -name __pycache__ -prune -exec rm -rf {} +

# --- production (issue 18) ---
# nginx for the test that checks deploy/nginx-incubator.conf with `nginx -t`, when
# missing and we are root (CI); without it that test skips.
.PHONY: nginx-deps
nginx-deps:
	@if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then \
	  echo "nginx is present"; \
	elif [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq --no-install-recommends nginx-light \
	  || DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq --no-install-recommends nginx; \
	else \
	  echo "nginx missing and not root: the nginx -t test will skip"; \
	fi
test: nginx-deps
