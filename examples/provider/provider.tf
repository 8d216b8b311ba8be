# Sign in with a client secret from ARM_TENANT_ID, ARM_CLIENT_ID and ARM_CLIENT_SECRET,
# the same variables Microsoft's own Terraform providers read.
provider "entrasync" {}

# Or set everything explicitly.
provider "entrasync" {
  alias               = "explicit"
  tenant_id           = var.tenant_id
  client_id           = var.client_id
  client_secret       = var.client_secret
  environment         = "global"
  api_version         = "v1.0"
  rate_limit_requests = 5
  rate_limit_interval = "10s"
  max_retries         = 10
}

variable "tenant_id" {
  type = string
}

variable "client_id" {
  type = string
}

variable "client_secret" {
  type      = string
  sensitive = true
}
