# By service principal object ID and job ID:
terraform import entrasync_synchronization_job.scim 0a3b5c7d-1e2f-4a5b-8c9d-0e1f2a3b4c5d/scim.6f1c0a7b2d3e4f5a9b8c7d6e5f4a3b2c

# Or by the job's Graph path:
terraform import entrasync_synchronization_job.scim /servicePrincipals/0a3b5c7d-1e2f-4a5b-8c9d-0e1f2a3b4c5d/synchronization/jobs/scim.6f1c0a7b2d3e4f5a9b8c7d6e5f4a3b2c
