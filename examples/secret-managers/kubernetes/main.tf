# Owns the key of WhatsApp number wn_1 and stores it in a Kubernetes secret that
# workloads mount or read as an environment variable. Every regeneration updates
# the secret in the same apply; workloads that read it only at start need a
# restart (for example a checksum annotation of key_version on the pod template).

terraform {
  required_providers {
    pilotstatus = {
      source  = "pilotstatus/pilotstatus"
      version = "~> 0.1"
    }
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = ">= 2.0"
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

resource "kubernetes_secret" "pilotstatus" {
  metadata {
    name      = "pilotstatus-api-key"
    namespace = "messaging"
    annotations = {
      "pilotstatus.com.br/key-version" = tostring(pilotstatus_number_api_key.support.key_version)
    }
  }

  data = {
    PILOTSTATUS_API_KEY = pilotstatus_number_api_key.support.key
  }
}
