# certhost: the everyday commands. Every target runs through npm so Node 24 from node_modules is used.
.PHONY: all install build test test-unit lint generate coverage dev bench cluster-up cluster-down clean

all: build

node_modules: package.json package-lock.json
	npm ci
	@touch node_modules

install: node_modules

build: node_modules
	npm run build

# The README's test command: unit tests, then the integration and e2e suites against a real
# kube-apiserver + etcd (built once from Go modules when missing), ending with "N passed, N failed".
test: node_modules
	npm test

test-unit: node_modules
	npm run test:unit

lint: node_modules
	npm run lint

generate: node_modules
	npm run generate

coverage: node_modules
	npm run coverage

# The README's run command: local control plane if needed, CRDs, samples, operator in the foreground.
dev: node_modules
	ARGS="$(ARGS)" hack/dev.sh

bench: node_modules
	npm run bench -- $(BENCH)

cluster-up:
	hack/local-cluster.sh up

cluster-down:
	hack/local-cluster.sh down

clean:
	rm -rf dist coverage
