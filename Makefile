# The two commands a new machine needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wsgi
HOST   ?= 127.0.0.1
PORT   ?= 5000
WORKERS ?= 2

.PHONY: run serve test test-postgres lint install migrate demo clean fuzz load attack translations \
	screenshots

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) demo load --if-empty

## run: create the venv, install, migrate, load the demo on first start, serve on 127.0.0.1:5000
## (gunicorn, and one job worker beside it)
run: demo serve

# One job worker beside gunicorn (imports of uploads, harvests); stopped with it.
serve: install
	$(FLASK) jobs worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn --config gunicorn.conf.py --bind $(HOST):$(PORT) --workers $(WORKERS) \
		--threads 4 --no-control-socket --access-logfile - wsgi:app

## test: lint, then the whole suite (SQLite; PostgreSQL too when TEST_DATABASE_URL is set)
test: install
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

test-postgres: install
	TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test $(BIN)/python -m pytest

## fuzz: the long schemathesis run: in-process (many examples), then the CLI against gunicorn
FUZZ_EXAMPLES ?= 1000
fuzz: install
	FUZZ_MAX_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q tests/fuzz
	$(BIN)/python -m tests.fuzz.live --max-examples $(FUZZ_EXAMPLES) --max-time 600

## load: locust against gunicorn (2 workers) on SQLite, then PostgreSQL; report in test-results/load
LOAD_USERS ?= 50
LOAD_SECONDS ?= 60
load: install
	$(BIN)/python -m tests.load.run --db sqlite --users $(LOAD_USERS) --duration $(LOAD_SECONDS)
	$(BIN)/python -m tests.load.run --db postgres --users $(LOAD_USERS) --duration $(LOAD_SECONDS)

## attack: the attack run against gunicorn on SQLite, then PostgreSQL; reports in reports/attack
attack: install
	$(BIN)/python -m tests.attack.run --db sqlite
	$(BIN)/python -m tests.attack.run --db postgres

## translations: extract the interface's strings (babel.cfg) into translations/messages.pot, update
## every language's .po (new strings come in untranslated: the catalogue test fails until they are
## translated; English copies its msgids), then compile the .mo files (the app also compiles them
## at start when missing or older).
LANGUAGES := ar zh_Hans en fr ru es
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k sentence -k sentence_n:1,2 \
		-o translations/messages.pot --no-wrap \
		--add-location=file --sort-by-file --project="AI Standards Exchange" .
	for lang in $(LANGUAGES); do \
		$(BIN)/pybabel update -i translations/messages.pot -d translations -l $$lang \
			--no-wrap --no-fuzzy-matching --ignore-obsolete; \
	done
	$(BIN)/python -m app.i18n english
	$(BIN)/pybabel compile -d translations --statistics

## screenshots: the README's pictures of the main pages (docs/screenshots/), taken by Chromium
## from a fresh demo registry
screenshots: install
	$(BIN)/python -m tests.e2e.screenshots

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
