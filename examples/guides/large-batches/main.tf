# Onboard a cohort: one resource per user, keyed by something stable, and a team group with its
# members in calls of five. The provider's limiter spaces the calls out to 5 per 10 seconds.
variable "service_principal_id" {
  type = string
}

variable "synchronization_job_id" {
  type = string
}

variable "rule_id" {
  type = string
}

variable "new_hires" {
  description = "Object ids of the users to provision, keyed by user principal name."
  type        = map(string)
}

variable "team_group_id" {
  type = string
}

variable "team_member_ids" {
  type = list(string)
}

variable "wave" {
  description = "Change it to provision everyone again, for example at each onboarding wave."
  type        = string
  default     = "2026-03"
}

resource "entrasync_provision_on_demand" "new_hire" {
  for_each = var.new_hires

  service_principal_id   = var.service_principal_id
  synchronization_job_id = var.synchronization_job_id
  parameters = [{
    rule_id  = var.rule_id
    subjects = [{ object_id = each.value, object_type_name = "User" }]
  }]

  triggers = { wave = var.wave }
}

locals {
  # Graph takes at most five members with a group; sorting keeps the chunks stable between runs.
  member_chunks = chunklist(sort(var.team_member_ids), 5)
}

resource "entrasync_provision_on_demand" "team" {
  count = length(local.member_chunks)

  service_principal_id   = var.service_principal_id
  synchronization_job_id = var.synchronization_job_id
  parameters = [{
    rule_id = var.rule_id
    subjects = [{
      object_id        = var.team_group_id
      object_type_name = "Group"
      links = {
        members = [for id in local.member_chunks[count.index] : { object_id = id, object_type_name = "User" }]
      }
    }]
  }]

  triggers = { wave = var.wave }
}

output "not_provisioned" {
  description = "Users whose run did not end in Success (Skipped runs are warnings in the apply)."
  value       = [for key, run in entrasync_provision_on_demand.new_hire : key if run.status != "Success"]
}
