//go:build tools

// Package kubeapiserver pins the Kubernetes API server that the hand-off tests
// deliver keys to.
package kubeapiserver

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
)
