# metabind — build, demo, test.
SHELL := /bin/bash
GO    ?= go
BIN   := bin/metabind
PKG   := github.com/metabind/metabind-cli
VERSION ?= dev
LDFLAGS := -s -w -X $(PKG)/internal/build.Version=$(VERSION)

.PHONY: all build demo test test-short race vet lint fmt-check tidy-check bench ci clean

all: build

build: ## Build bin/metabind
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/metabind

demo: build ## Run the key lifecycle against a throwaway local emulator
	@bash docs/demo.sh $(BIN)

test: ## Every test
	$(GO) test ./...

race: ## Every test under the race detector
	$(GO) test -race ./...

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

tidy-check:
	@cp go.mod /tmp/metabind-go.mod.bak && cp go.sum /tmp/metabind-go.sum.bak; \
	$(GO) mod tidy; \
	if ! git diff --quiet -- go.mod go.sum; then echo "go mod tidy changes go.mod/go.sum"; git diff -- go.mod go.sum; exit 1; fi

clean:
	rm -rf bin dist
