# Two commands on a fresh machine:  `make demo`  (the main job)  and  `make test`.
# Both create .venv and install the pinned dependencies (requirements.lock) first.
PYTHON ?= python3
VENV   ?= .venv
STAMP  := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | sha256sum | cut -c1-12)

.PHONY: demo test test-fast venv browser bench lab clean requirements long-functions

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

# The suite runs on every core (pytest-xdist), one test file per worker at a time; the files that
# execute notebooks start first (tests/conftest.py), so no long file starts last. The demo workspace
# and the executed report notebooks are built once per session and shared by the workers
# (tests/shared.py): whichever worker needs one first builds it while the other builds the next.
test: $(STAMP) browser
	$(VENV)/bin/python -m pytest -n auto --dist loadfile --no-loadscope-reorder

# Quick iteration: everything but the notebook runs (marker slow) and the browser checks (marker browser).
test-fast: $(STAMP)
	$(VENV)/bin/python -m pytest -n auto --dist loadfile --no-loadscope-reorder -m "not slow and not browser"

# requirements.in is derived from pyproject.toml (dependencies + test, lab, dev and bench extras);
# the lock is compiled from it with pip-tools, keeping the pins already in requirements.lock.
requirements: $(STAMP)
	$(VENV)/bin/python -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; \
	deps = list(dict.fromkeys(p['dependencies'] + [d for k in ('test', 'lab', 'dev', 'bench') for d in p['optional-dependencies'][k]])); \
	open('requirements.in', 'w').write('# Generated from pyproject.toml (dependencies + the test, lab, dev and bench extras): \x60make requirements\x60.\n' \
	'# Edit pyproject.toml, not this file; requirements.lock is compiled from it with pip-compile.\n' + '\n'.join(deps) + '\n')"
	$(VENV)/bin/pip-compile --quiet --no-header --no-annotate --strip-extras --no-emit-index-url --no-emit-find-links \
	  --no-upgrade -o requirements.lock requirements.in

# Functions over 80 lines whose docstring does not say why ("Long on purpose:"); a check, not a test.
long-functions: $(STAMP)
	$(VENV)/bin/python tools/long_functions.py

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
