# Rotates the API key of each listed WhatsApp number on a schedule, with the
# provider's built-in rotation_period: no other provider is needed.
#
# The first apply regenerates every listed key. Each key is then due every
# rotation_period from the first key's created_at (its rotation_anchor), and the
# due times never drift. The first plan within early_rotation_window before a due
# time, or after it, replaces the key (-/+, "Scheduled Key Rotation"): run plans
# from a scheduled CI job as often as the window, daily for "1d", so that keys
# rotate on time.
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
  }
}

provider "pilotstatus" {}

variable "numbers" {
  description = "The WhatsApp number ids whose keys rotate on the schedule."
  type        = set(string)
  default     = ["wn_1", "wn_2"]
}

variable "rotation_period" {
  description = "How long a key lives, such as \"90s\", \"720h\" or \"30d\"."
  type        = string
  default     = "30d"
}

variable "early_rotation_window" {
  description = "How long before a due time a plan may rotate: the interval of the job that runs the plans."
  type        = string
  default     = "1d"
}

resource "pilotstatus_number_api_key" "this" {
  for_each = var.numbers

  whatsapp_number_id    = each.key
  rotation_period       = var.rotation_period
  early_rotation_window = var.early_rotation_window

  # Regenerate and discard the key when the resource is destroyed, so that a key
  # Terraform handed out never outlives the configuration.
  on_destroy = "invalidate"
}

output "next_rotation_at" {
  description = "When each number's key is due for rotation (RFC 3339)."
  value       = { for id, k in pilotstatus_number_api_key.this : id => k.next_rotation_at }
}

output "key_version" {
  description = "A number that grows with every regeneration of each key."
  value       = { for id, k in pilotstatus_number_api_key.this : id => k.key_version }
}

output "keys" {
  description = "The current key of each number. Read it with: terraform output -json keys"
  value       = { for id, k in pilotstatus_number_api_key.this : id => k.key }
  sensitive   = true
}
