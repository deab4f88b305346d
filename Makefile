# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
HOST ?= 0.0.0.0
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install messages clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/citehack demo --host $(HOST) --port $(PORT)

# CONN_MAX_AGE=0: the test servers' threads close their database connections after each request,
# so that none is left open when the PostgreSQL test database is dropped.
test: $(STAMP)
	CONN_MAX_AGE=0 $(BIN)/python -m pytest $(PYTEST_ARGS)

# Re-extract and compile the translations (needs gettext; the compiled .mo files are committed).
messages: $(STAMP)
	$(BIN)/citehack makemessages -l fr --no-obsolete --ignore=.venv --ignore=tests --ignore=benchmarks --ignore=var
	$(BIN)/citehack compilemessages -l fr --ignore=.venv --ignore='.*'

clean:
	rm -rf $(VENV) var
