# The current key of every WhatsApp number, described without the key itself.
data "pilotstatus_api_keys" "all" {}

output "key_last4" {
  description = "The last four characters of each number's current key."
  value       = { for k in data.pilotstatus_api_keys.all.keys : k.number_id => k.key_last4 }
}

output "not_revealable" {
  description = "Numbers with a legacy key that the API cannot reveal: regenerate it to get a usable key."
  value       = [for k in data.pilotstatus_api_keys.all.keys : k.number_id if !k.revealable]
}
