# Owns the key of WhatsApp number wn_1 and writes it to a Kubernetes Secret through
# the write-only argument data_wo (hashicorp/kubernetes 2.x with write-only
# support): neither this provider's state (store_key = false) nor the Kubernetes
# provider's holds the key or its id. data_wo_revision = key_version rewrites the
# Secret exactly when the key changes, and the key_version annotation lets
# workloads that read the Secret only at start restart on rotation.
#
# Needs Terraform 1.11 or OpenTofu 1.11 and later.

terraform {
  required_providers {
    pilotstatus = {
      source  = "pilotstatus/pilotstatus"
      version = "~> 0.1"
    }
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = ">= 2.38"
    }
  }
}

provider "pilotstatus" {}

# Reads KUBE_CONFIG_PATH (or the in-cluster configuration) from the environment.
provider "kubernetes" {}

resource "pilotstatus_number_api_key" "support" {
  whatsapp_number_id = "wn_1"
  store_key          = false
  rotation_period    = "30d"
}

ephemeral "pilotstatus_number_api_key" "support" {
  whatsapp_number_id = pilotstatus_number_api_key.support.whatsapp_number_id
  key_fingerprint    = pilotstatus_number_api_key.support.key_fingerprint
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
