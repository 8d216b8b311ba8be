# From nothing to provisioned, on the fake's app that has no job yet: the job is made from the
# app's template, its credentials are checked and saved (the token write-only, from the
# ephemeral variable scripts/demo.sh sets), the apply waits for the first cycle, then a user and
# a group with two members are provisioned through the new job.
variable "scim_token" {
  type      = string
  sensitive = true
  ephemeral = true
}

locals {
  new_app = "b3f7a2d9-6c1e-4f58-9a0b-e4d2c8f1a765"
}

data "entrasync_synchronization_templates" "new_app" {
  service_principal_id = local.new_app
  factory_tag          = "scim"
}

resource "entrasync_synchronization_job" "new_app" {
  service_principal_id = local.new_app
  template_id          = data.entrasync_synchronization_templates.new_app.template_id
}

resource "entrasync_synchronization_credentials" "new_app" {
  service_principal_id   = local.new_app
  synchronization_job_id = entrasync_synchronization_job.new_app.id
  settings               = { BaseAddress = "https://scim.example.test/scim" }
  credentials_wo         = { SecretToken = var.scim_token }
  credentials_wo_version = 1
  wait_for_steady_state  = "2m"
}

data "entrasync_synchronization_rules" "new_app" {
  service_principal_id   = local.new_app
  synchronization_job_id = entrasync_synchronization_credentials.new_app.synchronization_job_id
  source_object_name     = "Group"
}

resource "entrasync_provision_on_demand" "new_app" {
  service_principal_id   = local.new_app
  synchronization_job_id = entrasync_synchronization_credentials.new_app.synchronization_job_id
  parameters = [{
    rule_id = data.entrasync_synchronization_rules.new_app.rule_id
    subjects = [
      { object_id = "0f3b8c2a-5d71-4e96-b8a4-7c1e2d9f6a03", object_type_name = "User" },
    ]
  }]
}

resource "entrasync_provision_on_demand" "new_app_team" {
  service_principal_id   = local.new_app
  synchronization_job_id = entrasync_synchronization_credentials.new_app.synchronization_job_id
  parameters = [{
    rule_id = data.entrasync_synchronization_rules.new_app.rule_id
    subjects = [{
      object_id        = "d7b2e9f4-5a1c-4e83-9f6d-0b3a8c7e2d15"
      object_type_name = "Group"
      links = {
        members = [
          { object_id = "5b8e1f3a-7c2d-4e96-a1b4-c6d9e0f2a371", object_type_name = "User" },
          { object_id = "9d3c6a0e-2f7b-4b18-8e5a-d4c1b7f9e062", object_type_name = "User" },
        ]
      }
    }]
  }]
}

data "entrasync_synchronization_job" "new_app" {
  service_principal_id   = local.new_app
  synchronization_job_id = entrasync_synchronization_credentials.new_app.synchronization_job_id
}

output "new_app" {
  description = "The job stood up from its template, and what it provisioned."
  value = join("\n", concat(
    [format("job %s: %s (schedule %s, every %s)", data.entrasync_synchronization_job.new_app.synchronization_job_id,
      data.entrasync_synchronization_job.new_app.status.code, data.entrasync_synchronization_job.new_app.schedule.state,
    data.entrasync_synchronization_job.new_app.schedule.interval)],
    [for r in concat(entrasync_provision_on_demand.new_app.results, entrasync_provision_on_demand.new_app_team.results) :
    format("  %-24s %-8s %s", coalesce(r.reportable_identifier, r.source_identity_id, "?"), r.status, coalesce(r.action, "-"))],
  ))
}
