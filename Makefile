# procwarden — see README.md.
SWIFT      ?= $(shell command -v swift 2>/dev/null || echo /opt/swift/usr/bin/swift)
PREFIX     ?= /usr
DESTDIR    ?=
SYSCONFDIR ?= /etc
BINDIR     := $(PREFIX)/bin
LIBDIR     := $(PREFIX)/lib
DATADIR    := $(PREFIX)/share
MANDIR     := $(DATADIR)/man
# `make install BUILD=release-static` installs the static build instead.
BUILD      ?= release
E2E_SCRATCH := .build-e2e
RELEASE    := $(if $(filter release-static,$(BUILD)),$(E2E_SCRATCH),.build)/release

.PHONY: all deps build release release-static run run-once test lint format e2e bench bench-compare install clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

# Release builds name their products: a plain `swift build -c release` would
# also build the test support library, which needs Swift Testing.
release: deps
	for p in procwardend procwardenctl; do $(SWIFT) build -c release --product $$p || exit 1; done

# Swift runtime and FoundationEssentials (no Foundation, no ICU) linked in,
# so the binaries need only Debian's libc, libstdc++, libsystemd0, libfuzzy2,
# libssl3 and libcap2. A scratch path of its own keeps it from clobbering the
# normal release build.
# pw-memfd-exec is the end-to-end test's fileless-execution helper.
release-static: deps
	for p in procwardend procwardenctl pw-memfd-exec; do \
		$(SWIFT) build -c release --static-swift-stdlib --scratch-path $(E2E_SCRATCH) --product $$p || exit 1; \
	done

# The daemon in the foreground: alerts to the journal and, on a terminal,
# echoed to stderr. Ctrl-C stops it cleanly. Without a system bus it warns once
# and runs without the control API.
run: release
	$(RELEASE)/procwardend

# One scan: the inventory table and summary.
run-once: release
	$(RELEASE)/procwardend --once

# Tests touch real processes, counters and services, so they run one at a time.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --no-parallel

# swift-format as the toolchain ships it, with the repository's .swift-format.
# `make format` rewrites in place; `make lint` fails on any difference.
FORMAT_PATHS := Package.swift Sources Tests Benchmarks/Package.swift Benchmarks/Sources Benchmarks/Benchmarks
lint:
	$(SWIFT) format lint --strict --parallel --recursive $(FORMAT_PATHS)

format:
	$(SWIFT) format format --in-place --parallel --recursive $(FORMAT_PATHS)

# Boots a Debian root under systemd-nspawn and drives the installed unit
# with systemctl, journalctl, busctl and procwardenctl (Tests/EndToEnd).
e2e: release-static
	@scripts/install-deps.sh --e2e
	Tests/EndToEnd/run.sh

bench: deps
	cd Benchmarks && $(SWIFT) package --disable-sandbox benchmark

# Builds its own helpers (Benchmarks/pw-digest, pw-scan); needs only the peers.
bench-compare: deps
	SWIFT=$(SWIFT) scripts/bench-compare.sh

# Binaries, unit, sysusers, catalog, configuration, bus policy and man pages,
# where systemd and dbus look. Honours DESTDIR and PREFIX.
install: $(BUILD)
	install -Dm0755 $(RELEASE)/procwardend $(DESTDIR)$(BINDIR)/procwardend
	install -Dm0755 $(RELEASE)/procwardenctl $(DESTDIR)$(BINDIR)/procwardenctl
	install -d $(DESTDIR)$(LIBDIR)/systemd/system
	sed 's|/usr/bin/procwardend|$(BINDIR)/procwardend|' systemd/procwarden.service > $(DESTDIR)$(LIBDIR)/systemd/system/procwarden.service
	chmod 0644 $(DESTDIR)$(LIBDIR)/systemd/system/procwarden.service
	install -Dm0644 systemd/procwarden.sysusers $(DESTDIR)$(LIBDIR)/sysusers.d/procwarden.conf
	install -Dm0644 systemd/procwarden.catalog $(DESTDIR)$(LIBDIR)/systemd/catalog/procwarden.catalog
	install -Dm0644 etc/procwarden/procwarden.conf $(DESTDIR)$(SYSCONFDIR)/procwarden/procwarden.conf
	install -d $(DESTDIR)$(SYSCONFDIR)/procwarden/procwarden.conf.d
	install -Dm0644 etc/dbus-1/system.d/org.procwarden.Monitor1.conf $(DESTDIR)$(DATADIR)/dbus-1/system.d/org.procwarden.Monitor1.conf
	for page in man/*.[0-9]; do \
		[ -e "$$page" ] || continue; \
		install -Dm0644 "$$page" "$(DESTDIR)$(MANDIR)/man$${page##*.}/$$(basename $$page)"; \
	done
	@echo
	@echo "Installed. Now run:"
	@echo "  systemd-sysusers"
	@echo "  systemctl daemon-reload"
	@echo "  journalctl --update-catalog"
	@echo "  systemctl reload dbus"
	@echo "  systemctl enable --now procwarden"

clean:
	rm -rf .build $(E2E_SCRATCH) Benchmarks/.build
