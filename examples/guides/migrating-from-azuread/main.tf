# The azuread resource of the guide, moved to entrasync: same ids, same triggers, and its state taken over.
variable "service_principal_id" {
  description = "The GUID, or azuread's path /servicePrincipals/{GUID}: both name the same object, so neither replaces the moved resource."
  type        = string
}

variable "synchronization_job_id" {
  description = "The job id, or azuread's path /servicePrincipals/{GUID}/synchronization/jobs/{jobId}."
  type        = string
}

variable "rule_id" {
  type = string
}

variable "group_object_id" {
  type = string
}

variable "triggers" {
  description = "The same map as the azuread resource had: any change provisions again."
  type        = map(string)
  default     = {}
}

resource "entrasync_provision_on_demand" "example" {
  service_principal_id   = var.service_principal_id
  synchronization_job_id = var.synchronization_job_id

  parameters = [{
    rule_id = var.rule_id
    subjects = [{
      object_id        = var.group_object_id
      object_type_name = "Group"
    }]
  }]

  triggers = var.triggers
}

output "provisioning_status" {
  description = "Failure > Warning > Skipped > Success: the most severe status of the run."
  value       = entrasync_provision_on_demand.example.status
}

# Terraform 1.8 or later: take over the azuread resource's state instead of provisioning again.
moved {
  from = azuread_synchronization_job_provision_on_demand.example
  to   = entrasync_provision_on_demand.example
}
