# The two commands a newcomer runs: `make build` and `make test`.
# Every target creates its own virtual environment (.venv) on a fresh machine.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
JOBS   ?=

.PHONY: build test bench lab clean-venv roundtrip-long specimens fuzz

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

## build: data/raw -> checked CSVs in data/clean, then re-execute the notebooks whenever data/clean changed
##        (even when an input failed: the last lines name the failed inputs and say the notebooks were refreshed without them)
build: $(STAMP)
	$(PY) -m openness build --raw data/raw --out data/clean --notebooks notebooks $(if $(JOBS),--jobs $(JOBS))

## test: the whole test suite, notebooks included (what CI runs)
test: $(STAMP)
	$(VENV)/bin/ruff format --check lib tests
	$(VENV)/bin/ruff check lib tests
	$(PY) -m pytest tests notebooks --nbval --nbval-current-env --nbval-sanitize-with notebooks/nbval_sanitize.cfg

## roundtrip-long: the round trips with many generated reports: 300 typeset specimens (CI runs a few),
##                 where LibreOffice and Chromium are installed 300 random prints through each (skipped otherwise),
##                 and every specimen scanned and read by OCR (CI scans three)
roundtrip-long: $(STAMP)
	ROUNDTRIP_EXAMPLES=$${ROUNDTRIP_EXAMPLES:-300} ROUNDTRIP_PRINTS=$${ROUNDTRIP_PRINTS:-300} ROUNDTRIP_RANDOM=1 \
		$(PY) -m pytest -q tests/test_roundtrip.py -k "random_figures or random_prints"
	ROUNDTRIP_SCANS=$${ROUNDTRIP_SCANS:-40} $(PY) -m pytest -q tests/test_ocr.py -k scanned_round_trip

## fuzz: thousands of generated hostile inputs through the build (CI runs 200); FUZZ_N=… FUZZ_SEED=… to vary
fuzz: $(STAMP)
	FUZZ_N=$${FUZZ_N:-3000} $(PY) -m pytest -q tests/test_fuzz.py

## specimens: rebuild data/raw (figures and specimen PDFs) from the originals in ../shared
specimens: $(STAMP)
	$(PY) -m openness.tooling.rebuild_raw

## bench: speed, memory and accuracy figures (printed and written to bench/results.csv);
##        e.g. `make bench BENCH="--generated 1000"` (options: python -m openness.tooling.bench --help)
BENCH ?=
bench: $(STAMP)
	$(PY) -m openness.tooling.bench $(BENCH)

## lab: JupyterLab on the notebooks, in the project's environment
lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root)

clean-venv:
	rm -rf $(VENV)
