#!/usr/bin/env bash
# Called by CI and `make test` before the integration/e2e suites: makes sure kube-apiserver, etcd
# (and helm, and kubectl when the machine has none) exist, building the pinned versions from Go
# modules on a cold cache (see docs/local-control-plane.md for the times), and prints the
# KUBEBUILDER_ASSETS-style directory on the LAST line of stdout:
#
#   export KUBEBUILDER_ASSETS="$(hack/ensure-test-binaries.sh | tail -n1)"
#
# A KUBEBUILDER_ASSETS that already holds kube-apiserver and etcd is used as it is.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if [[ -n "${KUBEBUILDER_ASSETS:-}" ]]; then
  if [[ -x "$KUBEBUILDER_ASSETS/kube-apiserver" && -x "$KUBEBUILDER_ASSETS/etcd" ]]; then
    echo "ensure-test-binaries: using KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS" >&2
    printf '%s\n' "$KUBEBUILDER_ASSETS"
    exit 0
  fi
  echo "ensure-test-binaries: error: KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS lacks kube-apiserver or etcd" >&2
  exit 1
fi

dir="$("$ROOT/hack/build-binaries.sh" | tail -n1)"
[[ -n "$dir" && -x "$dir/kube-apiserver" && -x "$dir/etcd" ]] || {
  echo "ensure-test-binaries: error: hack/build-binaries.sh did not produce kube-apiserver and etcd" >&2
  exit 1
}
printf '%s\n' "$dir"
