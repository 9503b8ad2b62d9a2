# Build and test entry points of exoguard.mailflow. `make test` is what CI runs (.ci/run).
# Every target works on its own from a fresh clone that has only python3 and make.

PYTHON ?= python3
TEST_PYTHON ?= 3.11
VENV := $(CURDIR)/.venv
VENV_STAMP := $(VENV)/.installed
BUILD_ROOT := $(CURDIR)/.build
COLLECTION := $(BUILD_ROOT)/ansible_collections/exoguard/mailflow
STAGES := lint sanity units ee emulator-tests integration integration-module-path demo bench contract

export PATH := $(VENV)/bin:$(PATH)

# ansible-test runs in the copy under .build. Left to itself it walks up from there, finds this repository's
# .git and sees only git-ignored files; naming the content root makes it list the copy's files instead.
ANSIBLE_TEST := cd $(COLLECTION) && ANSIBLE_TEST_CONTENT_ROOT=$(COLLECTION) ansible-test

# A stage with nothing to test yet says why; scripts/run-stages then counts it as skipped, not passed.
skip = echo "$(1): skipped, $(2)"; if [ -n "$${STAGE_SKIP_FILE:-}" ]; then echo "$(2)" >"$$STAGE_SKIP_FILE"; fi

.PHONY: venv collection sanity lint units ee emulator-tests integration integration-module-path contract test demo bench \
	clean distclean

venv: $(VENV_STAMP)

$(VENV_STAMP): requirements.txt requirements-dev.txt tests/unit/requirements.txt
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	touch $@

collection:
	$(PYTHON) scripts/sync_collection.py $(CURDIR) $(COLLECTION)

lint: venv
	ansible-lint $(if $(CI),--nocolor)
	antsibull-changelog lint
	$(VENV)/bin/python scripts/check_action_groups.py

sanity: venv collection
	$(VENV)/bin/python scripts/ansible_test_pip_bootstrap.py
	$(ANSIBLE_TEST) sanity --venv --python $(TEST_PYTHON)

units: venv collection
	@if [ -z "$$(find tests/unit -name 'test_*.py' -print -quit 2>/dev/null)" ]; then \
		$(call skip,units,no unit tests yet); \
	else \
		set -x; $(ANSIBLE_TEST) units --local --python $(TEST_PYTHON); \
	fi

# The execution environment: ansible-builder introspects the built and installed collection and accepts the example
# definition in docs/ (no container is built).
ee: venv
	$(VENV)/bin/python -m pytest tests/ee -q

# pytest exits 5 when it collects no test.
emulator-tests: venv
	@if [ ! -d tests/emulator/tests ]; then $(call skip,emulator-tests,no tests/emulator/tests yet); exit 0; fi; \
	rc=0; set -x; $(VENV)/bin/python -m pytest tests/emulator/tests -q || rc=$$?; set +x; \
	if [ $$rc -eq 5 ]; then $(call skip,emulator-tests,no emulator test collected); else exit $$rc; fi

# Targets start the emulator themselves (runme.sh). ansible-test runs them with the venv's Python and gives each
# runme.sh INVENTORY_PATH and ANSIBLE_TEST_PYTHON_INTERPRETER for ansible_python_interpreter.
integration: venv collection
	@if [ -z "$$(find tests/integration/targets -mindepth 1 -maxdepth 1 -type d -print -quit 2>/dev/null)" ]; then \
		$(call skip,integration,no integration targets yet); \
	else \
		set -x; $(ANSIBLE_TEST) integration --local --python $(TEST_PYTHON); \
	fi

# The modules run in process (the action plugins); this runs the targets again as modules: module_path's aliases
# set EXOGUARD_IN_PROCESS=false and it runs every other target that runs a module or the role (its runme.sh says
# which it leaves out and why), so both paths pass the same tests.
integration-module-path: venv collection
	set -x; $(ANSIBLE_TEST) integration --local --python $(TEST_PYTHON) --allow-disabled module_path

# The fleet benchmark (tests/bench/run.py, docs/performance.md). CI runs this smoke size, in process only (the module
# path has integration-module-path), and checks only that every tenant converges with one token a run, never
# timings. A measurement: make bench BENCH_ARGS="--tenants 200 --module-tenants 20 --latency-ms 200 --forks 50".
BENCH_ARGS ?= --tenants 5 --module-tenants 0 --latency-ms 0 --forks 5
bench: venv collection
	ANSIBLE_COLLECTIONS_PATH=$(BUILD_ROOT) $(VENV)/bin/python tests/bench/run.py $(BENCH_ARGS) --check

# ansible-doc finds exoguard.mailflow through the copy under .build.
contract: venv collection
	@if [ ! -d ../shared ]; then $(call skip,contract,no ../shared beside the checkout); exit 0; fi; \
	set -x; ANSIBLE_COLLECTIONS_PATH=$(BUILD_ROOT) ../shared/tools/contract-check

test:
	@MAKE="$(MAKE)" scripts/run-stages $(STAGES)

demo: venv collection
	ANSIBLE_COLLECTIONS_PATH=$(BUILD_ROOT) $(VENV)/bin/python scripts/demo

clean:
	rm -rf .build .ansible .pytest_cache tests/output changelogs/.plugin-cache.yaml
	rm -f exoguard-mailflow-*.tar.gz

distclean: clean
	rm -rf .venv
