//go:build tools

// Package tools pins the main packages built by hack/build-binaries.sh. It is never compiled;
// the blank imports only keep them (and their dependencies) in go.mod and go.sum.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
