package main

import (
	"fmt"
	"strings"
	"time"
)

// providerAddress is spelled in full so Terraform and OpenTofu resolve it alike.
const providerAddress = "registry.terraform.io/entrasync/entrasync"

// jobTarget is one synchronization job of the fake tenant and its subjects, one resource each.
type jobTarget struct {
	name               string // resource name in the configuration
	servicePrincipalID string
	jobID              string
	ruleID             string
	objectType         string
	subjects           []string
}

// providerBlock is the provider's configuration; attributes win over any ENTRASYNC_* variable.
type providerBlock struct {
	endpoint string
	requests int // 0: no client-side limit
	interval time.Duration
}

// benchUsers are n user ids that the bench adds to the fake's SCIM job with AddUser.
func benchUsers(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("b0000000-0000-4000-8000-%012d", i+1)
	}
	return ids
}

func benchUserPrincipalName(i int) string { return fmt.Sprintf("bench.user%d@example.com", i+1) }

func hclList(items []string) string {
	if len(items) == 0 {
		return "[]"
	}
	quoted := make([]string, len(items))
	for i, s := range items {
		quoted[i] = fmt.Sprintf("%q", s)
	}
	return "[\n    " + strings.Join(quoted, ",\n    ") + ",\n  ]"
}

// entrasyncConfig is a configuration with one counted entrasync_provision_on_demand per job.
func entrasyncConfig(p providerBlock, jobs []jobTarget) string {
	var b strings.Builder
	fmt.Fprintf(&b, `terraform {
  required_providers {
    entrasync = { source = %q }
  }
}

provider "entrasync" {
  graph_endpoint      = %q
  access_token        = "bench-token"
  rate_limit_requests = %d
  rate_limit_interval = %q
}
`, providerAddress, p.endpoint, p.requests, p.interval.String())
	for _, j := range jobs {
		fmt.Fprintf(&b, `
locals {
  %s_subjects = %s
}

resource "entrasync_provision_on_demand" %q {
  count                  = length(local.%s_subjects)
  service_principal_id   = %q
  synchronization_job_id = %q
  parameters = [{
    rule_id  = %q
    subjects = [{ object_id = local.%s_subjects[count.index], object_type_name = %q }]
  }]
}
`, j.name, hclList(j.subjects), j.name, j.name, j.servicePrincipalID, j.jobID, j.ruleID, j.name, j.objectType)
	}
	return b.String()
}

// terraformDataConfig holds one terraform_data per subject: the floor of a plan, with no provider.
func terraformDataConfig(subjects []string) string {
	return fmt.Sprintf(`locals {
  subjects = %s
}

resource "terraform_data" "subject" {
  count = length(local.subjects)
  input = local.subjects[count.index]
}
`, hclList(subjects))
}
