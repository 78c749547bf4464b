# Two commands on a fresh machine:  `make demo`  (the main job)  and  `make test`.
# Both create .venv and install the pinned dependencies (requirements.lock) first.
PYTHON ?= python3
VENV   ?= .venv
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | sha256sum | cut -c1-12)

.PHONY: demo test venv browser bench lab clean

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

venv: $(STAMP)

# Debian's Chromium for the headless browser tests (Playwright drives /usr/bin/chromium).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian chromium for browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

demo: $(STAMP)
	$(VENV)/bin/workbench demo

test: $(STAMP) browser
	$(VENV)/bin/python -m pytest

bench: $(STAMP)
	$(VENV)/bin/python bench/bench_ingest.py

# JupyterLab rooted at the workspace (notebooks/, reports/ and data/ in reach); the settings override
# in jupyter/overrides.json makes Jupytext's notebook view the default for .py files, so a
# double-click on a report notebook opens it as a notebook. ipywidgets (in the lock) renders progress bars.
lab: $(STAMP)
	mkdir -p $(VENV)/share/jupyter/lab/settings
	cp jupyter/overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=.

clean:
	rm -rf data/demo data/store reports/runs reports/index.html
