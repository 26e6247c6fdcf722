//go:build tools

// Package tools pins the helm main package built by hack/build-binaries.sh. Never compiled.
package tools

import _ "helm.sh/helm/v3/cmd/helm"
