# Enishi: `make run` serves the app, `make test` runs every test. Both install what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app webapp
CATALOGUES := webapp/translations/ja/LC_MESSAGES/messages.mo webapp/translations/en/LC_MESSAGES/messages.mo

.PHONY: run test install install-dev node messages artifacts vendor screenshots bench lint clean

# A local run is a debug run with demo data: plain http on 127.0.0.1, so cookies cannot be
# Secure. Production leaves both off (the defaults).
run: install $(CATALOGUES)
	ENISHI_DEBUG=$${ENISHI_DEBUG:-1} ENISHI_DEMO=$${ENISHI_DEMO:-1} $(FLASK) enishi serve

# The suite runs on SQLite, then again on PostgreSQL where one answers at TEST_POSTGRES_URL (CI
# always has one: there, a missing PostgreSQL fails the run instead of skipping it). The second
# run leaves out tests/chain (those tests use no database) and the SQLite writer lock's tests.
# Tests run in one process per core (pytest-xdist); `make test PYTEST_WORKERS=0` runs them in one.
PYTEST_WORKERS ?= auto
TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
PG_PROBE := import psycopg; psycopg.connect("$(subst +psycopg,,$(TEST_POSTGRES_URL))", connect_timeout=3).close()

test: install-dev node $(CATALOGUES) lint
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)
	@if [ "$$CI" = "true" ] || $(BIN)/python -c '$(PG_PROBE)' 2>/dev/null; then \
	  echo "== the same suite on PostgreSQL =="; \
	  ENISHI_TEST_DATABASE_URL=$(TEST_POSTGRES_URL) $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --ignore=tests/chain --ignore=tests/webapp/test_writer_lock.py $(PYTEST_ARGS); \
	else \
	  echo "PostgreSQL does not answer at $(TEST_POSTGRES_URL): the PostgreSQL run is skipped"; \
	fi

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

$(VENV)/.installed: pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# Node.js is needed only to compile contracts and by tests (solc, OpenZeppelin, axe-core).
node: node_modules/.installed
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# Translations: `make messages` extracts and merges; the .mo files are built from the .po files.
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -o webapp/translations/messages.pot --no-location --sort-output --width 100 .
	$(BIN)/pybabel update -i webapp/translations/messages.pot -d webapp/translations --no-fuzzy-matching --ignore-obsolete --width 100

$(CATALOGUES): webapp/translations/%/LC_MESSAGES/messages.mo: webapp/translations/%/LC_MESSAGES/messages.po $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d webapp/translations -l $*

# Contracts: compile with the pinned solc into the committed artifacts.
artifacts: node
	node chain/compile.mjs

# Browser code from npm (jsQR, qrcode-generator, the Lucide icons as one sprite), copied with its
# licence into static/vendor/.
vendor: node
	node tools/vendor.mjs

# The README's screenshots, from the demo on a temporary instance (tools/screenshots.py).
screenshots: install-dev $(CATALOGUES)
	$(BIN)/python tools/screenshots.py

# Benchmarks print tables; they are never part of `make test`.
bench: install-dev node
	npm ci --prefix bench --no-audit --no-fund
	$(BIN)/python bench/gas.py
	$(BIN)/python bench/pwa.py
	$(BIN)/python bench/weight.py
	$(BIN)/python bench/lighthouse.py
	$(BIN)/python bench/checkin_api.py
	$(BIN)/python bench/throughput.py
	$(BIN)/python bench/chaos.py
	$(BIN)/python bench/community_page.py
	$(BIN)/python bench/contribution.py

# Style (ruff) and the layers of docs/architecture.md (import-linter's contracts in pyproject.toml).
lint: install-dev
	$(BIN)/ruff check webapp chain tests bench tools
	$(BIN)/lint-imports --no-cache

clean:
	rm -rf $(VENV) node_modules
