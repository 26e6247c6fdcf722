#!/usr/bin/env bash
# Builds the pinned control-plane binaries from Go modules, once, into a cache directory outside the
# repository, and prints that directory (KUBEBUILDER_ASSETS layout) on the last line of stdout.
#
#   kube-apiserver, kubectl  k8s.io/kubernetes  (hack/tools/kubernetes/go.mod)
#   etcd                     go.etcd.io/etcd/server/v3  (hack/tools/etcd/go.mod)
#   helm                     helm.sh/helm/v3/cmd/helm   (hack/tools/helm/go.mod)
#
# The versions are the ones required in those go.mod files; a binary is rebuilt only when its
# recorded version differs from the pin. kubectl is built only when no kubectl is on PATH (set
# CERTHOST_BUILD_KUBECTL=true to build it anyway). Progress goes to stderr; stdout carries only the
# directory.
#
# Environment:
#   CERTHOST_BIN_CACHE     cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/certhost/bin)
#   CERTHOST_BUILD_KUBECTL true: build kubectl even if one is on PATH
#   CERTHOST_BUILD_HELM    false: skip helm (default true)
#   CERTHOST_GO_PARALLEL   go build -p (default: number of CPUs, at most 4)
#   GOMODCACHE, GOCACHE, GOPROXY   honoured as usual
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/hack/tools"

log() { printf 'build-binaries: %s\n' "$*" >&2; }
die() { printf 'build-binaries: error: %s\n' "$*" >&2; exit 1; }

command -v go >/dev/null 2>&1 || die "go is not on PATH; install Go >= 1.26 (or set KUBEBUILDER_ASSETS to prebuilt binaries)"
go_version="$(go env GOVERSION)"          # e.g. go1.26.8
go_minor="$(printf '%s' "$go_version" | sed -E 's/^go1\.([0-9]+).*/\1/')"
if ! [[ "$go_minor" =~ ^[0-9]+$ ]] || (( go_minor < 26 )); then
  die "Go >= 1.26 is required to build the pinned binaries (found $go_version)"
fi

# Pinned versions, read from the go.mod files (single source of truth).
pin() { awk -v m="$2" '$1=="require" && $2==m {print $3} $1==m && !/=>/ {print $2}' "$TOOLS/$1/go.mod" | head -n1; }
KUBERNETES_VERSION="$(pin kubernetes k8s.io/kubernetes)"
ETCD_VERSION="$(pin etcd go.etcd.io/etcd/server/v3)"
HELM_VERSION="$(pin helm helm.sh/helm/v3)"
[[ -n "$KUBERNETES_VERSION" && -n "$ETCD_VERSION" && -n "$HELM_VERSION" ]] || die "could not read the pinned versions from $TOOLS/*/go.mod"

GOOS_="$(go env GOOS)"
GOARCH_="$(go env GOARCH)"
CACHE_ROOT="${CERTHOST_BIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/certhost/bin}"
OUT="$CACHE_ROOT/${KUBERNETES_VERSION#v}-${GOOS_}-${GOARCH_}"
mkdir -p "$OUT"

cpus="$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)"
PARALLEL="${CERTHOST_GO_PARALLEL:-$(( cpus > 4 ? 4 : cpus ))}"

export CGO_ENABLED=0
export GOFLAGS="-mod=mod"
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"

# One build at a time per cache directory (two test runs may start together).
exec 9>"$OUT/.lock"
if ! flock -n 9; then
  log "another build holds $OUT/.lock; waiting for it"
  flock 9
fi

stamp_ok() { [[ -x "$OUT/$1" && -f "$OUT/.$1.version" && "$(cat "$OUT/.$1.version")" == "$2" ]]; }
# What a binary's stamp records: its pinned version and a digest of the go.mod/go.sum and flags
# it was built with, so that a changed pin or flag rebuilds it.
stamp_of() {  # stamp_of VERSION MODULE_DIR LDFLAGS
  printf '%s %s\n' "$1" "$(cat "$TOOLS/$2/go.mod" "$TOOLS/$2/go.sum" <(printf '%s' "$3") | sha256sum | cut -c1-16)"
}

# build NAME VERSION MODULE_DIR PACKAGE [LDFLAGS]
build() {
  local name="$1" version="$2" dir="$3" pkg="$4" ldflags="${5:-}" stamp
  stamp="$(stamp_of "$version" "$dir" "$ldflags")"
  if stamp_ok "$name" "$stamp"; then
    log "$name $version: cached"
    return 0
  fi
  log "$name $version: building $pkg (go build -p $PARALLEL; this takes minutes the first time)"
  local start=$SECONDS
  rm -f "$OUT/.$name.version"
  (cd "$TOOLS/$dir" && go build -p "$PARALLEL" -trimpath -ldflags "-s -w $ldflags" -o "$OUT/$name.tmp" "$pkg") \
    || die "building $name failed (see the go output above)"
  mv -f "$OUT/$name.tmp" "$OUT/$name"
  printf '%s\n' "$stamp" > "$OUT/.$name.version"
  log "$name $version: built in $(( SECONDS - start ))s"
}

# Version information that k8s.io/kubernetes's hack/lib/version.sh would stamp, so that /version
# and `kubectl version` report the pin.
kube_ldflags() {
  local v="$KUBERNETES_VERSION" major minor
  major="$(printf '%s' "${v#v}" | cut -d. -f1)"
  minor="$(printf '%s' "${v#v}" | cut -d. -f2)"
  local pkg flags=""
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $pkg.gitVersion=$v -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
    flags+=" -X $pkg.gitCommit= -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  printf '%s' "$flags"
}

total_start=$SECONDS
build etcd "$ETCD_VERSION" etcd go.etcd.io/etcd/server/v3
build kube-apiserver "$KUBERNETES_VERSION" kubernetes k8s.io/kubernetes/cmd/kube-apiserver "$(kube_ldflags)"
if [[ "${CERTHOST_BUILD_KUBECTL:-false}" == "true" ]] || ! command -v kubectl >/dev/null 2>&1 || [[ -x "$OUT/kubectl" ]]; then
  build kubectl "$KUBERNETES_VERSION" kubernetes k8s.io/kubernetes/cmd/kubectl "$(kube_ldflags)"
else
  log "kubectl: using $(command -v kubectl) from PATH (CERTHOST_BUILD_KUBECTL=true builds $KUBERNETES_VERSION)"
fi
if [[ "${CERTHOST_BUILD_HELM:-true}" == "true" ]]; then
  build helm "$HELM_VERSION" helm helm.sh/helm/v3/cmd/helm \
    "-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
fi
log "done in $(( SECONDS - total_start ))s: $OUT"
printf '%s\n' "$OUT"
