# Ordena — the two commands a newcomer needs:  `make run`  and  `make test`.
SHELL := /bin/bash
UV_VERSION := 0.13.9
UV := $(shell command -v uv 2>/dev/null || echo $(CURDIR)/.tools/bin/uv)
export UV_PYTHON_DOWNLOADS := never

.PHONY: run test test-perf test-faults install install-python install-static browsers lint typecheck bench messages check-fresh clean

run: install ## install everything, start embedded PostgreSQL + worker, load the demo, serve
	$(UV) run ordena demo --serve

test: install browsers ## install everything and run the whole suite (the benchmark smoke test: make test-perf)
	$(UV) run pytest -n 2 -q -m "not e2e and not perf"
	$(UV) run pytest -q -m e2e

test-perf: install ## the benchmark harness end to end in its smoke mode (no timing asserted)
	$(UV) run pytest -q -m perf

test-faults: install ## real processes broken on purpose (PostgreSQL, RabbitMQ, Redis, workers, web, disk); writes docs/faults.md
	$(UV) run pytest -q -s -p no:cacheprovider -m faults tests/faults

install: install-python install-static

$(CURDIR)/.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install -q "uv==$(UV_VERSION)"

install-python: $(UV)
	$(UV) sync --frozen -q

install-static:
	@if [ ! -d node_modules/htmx.org ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; fi
	@mkdir -p static/vendor/pico static/vendor/htmx static/vendor/swagger-ui
	@cp node_modules/@picocss/pico/css/pico.min.css static/vendor/pico/
	@cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/
	@cp node_modules/swagger-ui-dist/swagger-ui.css node_modules/swagger-ui-dist/swagger-ui-bundle.js static/vendor/swagger-ui/

browsers: ## Debian's Chromium for the end-to-end journeys (needs root or sudo once)
	@bash scripts/ensure-chromium.sh

lint: install-python
	$(UV) run ruff check src tests migrations
	$(UV) run ruff format --check src tests migrations

typecheck: install-python
	$(UV) run mypy

bench: install ## the benchmark harness; writes docs/benchmarks.md (ARGS=--quick or BENCH_QUICK=1 for a short run)
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && (apt-get install -y -q wrk >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null)) ; } || echo "wrk not installed: using tests/perf/pyload.py"
	$(UV) run python -m tests.perf.harness $(ARGS)

messages: install-python ## extract gettext strings and update the English catalogue
	$(UV) run pybabel extract -F babel.cfg -o src/platform/ordena/locale/messages.pot --no-location --sort-output .
	@test -f src/platform/ordena/locale/en/LC_MESSAGES/messages.po || $(UV) run pybabel init -i src/platform/ordena/locale/messages.pot -d src/platform/ordena/locale -l en
	$(UV) run pybabel update -i src/platform/ordena/locale/messages.pot -d src/platform/ordena/locale -l en --no-fuzzy-matching --ignore-obsolete
	@echo "Now fill every empty msgstr in src/platform/ordena/locale/en/LC_MESSAGES/messages.po (tests/unit/test_i18n.py lists them)."

clean:
	rm -rf var .venv .tools node_modules static/vendor
