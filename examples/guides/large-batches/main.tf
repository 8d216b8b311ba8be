# Onboard a cohort: one resource per user, keyed by something stable, and each team as one
# resource, whatever its size. The provider's limiter spaces all the calls out to 5 per 10 seconds.
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

variable "teams" {
  description = "Object ids of the groups to provision with all their members, keyed by team name."
  type        = map(string)
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

# Each team is one resource: its members are read at apply (GroupMember.Read.All) and sent five
# per call, through the same limiter as the users above.
resource "entrasync_provision_on_demand" "team" {
  for_each = var.teams

  service_principal_id   = var.service_principal_id
  synchronization_job_id = var.synchronization_job_id
  parameters = [{
    rule_id = var.rule_id
    subjects = [{
      object_id          = each.value
      object_type_name   = "Group"
      all_members        = true
      transitive_members = true # users of nested groups too
    }]
  }]

  triggers = { wave = var.wave }

  # 5 calls per 10 s: a team of 300 takes 60 calls, about 110 s; the default 15m is plenty.
  timeouts = { create = "15m" }
}

output "not_provisioned" {
  description = "Users whose run did not end in Success (Skipped runs are warnings in the apply)."
  value       = [for key, run in entrasync_provision_on_demand.new_hire : key if run.status != "Success"]
}

output "team_failures" {
  description = "Team members that failed, with their batch and the call's request-id."
  value = {
    for name, run in entrasync_provision_on_demand.team : name => [
      for r in run.results : "${coalesce(r.reportable_identifier, r.source_identity_id)} (batch ${r.batch}, request ${run.request_ids[r.batch - 1]})"
      if r.status == "Failure"
    ]
  }
}
