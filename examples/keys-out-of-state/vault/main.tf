# Owns the key of WhatsApp number wn_1 and writes it to a Vault KV version 2
# secret through the write-only argument data_json_wo: neither this provider's
# state (store_key = false) nor the Vault provider's holds the key or its id.
# key_version versions the secret, so every regeneration writes a new version in
# the same apply; key_last4 and key_fingerprint, safe to show, go along.
#
# Needs Terraform 1.11 or OpenTofu 1.11 and later.

terraform {
  required_providers {
    pilotstatus = {
      source  = "pilotstatus/pilotstatus"
      version = "~> 0.1"
    }
    vault = {
      source  = "hashicorp/vault"
      version = ">= 5.0"
    }
  }
}

provider "pilotstatus" {}

# Reads VAULT_ADDR and VAULT_TOKEN from the environment.
provider "vault" {}

resource "pilotstatus_number_api_key" "support" {
  whatsapp_number_id = "wn_1"
  store_key          = false

  keepers = {
    generation = "1"
  }
}

ephemeral "pilotstatus_number_api_key" "support" {
  whatsapp_number_id = pilotstatus_number_api_key.support.whatsapp_number_id
  key_fingerprint    = pilotstatus_number_api_key.support.key_fingerprint
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
  data_json_wo = jsonencode({
    api_key         = ephemeral.pilotstatus_number_api_key.support.key
    key_last4       = pilotstatus_number_api_key.support.key_last4
    key_fingerprint = pilotstatus_number_api_key.support.key_fingerprint
  })
  data_json_wo_version = pilotstatus_number_api_key.support.key_version
}
