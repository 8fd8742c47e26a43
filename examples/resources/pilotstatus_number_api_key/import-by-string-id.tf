# Import by WhatsApp number id (Terraform 1.5 and later, OpenTofu 1.6 and later).
import {
  to = pilotstatus_number_api_key.support
  id = "wn_1"
}
