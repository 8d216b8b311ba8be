data "entrasync_synchronization_templates" "scim" {
  service_principal_id = "0a3b5c7d-1e2f-4a5b-8c9d-0e1f2a3b4c5d"
  factory_tag          = "scim"
}

resource "entrasync_synchronization_job" "scim" {
  service_principal_id = data.entrasync_synchronization_templates.scim.service_principal_id
  template_id          = data.entrasync_synchronization_templates.scim.template_id
  enabled              = true

  # Change a trigger to restart the job: a new full cycle that also clears its watermark and
  # any quarantine.
  restart = {
    triggers    = { rotation = "2026-03" }
    reset_scope = ["Watermark", "QuarantineState"]
  }

  # After a start or restart, wait for the cycle to end in steady state; fail on quarantine.
  wait_for_steady_state = "30m"
}
