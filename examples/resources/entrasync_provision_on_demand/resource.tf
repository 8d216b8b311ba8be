# Provision a new hire to a SCIM app now, instead of at the next 40-minute cycle.
resource "entrasync_provision_on_demand" "ada" {
  service_principal_id   = "0a3b5c7d-1e2f-4a5b-8c9d-0e1f2a3b4c5d"
  synchronization_job_id = "scim.6f1c0a7b2d3e4f5a9b8c7d6e5f4a3b2c"

  parameters = [{
    rule_id  = "03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8#V2"
    subjects = [{ object_id = "8213fd99-d6b6-417b-8e13-af6334856215", object_type_name = "User" }]
  }]
}

# Provision a group with members: any number, sent five per call.
resource "entrasync_provision_on_demand" "engineering" {
  service_principal_id   = "0a3b5c7d-1e2f-4a5b-8c9d-0e1f2a3b4c5d"
  synchronization_job_id = "scim.6f1c0a7b2d3e4f5a9b8c7d6e5f4a3b2c"

  parameters = [{
    rule_id = "03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8#V2"
    subjects = [{
      object_id        = "4c7e2a10-8d3b-4f6e-9a1c-5b2d7e8f9a01"
      object_type_name = "Group"
      links = {
        members = [
          { object_id = "8213fd99-d6b6-417b-8e13-af6334856215", object_type_name = "User" },
          { object_id = "cbc86211-6ada-4803-b73f-8039cf56d8a2", object_type_name = "User" },
        ]
      }
    }]
  }]

  # Any change provisions again, for example once per onboarding wave.
  triggers = { wave = "2026-03" }

  # A member out of the job's scope fails the apply instead of warning.
  fail_on_skip = true

  timeouts = { create = "20m" }
}

# Provision a whole team: its users are read from Graph at apply (GroupMember.Read.All) and
# sent five per call, each call within the job's rate limit.
resource "entrasync_provision_on_demand" "payments" {
  service_principal_id   = "0a3b5c7d-1e2f-4a5b-8c9d-0e1f2a3b4c5d"
  synchronization_job_id = "scim.6f1c0a7b2d3e4f5a9b8c7d6e5f4a3b2c"

  parameters = [{
    rule_id = "03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8#V2"
    subjects = [{
      object_id        = "3c1f7a9e-5b2d-4e80-a6c4-9d0e2b7f1a53"
      object_type_name = "Group"
      all_members      = true
    }]
  }]

  # A member that fails does not stop the later calls; set true to stop at the first failed one.
  stop_on_failure = false
}

output "payments_calls" {
  description = "Every call's request-id, for Microsoft support."
  value       = entrasync_provision_on_demand.payments.request_ids
}

output "engineering_status" {
  value = entrasync_provision_on_demand.engineering.status
}
