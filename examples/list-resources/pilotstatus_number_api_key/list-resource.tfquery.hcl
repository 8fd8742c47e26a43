# Every number's key, to adopt them all without regenerating any (Terraform 1.14 and later):
#   terraform query -generate-config-out=keys.tf   # writes a resource and an import block per key
#   terraform apply                                # imports them; no key is regenerated
# The configuration's .tf files configure the provider, as for any other plan.
list "pilotstatus_number_api_key" "all" {
  provider = pilotstatus

  # Terraform lists at most 100 results per list block unless limit says otherwise:
  # set it above the number of WhatsApp numbers of the account.
  limit = 1000
}
