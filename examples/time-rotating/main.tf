# Rotates the API key of WhatsApp number wn_1 every 30 days with time_rotating
# from the hashicorp/time provider.
# When 30 days have passed, the next plan creates time_rotating again with a new
# id, which changes keepers and so replaces the key.
#
# The provider reads its credentials and address from the environment:
#   PILOTSTATUS_API_KEY   the tenant-scoped key
#   PILOTSTATUS_BASE_URL  only to point at another API, such as the local one

terraform {
  required_providers {
    pilotstatus = {
      source  = "pilotstatus/pilotstatus"
      version = "~> 0.1"
    }
    time = {
      source  = "hashicorp/time"
      version = "~> 0.14"
    }
  }
}

provider "pilotstatus" {}

resource "time_rotating" "support_key" {
  rotation_days = 30
}

resource "pilotstatus_number_api_key" "support" {
  whatsapp_number_id = "wn_1"

  keepers = {
    rotation = time_rotating.support_key.id
  }
}

output "support_key_last4" {
  value = pilotstatus_number_api_key.support.key_last4
}

output "support_key_rotates_after" {
  description = "When time_rotating makes the next plan rotate the key."
  value       = time_rotating.support_key.rotation_rfc3339
}
