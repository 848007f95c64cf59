# Jianyi — common tasks. `make test` is what CI runs (.ci/run).
SHELL       := bash
.SHELLFLAGS := -eu -o pipefail -c

GO        ?= go
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
BENCHTIME ?= 1s
BENCHOUT  ?= var/bench.txt
IMAGE     ?= jianyi:$(VERSION)

.PHONY: dev test services bench lint build docker clean

## dev: run API, bot, console and workers with a demo tenant; zero set-up (embedded fallbacks)
dev:
	@scripts/services.sh --dev
	$(GO) run ./cmd/jianyi dev

## services: start PostgreSQL, Redis, MinIO (and install chromium) for tests
services:
	scripts/services.sh

## test: everything CI checks, against real PostgreSQL/Redis/MinIO
test: services
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 40m ./...

## bench: benchmarks (each reports x_baseline against a bare gin+pgx endpoint); output in $(BENCHOUT)
bench: services
	@mkdir -p $(dir $(BENCHOUT))
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) -timeout 30m ./... | tee $(BENCHOUT)
	@# benchmarks that need a fixed iteration count (requests-bot.md)
	$(GO) test -run '^$$' -bench BenchmarkBotMine -benchtime 3000x ./bot/ | tee -a $(BENCHOUT)

## lint: gofmt must list nothing; go vet
lint:
	@out="$$(gofmt -l .)"; if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

## build: static binary in bin/jianyi
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/jianyi ./cmd/jianyi

## docker: container image $(IMAGE)
docker:
	docker build --build-arg VERSION=$(VERSION) -t $(IMAGE) .

clean:
	rm -rf bin var/bench.txt
