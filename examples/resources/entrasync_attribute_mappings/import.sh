# {service_principal_id}/{synchronization_job_id}/{rule_id}/{source_object_name}/{target_object_name}
terraform import entrasync_attribute_mappings.users \
  '0a3b5c7d-1e2f-4a5b-8c9d-0e1f2a3b4c5d/scim.6f1c0a7b2d3e4f5a9b8c7d6e5f4a3b2c/03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8#V2/User/urn:ietf:params:scim:schemas:core:2.0:User'
