// Package kubernetes stands in for Terraform's "kubernetes" remote-state backend, which the
// Terraform module zip does not contain. Every operation answers an error.
package kubernetes

import (
	"github.com/zclconf/go-cty/cty"

	"github.com/hashicorp/terraform/internal/backend"
	"github.com/hashicorp/terraform/internal/configs/configschema"
	"github.com/hashicorp/terraform/internal/states/statemgr"
	"github.com/hashicorp/terraform/internal/tfdiags"
)

// New returns the stub backend.
func New() backend.Backend { return unavailable{} }

type unavailable struct{}

var _ backend.Backend = unavailable{}

func errDiags() tfdiags.Diagnostics {
	var diags tfdiags.Diagnostics
	return diags.Append(tfdiags.Sourceless(tfdiags.Error,
		"Backend not available",
		`The "kubernetes" backend is not available in this build of Terraform, which is a test tool of the provider.`))
}

func (unavailable) ConfigSchema() *configschema.Block { return &configschema.Block{} }

func (unavailable) PrepareConfig(cty.Value) (cty.Value, tfdiags.Diagnostics) {
	return cty.NilVal, errDiags()
}

func (unavailable) Configure(cty.Value) tfdiags.Diagnostics { return errDiags() }

func (unavailable) StateMgr(string) (statemgr.Full, tfdiags.Diagnostics) { return nil, errDiags() }

func (unavailable) DeleteWorkspace(string, bool) tfdiags.Diagnostics { return errDiags() }

func (unavailable) Workspaces() ([]string, tfdiags.Diagnostics) { return nil, errDiags() }
