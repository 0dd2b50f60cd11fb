# procwarden — see README.md.
SWIFT      ?= $(shell command -v swift 2>/dev/null || echo /opt/swift/usr/bin/swift)
PREFIX     ?= /usr
DESTDIR    ?=
SYSCONFDIR ?= /etc
BINDIR     := $(PREFIX)/bin
LIBDIR     := $(PREFIX)/lib
DATADIR    := $(PREFIX)/share
MANDIR     := $(DATADIR)/man
# Debian's package puts the unit in /lib/systemd/system (debian/rules).
SYSTEMDUNITDIR ?= $(LIBDIR)/systemd/system
BASHCOMPDIR := $(DATADIR)/bash-completion/completions
ZSHCOMPDIR  := $(DATADIR)/zsh/vendor-completions
FISHCOMPDIR := $(DATADIR)/fish/vendor_completions.d
# `make install BUILD=release-static` installs the static build instead.
BUILD      ?= release
E2E_SCRATCH := .build-e2e
RELEASE    := $(if $(filter release-static,$(BUILD)),$(E2E_SCRATCH),.build)/release

.PHONY: all deps build release release-static run run-once test lint format e2e bench bench-compare install deb clean

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
# The package tests read the .deb of this tree, so the package comes first.
test: deps deb
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --no-parallel

# swift-format as the toolchain ships it, with the repository's .swift-format.
# `make format` rewrites in place; `make lint` fails on any difference.
FORMAT_PATHS := Package.swift Sources Tests Benchmarks/Package.swift Benchmarks/Sources Benchmarks/Benchmarks
lint:
	$(SWIFT) format lint --strict --parallel --recursive $(FORMAT_PATHS)

format:
	$(SWIFT) format format --in-place --parallel --recursive $(FORMAT_PATHS)

# Boots a Debian root under systemd-nspawn, installs the package (make deb)
# with apt and drives the unit with systemctl, journalctl, busctl and
# procwardenctl; upgrades and purges it (Tests/EndToEnd).
e2e: deb
	@scripts/install-deps.sh --e2e
	Tests/EndToEnd/run.sh

bench: deps
	cd Benchmarks && $(SWIFT) package --disable-sandbox benchmark

# Builds its own helpers (Benchmarks/pw-digest, pw-scan); needs only the peers.
bench-compare: deps
	SWIFT=$(SWIFT) scripts/bench-compare.sh

# Binaries, unit, sysusers, catalog, configuration, bus policy, man pages and
# shell completions, where systemd, dbus and the shells look. Honours DESTDIR
# and PREFIX. bash-completion sources its scripts, so the bash one loses its #!.
install: $(BUILD)
	install -Dm0755 $(RELEASE)/procwardend $(DESTDIR)$(BINDIR)/procwardend
	install -Dm0755 $(RELEASE)/procwardenctl $(DESTDIR)$(BINDIR)/procwardenctl
	install -d $(DESTDIR)$(SYSTEMDUNITDIR)
	sed 's|/usr/bin/procwardend|$(BINDIR)/procwardend|' systemd/procwarden.service > $(DESTDIR)$(SYSTEMDUNITDIR)/procwarden.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/procwarden.service
	install -Dm0644 systemd/procwarden.sysusers $(DESTDIR)$(LIBDIR)/sysusers.d/procwarden.conf
	install -Dm0644 systemd/procwarden.catalog $(DESTDIR)$(LIBDIR)/systemd/catalog/procwarden.catalog
	install -Dm0644 etc/procwarden/procwarden.conf $(DESTDIR)$(SYSCONFDIR)/procwarden/procwarden.conf
	install -d $(DESTDIR)$(SYSCONFDIR)/procwarden/procwarden.conf.d
	install -Dm0644 etc/dbus-1/system.d/org.procwarden.Monitor1.conf $(DESTDIR)$(DATADIR)/dbus-1/system.d/org.procwarden.Monitor1.conf
	for page in man/*.[0-9]; do \
		[ -e "$$page" ] || continue; \
		install -Dm0644 "$$page" "$(DESTDIR)$(MANDIR)/man$${page##*.}/$$(basename $$page)"; \
	done
	install -d $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	$(RELEASE)/procwardenctl completions bash | sed '1{/^#!/d}' > $(DESTDIR)$(BASHCOMPDIR)/procwardenctl
	$(RELEASE)/procwardenctl completions zsh > $(DESTDIR)$(ZSHCOMPDIR)/_procwardenctl
	$(RELEASE)/procwardenctl completions fish > $(DESTDIR)$(FISHCOMPDIR)/procwardenctl.fish
	chmod 0644 $(DESTDIR)$(BASHCOMPDIR)/procwardenctl $(DESTDIR)$(ZSHCOMPDIR)/_procwardenctl $(DESTDIR)$(FISHCOMPDIR)/procwardenctl.fish
	@echo
	@echo "Installed. Now run:"
	@echo "  systemd-sysusers"
	@echo "  systemctl daemon-reload"
	@echo "  journalctl --update-catalog"
	@echo "  systemctl reload dbus"
	@echo "  systemctl enable --now procwarden"

# The Debian package (debian/), from the static build, into dist/; the version
# is debian/changelog's. dpkg-buildpackage would write to the parent directory,
# which other checkouts share. Remade only when the binaries or a packaged
# file changed, so that `make test` and `make e2e` share one build of it.
DIST := dist
DEB_VERSION = $(shell dpkg-parsechangelog -S Version)
DEB_ARCH = $(shell dpkg --print-architecture)
DEB = $(DIST)/procwarden_$(DEB_VERSION)_$(DEB_ARCH).deb
DEB_INPUTS = $(E2E_SCRATCH)/release/procwardend $(E2E_SCRATCH)/release/procwardenctl Makefile \
	debian/control debian/rules debian/changelog debian/copyright debian/postrm debian/source/format \
	$(wildcard systemd/* etc/procwarden/* etc/dbus-1/system.d/* man/*)

deb: release-static
	@scripts/install-deps.sh --deb
	@$(MAKE) --no-print-directory $(DEB)

$(DIST)/procwarden_%.deb: $(DEB_INPUTS)
	mkdir -p $(DIST)
	PROCWARDEN_DEB_DIR=$(DIST) dpkg-buildpackage -b -us -uc \
		--buildinfo-option=-u$(DIST) --changes-option=-u$(DIST) \
		--buildinfo-file=$(DIST)/procwarden.buildinfo --changes-file=$(DIST)/procwarden.changes
	lintian --fail-on error $(DIST)/procwarden.changes

clean:
	rm -rf $(DIST) .build $(E2E_SCRATCH) Benchmarks/.build
