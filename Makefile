# Two commands for a newcomer: `make run` (demo site on http://127.0.0.1:8000; PORT=8001 for
# another port) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run test install migrate demo lint clean tools

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

# `make run PORT=8001` serves on another port; mail links follow it (PLUMBERS_SITE_URL).
PORT ?= 8000
SITE_URL := http://127.0.0.1:$(PORT)
DEMO_ENV := PLUMBERS_DEMO=1 PLUMBERS_SITE_URL=$(SITE_URL)

demo: migrate
	$(DEMO_ENV) $(PY) manage.py load_demo --url $(SITE_URL)

run: install
	@$(PY) manage.py migrate --noinput --verbosity 0
	@$(DEMO_ENV) $(PY) manage.py load_demo --url $(SITE_URL)
	@echo ""
	@echo "Serving the demo on $(SITE_URL)/ (Ctrl-C stops)."
	@$(DEMO_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	DJANGO_DEBUG=0 DJANGO_SECRET_KEY=check-deploy-$$(date +%s)-a-long-random-enough-secret-key-value \
	  DJANGO_ALLOWED_HOSTS=plumbers.example.org PLUMBERS_SITE_URL=https://plumbers.example.org \
	  $(PY) manage.py check --deploy --fail-level WARNING

# The suite runs in parallel, one pytest-xdist worker per core (TEST_WORKERS=0: one process,
# e.g. for --pdb). --dist loadgroup keeps the browser tests together on one worker (one
# Chromium); tests/conftest.py gives each worker its own database, cache and media folder.
TEST_WORKERS ?= auto

# The Nu HTML checker for the page-quality browser test (Java runs it); skipped with its
# reason where npm is missing, a failure in CI (E2E_REQUIRED=1).
VNU_JAR := var/tools/node_modules/vnu-jar/build/dist/vnu.jar
$(VNU_JAR):
	@if command -v npm >/dev/null 2>&1; then \
	  npm install --silent --no-audit --no-fund --prefix var/tools vnu-jar@26.9.27; \
	else echo "npm not found: the HTML validation test will be skipped"; fi

tools: $(VNU_JAR)

test: lint tools
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
