# The User object mapping of a SCIM app: five mappings, a scoping filter and two expression tests
# that run at every plan.
resource "entrasync_attribute_mappings" "users" {
  service_principal_id   = "0a3b5c7d-1e2f-4a5b-8c9d-0e1f2a3b4c5d"
  synchronization_job_id = "scim.6f1c0a7b2d3e4f5a9b8c7d6e5f4a3b2c"
  rule_id                = "03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8#V2"
  source_object_name     = "User"
  target_object_name     = "urn:ietf:params:scim:schemas:core:2.0:User"

  mappings = {
    userName = {
      source            = { type = "Attribute", name = "userPrincipalName" }
      matching_priority = 1
    }
    active = {
      source = { type = "Function", expression = "Not([IsSoftDeleted])" }
    }
    displayName = {
      source = { type = "Function", expression = "Join(\" \", [givenName], [surname])" }
    }
    "emails[type eq \"work\"].value" = {
      source = { type = "Function", expression = "ToLower([mail])" }
    }
    title = {
      source    = { type = "Constant", name = "Staff" }
      flow_type = "ObjectAddOnly" # set when the user is created, never overwritten
    }
  }

  scope = [{
    name = "Sales and Support"
    clauses = [
      { source_attribute = "department", operator = "EQUALS", values = ["Sales"] },
      { source_attribute = "accountEnabled", operator = "ISTRUE" },
    ]
  }]

  tests = [
    {
      target_attribute = "displayName"
      input            = { givenName = "Ada", surname = "Park" }
      expect           = "Ada Park"
    },
    {
      target_attribute = "emails[type eq \"work\"].value"
      input            = { mail = "Ada.Park@Example.com" }
      expect           = "ada.park@example.com"
    },
  ]
}
