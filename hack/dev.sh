#!/usr/bin/env bash
# `make dev`: the README's run command. Uses the cluster $KUBECONFIG points at when it answers;
# otherwise starts the local control plane (hack/local-cluster.sh). Installs the CRDs, applies
# config/samples into the namespace "default", then runs the operator in the foreground (Ctrl-C stops it).
#
#   make dev                                  real clock
#   make dev ARGS="--clock=fake --fake-now=2025-08-15T00:00:00Z"
#                                             test clock; move it with
#                                             curl -XPOST localhost:8081/debug/clock -d '{"advance":"720h"}'
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
NODE="$ROOT/node_modules/.bin/node"
[[ -x "$NODE" ]] || { echo "dev: run 'npm ci' first (Node 24 comes from node_modules)" >&2; exit 1; }

if [[ -z "${KUBECONFIG:-}" ]] || ! kubectl --request-timeout=3s get --raw /readyz >/dev/null 2>&1; then
  echo "dev: no reachable cluster in KUBECONFIG; starting the local control plane" >&2
  KUBECONFIG="$(hack/local-cluster.sh up | tail -n 1)"
  export KUBECONFIG
fi
echo "dev: using KUBECONFIG=$KUBECONFIG" >&2

kubectl apply -f crds/ >/dev/null
kubectl wait --for=condition=Established -f crds/ --timeout=60s >/dev/null
kubectl get namespace certhost-system >/dev/null 2>&1 || kubectl create namespace certhost-system >/dev/null
kubectl apply -k config/samples -n default
echo "dev: samples applied; starting the operator (metrics :8080, health :8081)" >&2
# shellcheck disable=SC2086 # ARGS is a list of flags
exec "$NODE" src/main.ts --kubeconfig "$KUBECONFIG" ${ARGS:-}
