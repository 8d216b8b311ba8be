# The provisioning jobs of an enterprise application (its service principal's object ID).
data "entrasync_synchronization_jobs" "app" {
  service_principal_id = "0a3b5c7d-1e2f-4a5b-8c9d-0e1f2a3b4c5d"
}

# For example { "scim.6f1c0a7b2d3e4f5a9b8c7d6e5f4a3b2c" = "scim: Active" }
output "jobs" {
  value = { for job in data.entrasync_synchronization_jobs.app.jobs : job.id => "${job.template_id}: ${job.status_code}" }
}
