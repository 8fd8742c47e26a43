module github.com/hashicorp/terraform/internal/backend/remote-state/kubernetes

go 1.25

require (
	github.com/hashicorp/terraform v1.16.3
	github.com/zclconf/go-cty v1.18.1
)
