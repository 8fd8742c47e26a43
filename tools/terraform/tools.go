//go:build tools

// Package terraform pins the current Terraform CLI that the provider's tests run
// against. Terraform 1.6 and later are licensed under the BUSL: this module only
// builds the CLI as a test tool; the provider never imports it.
package terraform

import (
	_ "github.com/hashicorp/terraform"
)
