# TensorFlow Grimoire — build, test and benchmark the book.
#
#   make html       build the book into _build/html (creates .venv on first use)
#   make test       unit tests + doctests of the grimoire package
#   make lint       ruff: lint and format check (make format applies the format);
#                   actionlint: the GitHub workflows
#   make livehtml   rebuild and reload in the browser while you write
#   make linkcheck  check external links (needs internet)
#   make bench      time cold, no-op, prose-edit and package-edit builds
#   make chapter CHAPTER=book/part/name.md   execute one chapter alone, timed
#   make draft CHAPTER=book/part/name.md     build the book, executing only that chapter
#   make clean      remove built pages (keeps the execution cache)
#   make distclean  remove built pages, the execution cache and .venv
#
# The first target you run creates the virtual environment in .venv and
# installs requirements.txt into it; it is reinstalled when that file changes.

PYTHON      ?= python3
VENV        ?= .venv
BIN         := $(VENV)/bin
STAMP       := $(VENV)/.installed
SOURCEDIR   := book
BUILDDIR    := _build
# -W: warnings are errors; --keep-going: report them all; -n: nitpicky refs.
# -j: chapters read, and executed, at once. On 2 cores, two at a time build the
# book cold in two thirds of the serial time (make bench); make html JOBS=1 is
# serial.
JOBS        ?= 2
SPHINXOPTS  ?= -W --keep-going -n -j $(JOBS)
SPHINXBUILD := $(BIN)/sphinx-build -c . $(SPHINXOPTS)

# Environment variables (the data mirror, TensorFlow's logging, the Keras
# backend) are set in one place, book/_ext/build_settings.py, which conf.py,
# tests/conftest.py and the .ci scripts apply.

.PHONY: html test lint format livehtml linkcheck bench chapter draft clean distclean venv

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (grimoire)" >/dev/null
	@touch $(STAMP)

# build_log.py drops the kernels' TensorFlow banners and myst-nb's chatter; the
# status is sphinx-build's.
html: $(STAMP)
	@$(BIN)/python book/_ext/build_log.py $(SPHINXBUILD) -b html -d $(BUILDDIR)/doctrees $(SOURCEDIR) $(BUILDDIR)/html
	@echo "Open $(BUILDDIR)/html/index.html"

# Two test processes (pytest-xdist): about 100 s instead of 180 s on 2 cores.
test: $(STAMP)
	$(BIN)/python -m pytest -n $(JOBS)

LINTED := code tests conftest.py conf.py .ci book/_ext

lint: $(STAMP)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/actionlint .github/workflows/*.yml

format: $(STAMP)
	$(BIN)/ruff format $(LINTED)
	$(BIN)/ruff check --fix $(LINTED)

livehtml: $(STAMP)
	$(BIN)/sphinx-autobuild -c . $(SOURCEDIR) $(BUILDDIR)/html -d $(BUILDDIR)/doctrees \
		--watch code/grimoire --ignore "*.ipynb_checkpoints*" $(SPHINXOPTS)

linkcheck: $(STAMP)
	$(SPHINXBUILD) -b linkcheck -d $(BUILDDIR)/doctrees $(SOURCEDIR) $(BUILDDIR)/linkcheck

bench: $(STAMP)
	$(BIN)/python .ci/bench.py --output $(BUILDDIR)/bench.json

chapter: $(STAMP)
	@test -n "$(CHAPTER)" || { echo "usage: make chapter CHAPTER=book/part/name.md"; exit 2; }
	$(BIN)/python .ci/run_chapter.py $(CHAPTER)

# A draft build for an author: only CHAPTER executes (with its own cache), the
# other pages render without outputs, and only CHAPTER's warnings are printed.
DRAFT = $(BUILDDIR)/draft/$(basename $(notdir $(CHAPTER)))
draft: $(STAMP)
	@test -n "$(CHAPTER)" || { echo "usage: make draft CHAPTER=book/part/name.md"; exit 2; }
	@rm -rf $(DRAFT)/html
	@GRIMOIRE_EXECUTE_ONLY=$(CHAPTER) GRIMOIRE_JUPYTER_CACHE=$(abspath $(DRAFT))/cache \
		$(BIN)/sphinx-build -c . -q -n -b html -d $(DRAFT)/doctrees $(SOURCEDIR) $(DRAFT)/html \
		2>&1 | grep -F "$(basename $(CHAPTER))" || echo "no warnings in $(CHAPTER)"
	@echo "page: $(DRAFT)/html/$(patsubst book/%,%,$(basename $(CHAPTER))).html"

clean:
	rm -rf $(BUILDDIR)

distclean: clean
	rm -rf .jupyter_cache $(VENV)
