# Owns the key of WhatsApp number wn_1 and stores it in a Vault KV version 2
# secret. Every regeneration writes a new version of the secret in the same apply.

terraform {
  required_providers {
    pilotstatus = {
      source  = "pilotstatus/pilotstatus"
      version = "~> 0.1"
    }
    vault = {
      source  = "hashicorp/vault"
      version = "~> 5.0"
    }
  }
}

provider "pilotstatus" {}

# Reads VAULT_ADDR and VAULT_TOKEN from the environment.
provider "vault" {}

resource "pilotstatus_number_api_key" "support" {
  whatsapp_number_id = "wn_1"

  keepers = {
    generation = "1"
  }
}

resource "vault_mount" "kv" {
  path = "pilotstatus"
  type = "kv"
  options = {
    version = "2"
  }
}

resource "vault_kv_secret_v2" "support" {
  mount = vault_mount.kv.path
  name  = "wn_1"
  data_json = jsonencode({
    api_key    = pilotstatus_number_api_key.support.key
    key_id     = pilotstatus_number_api_key.support.key_id
    rotated_at = pilotstatus_number_api_key.support.created_at
  })
}
