# Decode an answer of provisionOnDemand obtained by another tool (here, as variables) into the
# status and results that entrasync_provision_on_demand exposes.
variable "provision_answer" {
  type = object({ key = string, value = string })
}

output "provisioning" {
  value = [
    for r in provider::entrasync::decode_provisioning_result(var.provision_answer.key, var.provision_answer.value).results :
    "${r.reportable_identifier}: ${r.status} (${r.action})"
  ]
}
