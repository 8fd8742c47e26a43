# Only some numbers: by id, by a regular expression on the display name, or both (a
# number is listed when it passes both). -generate-config-out writes one resource per
# result of each list block, so keep the list blocks of one query from listing a number
# twice.
list "pilotstatus_number_api_key" "support" {
  provider = pilotstatus
  limit    = 200

  config {
    whatsapp_number_ids = ["wn_1", "wn_2", "wn_7"]
    name_regex          = "(?i)^suporte"
  }
}
