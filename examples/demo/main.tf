# The demo run by `make demo` against the fake Graph service: the ids are the fake tenant's.
# The provider reads ENTRASYNC_GRAPH_ENDPOINT and ENTRASYNC_ACCESS_TOKEN, set by scripts/demo.sh.
terraform {
  required_providers {
    entrasync = {
      source = "entrasync/entrasync"
    }
  }
}

provider "entrasync" {}

locals {
  scim_app = "8d4c9a1e-3f6b-4a2d-9c7e-1b5f0e2a6d34"
  scim_job = "scim.b1e0f2c94d7a4e6b8c3f5a9d2e7b4c10"
  rule     = "9e8f7c2a-4b1d-4e6f-a3c5-0d2b7e9f1a48#V2"
}

# A new hire, assigned to the app: created in the target now.
resource "entrasync_provision_on_demand" "ada" {
  service_principal_id   = local.scim_app
  synchronization_job_id = local.scim_job
  parameters = [{
    rule_id  = local.rule
    subjects = [{ object_id = "0f3b8c2a-5d71-4e96-b8a4-7c1e2d9f6a03", object_type_name = "User" }]
  }]
}

# A team: the group and two of its members in one call.
resource "entrasync_provision_on_demand" "engineering" {
  service_principal_id   = local.scim_app
  synchronization_job_id = "/servicePrincipals/${local.scim_app}/synchronization/jobs/${local.scim_job}"
  parameters = [{
    rule_id = local.rule
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

# A user who is not assigned to the app: Graph skips it, and the apply warns.
resource "entrasync_provision_on_demand" "contractor" {
  service_principal_id   = local.scim_app
  synchronization_job_id = local.scim_job
  parameters = [{
    rule_id  = local.rule
    subjects = [{ object_id = "3e7a1b9c-6d2f-4c58-a0e4-f9b3c5d1e827", object_type_name = "User" }]
  }]
}

locals {
  runs = {
    ada         = entrasync_provision_on_demand.ada
    engineering = entrasync_provision_on_demand.engineering
    contractor  = entrasync_provision_on_demand.contractor
  }
}

output "summary" {
  description = "Each run, then each subject: status, action and steps."
  value = join("\n", flatten([for name, run in local.runs : concat(
    [format("%-12s %-8s request-id %s", name, run.status, run.request_id)],
    [for r in run.results : format("  %-24s %-8s %-7s %s",
      coalesce(r.reportable_identifier, r.source_identity_id, "?"),
      r.status,
      coalesce(r.action, "-"),
      join(" > ", [for s in r.steps : "${s.type}:${s.status}"]),
    )],
  )]))
}
