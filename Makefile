# The two commands a reader needs: `make book` and `make test`.
# Both create .venv from requirements.txt when it is missing or older than the pins.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
# the reference texts the quotes are checked against
SOURCES_DIR := $(or $(PCN_SOURCES_DIR),../shared/sources)
STAMP  := $(VENV)/.installed
# The tools are modules of the package (src/pcn_evidence/tools), run as `python -m`; with this folder's src first
# on the path, `make` in a copy of the book (one sharing this .venv) runs the copy's tools on the copy.
TOOLS  := PYTHONPATH=$(CURDIR)/src $(PY) -m pcn_evidence.tools

.DEFAULT_GOAL := help
.PHONY: help book test outputs clean serve

help:
	@echo "make book      set up .venv, execute the chapters and build the HTML (warnings are errors)"
	@echo "make test      set up .venv: ruff, mypy, the unit tests (one small book built, shared) and nbval over every chapter"
	@echo "make outputs   execute the chapters from their .md text twins and store the outputs in the .ipynb"
	@echo "make test-slow the proofs that build small copies of the book many times, or a whole copy (README.md says which)"
	@echo "make add-source FILE=012_<digest>.txt KIND=<kind id> ID=<source id>  scaffold a new source (CONTRIBUTING.md)"
	@echo "make lint      ruff: lint the Python and fix what it can (make test checks it)"
	@echo "make lock      compile every requirements*.txt from its .in (pip-tools)"
	@echo "make lab       open the chapters in JupyterLab (pinned, with jupytext) to re-run and change them"
	@echo "make serve     build, then serve _build/html on http://127.0.0.1:8000 as GitHub Pages serves it"
	@echo "make test-browser  build, then check every page in headless Chromium (console, requests, axe, phone width)"
	@echo "make bench     time clean/no-change/edit/data builds, make test and the floor (medians)"
	@echo "make bench-scale SOURCES=50  clean build of a synthetic copy with 50 sources beside the real one (scale line)"
	@echo "make check-determinism  incremental, clean and make dist builds must be byte-identical"
	@echo "make mutation  mutate the validator's seven modules; fail under 90% killed (SAMPLE=N [SEED=S]: a sample; JOBS=1)"
	@echo "make coding-audit  every sentence of every source has a coding decision (needs ../shared/sources)"
	@echo "make evidence-diff FROM=v0.1.0  what changed in the evidence since a version (WRITE=1 records it in data/)"
	@echo "make release VERSION=x.y.z  release: version and date from CITATION.cff, build, tag, dist/ archive"
	@echo "make dist      the release archive of the current commit, built from clean (byte-identical when rebuilt)"
	@echo "make lighthouse  Lighthouse (npm, Debian Chromium) on every page, served gzipped; fails under the targets"
	@echo "make clean     remove _build (the venv stays)"

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is required; found " + sys.version.split()[0] + " (set PYTHON=/path/to/python3.11)")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Scaffold a new source: its row, a BibTeX stub and its coding worksheet (placeholders refused until filled).
add-source: $(STAMP)
	@test -n "$(FILE)" -a -n "$(KIND)" -a -n "$(ID)" || { echo "usage: make add-source FILE=012_<digest>.txt KIND=<kind id in data/source_kinds.csv> ID=<new source id>"; exit 2; }
	@$(TOOLS).add_source "$(FILE)" "$(KIND)" "$(ID)"

book: $(STAMP)
	@$(TOOLS).book build

# cffconvert, the Citation File Format's validator, pins jsonschema 3.2, which the book's environment
# cannot hold (Jupyter needs 4): it gets a venv of its own, used by tests/test_citation.py.
CFF_VENV  := _build/cffconvert
CFF_STAMP := $(CFF_VENV)/.installed
$(CFF_STAMP): requirements-cff.txt
	test -x $(CFF_VENV)/bin/python || $(PYTHON) -m venv $(CFF_VENV)
	$(CFF_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-cff.txt
	touch $(CFF_STAMP)

# The linter (ruff), the type checker (the package ships py.typed), then unit tests, the
# package's doctests and nbval over every chapter, on both cores. Building a book is test-slow's: the tests that
# read a built small copy (sharing one build, tests/smallbook.py) and those that build one several times.
LINTED := src _ext tests
# pytest's throwaway folders, in a root of this checkout's own (pytest-of-<user>/pytest-N under it): each run
# deletes this checkout's runs but the last three, never another checkout's (on a shared machine, deleting
# another's copies of the book had made a run seconds longer after its last test).
TEST_TMP := $(or $(TMPDIR),/tmp)/pcn-evidence-tests-$(shell printf %s "$(CURDIR)" | cksum | cut -d" " -f1)
export PYTEST_DEBUG_TEMPROOT := $(TEST_TMP)
test: $(STAMP) $(CFF_STAMP)
	@$(PY) -m ruff check $(LINTED)
	@$(PY) -m mypy
	@mkdir -p $(TEST_TMP)
	$(PY) -m pytest -n auto --dist loadfile -m "not slow" tests chapters src/pcn_evidence --doctest-modules --nbval --nbval-current-env --ignore=tests/browser --ignore=tests/lab
	@test -d "$(SOURCES_DIR)" || echo "NOT CHECKED: quotes, quoted words and coding decisions were not checked against the sources (no reference texts at $(SOURCES_DIR); set PCN_SOURCES_DIR)"

# The proofs that build a small copy of the book several times, execute its chapters, or build a whole copy (a few
# seconds to a minute each; the tests marked `slow`, listed in README.md): re-execution exactly where inputs
# changed, failed, killed, locked and interrupted builds, a source of a new kind added with data alone, two
# `make dist` of one commit identical whatever was built between, a renamed figure leaving nothing published.
# Two at a time: each build's Sphinx runs on one core.
.PHONY: test-slow add-source
test-slow: $(STAMP)
	@mkdir -p $(TEST_TMP)
	$(PY) -m pytest -n auto --dist loadfile -m slow tests --ignore=tests/browser --ignore=tests/lab

# ruff fixes what it can (pre-commit does the same on each commit: `pre-commit install`).
.PHONY: lint lock
lint: $(STAMP)
	$(PY) -m ruff check --fix $(LINTED)

# Compile every requirements*.txt from its .in with pip-tools, keeping the current pins where they still fit
# (upgrade one package: make lock PIP_COMPILE_ARGS="--upgrade-package NAME"). tests/test_requirements.py
# fails when a lock no longer matches its input.
PIP_COMPILE := $(VENV)/bin/pip-compile --quiet --no-emit-index-url --no-emit-trusted-host --no-emit-find-links --strip-extras
lock: $(STAMP)
	for input in requirements*.in; do $(PIP_COMPILE) $(PIP_COMPILE_ARGS) --output-file=$${input%.in}.txt $$input || exit 1; done

outputs: $(STAMP)
	@$(TOOLS).book outputs $(CHAPTERS)

LAB_STAMP := $(VENV)/.installed-lab
$(LAB_STAMP): requirements-lab.txt $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-lab.txt
	touch $(LAB_STAMP)

.PHONY: lab lab-check
lab: $(LAB_STAMP)
	PCN_BOOK_ROOT=$(CURDIR) $(VENV)/bin/jupyter lab --notebook-dir=$(CURDIR) chapters/

# What `make lab` needs, checked without opening a browser (run in CI).
lab-check: $(LAB_STAMP)
	$(PY) -m pytest -n 0 tests/lab

# A decision for every sentence of every source (data/coding_decisions.csv); make test runs it too.
.PHONY: coding-audit
coding-audit: $(STAMP)
	@$(TOOLS).coding_audit

serve: book
	$(TOOLS).serve_pages _build/html --port 8000

clean:
	rm -rf _build

.PHONY: bench bench-scale check-determinism test-browser
bench: $(STAMP)
	$(TOOLS).bench --runs 3

# SOURCES=N: clean builds of the real book and of a synthetic copy with N sources, in one run;
# its last line is the scale line (targets: at most 2x the real build, largest page at most 2 MB).
bench-scale: $(STAMP)
	$(if $(SOURCES),$(TOOLS).bench --sources $(SOURCES),$(TOOLS).bench --runs 1 --scale 10 --skip-test)

check-determinism: $(STAMP)
	$(TOOLS).check_determinism

# Mutation testing of the validator (cosmic-ray, pinned in requirements-mutation.txt). cosmic-ray rewrites
# the modules it mutates, so pcn_evidence.tools.mutation runs it in throwaway copies, never in this checkout.
MUTATION_STAMP := $(VENV)/.installed-mutation
$(MUTATION_STAMP): requirements-mutation.txt $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-mutation.txt
	touch $(MUTATION_STAMP)

.PHONY: mutation
mutation: $(MUTATION_STAMP)
	$(TOOLS).mutation $(if $(SAMPLE),--sample $(SAMPLE) --seed $(or $(SEED),0)) $(if $(JOBS),--jobs $(JOBS))

BROWSER_STAMP := $(VENV)/.installed-browser
$(BROWSER_STAMP): requirements-browser.txt $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-browser.txt
	touch $(BROWSER_STAMP)

test-browser: $(BROWSER_STAMP) book
	$(PY) -m pytest -n 0 tests/browser

# Versioned releases (pcn_evidence.tools.release; README "Releases"). Write the `## x.y.z` entry in CHANGELOG.md and
# commit it first: the release refuses a dirty tree, a version not higher than the last, or a missing entry.
.PHONY: release dist evidence-diff
release: $(STAMP)
	@test -n "$(VERSION)" || { echo "usage: make release VERSION=x.y.z"; exit 2; }
	@$(TOOLS).release release $(VERSION)

# The release archive of the current commit, built from clean in an export of the commit (git archive), so that
# it is byte-identical whenever it is rebuilt from that commit, whatever the checkout's _build holds.
dist: $(STAMP)
	@$(TOOLS).release dist

# What changed in the evidence since FROM (v<version>, a tag or a commit; default: the last release).
# WRITE=1 records the changes as the unreleased ones in data/evidence_changes.csv (then `make outputs`).
evidence-diff: $(STAMP)
	@$(TOOLS).evidence_diff $(FROM) $(if $(WRITE),--write) $(if $(FORMAT),--format $(FORMAT))

# Lighthouse (pinned in src/pcn_evidence/tools/lighthouse/package.json) on every page, mobile preset, against Debian's
# Chromium, the book served with gzip as GitHub Pages serves it; fails if a page is under the targets
# (performance 90, accessibility, best practices and SEO 100). npm ci installs it into _build/lighthouse,
# outside the book's sources; it never downloads a browser. LIGHTHOUSE_ARGS="--preset desktop" or
# "--runs 3 chapters/synthesis.html" for one page, median of three.
LIGHTHOUSE_DIR   := _build/lighthouse
LIGHTHOUSE_STAMP := $(LIGHTHOUSE_DIR)/.installed
LIGHTHOUSE_PINS := src/pcn_evidence/tools/lighthouse/package.json src/pcn_evidence/tools/lighthouse/package-lock.json
$(LIGHTHOUSE_STAMP): $(LIGHTHOUSE_PINS)
	mkdir -p $(LIGHTHOUSE_DIR)
	cp $(LIGHTHOUSE_PINS) $(LIGHTHOUSE_DIR)/
	cd $(LIGHTHOUSE_DIR) && npm ci --no-audit --no-fund --loglevel=error
	touch $(LIGHTHOUSE_STAMP)

.PHONY: lighthouse
lighthouse: $(LIGHTHOUSE_STAMP) book
	$(TOOLS).lighthouse_audit $(LIGHTHOUSE_ARGS)
