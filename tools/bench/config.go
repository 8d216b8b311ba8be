package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/entrasync/terraform-provider-entrasync/internal/fakegraph"
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

// scaleSubject is one resource of the plan-scale workload: a user, or a group sent with its members.
type scaleSubject struct {
	objectID   string
	objectType string   // User or Group
	members    []string // of a group: five users that no other resource provisions
}

// groupMembers is how many members each group of the plan-scale workload is provisioned with
// (Graph's most); the answer holds one entry for the group and one per member.
const groupMembers = 5

// scaleWorkload is n resources: every fifth a group with five members of its own, the others users.
// Each user answers four steps and seven modified properties; each group six such entries.
func scaleWorkload(n int) []scaleSubject {
	out := make([]scaleSubject, n)
	for i := range out {
		if i%5 != 4 {
			out[i] = scaleSubject{objectID: fmt.Sprintf("b0000000-0000-4000-8000-%012d", i+1), objectType: "User"}
			continue
		}
		g := scaleSubject{objectID: fmt.Sprintf("c0000000-0000-4000-8000-%012d", i+1), objectType: "Group"}
		for k := range groupMembers {
			g.members = append(g.members, fmt.Sprintf("d0000000-0000-4000-8000-%08d%04d", i+1, k+1))
		}
		out[i] = g
	}
	return out
}

// seedScale adds the workload's users, groups and members to the fake's SCIM job.
func seedScale(srv *fakegraph.Server, subjects []scaleSubject) {
	for i, s := range subjects {
		if s.objectType == "User" {
			srv.AddUser(s.objectID, benchUserPrincipalName(i), "")
			continue
		}
		for k, m := range s.members {
			srv.AddUser(m, fmt.Sprintf("bench.member%d.%d@example.com", i+1, k+1), "")
		}
		srv.AddGroup(s.objectID, fmt.Sprintf("Bench group %d", i+1), s.members)
	}
}

// scaleSubjectJSON is the subject in the resource's parameters, as JSON.
func scaleSubjectJSON(s scaleSubject) string {
	if len(s.members) == 0 {
		return fmt.Sprintf(`{"object_id":%q,"object_type_name":%q}`, s.objectID, s.objectType)
	}
	links := make([]string, len(s.members))
	for i, m := range s.members {
		links[i] = fmt.Sprintf(`{"object_id":%q,"object_type_name":"User"}`, m)
	}
	return fmt.Sprintf(`{"object_id":%q,"object_type_name":%q,"links":{"members":[%s]}}`, s.objectID, s.objectType, strings.Join(links, ","))
}

// scaleResourceJSON is the configuration of one workload resource as JSON, for the in-process plan.
func scaleResourceJSON(s scaleSubject) string {
	rule := fakegraph.SCIMUserRuleID
	if s.objectType == "Group" {
		rule = fakegraph.SCIMGroupRuleID
	}
	return fmt.Sprintf(`{"service_principal_id":%q,"synchronization_job_id":%q,"parameters":[{"rule_id":%q,"subjects":[%s]}]}`,
		fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID, rule, scaleSubjectJSON(s))
}

// scaleConfig declares the workload after header (the terraform and provider blocks) as two
// counted resources of resourceType, users and groups: the same configuration for entrasync and
// the floor provider.
func scaleConfig(header, resourceType string, subjects []scaleSubject) string {
	var users, groups []string
	for _, s := range subjects {
		if s.objectType == "User" {
			users = append(users, s.objectID)
			continue
		}
		groups = append(groups, fmt.Sprintf("{ id = %q, members = %s }", s.objectID, strings.ReplaceAll(hclList(s.members), "\n", "")))
	}
	groupList := "[]"
	if len(groups) > 0 {
		groupList = "[\n    " + strings.Join(groups, ",\n    ") + ",\n  ]"
	}
	return fmt.Sprintf(`%[1]s
locals {
  users  = %[2]s
  groups = %[3]s
}

resource %[4]q "user" {
  count                  = length(local.users)
  service_principal_id   = %[5]q
  synchronization_job_id = %[6]q
  parameters = [{
    rule_id  = %[7]q
    subjects = [{ object_id = local.users[count.index], object_type_name = "User" }]
  }]
}

resource %[4]q "group" {
  count                  = length(local.groups)
  service_principal_id   = %[5]q
  synchronization_job_id = %[6]q
  parameters = [{
    rule_id = %[8]q
    subjects = [{
      object_id        = local.groups[count.index].id
      object_type_name = "Group"
      links = { members = [for m in local.groups[count.index].members : { object_id = m, object_type_name = "User" }] }
    }]
  }]
}
`, header, hclList(users), groupList, resourceType, fakegraph.SCIMServicePrincipalID, fakegraph.SCIMJobID, fakegraph.SCIMUserRuleID, fakegraph.SCIMGroupRuleID)
}
