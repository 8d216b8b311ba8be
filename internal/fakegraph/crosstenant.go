package fakegraph

// Cross-tenant synchronization from this tenant to a target tenant (templateId "Azure2Azure").
// "Configure cross-tenant synchronization using PowerShell or Microsoft Graph API" shows its
// provisionOnDemand answer for one user keyed by the literal StatusInfo type name with an array
// of entries; "On-demand provisioning in Microsoft Entra ID" and the API notes say groups cannot
// be provisioned on demand through it.
const (
	CrossTenantServicePrincipalID = "b5d0e7a2-3c9f-4b61-8e2d-a7f4c1b9e053"
	CrossTenantJobID              = "Azure2Azure.4e9b2d7c1a6f48e3b0c5d8a2f7e1c946"
	CrossTenantRuleID             = "7a2c9e4f-1b8d-4f36-a0e5-c3d6b9f2e817"
	crossTenantTarget             = "Azure Active Directory (target tenant)"
)

// neverRanExecution is the lastExecution of a job that never ran as the cross-tenant guide shows
// it: not null, but zero times, state Failed and error code None.
func neverRanExecution() map[string]any {
	return map[string]any{
		"activityIdentifier": nil,
		"countEntitled":      0,
		"countExported":      0,
		"countImported":      0,
		"error":              map[string]any{"code": "None", "message": "", "tenantActionable": false},
		"state":              "Failed",
		"timeBegan":          zeroTime,
		"timeEnded":          zeroTime,
	}
}

func crossTenantJob() *job {
	j := &job{
		servicePrincipalID: CrossTenantServicePrincipalID,
		id:                 CrossTenantJobID,
		templateID:         "Azure2Azure",
		scheduleInterval:   "PT40M",
		scheduleState:      "Active",
		statusCode:         "Active",
		lastExecution:      neverRanExecution(),
		settings:           []map[string]string{},
		rule: synchronizationRule{
			id:              CrossTenantRuleID,
			name:            "USER_TO_USER",
			sourceDirectory: entraDirectory,
			targetDirectory: crossTenantTarget,
			mappings: []objectMapping{{name: "Provision Azure Active Directory Users", source: "User", target: "User", attributes: []attributeMapping{
				{target: "alternativeSecurityIds", source: "objectId", matching: 1},
				{target: "displayName", source: "displayName"},
				{target: "mail", source: "mail"},
				{target: "userType", source: "userType"},
			}}},
		},
		sourceSystem:        entraDirectory,
		targetSystem:        crossTenantTarget,
		foldIDs:             true,
		assignmentScoped:    true,
		groupsUnsupported:   true,
		statusInfoKeyAlways: true,
	}
	for _, u := range []*sourceObject{
		entraUser(UserAdaID, "Ada", "Park", UserAdaPrincipalName, UserAdaPrincipalName, true),
		entraUser(UserOutOfScopeID, "Chloe", "Martin", "chloe.martin@example.com", "chloe.martin@example.com", false),
	} {
		u.properties = []property{
			{"alternativeSecurityIds", u.id}, {"displayName", u.displayName}, {"mail", u.importDetails["mail"]}, {"userType", "Member"},
		}
		if !u.inScope {
			u.skipDetails = outOfScopeUserDetails
		}
		j.add(u)
	}
	return j
}
