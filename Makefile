# libvibectl — build, run and test entry points.
#
#   make run            build everything and run `vibectl version` (ARGS="config show" to run something else)
#   make test           run every test: Swift (unit, ABI, CLI end-to-end), C, export parity, Python
#   make bench          print start-up figures next to the Python original
#   make install        install vibectl, libvibectl.so.1 and vibectl.h under PREFIX (default ~/.local)

SWIFT   ?= swift
PYTHON  ?= python3
CONFIG  ?= debug
PREFIX  ?= $(HOME)/.local
ARGS    ?= version
VENV    := .venv
BIN     := .build/$(CONFIG)

.PHONY: all build run python test test-swift test-c test-exports test-python bench install clean

all: build

## Build the library, the CLI (linked as .build/bin/vibectl and kubectl-vibe) and the Python binding.
build:
	$(SWIFT) build -c $(CONFIG)
	@mkdir -p .build/bin
	@ln -sf ../$(CONFIG)/vibectl-cli .build/bin/vibectl
	@ln -sf ../$(CONFIG)/vibectl-cli .build/bin/kubectl-vibe
	@ln -sf libvibectl.so $(BIN)/libvibectl.so.1
	@echo "built: $(BIN)/libvibectl.so and .build/bin/vibectl"

run: build
	.build/bin/vibectl $(ARGS)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet pytest mypy

## Install the Python binding (against the freshly built library) into .venv.
python: build $(VENV)/bin/python
	VIBECTL_LIB_DIR=$(CURDIR)/$(BIN) $(VENV)/bin/pip install --quiet --force-reinstall --no-deps ./bindings/python

test: build test-swift test-c test-exports test-python
	@echo "all test suites passed"

# The CLI suite (hundreds of vibectl/kubectl subprocesses) runs after the others, not beside them, so the
# tests that measure timeouts and cancellation do not compete with it for the 2 cores.
test-swift:
	$(SWIFT) test -c $(CONFIG) --skip VibectlCLITests
	$(SWIFT) test -c $(CONFIG) --filter VibectlCLITests

test-c: build
	VIBECTL_LIB_DIR=$(CURDIR)/$(BIN) bash scripts/test-c.sh

test-exports: build
	bash scripts/check-exports.sh $(BIN)/libvibectl.so
	bash scripts/check-cli-imports.sh
	bash scripts/check-standalone.sh $(BIN)/libvibectl.so

test-python: python
	cd bindings/python && ../../$(VENV)/bin/python -m pytest tests -q -ra

bench:
	bash bench/startup.sh

# --static-swift-stdlib: the installed vibectl carries its Swift runtime, like libvibectl.so (no toolchain
# needed at run time), and starts faster (no dynamic Swift libraries to load and bind; docs/build.md).
install:
	$(SWIFT) build -c release --static-swift-stdlib
	install -d $(PREFIX)/bin $(PREFIX)/lib $(PREFIX)/include
	install -m 0755 .build/release/vibectl-cli $(PREFIX)/bin/vibectl
	ln -sf vibectl $(PREFIX)/bin/kubectl-vibe
	install -m 0755 .build/release/libvibectl.so $(PREFIX)/lib/libvibectl.so.1
	ln -sf libvibectl.so.1 $(PREFIX)/lib/libvibectl.so
	install -m 0644 include/vibectl.h $(PREFIX)/include/vibectl.h

clean:
	rm -rf .build $(VENV) bindings/python/build bindings/python/*.egg-info
