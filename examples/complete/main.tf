# Provision a group and its members to an application now, knowing only the application's
# service principal and the group: the job is found by its template, the rule by the objects it
# maps, and the members (users only) come from the azuread provider.
terraform {
  required_providers {
    entrasync = {
      source = "entrasync/entrasync"
    }
    azuread = {
      source = "hashicorp/azuread"
    }
  }
}

variable "service_principal_id" {
  type        = string
  description = "Object ID of the application's service principal (Enterprise applications > Overview > Object ID)."
}

variable "group_object_id" {
  type        = string
  description = "Object ID of a group assigned to the application."
}

provider "entrasync" {}

provider "azuread" {}

data "entrasync_synchronization_job" "scim" {
  service_principal_id = var.service_principal_id
  template_id          = "scim"
}

data "entrasync_synchronization_rules" "groups" {
  service_principal_id   = var.service_principal_id
  synchronization_job_id = data.entrasync_synchronization_job.scim.synchronization_job_id
  source_object_name     = "Group"
}

data "azuread_group" "team" {
  object_id = var.group_object_id
}

# Only users are provisioned as members: looking the members up as users drops the others.
data "azuread_users" "members" {
  object_ids     = data.azuread_group.team.members
  ignore_missing = true
}

# The whole team is one resource: the provider sends the members five per call.
resource "entrasync_provision_on_demand" "team" {
  service_principal_id   = var.service_principal_id
  synchronization_job_id = data.entrasync_synchronization_job.scim.synchronization_job_id

  parameters = [{
    rule_id = data.entrasync_synchronization_rules.groups.rule_id
    subjects = [{
      object_id        = var.group_object_id
      object_type_name = "Group"
      links = {
        members = [for id in sort(data.azuread_users.members.object_ids) : { object_id = id, object_type_name = "User" }]
      }
    }]
  }]
}

output "provisioned" {
  value = [
    for r in entrasync_provision_on_demand.team.results :
    "batch ${r.batch}: ${coalesce(r.reportable_identifier, r.source_identity_id, "?")}: ${r.status}"
  ]
}
