# qgen — see README.md. `make demo` and `make test` work on a fresh machine (they install what they need).
SWIFT ?= swift
# The qgen a user runs is the release build (the Swift reference checks verify's inputs 10x faster);
# the tests build and use the debug one next to the test bundle.
BIN := .build/release
QGEN := $(BIN)/qgen
FUZZ_SECONDS ?= 600
EXAMPLES := $(sort $(wildcard Examples/*/model.swift))
DEMO := .build/demo

.PHONY: all setup build test test-python demo generate check-c check-targets fixtures bench fuzz clean

all: build

# System packages: libtcc (the in-process C compiler), tcc, arm-none-eabi-gcc and qemu-system-arm.
# Needs root (apt-get) when missing.
setup:
	@bash Tools/setup.sh

# `swift build` of all products also builds libQGen.so, which model.swift files link against.
build: setup
	$(SWIFT) build -c release

# Swift tests (debug build), the C checks of Generated/, every target under QEMU, and each fuzz
# target for 20 s from the committed corpus.
test: setup
	$(SWIFT) build
	$(SWIFT) test
	bash Tools/check-c.sh
	bash Tools/check-targets.sh
	bash Tools/fuzz.sh 20

demo: build
	@mkdir -p $(DEMO)
	@echo "== emit: Examples/digits (a CNN trained on scikit-learn's 8x8 digits), calibrated on its calibration.npy"
	$(QGEN) emit Examples/digits/model.swift --float-io -o $(DEMO)/digits.c
	cc -std=c99 -O2 -Wall -Wextra -Werror -I$(DEMO) $(DEMO)/digits.c Examples/demo/digits_main.c -o $(DEMO)/digits_demo
	@echo "== the C, compiled with cc, on the 360 held-out digits"
	$(DEMO)/digits_demo Examples/digits/test_images.npy Examples/digits/test_labels.npy
	@echo "== qgen compare: the float model against the quantized one on the same digits"
	$(QGEN) compare Examples/digits/model.swift --data Examples/digits/test_images.npy --labels Examples/digits/test_labels.npy --worst 3
	@echo "== qgen verify: the C against the Swift integer reference, bit for bit"
	$(QGEN) verify Examples/digits/model.swift --inputs 200

# Regenerates the embedded templates and Generated/ (the emitted C of every example).
generate: setup
	python3 Tools/embed_templates.py
	$(SWIFT) build
	@for m in $(EXAMPLES); do \
		name=$$(basename $$(dirname $$m)); mkdir -p Generated/$$name; \
		.build/debug/qgen emit $$m -o Generated/$$name/$$name.c || exit 1; \
	done

# Compiles every file in Generated/ with gcc, clang and tcc (-Werror), checks that it needs no libc,
# runs it under ASan/UBSan and compares the outputs of all compilers.
check-c:
	bash Tools/check-c.sh

# The same bytes everywhere: examples and seeded random models (every scheme) built with gcc, clang
# and tcc at -O0/-O2/-Os and for Cortex-M0+/M4/M7/M55 under QEMU, all against the Swift reference.
check-targets: setup
	$(SWIFT) build
	bash Tools/check-targets.sh

# Fuzzes the .npy parser and the model compiler (the JSON model.swift hands qgen) with libFuzzer
# and ASan, FUZZ_SECONDS per target (default 600); any crash, hang or out-of-memory fails.
fuzz: setup
	bash Tools/fuzz.sh $(FUZZ_SECONDS)

# The PyTorch exporter's own tests (Exporters/pytorch, pytest), in the engine venv; CI does not run
# them (it runs the Swift tests on the exporter's committed outputs under Tests/Fixtures/pytorch).
test-python:
	test -x .venv-engines/bin/python || bash Tools/engines/setup_venv.sh
	.venv-engines/bin/pip install --quiet ./Exporters/pytorch
	cd Exporters/pytorch && ../../.venv-engines/bin/python -m pytest -q tests

# Re-runs the real engines (PyTorch, ONNX Runtime, TFLite Micro) for Tests/Fixtures/engines. Needs the
# ~3 GB venv of Tools/engines/setup_venv.sh; CI never does this.
fixtures:
	test -x .venv-engines/bin/python || bash Tools/engines/setup_venv.sh
	.venv-engines/bin/python Tools/engines/make_fixtures.py
	python3 Tools/make_examples.py

bench: setup
	$(SWIFT) build -c release
	.build/release/qgen-bench

clean:
	rm -rf .build/demo
