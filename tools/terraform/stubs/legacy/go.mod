module github.com/hashicorp/terraform/internal/legacy
