# procwarden — see README.md.
SWIFT      ?= $(shell command -v swift 2>/dev/null || echo /opt/swift/usr/bin/swift)
PREFIX     ?= /usr
DESTDIR    ?=
RELEASE    := .build/release

.PHONY: all deps build release run test bench bench-compare clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# Scan once, print the inventory and summary.
run: release
	$(RELEASE)/procwardend --once

# Tests touch real processes, counters and services, so they run one at a time.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --no-parallel

bench: deps
	cd Benchmarks && $(SWIFT) package --disable-sandbox benchmark

# Builds its own helpers (Benchmarks/pw-digest, pw-scan); needs only the peers.
bench-compare: deps
	SWIFT=$(SWIFT) scripts/bench-compare.sh

clean:
	rm -rf .build Benchmarks/.build
