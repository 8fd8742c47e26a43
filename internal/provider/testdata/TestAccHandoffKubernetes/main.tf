# The configuration of examples/secret-managers/kubernetes, adapted to
# hashicorp/kubernetes 1.13.4, the only release that can be built here:
# kubernetes_secret instead of kubernetes_secret_v1 (1.13.4 has no _v1 types and
# no write-only data_wo), and the provider reads KUBECONFIG, not
# KUBE_CONFIG_PATH. The namespace is made by the test: the API server runs no
# namespace controller, so a namespace Terraform created could never be deleted.

terraform {
  required_providers {
    pilotstatus = {
      source  = "pilotstatus/pilotstatus"
      version = "~> 0.1"
    }
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = "1.13.4"
    }
  }
}

variable "namespace" {
  type = string
}

variable "rotation" {
  type    = string
  default = "1"
}

provider "pilotstatus" {}

# Reads KUBECONFIG from the environment.
provider "kubernetes" {}

resource "pilotstatus_number_api_key" "support" {
  whatsapp_number_id = "wn_1"
  rotation_period    = "1h"
  keepers = {
    rotation = var.rotation
  }
}

resource "kubernetes_secret" "pilotstatus" {
  metadata {
    name      = "pilotstatus-api-key"
    namespace = var.namespace
    annotations = {
      "pilotstatus.com.br/key-version" = tostring(pilotstatus_number_api_key.support.key_version)
    }
  }

  data = {
    PILOTSTATUS_API_KEY = pilotstatus_number_api_key.support.key
  }
}

# A workload that reads the key at start: the key_version annotation on its pod
# template rolls it out again exactly when the key changes, after the Secret
# holds the new key (the secret_ref orders the two).
resource "kubernetes_deployment" "messaging" {
  metadata {
    name      = "messaging"
    namespace = var.namespace
  }

  spec {
    replicas = 1
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
              name = kubernetes_secret.pilotstatus.metadata[0].name
            }
          }
        }
      }
    }
  }

  # The API server runs no scheduler or kubelet: pods are never started.
  wait_for_rollout = false
}
