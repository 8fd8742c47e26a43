//go:build tools

// Package kubernetesprovider pins the hashicorp/kubernetes Terraform provider
// that the hand-off tests write the key into a Secret with.
package kubernetesprovider

import (
	_ "github.com/hashicorp/terraform-provider-kubernetes"
)
