# The key of wn_1, kept out of state: state holds its last four characters,
# key_version and key_fingerprint, never the key or its id.
resource "pilotstatus_number_api_key" "support" {
  whatsapp_number_id = "wn_1"
  store_key          = false
  rotation_period    = "30d"
}

# Opens the key after every regeneration, in the same apply, and refuses any key
# other than the one the resource holds. Terraform 1.10 / OpenTofu 1.11 and later.
ephemeral "pilotstatus_number_api_key" "support" {
  whatsapp_number_id = pilotstatus_number_api_key.support.whatsapp_number_id
  key_fingerprint    = pilotstatus_number_api_key.support.key_fingerprint
}

resource "aws_secretsmanager_secret" "support" {
  name = "pilotstatus/wn_1/api-key"
}

# Write-only arguments: Terraform 1.11 / OpenTofu 1.11 and later.
resource "aws_secretsmanager_secret_version" "support" {
  secret_id                = aws_secretsmanager_secret.support.id
  secret_string_wo         = ephemeral.pilotstatus_number_api_key.support.key
  secret_string_wo_version = pilotstatus_number_api_key.support.key_version
}
