# qgen — see README.md. `make demo` and `make test` work on a fresh machine (they install what they need).
SWIFT ?= swift
BIN := .build/debug
QGEN := $(BIN)/qgen
EXAMPLES := $(sort $(wildcard Examples/*/model.swift))
DEMO := .build/demo

.PHONY: all setup build test demo generate check-c bench clean

all: build

# System packages: libtcc (the in-process C compiler) and tcc. Needs root (apt-get) when missing.
setup:
	@bash Tools/setup.sh

# Plain `swift build` (all products) also builds libQGen.so, which model.swift files link against.
build: setup
	$(SWIFT) build

test: build
	$(SWIFT) test
	bash Tools/check-c.sh

demo: build
	@mkdir -p $(DEMO)
	$(QGEN) emit Examples/tiny_cnn/model.swift -o $(DEMO)/tiny_cnn.c
	cc -std=c99 -O2 -Wall -Wextra -Werror -I$(DEMO) $(DEMO)/tiny_cnn.c Examples/demo/main.c -o $(DEMO)/tiny_cnn_demo
	$(DEMO)/tiny_cnn_demo
	$(QGEN) verify Examples/tiny_cnn/model.swift --inputs 200

# Regenerates the embedded templates and Generated/ (the emitted C of every example).
generate: setup
	python3 Tools/embed_templates.py
	$(SWIFT) build
	@for m in $(EXAMPLES); do \
		name=$$(basename $$(dirname $$m)); mkdir -p Generated/$$name; \
		$(QGEN) emit $$m -o Generated/$$name/$$name.c || exit 1; \
	done

# Compiles every file in Generated/ with gcc, clang and tcc (-Werror), checks that it needs no libc,
# runs it under ASan/UBSan and compares the outputs of all compilers.
check-c:
	bash Tools/check-c.sh

bench: setup
	$(SWIFT) build -c release
	.build/release/qgen-bench

clean:
	rm -rf .build/demo
