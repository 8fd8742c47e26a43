# Import by WhatsApp number id. Importing never regenerates the key and stores no
# credential; with store_key = true the next apply takes the key into state when
# the API can reveal it.
terraform import pilotstatus_number_api_key.support wn_1
