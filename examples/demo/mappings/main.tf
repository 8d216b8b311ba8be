# The mappings part of `make demo`: the User object mapping of the fake tenant's SCIM app as code,
# with an expression test that Graph's parseExpression evaluates at every plan.
terraform {
  required_providers {
    entrasync = {
      source = "entrasync/entrasync"
    }
  }
}

provider "entrasync" {}

variable "separator" {
  description = "Between given name and surname in displayName."
  type        = string
  default     = " "
}

resource "entrasync_attribute_mappings" "users" {
  service_principal_id   = "8d4c9a1e-3f6b-4a2d-9c7e-1b5f0e2a6d34"
  synchronization_job_id = "scim.b1e0f2c94d7a4e6b8c3f5a9d2e7b4c10"
  rule_id                = "9e8f7c2a-4b1d-4e6f-a3c5-0d2b7e9f1a48#V2"
  source_object_name     = "User"
  target_object_name     = "urn:ietf:params:scim:schemas:core:2.0:User"

  mappings = {
    userName                         = { source = { type = "Attribute", name = "userPrincipalName" }, matching_priority = 1 }
    active                           = { source = { type = "Function", expression = "Not([IsSoftDeleted])" } }
    displayName                      = { source = { type = "Function", expression = "Join(\"${var.separator}\", [givenName], [surname])" } }
    "emails[type eq \"work\"].value" = { source = { type = "Attribute", name = "mail" } }
    "name.givenName"                 = { source = { type = "Attribute", name = "givenName" } }
    "name.familyName"                = { source = { type = "Attribute", name = "surname" } }
    externalId                       = { source = { type = "Attribute", name = "mailNickname" } }
  }

  tests = [{
    target_attribute = "displayName"
    input            = { givenName = "Ada", surname = "Park" }
    expect           = "Ada${var.separator}Park"
  }]
}
