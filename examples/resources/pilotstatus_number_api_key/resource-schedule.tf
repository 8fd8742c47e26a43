# Rotates the key of WhatsApp number wn_3 every 30 days, without another provider:
# it is due at 03:00 UTC every 30 days from 5 January 2026. A plan within a day
# before a due time (a daily job), or after it, replaces the resource (-/+), which
# regenerates the key, and says that the rotation is scheduled.
resource "pilotstatus_number_api_key" "billing" {
  whatsapp_number_id    = "wn_3"
  rotation_period       = "30d"
  rotation_anchor       = "2026-01-05T03:00:00Z"
  early_rotation_window = "1d"
}

# Replaced on every rotation (schedule, keepers, repair of a key regenerated
# outside Terraform), and only then: key_version changes with the key alone.
resource "terraform_data" "billing_key_rotated" {
  input = pilotstatus_number_api_key.billing.key_id

  lifecycle {
    replace_triggered_by = [pilotstatus_number_api_key.billing.key_version]
  }
}

output "billing_next_rotation_at" {
  value = pilotstatus_number_api_key.billing.next_rotation_at
}
