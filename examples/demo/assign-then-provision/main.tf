# The second part of `make demo`: provisioning right after an assignment. scripts/demo.sh has just
# assigned Kai to the app through the fake's control endpoint, effective 15 seconds later, as Entra
# takes a few minutes to see a new assignment. In a real tenant the assignment is an
# azuread_app_role_assignment and this resource has it in depends_on.
terraform {
  required_providers {
    entrasync = {
      source = "entrasync/entrasync"
    }
  }
}

provider "entrasync" {}

resource "entrasync_provision_on_demand" "kai" {
  service_principal_id   = "8d4c9a1e-3f6b-4a2d-9c7e-1b5f0e2a6d34"
  synchronization_job_id = "scim.b1e0f2c94d7a4e6b8c3f5a9d2e7b4c10"
  # Skipped (NotEffectivelyEntitled) until the assignment is seen: provision again for up to 2 minutes.
  retry_skipped_for = "2m"
  fail_on_skip      = true
  parameters = [{
    rule_id  = "9e8f7c2a-4b1d-4e6f-a3c5-0d2b7e9f1a48#V2"
    subjects = [{ object_id = "1a6e9c3f-4d8b-4f27-b5e0-8c2d7a1f9e64", object_type_name = "User" }]
  }]
}

output "kai" {
  description = "The answer kept: the last attempt's."
  value       = "${entrasync_provision_on_demand.kai.status} (${entrasync_provision_on_demand.kai.results[0].action})"
}
