# Two commands do everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
GO       ?= go
GOBIN    := $(shell $(GO) env GOPATH)/bin
OCB      := $(GOBIN)/builder
OCB_VERSION := v0.165.0
GOLANGCI_LINT_VERSION := v2.15.0
DIST     := _build/otelcol-autoops
CONFIG   ?= otelcol-autoops.yaml
# Debian packages the end-to-end tests drive for real.
TEST_DEBS := curl systemd iptables iproute2 tinyproxy squid dante-server nginx-light haproxy stunnel4 prometheus openssl podman ca-certificates privoxy
# The distribution's version (builder-config.yaml), also stamped into autoops-probe.
VERSION  := $(shell awk '/^  version:/{print $$2; exit}' builder-config.yaml)
PODMAN   := podman --storage-driver vfs
# Iterations, not seconds: a time budget can end mid-minimisation as "context deadline exceeded".
FUZZTIME ?= 30000x

.PHONY: all build image run test unit guard rules e2e deps fuzz bench scale cost decompose soak lint generate tidy clean

all: build

$(OCB):
	$(GO) install go.opentelemetry.io/collector/cmd/builder@$(OCB_VERSION)

## build: the otelcol-autoops distribution (ocb) and the one-shot autoops-probe command in _build/
build: $(OCB)
	$(OCB) --config builder-config.yaml
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags='-s -w -X main.version=$(VERSION)' -o _build/autoops-probe ./cmd/autoops-probe
	@# The images start from scratch: they take the machine's CA bundle.
	cp /etc/ssl/certs/ca-certificates.crt _build/ca-certificates.crt

## image: both images (Containerfile, Containerfile.autoops-probe) with podman, from _build
image: build
	$(PODMAN) build --isolation chroot -f Containerfile -t localhost/otelcol-autoops:$(VERSION) .
	$(PODMAN) build --isolation chroot -f Containerfile.autoops-probe -t localhost/autoops-probe:$(VERSION) .

## run: build and run the distribution on the default config (reads AUTOOPS_* variables)
run: build
	./$(DIST) --config $(CONFIG)

## test: unit tests with the race detector, the cost guard, short fuzzing, the alert rules' tests, then end-to-end tests against the built binary
test: unit guard fuzz rules e2e

unit:
	$(GO) test -race -count=1 ./...

## guard: allocations per steady run and memory per instance within 15% of receiver/testdata/cost.json (counts, not time; without -race)
guard:
	$(GO) test -count=1 -run TestCostStaysWithinTheRecord ./receiver

## rules: the Prometheus alert rules checked and unit-tested with promtool (Debian's prometheus)
rules: deps
	promtool check rules deploy/prometheus/autoops-probe-rules.yaml
	cd deploy/prometheus && promtool test rules autoops-probe-rules.test.yaml

## e2e: real binary, real TLS, real proxy, real Prometheus, network namespaces (root)
e2e: build deps
	OTELCOL_BIN=$(CURDIR)/$(DIST) AUTOOPS_PROBE_BIN=$(CURDIR)/_build/autoops-probe VERSION=$(VERSION) OCB_BIN=$(OCB) $(GO) test -count=1 -tags e2e -timeout 15m ./test/e2e/...

## deps: install the Debian packages the end-to-end tests need, when missing
deps:
	@missing=""; for p in $(TEST_DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi; \
	fi

## fuzz: each fuzz target for $(FUZZTIME)
fuzz:
	@for pkg in $$($(GO) list ./...); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
			echo "fuzz $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
		done; \
	done

## bench: Go benchmarks (time and allocations)
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## scale: the distribution with 1 and SCALE_INSTANCES (300) instances: RSS and longest probe
scale: build
	OTELCOL_BIN=$(CURDIR)/$(DIST) $(GO) test -count=1 -tags 'e2e scale' -run TestScale -timeout 10m -v ./test/e2e/

## cost: the distribution's CPU per run against a bare Go program doing the same requests (K=50 every 1s, K=300 every 6s)
cost: build
	OTELCOL_BIN=$(CURDIR)/$(DIST) $(GO) test -count=1 -tags 'e2e scale' -run TestCost -timeout 20m -v ./test/e2e/

## decompose: ../shared/perf/steady.sh taken apart: the collector around the floor's own network work (N), then with the contract's telemetry every run (T); about 12 minutes
decompose:
	test/perf/decompose.sh

## soak: 10,000 runs against flapping servers, heap and goroutines watched
soak:
	$(GO) test -count=1 -tags soak -run TestSoak -timeout 60m -v ./receiver/

lint:
	$(GO) run github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION) run ./...

## generate: internal/metadata and documentation.md from metadata.yaml
generate:
	$(GO) tool mdatagen metadata.yaml
	@# mdatagen names the root package after the checkout's folder; ours is autoopsprobe.
	sed -i 's/^package .*/package autoopsprobe/' generated_component_test.go generated_package_test.go
	@# mdatagen leaves the standard library mixed in with the rest; goimports groups it again.
	$(GO) run golang.org/x/tools/cmd/goimports@v0.51.0 -local github.com/autoopsprobe/autoops-probe -w internal/metadata generated_component_test.go generated_package_test.go

tidy:
	$(GO) mod tidy

clean:
	rm -rf _build
