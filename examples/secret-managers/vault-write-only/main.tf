# Owns the key of WhatsApp number wn_1 and stores it in a Vault KV version 2
# secret through the write-only argument data_json_wo, so the key does not
# reach the Vault resource's state. The ephemeral resource reads the key from
# the key list after the regeneration, in the same apply, and
# data_json_wo_version = key_version writes a new version of the secret exactly
# when the key changes.
#
# Write-only arguments need Terraform 1.11 or OpenTofu 1.11 and later, and
# data_json_wo needs hashicorp/vault 5.0 or later.

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

# Taking the number id from the resource opens the ephemeral resource after the
# regeneration, so it reads the new key.
ephemeral "pilotstatus_number_api_key" "support" {
  whatsapp_number_id = pilotstatus_number_api_key.support.whatsapp_number_id
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
    api_key = ephemeral.pilotstatus_number_api_key.support.key
  })
  data_json_wo_version = pilotstatus_number_api_key.support.key_version
}
