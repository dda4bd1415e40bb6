# The project's commands. `make test` is the one CI runs (.ci/run).
GO ?= go
PKGS := ./...

.PHONY: test test-deps vet bench fuzz build demo

## test: install/start the servers the tests need, then vet and run every test with the race detector.
test: test-deps vet
	$(GO) test -race -count=1 -timeout 20m $(PKGS)

test-deps:
	./scripts/test-deps.sh

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1; }
	$(GO) vet $(PKGS)

## bench: the Go benchmarks of every hot path, in benchstat-comparable form.
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 6 $(PKGS) | tee bench.txt

## fuzz: a short run of each fuzz target (the corpus under testdata/fuzz is replayed by `make test`).
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzVerify$$' -fuzztime 30s ./token
	$(GO) test -run '^$$' -fuzz '^FuzzVerify$$' -fuzztime 30s ./password
	$(GO) test -run '^$$' -fuzz '^FuzzBearerToken$$' -fuzztime 30s ./authn
	$(GO) test -run '^$$' -fuzz '^FuzzParseToken$$' -fuzztime 30s ./session
	$(GO) test -run '^$$' -fuzz '^FuzzSafeRedirect$$' -fuzztime 30s ./gateway
	$(GO) test -run '^$$' -fuzz '^FuzzRequest$$' -fuzztime 30s ./gateway

build:
	$(GO) build -o bin/authgate ./cmd/authgate

## demo: run authgate with the built-in demo routes and embedded storage.
demo:
	$(GO) run ./cmd/authgate serve
