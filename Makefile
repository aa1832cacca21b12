# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NPM_STAMP := web/node_modules/.installed
PORT ?= 5000
# Some shells set PYTHONDONTWRITEBYTECODE: then every test process (each xdist worker, each CLI test's
# subprocess) compiles the project and rewrites the test modules' asserts from source again. The caches
# land in ignored __pycache__ folders.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test test-fast bench lint install assets test-providers clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# The browser modeler's JS comes from npm into an ignored folder; nothing built is committed.
$(NPM_STAMP): web/package.json
	cd web && npm install --no-audit --no-fund --loglevel=error
	$(BIN)/python -m web.assets
	touch $(NPM_STAMP)

assets: $(if $(wildcard web/package.json),$(NPM_STAMP))

# The SSO tests start a real OpenID provider (oidc-provider, tests/sso/provider); without Node they skip.
SSO_PROVIDER_STAMP := tests/sso/provider/node_modules/.installed
$(SSO_PROVIDER_STAMP): tests/sso/provider/package.json
	if command -v npm >/dev/null 2>&1; then cd tests/sso/provider && npm install --no-audit --no-fund --loglevel=error && touch node_modules/.installed; fi

test-providers: $(if $(wildcard tests/sso/provider/package.json),$(SSO_PROVIDER_STAMP))

run: install assets
	$(BIN)/casegrid init --demo
	$(BIN)/casegrid serve --host 127.0.0.1 --port $(PORT)

# The whole suite, as CI runs it; the wall time is printed so that CI's log shows it.
test: install assets test-providers
	@start=$$(date +%s); $(BIN)/python -m pytest -q -n auto $(PYTEST_ARGS); status=$$?; \
	echo "make test: the suite took $$(( $$(date +%s) - start )) s"; exit $$status
	$(BIN)/ruff check .

# The inner loop: no browser, no PostgreSQL (those tests skip), everything else.
test-fast: install
	env -u CASEGRID_TEST_PG_URL $(BIN)/python -m pytest -q -n auto -m "not browser" $(PYTEST_ARGS)

bench: install
	$(BIN)/python -m bench

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) web/node_modules web/static/vendor tests/sso/provider/node_modules instance .pytest_cache
