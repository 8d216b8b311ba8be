# From nothing to provisioned: an application whose service principal has no provisioning job yet.
# The job is made from the application's template, its target's credentials are checked and saved
# (the secret write-only: never in plan or state), the apply waits for the job's first cycle, and a
# group is provisioned with its members now. Only the entrasync provider is needed.
terraform {
  required_version = ">= 1.11" # write-only credentials
  required_providers {
    entrasync = {
      source = "entrasync/entrasync"
    }
  }
}

variable "service_principal_id" {
  type        = string
  description = "Object ID of the application's service principal (Enterprise applications > Overview > Object ID)."
}

variable "scim_base_address" {
  type        = string
  description = "The application's SCIM endpoint (Provisioning > Admin Credentials > Tenant URL)."
}

variable "scim_token" {
  type        = string
  description = "The application's SCIM bearer token (Provisioning > Admin Credentials > Secret Token)."
  sensitive   = true
  ephemeral   = true
}

variable "scim_token_version" {
  type        = number
  description = "Raise it when scim_token changes: Terraform cannot see a change of a write-only value."
  default     = 1
}

variable "group_object_id" {
  type        = string
  description = "Object ID of a group assigned to the application."
}

variable "member_object_ids" {
  type        = list(string)
  description = "Object IDs of the group's members (users) to provision with it."
  default     = []
}

provider "entrasync" {}

data "entrasync_synchronization_templates" "scim" {
  service_principal_id = var.service_principal_id
  factory_tag          = "scim"
}

resource "entrasync_synchronization_job" "scim" {
  service_principal_id = var.service_principal_id
  template_id          = data.entrasync_synchronization_templates.scim.template_id
}

resource "entrasync_synchronization_credentials" "scim" {
  service_principal_id   = var.service_principal_id
  synchronization_job_id = entrasync_synchronization_job.scim.id
  settings               = { BaseAddress = var.scim_base_address }
  credentials_wo         = { SecretToken = var.scim_token }
  credentials_wo_version = var.scim_token_version
  # The target checks the token before it is saved; then the apply waits for the first cycle.
  wait_for_steady_state = "30m"
}

data "entrasync_synchronization_rules" "groups" {
  service_principal_id   = var.service_principal_id
  synchronization_job_id = entrasync_synchronization_credentials.scim.synchronization_job_id
  source_object_name     = "Group"
}

# The whole team is one resource: the provider sends the group with its members five per call
# (or set all_members = true on the subject to read the members from Graph at apply).
resource "entrasync_provision_on_demand" "team" {
  service_principal_id   = var.service_principal_id
  synchronization_job_id = entrasync_synchronization_credentials.scim.synchronization_job_id

  parameters = [{
    rule_id = data.entrasync_synchronization_rules.groups.rule_id
    subjects = [{
      object_id        = var.group_object_id
      object_type_name = "Group"
      links = {
        members = [for id in sort(var.member_object_ids) : { object_id = id, object_type_name = "User" }]
      }
    }]
  }]
}

# The job as it runs once its credentials are saved.
data "entrasync_synchronization_job" "running" {
  service_principal_id   = var.service_principal_id
  synchronization_job_id = entrasync_synchronization_credentials.scim.synchronization_job_id
}

output "job_status" {
  value = data.entrasync_synchronization_job.running.status.code
}

output "provisioned" {
  value = [
    for r in entrasync_provision_on_demand.team.results :
    "batch ${r.batch}: ${coalesce(r.reportable_identifier, r.source_identity_id, "?")}: ${r.status}"
  ]
}
