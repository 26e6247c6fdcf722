#!/usr/bin/env bash
# End-to-end run on a kind cluster, for people who have Docker:
#   creates a kind cluster, builds the image certhost:dev and loads it into the cluster, installs
#   the chart charts/certhost, and runs the e2e suite against that cluster.
#
# NOTE: this cannot run on the project's development and CI machines: they have no Docker engine
# (and kind needs one). There, the e2e suite runs against the local control plane instead:
#   npx mocha --config test/e2e/mocharc.json 'test/e2e/**/*.test.ts'
#
# Environment:
#   KIND_CLUSTER_NAME   cluster name (default certhost-e2e); an existing cluster of that name is reused
#   KIND_NODE_IMAGE     node image for `kind create cluster --image` (default: kind's own)
#   IMAGE               image to build and load (default certhost:dev)
#   HELM_EXTRA_ARGS     extra `helm upgrade --install` arguments (space-separated)
#   KEEP_CLUSTER=true   do not delete the cluster at the end
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLUSTER="${KIND_CLUSTER_NAME:-certhost-e2e}"
IMAGE="${IMAGE:-certhost:dev}"
NAMESPACE="certhost-system"
WORK="$ROOT/.local/kind-$CLUSTER"
KUBECONFIG_FILE="$WORK/kubeconfig"

log() { printf 'kind-e2e: %s\n' "$*" >&2; }
die() { printf 'kind-e2e: error: %s\n' "$*" >&2; exit 1; }

command -v docker >/dev/null 2>&1 || die "docker is not installed (this script needs a Docker engine; see the header)"
docker info >/dev/null 2>&1 || die "no Docker engine answers (docker info failed)"
command -v kind >/dev/null 2>&1 || die "kind is not installed (go install sigs.k8s.io/kind@latest)"
KUBECTL="$(command -v kubectl || true)"
[[ -n "$KUBECTL" ]] || die "kubectl is not on PATH"
HELM="$(command -v helm || true)"
if [[ -z "$HELM" ]]; then
  log "helm is not on PATH; building the pinned one"
  HELM="$("$ROOT/hack/build-binaries.sh" | tail -n1)/helm"
fi
[[ -f "$ROOT/Dockerfile" ]] || die "no Dockerfile at the repository root"
[[ -d "$ROOT/charts/certhost" ]] || die "no chart at charts/certhost"

mkdir -p "$WORK"
created=false
cleanup() {
  if [[ "$created" == true && "${KEEP_CLUSTER:-false}" != true ]]; then
    log "deleting kind cluster $CLUSTER (KEEP_CLUSTER=true keeps it)"
    kind delete cluster --name "$CLUSTER" >&2 || true
  fi
}
trap cleanup EXIT

if kind get clusters 2>/dev/null | grep -qx "$CLUSTER"; then
  log "reusing kind cluster $CLUSTER"
else
  log "creating kind cluster $CLUSTER"
  args=(create cluster --name "$CLUSTER" --wait 180s)
  [[ -n "${KIND_NODE_IMAGE:-}" ]] && args+=(--image "$KIND_NODE_IMAGE")
  kind "${args[@]}"
  created=true
fi
kind get kubeconfig --name "$CLUSTER" > "$KUBECONFIG_FILE"

log "building $IMAGE"
docker build -t "$IMAGE" "$ROOT"
log "loading $IMAGE into $CLUSTER"
kind load docker-image "$IMAGE" --name "$CLUSTER"

log "installing charts/certhost into $NAMESPACE"
# shellcheck disable=SC2206
extra=(${HELM_EXTRA_ARGS:-})
"$HELM" --kubeconfig "$KUBECONFIG_FILE" upgrade --install certhost "$ROOT/charts/certhost" \
  --namespace "$NAMESPACE" --create-namespace \
  --set image.repository="${IMAGE%:*}" --set image.tag="${IMAGE##*:}" --set image.pullPolicy=IfNotPresent \
  --wait --timeout 5m "${extra[@]}"

log "running the e2e suite"
cd "$ROOT"
KUBECONFIG="$KUBECONFIG_FILE" CERTHOST_USE_EXISTING_CLUSTER=true npx mocha --config test/e2e/mocharc.json 'test/e2e/**/*.test.ts'
