# metabind — build, demo, test.
SHELL := /bin/bash
GO    ?= go
BIN   := bin/metabind
PKG   := github.com/metabind/metabind-cli
# A release sets VERSION (make build VERSION=v1.2.3); a development build leaves it
# empty and reports "dev" with what the Go build info knows.
VERSION ?=
COMMIT  = $(shell git rev-parse HEAD 2>/dev/null)
DATE    = $(shell git log -1 --format=%cI 2>/dev/null)
LDFLAGS = -s -w $(if $(VERSION),-X $(PKG)/internal/build.Version=$(VERSION) -X $(PKG)/internal/build.Commit=$(COMMIT) -X $(PKG)/internal/build.Date=$(DATE))

STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
ERRCHECK := github.com/kisielk/errcheck@v1.30.0
FUZZTIME ?= 30000x

.PHONY: all build demo test race vet lint fmt-check tidy-check fuzz-short docs release-check cross-check windows-smoke bench ci clean

all: build

build: ## Build bin/metabind
	CGO_ENABLED=0 $(GO) build -trimpath -buildvcs=auto -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/metabind

demo: build ## Run the key lifecycle against a throwaway local emulator
	@bash docs/demo.sh $(BIN)

test: ## Every test
	$(GO) test ./...

race: ## Every test under the race detector (-short: the wall-time-bound rate-limit scripts and the real-environment suites run in make test)
	$(GO) test -race -short -timeout 20m ./...

vet:
	$(GO) vet ./...

lint: ## staticcheck and errcheck, pinned
	$(GO) run $(STATICCHECK) ./...
	$(GO) run $(ERRCHECK) -ignoretests -exclude .ci/errcheck-excludes.txt ./...

fuzz-short: ## a short run of every fuzz target (their seed corpora run in make test)
	@set -e; for pkg in $$($(GO) list ./...); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz' || true); do \
			echo "fuzz $$pkg $$f"; \
			if ! out=$$($(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 0 $$pkg 2>&1); then \
				echo "$$out"; exit 1; \
			fi; \
		done; \
	done

bench: build ## Measure start-up, an admin call, listing at scale and emulator throughput against baselines (prints ratios)
	$(GO) run ./cmd/bench -bin $(BIN)

docs: ## Regenerate docs/cli, docs/man and completions/
	$(GO) run ./cmd/gen-docs

release-check: ## goreleaser check, snapshot build and release (pinned v2.15.1), then the .deb/.rpm/cask checks (install and purge as root)
	bash .ci/release-check.sh

windows-smoke: ## the windows/amd64 build under Wine (wine64) through the key lifecycle
	bash .ci/windows-smoke.sh

cross-check: ## build and vet for windows/amd64, darwin/arm64, linux/arm64
	bash .ci/cross-check.sh

ci: ## what CI runs
	bash .ci/run

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

tidy-check: ## go mod tidy must change nothing
	@$(GO) mod tidy && if ! git diff --quiet -- go.mod go.sum; then \
		echo "go mod tidy changes go.mod/go.sum; run it and commit the result"; git diff -- go.mod go.sum; exit 1; fi

clean:
	rm -rf bin dist build
