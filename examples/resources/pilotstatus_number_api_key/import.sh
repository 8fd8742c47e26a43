# Import by WhatsApp number id. Importing never regenerates the key; the key is
# taken into state when the API can reveal it.
terraform import pilotstatus_number_api_key.support wn_1
