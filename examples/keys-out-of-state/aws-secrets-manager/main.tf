# Owns the key of WhatsApp number wn_1 without keeping the key, or its id, in any
# state: store_key = false keeps it out of this provider's state, and the write-only
# argument secret_string_wo keeps it out of the AWS provider's state. The ephemeral
# resource, tied to the managed key by key_fingerprint, opens the key after every
# regeneration, in the same apply; key_version versions the secret, so it is
# written again exactly when the key changes.
#
# Needs Terraform 1.11 or OpenTofu 1.11 and later (ephemeral resources and
# write-only arguments).

terraform {
  required_providers {
    pilotstatus = {
      source  = "pilotstatus/pilotstatus"
      version = "~> 0.1"
    }
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.0"
    }
  }
}

# export PILOTSTATUS_API_KEY=ps_...   (the tenant-scoped key)
provider "pilotstatus" {}

provider "aws" {}

resource "pilotstatus_number_api_key" "support" {
  whatsapp_number_id = "wn_1"
  store_key          = false
  rotation_period    = "30d"
}

ephemeral "pilotstatus_number_api_key" "support" {
  whatsapp_number_id = pilotstatus_number_api_key.support.whatsapp_number_id
  key_fingerprint    = pilotstatus_number_api_key.support.key_fingerprint
}

resource "aws_secretsmanager_secret" "support" {
  name = "pilotstatus/wn_1/api-key"
}

resource "aws_secretsmanager_secret_version" "support" {
  secret_id                = aws_secretsmanager_secret.support.id
  secret_string_wo         = ephemeral.pilotstatus_number_api_key.support.key
  secret_string_wo_version = pilotstatus_number_api_key.support.key_version
}
