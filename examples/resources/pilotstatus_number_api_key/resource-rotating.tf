# Rotates the key of WhatsApp number wn_2 every 30 days. Once 30 days have passed,
# refreshing drops time_rotating from state and the plan creates it again with a
# new id; that changes the keepers, so the same apply regenerates the key.
resource "time_rotating" "sales_key" {
  rotation_days = 30
}

resource "pilotstatus_number_api_key" "sales" {
  whatsapp_number_id = "wn_2"

  keepers = {
    rotation = time_rotating.sales_key.id
  }
}
