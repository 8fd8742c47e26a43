# Reads the current key of WhatsApp number wn_1 on every plan and apply, without
# regenerating it, and stores it in AWS Secrets Manager through a write-only
# argument: the key reaches neither the plan nor the state. Ephemeral resources
# need Terraform 1.10 or OpenTofu 1.11 and later; write-only arguments need
# Terraform 1.11 or OpenTofu 1.11 and later.
ephemeral "pilotstatus_number_api_key" "support" {
  whatsapp_number_id = "wn_1"
}

variable "support_key_version" {
  description = "Increase to store the key of wn_1 again, e.g. after it was regenerated in the Pilot Status dashboard."
  type        = number
  default     = 1
}

resource "aws_secretsmanager_secret" "support" {
  name = "pilotstatus/wn_1"
}

resource "aws_secretsmanager_secret_version" "support" {
  secret_id                = aws_secretsmanager_secret.support.id
  secret_string_wo         = ephemeral.pilotstatus_number_api_key.support.key
  secret_string_wo_version = var.support_key_version
}

# When Terraform also owns the key, tie the ephemeral resource to it with
# key_fingerprint: it then opens after a regeneration, in the same apply, and
# refuses any other key; key_version, which increases with every regeneration,
# makes the secret store the new key. store_key = false keeps the key out of
# this provider's state too.
resource "pilotstatus_number_api_key" "sales" {
  whatsapp_number_id = "wn_2"
  store_key          = false

  keepers = {
    generation = "1"
  }
}

ephemeral "pilotstatus_number_api_key" "sales" {
  whatsapp_number_id = pilotstatus_number_api_key.sales.whatsapp_number_id
  key_fingerprint    = pilotstatus_number_api_key.sales.key_fingerprint
}

resource "aws_secretsmanager_secret" "sales" {
  name = "pilotstatus/wn_2"
}

resource "aws_secretsmanager_secret_version" "sales" {
  secret_id                = aws_secretsmanager_secret.sales.id
  secret_string_wo         = ephemeral.pilotstatus_number_api_key.sales.key
  secret_string_wo_version = pilotstatus_number_api_key.sales.key_version
}
