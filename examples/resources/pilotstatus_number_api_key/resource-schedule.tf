# Rotates the key of WhatsApp number wn_3 every 30 days, without another provider.
# Once next_rotation_at has passed, the next plan replaces the resource (-/+),
# which regenerates the key, and says that the rotation is scheduled.
resource "pilotstatus_number_api_key" "billing" {
  whatsapp_number_id = "wn_3"
  rotation_period    = "30d"
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
