# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NPM_STAMP := web/node_modules/.installed
PORT ?= 5000

.PHONY: run test bench lint install assets clean

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

run: install assets
	$(BIN)/casegrid init --demo
	$(BIN)/casegrid serve --host 127.0.0.1 --port $(PORT)

test: install assets
	$(BIN)/python -m pytest -q -n auto $(PYTEST_ARGS)
	$(BIN)/ruff check .

bench: install
	$(BIN)/python -m bench

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) web/node_modules web/static/vendor instance .pytest_cache
