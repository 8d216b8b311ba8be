# The azuread job and secret of the guide, moved to entrasync: the job and its state taken over
# as they are; the secret's values supplied again, write-only.
terraform {
  required_version = ">= 1.11"
}

variable "service_principal_id" {
  type = string
}

variable "scim_base_address" {
  type = string
}

variable "scim_token" {
  type      = string
  sensitive = true
  ephemeral = true
}

moved {
  from = azuread_synchronization_job.scim
  to   = entrasync_synchronization_job.scim
}

resource "entrasync_synchronization_job" "scim" {
  service_principal_id = var.service_principal_id
  template_id          = "scim"
  enabled              = true
}

moved {
  from = azuread_synchronization_secret.scim
  to   = entrasync_synchronization_credentials.scim
}

resource "entrasync_synchronization_credentials" "scim" {
  service_principal_id   = var.service_principal_id
  synchronization_job_id = entrasync_synchronization_job.scim.id
  settings               = { BaseAddress = var.scim_base_address }
  credentials_wo         = { SecretToken = var.scim_token }
  credentials_wo_version = 1
}
