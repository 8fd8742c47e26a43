# Rotates the API keys of two WhatsApp numbers and hands the keys to outputs.
#
# The provider reads its credentials and address from the environment:
#   PILOTSTATUS_API_KEY   the tenant-scoped key (Dashboard → Profile → API)
#   PILOTSTATUS_BASE_URL  only to point at another API, such as the local one
#
# Applying this regenerates both keys: the keys the numbers had before stop working.

terraform {
  required_providers {
    pilotstatus = {
      source  = "pilotstatus/pilotstatus"
      version = "~> 0.1"
    }
  }
}

provider "pilotstatus" {}

variable "numbers" {
  description = "The WhatsApp number ids whose keys Terraform owns."
  type        = set(string)
  default     = ["wn_1", "wn_2"]
}

variable "rotation" {
  description = "Change this value to rotate every key."
  type        = string
  default     = "1"
}

resource "pilotstatus_number_api_key" "this" {
  for_each = var.numbers

  whatsapp_number_id = each.key
  keepers = {
    rotation = var.rotation
  }
}

output "keys" {
  description = "The current key of each number. Read it with: terraform output -json keys"
  value       = { for id, k in pilotstatus_number_api_key.this : id => k.key }
  sensitive   = true
}

output "key_last4" {
  description = "The last four characters of each number's key, safe to show."
  value       = { for id, k in pilotstatus_number_api_key.this : id => k.key_last4 }
}
