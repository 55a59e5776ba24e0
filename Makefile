# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
JIXIAO := $(VENV)/bin/jixiao
STAMP := $(VENV)/.installed
ST_STAMP := $(VENV)/.installed-st
SPARK_STAMP := $(VENV)/.installed-spark

.PHONY: setup setup-st setup-spark demo test bench bench-spark clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

# sentence-transformers for local model directories; torch pinned to the local CPU build 2.13.0
setup-st: $(ST_STAMP)

$(ST_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e ".[test,st]"
	touch $(ST_STAMP)

# pyspark and pyarrow for `jixiao score --spark` and engine.spark (Java 17 comes from the system)
setup-spark: $(SPARK_STAMP)

$(SPARK_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e ".[test,spark]"
	touch $(SPARK_STAMP)

demo: setup
	$(JIXIAO) library check
	$(JIXIAO) suggest --name "2026年全市中小学教师信息技术应用能力提升培训" --amount 120 -k 3 \
	  --description "面向全市中小学教师开展信息技术应用能力培训，计划培训3000人次"
	$(JIXIAO) score data/demo/待评审申报表.csv --format table
	$(JIXIAO) score data/examples/common --format table
	$(JIXIAO) score data/demo data/examples --format html -o build/评审报告.html
	@echo "HTML 报告：build/评审报告.html"

test: setup setup-st setup-spark
	$(PY) -m pytest -q

bench: setup
	$(PY) scripts/bench_score.py

bench-spark: setup setup-spark
	$(PY) scripts/bench_spark.py

clean:
	rm -rf $(VENV) build .pytest_cache
