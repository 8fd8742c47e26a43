# Owns the key of WhatsApp number wn_1 and stores it in a Kubernetes Secret
# through the write-only argument data_wo, so the key does not reach the
# Secret's state. The ephemeral resource reads the key from the key list after
# the regeneration, in the same apply, and data_wo_revision = key_version writes
# the Secret again exactly when the key changes.
#
# Write-only arguments need Terraform 1.11 or OpenTofu 1.11 and later, and
# data_wo needs hashicorp/kubernetes 2.36 or later.

terraform {
  required_providers {
    pilotstatus = {
      source  = "pilotstatus/pilotstatus"
      version = "~> 0.1"
    }
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = "~> 2.38"
    }
  }
}

provider "pilotstatus" {}

# Reads KUBE_CONFIG_PATH (or the in-cluster configuration) from the environment.
provider "kubernetes" {}

resource "pilotstatus_number_api_key" "support" {
  whatsapp_number_id = "wn_1"
  rotation_period    = "30d"
}

# Taking the number id from the resource opens the ephemeral resource after the
# regeneration, so it reads the new key.
ephemeral "pilotstatus_number_api_key" "support" {
  whatsapp_number_id = pilotstatus_number_api_key.support.whatsapp_number_id
}

resource "kubernetes_secret_v1" "pilotstatus" {
  metadata {
    name      = "pilotstatus-api-key"
    namespace = "messaging"
    annotations = {
      "pilotstatus.com.br/key-version" = tostring(pilotstatus_number_api_key.support.key_version)
    }
  }

  data_wo = {
    PILOTSTATUS_API_KEY = ephemeral.pilotstatus_number_api_key.support.key
  }
  data_wo_revision = pilotstatus_number_api_key.support.key_version
}
