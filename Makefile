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
#   make mathjax    fetch the pinned MathJax (npm tarball, checked) that the site serves
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

.PHONY: html test lint format livehtml linkcheck bench chapter draft clean distclean venv mathjax

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (grimoire)" >/dev/null
	@touch $(STAMP)

# MathJax, so that maths renders with no network: the site serves its own copy,
# never a CDN's. The pinned npm tarball is fetched with npm (from the registry
# npm is configured for), checked against its SHA-256 and unpacked into
# .vendor/static/mathjax; conf.py copies that folder into the site's _static.
# The stamp names the version, so a new pin fetches again.
MATHJAX_VERSION := 3.2.2
MATHJAX_SHA256  := 1b9c0a1c44df864e915690558e72adb9cc5203360daefd385084ced3b6c64c09
MATHJAX_DIR     := .vendor/static/mathjax
MATHJAX         := $(MATHJAX_DIR)/.mathjax-$(MATHJAX_VERSION)

mathjax: $(MATHJAX)

$(MATHJAX):
	@rm -rf $(MATHJAX_DIR) .vendor/tmp && mkdir -p $(MATHJAX_DIR) .vendor/tmp
	cd .vendor/tmp && npm pack --silent mathjax@$(MATHJAX_VERSION) >/dev/null
	echo "$(MATHJAX_SHA256)  .vendor/tmp/mathjax-$(MATHJAX_VERSION).tgz" | sha256sum --check --quiet
	tar -xzf .vendor/tmp/mathjax-$(MATHJAX_VERSION).tgz -C .vendor/tmp
	@# The CommonHTML build that Sphinx loads, what it loads on demand (TeX
	@# extensions, fonts, the menu, accessibility) and the licence.
	cd .vendor/tmp/package && cp -r LICENSE es5/tex-mml-chtml.js es5/input es5/ui \
		es5/a11y es5/sre es5/adaptors $(CURDIR)/$(MATHJAX_DIR)/
	mkdir -p $(MATHJAX_DIR)/output && cp -r .vendor/tmp/package/es5/output/chtml* $(MATHJAX_DIR)/output/
	@rm -rf .vendor/tmp
	@touch $@

# build_log.py drops the kernels' TensorFlow banners and myst-nb's chatter; the
# status is sphinx-build's.
html: $(STAMP) $(MATHJAX)
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

livehtml: $(STAMP) $(MATHJAX)
	$(BIN)/sphinx-autobuild -c . $(SOURCEDIR) $(BUILDDIR)/html -d $(BUILDDIR)/doctrees \
		--watch code/grimoire --ignore "*.ipynb_checkpoints*" $(SPHINXOPTS)

linkcheck: $(STAMP) $(MATHJAX)
	$(SPHINXBUILD) -b linkcheck -d $(BUILDDIR)/doctrees $(SOURCEDIR) $(BUILDDIR)/linkcheck

bench: $(STAMP) $(MATHJAX)
	$(BIN)/python .ci/bench.py --output $(BUILDDIR)/bench.json

chapter: $(STAMP)
	@test -n "$(CHAPTER)" || { echo "usage: make chapter CHAPTER=book/part/name.md"; exit 2; }
	$(BIN)/python .ci/run_chapter.py $(CHAPTER)

# A draft build for an author: only CHAPTER executes (with its own cache), the
# other pages render without outputs, and only CHAPTER's warnings are printed.
DRAFT = $(BUILDDIR)/draft/$(basename $(notdir $(CHAPTER)))
draft: $(STAMP) $(MATHJAX)
	@test -n "$(CHAPTER)" || { echo "usage: make draft CHAPTER=book/part/name.md"; exit 2; }
	@rm -rf $(DRAFT)/html
	@GRIMOIRE_EXECUTE_ONLY=$(CHAPTER) GRIMOIRE_JUPYTER_CACHE=$(abspath $(DRAFT))/cache \
		$(BIN)/sphinx-build -c . -q -n -b html -d $(DRAFT)/doctrees $(SOURCEDIR) $(DRAFT)/html \
		2>&1 | grep -F "$(basename $(CHAPTER))" || echo "no warnings in $(CHAPTER)"
	@echo "page: $(DRAFT)/html/$(patsubst book/%,%,$(basename $(CHAPTER))).html"

clean:
	rm -rf $(BUILDDIR)

distclean: clean
	rm -rf .jupyter_cache $(VENV) .vendor
