# The application's SCIM job, found by its template: no generated job ID to copy.
data "entrasync_synchronization_job" "scim" {
  service_principal_id = "0a3b5c7d-1e2f-4a5b-8c9d-0e1f2a3b4c5d"
  template_id          = "scim"
}

# Or one job by its ID (the path form works too).
data "entrasync_synchronization_job" "cloud_sync" {
  service_principal_id   = "f1a6c3e8-9b2d-4c71-8e4f-5a0b7d2c9e16"
  synchronization_job_id = "AD2AADProvisioning.7c3e9a1f5b2d4e8a9f0c6b1d3e5a7f29"
}

output "scim_job" {
  value = {
    id          = data.entrasync_synchronization_job.scim.synchronization_job_id
    schedule    = data.entrasync_synchronization_job.scim.schedule.state
    status      = data.entrasync_synchronization_job.scim.status.code
    quarantined = data.entrasync_synchronization_job.scim.status.quarantined
    last_error  = data.entrasync_synchronization_job.scim.status.last_execution_error_message
  }
}
