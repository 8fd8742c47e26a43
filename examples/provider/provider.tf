# The tenant-scoped key is best passed through the environment:
#   export PILOTSTATUS_API_KEY=ps_...
provider "pilotstatus" {}

# Or explicitly, from a variable that is itself kept out of version control.
variable "pilotstatus_api_key" {
  type      = string
  sensitive = true
}

provider "pilotstatus" {
  alias       = "explicit"
  api_key     = var.pilotstatus_api_key
  max_retries = 6
}
