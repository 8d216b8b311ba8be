data "entrasync_synchronization_templates" "scim" {
  service_principal_id = "0a3b5c7d-1e2f-4a5b-8c9d-0e1f2a3b4c5d"
  factory_tag          = "scim"
}

output "template_id" {
  value = data.entrasync_synchronization_templates.scim.template_id # "scim"
}
