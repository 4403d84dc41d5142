# The two commands a newcomer needs are `make run` and `make test`; see the
# README. Everything else here is what they are built from.

GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
NHSUK   := node_modules/nhsuk-frontend/dist/nhsuk
STATIC  := internal/web/static
ADDR    ?= 127.0.0.1:8080

.PHONY: all build assets run test test-race test-browser test-short openapi-check vet fuzz mutants bench lighthouse clean

all: build

# Front-end packages come from npm at the versions pinned in package-lock.json.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

# Build what the binary embeds (tools/build-assets.mjs): the NHS.UK design
# system's CSS without its webfont or unused rules, its JavaScript and
# images, and hcs's own, under fingerprinted names with brotli and gzip
# copies, in internal/web/static with its manifest.json.
$(STATIC)/manifest.json: node_modules/.package-lock.json tools/build-assets.mjs $(wildcard internal/web/assets/*) $(wildcard internal/web/templates/*.html internal/web/templates/pages/*.html)
	node tools/build-assets.mjs

assets: $(STATIC)/manifest.json

build: assets
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o bin/hcs ./cmd/hcs

# Demo mode: SQLite in ./var, synthetic organisations and one account per
# role, whose sign-in details are printed on start.
run: build
	./bin/hcs serve --addr $(ADDR) --demo

# The whole suite: unit, property, search-quality, database (SQLite, and
# PostgreSQL when HCS_TEST_POSTGRES names a server), HTTP and browser tests.
# It runs as two go test runs side by side, each printing its output when
# it ends:
# - test-race: every test but the browser tests, with the race detector;
# - test-browser: the browser tests (chromium, axe-core and Lighthouse;
#   named TestBrowser… or TestLighthouse, which testkit enforces), without
#   it. Most of their time is the browser's, and the race detector would
#   add a third; the handlers they drive run under it in the HTTP tests.
# Run one after the other, in one go test, they took 25 to 40 minutes on
# two cores; the web package alone took 23 of them. Side by side, a fresh
# clone's `bash .ci/run` took 20 to 22 minutes (2026-12-07), of which the
# web package's tests under -race, beside the browser tests, took 19.
BROWSER_TESTS := ^(TestBrowser|TestLighthouse)
test: assets openapi-check
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-race test-browser

# internal/web first: its suite is the longest, so it starts before the rest.
test-race: assets
	$(GO) test -race -timeout 40m -skip '$(BROWSER_TESTS)' ./internal/web ./...

test-browser: assets
	$(GO) test -timeout 40m -run '$(BROWSER_TESTS)' ./internal/web ./cmd/hcs

# The API's document, checked by an independent validator (swagger-parser,
# from npm); the Go tests check it with kin-openapi.
openapi-check: node_modules/.package-lock.json
	node tools/openapi-check.mjs internal/web/openapi.json

# Without the browser tests, for a quick loop while editing.
test-short: assets
	$(GO) test -short ./...

vet:
	$(GO) vet ./...

# Run each fuzz target for FUZZTIME (default 30s).
FUZZTIME ?= 30s
fuzz: assets
	$(GO) test ./internal/framework -run '^$$' -fuzz FuzzLoad -fuzztime $(FUZZTIME) -fuzzminimizetime 5s
	$(GO) test ./internal/search -run '^$$' -fuzz FuzzParseQuery -fuzztime $(FUZZTIME) -fuzzminimizetime 5s
	$(GO) test ./internal/explore -run '^$$' -fuzz FuzzParseQuizCode -fuzztime $(FUZZTIME) -fuzzminimizetime 5s
	$(GO) test ./internal/web -run '^$$' -fuzz FuzzRequestDecoders -fuzztime $(FUZZTIME) -fuzzminimizetime 5s

# Mutation testing of the rules (docs/TESTING.md): gremlins, then
# tools/mutants for the mutants gremlins cannot judge. Takes minutes.
MUTANTS ?= ./internal/auth
mutants:
	$(GO) run ./tools/mutants $(MUTANTS)

# Every figure of docs/BENCHMARKS.md's performance sections, each beside
# its peer or baseline in the same run (needs wrk, hyperfine, GNU time,
# python3, sqlite3 and the PostgreSQL of HCS_BENCH_POSTGRES; about 35 minutes).
bench: build
	./bench/startup.sh
	./bench/explorer.sh
	./bench/match.sh 200000 10000 10 shaped
	./bench/match.sh 200000 10000 10 random
	PYTHON_RUNS=1 ./bench/match.sh 1000000 50000 10 shaped
	PYTHON_RUNS=1 ./bench/match.sh 1000000 50000 10 random
	./bench/load.sh
	./bench/training.sh
	./bench/workforce.sh

# Lighthouse performance (mobile), median of three runs per page, for
# docs/BENCHMARKS.md (needs chromium). Accessibility, best practices and SEO
# are asserted by the tests; performance is a measurement, not a test.
lighthouse: build
	./bench/lighthouse.sh

clean:
	rm -rf bin $(STATIC)
