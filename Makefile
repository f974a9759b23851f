# Two entry points for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8501
ADDRESS ?= 127.0.0.1

.PHONY: install run test gazetteer eval bench stress clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

install: $(VENV)/.installed

gazetteer: install
	$(PY) -m geodata gazetteer build

run: gazetteer
	$(PY) -m geodata dashboard --address $(ADDRESS) --port $(PORT)

test: install
	bash scripts/ensure-chromium.sh
	$(PY) -m pytest -q

# Scores each corpus once and prints the development half (even lines), the test half (odd lines)
# and the whole, calibration per half and the test half's misses; full reports in data/eval-*.json.
eval: gazetteer
	$(PY) -m geodata evaluate ../shared/bench/gwn.jsonl --spans --out data/eval-gwn.json
	$(PY) -m geodata evaluate ../shared/bench/lgl.jsonl --spans --out data/eval-lgl.json
	$(PY) -m geodata evaluate benchmarks/corpora/fr-news.jsonl --out data/eval-fr.json

bench: install
	bash scripts/ensure-chromium.sh
	$(PY) benchmarks/bench.py $(BENCH_ARGS)

stress: gazetteer
	$(PY) -m devtools.stress

clean:
	rm -rf $(VENV) data .pytest_cache tests/artifacts dashboard/static/folium
