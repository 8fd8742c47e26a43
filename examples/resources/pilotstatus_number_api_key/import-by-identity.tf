# Import by identity (Terraform 1.12 and later, OpenTofu 1.12 and later). Like an
# import by id, it never regenerates the key.
import {
  to = pilotstatus_number_api_key.support
  identity = {
    whatsapp_number_id = "wn_1"
  }
}
