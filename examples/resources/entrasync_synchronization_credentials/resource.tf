# An ephemeral, sensitive variable: the token is never written to plan or state.
variable "scim_token" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "entrasync_synchronization_credentials" "scim" {
  service_principal_id   = "0a3b5c7d-1e2f-4a5b-8c9d-0e1f2a3b4c5d"
  synchronization_job_id = "scim.6f1c0a7b2d3e4f5a9b8c7d6e5f4a3b2c" # e.g. entrasync_synchronization_job.scim.id

  # Not secret: kept in state and shown in plans.
  settings = { BaseAddress = "https://scim.example.com/scim" }

  # Secret: write-only (Terraform 1.11+). Raise the version to write a new token.
  credentials_wo         = { SecretToken = var.scim_token }
  credentials_wo_version = 1

  # The target checks the token before it is saved (the default); then wait for the job's cycle.
  validate              = true
  wait_for_steady_state = "30m"
}
