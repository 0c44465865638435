# vodfkit: the two commands of the README are `make run` and `make test`.
SWIFT ?= swift
VENV  ?= .venv-oracle
VODF  := .build/debug/vodf
INSTALL_CONFIG ?= release
OUT   ?= out

.PHONY: all deps venv testdata producers dachs wheel build release install run test lint test-swift library-client test-oracle fuzz fuzz-smoke bench sweep clean

all: build

## deps: install the Debian packages the build and tests need (skips what is present)
deps:
	@bash scripts/deps.sh

## venv: the pinned Python oracle venv (gammapy, astropy) used by the interop tests
venv: deps
	@bash scripts/oracle-venv.sh

## testdata: the km3net-testdata and km3irf wheels from PyPI, unpacked into .testdata/ (git-ignored)
testdata:
	@bash scripts/testdata.sh

## producers: DL3 files written by gammapy 2.1 and 1.3, pyirf 0.13 and 0.12, cta-lstchain 0.12.3, each
## in its own venv (.venv-producers/), into .producers/ (git-ignored) for the producers matrix
producers: venv
	@bash scripts/producers.sh

## dachs: PostgreSQL and DaCHS (Debian's gavodachs2-server) for the VO integration test; the test
## starts the server and stops it again (scripts/dachs.sh start|stop by hand)
dachs:
	@bash scripts/dachs.sh install

## build: debug build of the library and the `vodf` command
build: deps
	$(SWIFT) build

## run: build the sample release of TestData/ into out/release (two runs, track and shower channels,
## GADF and VODF) and check it, then convert and validate single samples
run: build
	@mkdir -p $(OUT)
	$(VODF) release build TestData/release/sample.yaml -o $(OUT)/release --jobs 2
	$(VODF) convert TestData/antares/sample_public.dat -o $(OUT)/antares_sample.fits
	$(VODF) convert TestData/antares/sample_public.dat -o $(OUT)/antares_sample.vodf.fits --format vodf
	$(VODF) convert TestData/km3net/aeff_coszen_sample.csv -o $(OUT)/aeff_sample.fits
	$(VODF) convert TestData/km3net/aeff_coszen_sample.csv -o $(OUT)/aeff_sample.vodf.fits --format vodf
	@bash scripts/check-fits.sh $(OUT)/antares_sample.fits $(OUT)/antares_sample.vodf.fits $(OUT)/aeff_sample.fits $(OUT)/aeff_sample.vodf.fits
	$(VODF) validate --profile strict $(OUT)/antares_sample.fits $(OUT)/aeff_sample.fits
	$(VODF) validate --profile strict $(OUT)/antares_sample.vodf.fits $(OUT)/aeff_sample.vodf.fits
	$(VODF) inspect $(OUT)/antares_sample.fits
	$(VODF) inspect $(OUT)/aeff_sample.fits
	$(VODF) release obscore $(OUT)/release -o $(OUT)/release-obscore.vot --dachs $(OUT)/release-dachs
	$(VODF) peek $(OUT)/aeff_sample.fits -o $(OUT)/aeff_sample.svg
	$(VODF) peek $(OUT)/antares_sample.fits -o $(OUT)/antares_sample.png
	$(VODF) release report $(OUT)/release -o $(OUT)/release-report.html
	@if [ -n "$$VODF_STANDARDS" ] || [ -f ../shared/standards/voevent/VOEvent-v2.0.xsd ]; then \
	  $(VODF) alert voevent $(OUT)/antares_sample.fits --event-id 1 -o $(OUT)/alert.xml && \
	  $(VODF) alert gcn $(OUT)/alert.xml -o $(OUT)/notice.json && $(VODF) validate $(OUT)/alert.xml $(OUT)/notice.json; \
	else echo "(alerts skipped: they are checked against the VOEvent XSDs and GCN schemas, read from ../shared/standards or VODF_STANDARDS)"; fi

## test: the whole suite: Swift unit tests, then the oracle tests (gammapy, astropy, uproot, km3io,
## fitsverify, pyvo against a real DaCHS)
test: build lint venv testdata producers dachs wheel test-swift library-client test-oracle fuzz-smoke

test-swift:
	$(SWIFT) test

## lint: the committed .swift-format's style, checked (swift format -i -r ... applies it)
LINTED = Sources Tests/TestSupport Tests/FoundationLayerTests Tests/FormatFamilyTests Tests/SpecValidationTests Tests/ReleasePublicationTests Tests/CommandLineTests Tests/LibraryClient Fuzz Benchmarks Plugins Package.swift
lint:
	$(SWIFT) format lint --strict -r --parallel $(LINTED)

## library-client: Tests/LibraryClient built against vodfkit as a versioned dependency (no unsafe
## flags), converting and validating through the library
library-client:
	bash scripts/library-client.sh

test-oracle:
	VODF_BIN=$(VODF) $(VENV)/bin/python -m pytest -q -p no:cacheprovider Tests/oracle

## bench: release build, then vodfkit against the Python anchors side by side (ratios printed)
# The Swift runtime and Foundation linked in statically: a short `vodf validate` starts in ~10 ms
# instead of ~18 ms (fewer shared objects to map and relocate).
release: deps
	$(SWIFT) build -c release --static-swift-stdlib

## wheel: the static vodf, the shared libraries it needs beyond glibc and the vodfkit Python
## package (vodfkit.validate, vodfkit.convert, the vodf console command), for linux x86_64
wheel: release
	python3 scripts/build_wheel.py .build/release/vodf out/wheel

## install: the static vodf (specs built in), its man page and shell completions under PREFIX
PREFIX ?= /usr/local
install: deps
	bash scripts/install.sh $(PREFIX) $(INSTALL_CONFIG)

bench: release venv testdata
	$(VENV)/bin/python Benchmarks/bench.py

## fuzz: libFuzzer on every reader target (FUZZ_SECONDS each); crashes kept in Tests/fuzz/regressions/
FUZZ_SECONDS ?= 300
fuzz: deps testdata
	bash scripts/fuzz.sh $(FUZZ_SECONDS)

## fuzz-smoke: the same, 20 s per target (part of make test)
fuzz-smoke: deps testdata
	bash scripts/fuzz.sh 20

## sweep: the acceptance corruption sweep of issue 12 (32 truncations and 1,000 seeded bit flips of
## every real input kind, release build, 10 s timeout each); make test runs a small budget of it
sweep: release testdata
	python3 Tests/sweep/sweep.py --vodf .build/release/vodf --flips 1000 --truncations 32 --progress --report out/sweep.json

clean:
	rm -rf .build $(OUT)
