# Dossier — two commands on a fresh Debian machine:
#   make run    install what the build needs, build, open the app on a demo vault
#   make test   install what the build needs, then vet and run the whole test suite
GO            ?= go
# Debian packages the build needs: a C compiler for SQLCipher and Fyne (cgo),
# OpenGL and X11 headers for Fyne, and exiftool, which the tests use to check
# that stripped images hold no metadata. The real-window tests
# (cmd/dossier/window_test.go) run the app under Xvfb, drive it with
# xdotool, take screenshots with ImageMagick's import and read them with
# tesseract. strace: the tests run dossierctl and the app under it to show
# that they use no network (internal/nettrace).
# jq and openssl: the commands of docs/recover-without-dossier.md, which
# its test runs; tcl, libssl-dev and dpkg-dev: to build its sqlcipher
# shell (below). dbus: the tests of internal/oswatch and ui run private
# dbus-daemons that play logind and the screensavers.
DEBS          := gcc pkg-config libgl1-mesa-dev xorg-dev libimage-exiftool-perl \
                 xvfb xdotool imagemagick tesseract-ocr strace \
                 jq openssl tcl libssl-dev dpkg-dev dbus
# The stock tools docs/recover-without-dossier.md uses, which its test
# (cmd/dossierctl/recover_test.go) runs: upstream age, the version of
# go.mod (post-quantum keys need 1.3 or later), built from the Go module
# proxy; and a SQLCipher 4 shell. Debian 12's sqlcipher package is 3.4.1,
# which cannot open a SQLCipher 4 database, so the shell is built from
# the source of Debian 13's package (SQLCipher 4.6.1, upstream source as
# Debian ships it, checked by apt against the signed archive index), read
# from the Debian mirror this machine's apt already uses, with a private
# apt state: the machine's apt configuration is not changed.
TOOLS         := $(CURDIR)/bin/tools
AGE_VERSION   ?= $(shell $(GO) list -m -f '{{.Version}}' filippo.io/age)
SQLCIPHER_SUITE ?= trixie
DEMO_VAULT    ?= demo-vault
DEMO_PASS     := demo-dossier-2026
FUZZTIME      ?= 60s
# Go minimises each new interesting input for up to a minute by default and
# reports 0 execs/sec meanwhile; a few seconds keep the run fuzzing.
FUZZMINTIME   ?= 5s

# Windows, built and tested on this Debian machine (windows/, README's
# "Windows"): mingw-w64 cross-compiles (SQLCipher and Fyne are cgo), nsis
# makes the installer, zip the zip; wine runs the Windows binaries in the
# tests, under Xvfb for the app, with ImageMagick's import for its picture
# and tesseract to read it.
WINDOWS_DEBS  := gcc-mingw-w64-x86-64 nsis zip
WINE_DEBS     := wine wine64 xvfb imagemagick tesseract-ocr

.PHONY: all deps build run demo test test-long fuzz bench bench-attach clean screenshots recover-tools \
	deps-windows windows windows-repro-check test-windows

all: build

# Installs missing Debian packages (with sudo when not root). Elsewhere it
# only says what is needed.
# install-debs TARGET,PACKAGES
define install-debs
	@if ! command -v dpkg >/dev/null 2>&1; then \
		echo "$(1): not a Debian system; install $(2)"; exit 0; fi; \
	missing=""; for p in $(2); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "$(1): installing$$missing"; \
		sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
		$$sudo apt-get update -q && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	fi
endef

deps:
	$(call install-debs,deps,$(DEBS))

deps-windows: deps
	$(call install-debs,deps-windows,$(WINDOWS_DEBS) $(WINE_DEBS))

# bin/windows/: dossier.exe, dossierctl.exe, the zip and the installer
# (windows/build.sh says how; README "Windows").
windows: deps-windows
	GO=$(GO) windows/build.sh bin/windows

# Builds the last commit twice, in two folders, the second with an empty
# Go build cache, and requires the same bytes (~10 minutes).
windows-repro-check: deps-windows
	GO=$(GO) windows/repro-check.sh

# The CLI's test scripts and crash tests, paths, locks and the app's
# window, under Wine (windows/test.sh).
test-windows: windows
	GO=$(GO) windows/test.sh

build: deps
	$(GO) build -o bin/dossierctl ./cmd/dossierctl
	$(GO) build -o bin/dossier ./cmd/dossier

# The demo vault holds the synthetic cases of examples/cases.ndjson; its
# passphrase is in the README. Never put real cases in it.
demo: build
	@if [ ! -f $(DEMO_VAULT)/vault.key ]; then \
		echo "demo: creating $(DEMO_VAULT) (passphrase: $(DEMO_PASS))"; \
		DOSSIER_PASSPHRASE=$(DEMO_PASS) bin/dossierctl init --vault $(DEMO_VAULT) --org "DEMO — synthetic cases, not real" --code DEMO --recovery-out $(DEMO_VAULT).recovery-key.txt && \
		DOSSIER_PASSPHRASE=$(DEMO_PASS) bin/dossierctl add --vault $(DEMO_VAULT) examples/cases.ndjson >/dev/null; \
	fi

run: demo
	bin/dossier --vault $(DEMO_VAULT)

# The tools are kept in bin/tools between runs; each is made again when
# missing or not the version wanted.
recover-tools: deps
	@mkdir -p $(TOOLS)
	@if [ "$$($(TOOLS)/age --version 2>/dev/null)" != "$(AGE_VERSION)" ]; then \
		echo "recover-tools: building age $(AGE_VERSION)"; \
		GOBIN=$(TOOLS) $(GO) install filippo.io/age/cmd/...@$(AGE_VERSION); fi
	@if ! $(TOOLS)/sqlcipher -version 2>/dev/null | grep -q '(SQLCipher 4\.'; then \
		set -e; \
		if ! command -v apt-get >/dev/null 2>&1; then \
			echo "recover-tools: not a Debian system; put a SQLCipher 4 shell at $(TOOLS)/sqlcipher"; exit 1; fi; \
		echo "recover-tools: building the sqlcipher shell from Debian $(SQLCIPHER_SUITE)'s source package"; \
		work=$$(mktemp -d); trap 'rm -rf "$$work"' EXIT; \
		mirror=$$(apt-get indextargets --format '$$(REPO_URI)' 'Identifier: Packages' 'Origin: Debian' 'Label: Debian' | head -n 1); \
		[ -n "$$mirror" ] || { echo "recover-tools: no Debian mirror in apt's sources"; exit 1; }; \
		echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $$mirror $(SQLCIPHER_SUITE) main" > $$work/sources.list; \
		mkdir -p $$work/lists/partial; \
		apt="-o Dir::Etc::SourceList=$$work/sources.list -o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists=$$work/lists -o APT::Sandbox::User=root"; \
		apt-get $$apt -q update >$$work/apt.log 2>&1 || { cat $$work/apt.log; exit 1; }; \
		(cd $$work && apt-get $$apt -q source --download-only sqlcipher >>$$work/apt.log 2>&1) || { cat $$work/apt.log; exit 1; }; \
		tar -xf $$work/sqlcipher_*.orig.tar.* -C $$work; \
		cd $$work/sqlcipher-*/ && \
		./configure --enable-tempstore=yes --enable-fts5 --disable-tcl --disable-shared \
			CFLAGS="-O2 -DSQLITE_HAS_CODEC -DSQLITE_ENABLE_FTS4" LDFLAGS="-lcrypto" >$$work/build.log 2>&1 && \
		$(MAKE) sqlcipher >>$$work/build.log 2>&1 || { tail -n 30 $$work/build.log; exit 1; }; \
		install -m 0755 sqlcipher $(TOOLS)/sqlcipher; \
		$(TOOLS)/sqlcipher -version | grep '(SQLCipher 4\.'; \
	fi

test: deps recover-tools
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
		if [ -n "$$unformatted" ]; then echo "not gofmt-formatted: $$unformatted"; exit 1; fi
	@# No program is tracked by git, and the packages keep their layers (internal/repocheck).
	$(GO) test -count=1 -run 'TestNoTrackedBinaries|TestLayering' ./internal/repocheck
	$(GO) vet ./...
	$(GO) test -timeout 30m ./...
	@# The Windows build and its tests under Wine (~15 minutes from a cold
	@# build cache on CI's 2 cores, ~3 warm).
	$(MAKE) test-windows

# Each fuzz target for FUZZTIME (go test -fuzz takes one target at a time).
# Go 1.26's fuzz coordinator can report "context deadline exceeded" as a
# failure when FUZZTIME runs out (golang/go#75804, fixed in Go 1.27): such
# a run wrote no failing input, so it is reported and not counted; a real
# failure always leaves one in testdata/fuzz/TARGET.
FUZZ_TARGETS := store:FuzzDecodeCases store:FuzzSearchQuery store/strip:FuzzJPEG \
	store/strip:FuzzPNG store:FuzzCheckJSON store:FuzzVisibleText \
	export:FuzzReadPlain export:FuzzParseCard crypto:FuzzParseKeyFile store/chunks:FuzzGet \
	crypto:FuzzParseRecoveryKey crypto:FuzzParseShare export:FuzzNormalFingerprint cmd/dossierctl:FuzzArgsFrom
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; fn=$${t#*:}; \
		before=$$(ls $$pkg/testdata/fuzz/$$fn 2>/dev/null | wc -l); \
		if $(GO) test -run XXX -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINTIME) ./$$pkg > .fuzz.log 2>&1; then \
			echo "$$fn: $$(tail -n 1 .fuzz.log)"; \
		else \
			after=$$(ls $$pkg/testdata/fuzz/$$fn 2>/dev/null | wc -l); \
			if [ "$$after" = "$$before" ] && grep -q "context deadline exceeded" .fuzz.log; then \
				echo "$$fn: Go's end-of-fuzztime race (golang/go#75804), no failing input: not a failure"; \
			else \
				cat .fuzz.log; rm -f .fuzz.log; exit 1; \
			fi; \
		fi; \
	done; rm -f .fuzz.log

bench: build
	bench/run.sh

# Attach, extract and the move of a released vault, 1 GiB, next to
# openssl dgst and dd (BENCH_LARGE=1: and 5 GiB once, for memory).
bench-attach:
	bench/attach.sh

# Every screen and dialog in six languages, at 1366x768 and 1024x600, in
# the light and dark themes, drawn headless by the layout test (which also
# fails when one does not fit) into docs/screenshots/layout/ to look at; a
# chosen few are kept in docs/screenshots/small/.
screenshots: deps
	mkdir -p docs/screenshots/layout
	$(GO) test ./ui -run TestLayoutFitsSmallScreens -count=1 -screenshots $(CURDIR)/docs/screenshots/layout

clean:
	rm -rf bin
