# The rule that provisions groups: the rule_id that entrasync_provision_on_demand needs.
data "entrasync_synchronization_rules" "groups" {
  service_principal_id   = "0a3b5c7d-1e2f-4a5b-8c9d-0e1f2a3b4c5d"
  synchronization_job_id = "scim.6f1c0a7b2d3e4f5a9b8c7d6e5f4a3b2c"
  source_object_name     = "Group"
}

output "group_rule_id" {
  value = data.entrasync_synchronization_rules.groups.rule_id # null unless exactly one rule matches
}

# Every rule of the job that supports provisioning on demand, with the objects each maps.
data "entrasync_synchronization_rules" "on_demand" {
  service_principal_id         = "0a3b5c7d-1e2f-4a5b-8c9d-0e1f2a3b4c5d"
  synchronization_job_id       = "scim.6f1c0a7b2d3e4f5a9b8c7d6e5f4a3b2c"
  supports_provision_on_demand = true
}

output "rules" {
  value = {
    for rule in data.entrasync_synchronization_rules.on_demand.rules :
    "${rule.id} (${rule.name})" => [for m in rule.object_mappings : m.source_object_name if m.enabled]
  }
}
