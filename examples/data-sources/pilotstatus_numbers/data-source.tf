# Every WhatsApp number of the tenant, in the API's order.
data "pilotstatus_numbers" "all" {}

# Own the key of every number: one pilotstatus_number_api_key per number id.
# Creating these regenerates each number's key; the previous keys stop working.
resource "pilotstatus_number_api_key" "each" {
  for_each = { for n in data.pilotstatus_numbers.all.numbers : n.id => n }

  whatsapp_number_id = each.key
}

output "disconnected_numbers" {
  description = "The numbers that are not fully connected."
  value       = [for n in data.pilotstatus_numbers.all.numbers : n.number if !n.is_fully_connected]
}
