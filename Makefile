# Every target builds the virtual environment it needs, so each README command works on a
# fresh machine with only python3 (3.11+) installed.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
STACK    ?= prod
SCENARIO ?= happy-path
STRATEGY ?=
FORCE    ?=
# a stack file instead of Pulumi.$(STACK).yaml (--stack-file), for preview and drill
STACK_FILE ?=

.PHONY: venv test lint preview drill bench clean

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.txt
	touch $(STAMP)

test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -n 2 -q

lint: $(STAMP)
	$(VENV)/bin/ruff check .

preview: $(STAMP)
	$(PY) -m cli preview --stack $(STACK) $(if $(STACK_FILE),--stack-file $(STACK_FILE),)

drill: $(STAMP)
	$(PY) -m cli drill --stack $(STACK) --scenario $(SCENARIO) $(if $(STRATEGY),--strategy $(STRATEGY),) $(if $(STACK_FILE),--stack-file $(STACK_FILE),) $(if $(filter 1 yes true,$(FORCE)),--force,)

bench: $(STAMP)
	$(PY) -m cli bench

clean:
	rm -rf $(VENV) reports .pytest_cache
