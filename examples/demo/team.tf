# Provision a team: the Payments group with 8 of its members, one resource. Graph takes at most
# five members per call, so the provider sends two calls (5, then 3) within the job's rate limit.
# Member 3 is already in sync (success), member 7 is out of scope (a warning).
resource "entrasync_provision_on_demand" "payments" {
  service_principal_id   = "8d4c9a1e-3f6b-4a2d-9c7e-1b5f0e2a6d34"
  synchronization_job_id = "scim.b1e0f2c94d7a4e6b8c3f5a9d2e7b4c10"
  parameters = [{
    rule_id = "9e8f7c2a-4b1d-4e6f-a3c5-0d2b7e9f1a48#V2"
    subjects = [{
      object_id        = "3c1f7a9e-5b2d-4e80-a6c4-9d0e2b7f1a53"
      object_type_name = "Group"
      links = {
        members = [for id in [
          "c1f0fd6a-09fa-5360-b42a-cca03fc380da", "8a454f51-fc8a-5aa5-b7c1-d902e5c6c56c",
          "d4374a58-8df4-580f-8cec-fa77c688684a", "8a07c113-e00e-5e4d-95d0-fb028f5fc678",
          "d9cf3b59-b132-5ead-a6df-ee23412037cb", "a2fb82de-0c34-564e-b124-5479b1dc0fa5",
          "69f05b5c-94b1-5a3f-b534-37f56d04337a", "4955caf7-800b-573e-9cd3-edc8775afd54",
        ] : { object_id = id, object_type_name = "User" }]
      }
    }]
  }]
}

output "team" {
  description = "The Payments team: each call's request-id, then each entry with its batch."
  value = join("\n", concat(
    [format("payments     %-8s %d calls, request-ids %s", entrasync_provision_on_demand.payments.status,
    entrasync_provision_on_demand.payments.planned_calls, join(", ", entrasync_provision_on_demand.payments.request_ids))],
    [for r in entrasync_provision_on_demand.payments.results : format("  batch %d  %-28s %-8s %s",
    r.batch, coalesce(r.reportable_identifier, r.source_identity_id, "?"), r.status, coalesce(r.error_code, "-"))],
  ))
}
