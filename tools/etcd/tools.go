//go:build tools

// Package etcd pins the etcd server that backs the kube-apiserver of the
// hand-off tests.
package etcd

import (
	_ "go.etcd.io/etcd/server/v3"
)
