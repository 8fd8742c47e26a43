# Owns the key of WhatsApp number wn_1. Creating this resource regenerates the key:
# the number's previous key stops working at once.
resource "pilotstatus_number_api_key" "support" {
  whatsapp_number_id = "wn_1"

  # Change any value to rotate the key.
  keepers = {
    rotated_by = "platform-team"
    generation = "1"
  }
}

# Hand the key to whatever needs it; it is sensitive.
output "support_key_last4" {
  value = pilotstatus_number_api_key.support.key_last4
}
