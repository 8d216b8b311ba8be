data "entrasync_synchronization_schema" "scim" {
  service_principal_id   = "0a3b5c7d-1e2f-4a5b-8c9d-0e1f2a3b4c5d"
  synchronization_job_id = "scim.6f1c0a7b2d3e4f5a9b8c7d6e5f4a3b2c"
}

locals {
  # The User object mapping, in the shape entrasync_attribute_mappings takes.
  users = one(flatten([
    for rule in data.entrasync_synchronization_schema.scim.rules :
    [for m in rule.object_mappings : m if m.source_object_name == "User"]
  ]))
}

# The names a mapping may use: the attributes of each object of each directory.
output "attributes" {
  value = {
    for pair in flatten([
      for d in data.entrasync_synchronization_schema.scim.directories :
      [for o in d.objects : { key = "${d.name}/${o.name}", names = [for a in o.attributes : a.name] }]
    ]) : pair.key => pair.names
  }
}

# The target attributes that match users, lowest priority first.
output "matching_attributes" {
  value = [for target, m in local.users.mappings : target if m.matching_priority > 0]
}
