//go:build tools

// Package opentofu pins the OpenTofu CLI that the provider's tests run against.
package opentofu

import (
	_ "github.com/opentofu/opentofu/cmd/tofu"
)
