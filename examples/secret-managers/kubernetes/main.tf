# Owns the key of WhatsApp number wn_1 and stores it in a Kubernetes Secret that
# workloads mount or read as an environment variable. Every regeneration updates
# the Secret in the same apply, and the key_version annotation on the pod
# template of the Deployment that reads it rolls the pods, after the Secret holds
# the new key.

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

resource "kubernetes_secret_v1" "pilotstatus" {
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

resource "kubernetes_deployment_v1" "messaging" {
  metadata {
    name      = "messaging"
    namespace = "messaging"
  }

  spec {
    replicas = 2
    selector {
      match_labels = {
        app = "messaging"
      }
    }
    template {
      metadata {
        labels = {
          app = "messaging"
        }
        # A new key_version rolls the pods, so that they start with the new key.
        annotations = {
          "pilotstatus.com.br/key-version" = tostring(pilotstatus_number_api_key.support.key_version)
        }
      }
      spec {
        container {
          name  = "messaging"
          image = "registry.example.com/messaging:1.0"
          env_from {
            secret_ref {
              name = kubernetes_secret_v1.pilotstatus.metadata[0].name
            }
          }
        }
      }
    }
  }
}
