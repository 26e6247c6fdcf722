#!/usr/bin/env bash
# Re-pins hack/tools/kubernetes to another k8s.io/kubernetes release:
#   hack/tools/update-kubernetes-pin.sh v1.37.2
# Derives the replace block (every ./staging/src/k8s.io/X of k8s.io/kubernetes's own go.mod becomes
# k8s.io/X v0.<minor>.<patch>) and runs go mod tidy. Review the diff, then run hack/build-binaries.sh.
set -euo pipefail
version="${1:?usage: $0 vX.Y.Z}"
[[ "$version" =~ ^v1\.([0-9]+)\.([0-9]+)$ ]] || { echo "expected a version like v1.37.2, got $version" >&2; exit 2; }
staging="v0.${BASH_REMATCH[1]}.${BASH_REMATCH[2]}"
dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/kubernetes" && pwd)"
upstream_mod="$(cd "$dir" && GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@$version" | sed -n 's/^\s*"GoMod": "\(.*\)",\{0,1\}$/\1/p')"
[[ -f "$upstream_mod" ]] || { echo "could not download k8s.io/kubernetes@$version" >&2; exit 1; }
{
  sed -n '1,/^go /p' "$dir/go.mod" | grep -v '^require\|^replace\|^)' 
  echo
  echo "require k8s.io/kubernetes $version"
  echo
  echo "replace ("
  grep -E '^\s+k8s.io/[a-z0-9-]+ => ./staging/src/' "$upstream_mod" | awk -v v="$staging" '{print "\t"$1" => "$1" "v}'
  echo ")"
} > "$dir/go.mod.new"
mv "$dir/go.mod.new" "$dir/go.mod"
rm -f "$dir/go.sum"
(cd "$dir" && GOFLAGS=-mod=mod go mod tidy)
echo "pinned k8s.io/kubernetes $version (staging modules $staging) in $dir/go.mod" >&2
