# Owns the key of WhatsApp number wn_1 and stores it as a GitHub Actions secret
# of a repository, so workflows can send messages with it. Every regeneration
# updates the secret in the same apply.

terraform {
  required_providers {
    pilotstatus = {
      source  = "pilotstatus/pilotstatus"
      version = "~> 0.1"
    }
    github = {
      source  = "integrations/github"
      version = ">= 6.0"
    }
  }
}

provider "pilotstatus" {}

# Reads GITHUB_TOKEN and GITHUB_OWNER from the environment.
provider "github" {}

variable "repository" {
  description = "The repository whose workflows use the key."
  type        = string
}

resource "pilotstatus_number_api_key" "support" {
  whatsapp_number_id = "wn_1"
  rotation_period    = "90d"
}

resource "github_actions_secret" "pilotstatus_api_key" {
  repository      = var.repository
  secret_name     = "PILOTSTATUS_API_KEY"
  plaintext_value = pilotstatus_number_api_key.support.key
}
