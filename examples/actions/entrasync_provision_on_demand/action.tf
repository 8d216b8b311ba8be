# Actions need Terraform 1.14 or later.
terraform {
  required_version = ">= 1.14"
}

# Provision a user on demand: terraform apply -invoke=action.entrasync_provision_on_demand.ada
action "entrasync_provision_on_demand" "ada" {
  config {
    service_principal_id   = "0a3b5c7d-1e2f-4a5b-8c9d-0e1f2a3b4c5d"
    synchronization_job_id = "scim.6f1c0a7b2d3e4f5a9b8c7d6e5f4a3b2c"

    parameters = [{
      rule_id  = "03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8#V2"
      subjects = [{ object_id = "8213fd99-d6b6-417b-8e13-af6334856215", object_type_name = "User" }]
    }]

    fail_on_skip = true # an out-of-scope user fails the run instead of warning
    timeouts     = { invoke = "10m" }
  }
}

variable "new_hire_object_id" {
  type = string
}

# Or provision whenever another resource is created, leaving nothing in state.
action "entrasync_provision_on_demand" "new_hire" {
  config {
    service_principal_id   = "0a3b5c7d-1e2f-4a5b-8c9d-0e1f2a3b4c5d"
    synchronization_job_id = "scim.6f1c0a7b2d3e4f5a9b8c7d6e5f4a3b2c"
    parameters = [{
      rule_id  = "03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8#V2"
      subjects = [{ object_id = var.new_hire_object_id, object_type_name = "User" }]
    }]
  }
}

resource "terraform_data" "onboarding" {
  input = var.new_hire_object_id

  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.entrasync_provision_on_demand.new_hire]
    }
  }
}
