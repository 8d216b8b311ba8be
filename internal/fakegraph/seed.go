package fakegraph

import (
	"strings"
	"time"
)

// Entra ID to SCIM app (templateId "scim"). Its schema has one synchronization rule mapping
// both User and Group, as Entra's SCIM template does, so the user and group rule ids are the
// same rule.
const (
	SCIMServicePrincipalID = "8d4c9a1e-3f6b-4a2d-9c7e-1b5f0e2a6d34"
	SCIMJobID              = "scim.b1e0f2c94d7a4e6b8c3f5a9d2e7b4c10"
	SCIMRuleID             = "9e8f7c2a-4b1d-4e6f-a3c5-0d2b7e9f1a48#V2"
	SCIMUserRuleID         = SCIMRuleID
	SCIMGroupRuleID        = SCIMRuleID
)

// Directory objects of the tenant, provisioned through the SCIM job.
const (
	// UserAdaID is assigned to the app: Create/Success, then Skipped/RedundantExport.
	UserAdaID            = "0f3b8c2a-5d71-4e96-b8a4-7c1e2d9f6a03"
	UserAdaPrincipalName = "ada.park@example.com"
	UserBenID            = "a4d9e2f7-1c6b-4f80-9e35-b2c7d0a8f614" // assigned, like Ada: ben.okafor@example.com
	UserOutOfScopeID     = "3e7a1b9c-6d2f-4c58-a0e4-f9b3c5d1e827" // not assigned: Skipped/NotEffectivelyEntitled
	UserFailingID        = "c8f2d6a0-4b9e-4d13-87f5-1a6e3c9b2d70" // assigned, rejected by the SCIM endpoint: Failure
	// UserMember1ID..UserMember6ID are the members of Engineering, in scope through the group.
	UserMember1ID        = "5b8e1f3a-7c2d-4e96-a1b4-c6d9e0f2a371"
	UserMember2ID        = "9d3c6a0e-2f7b-4b18-8e5a-d4c1b7f9e062"
	UserMember3ID        = "e2a7f5c1-8b4d-4f63-9a0e-3c6d1b8f7a94"
	UserMember4ID        = "7f1d4b9e-3a6c-4e25-b8d0-a9e2c5f1b346"
	UserMember5ID        = "b6e3a8d2-0c9f-4a71-8d5b-2f7e4c1a9d58"
	UserMember6ID        = "4c9a2e7f-6b1d-4d08-a3f6-e8b5d0c2f719"
	GroupEngineeringID   = "d7b2e9f4-5a1c-4e83-9f6d-0b3a8c7e2d15" // assigned; members UserMember1ID..UserMember6ID
	GroupEngineeringName = "Engineering"
	GroupOutOfScopeID    = "8a5f0c3e-9d7b-4a26-b1e8-6c4f2d9a0e73" // "Finance", not assigned: Skipped/NotEffectivelyEntitled
)

// Codes the fake puts in statusInfo.errorCode / statusInfo.reason and in key.details.errorCode.
const (
	ReasonRedundantExport        = "RedundantExport"
	ReasonNotEffectivelyEntitled = "NotEffectivelyEntitled"
	ReasonUnsupportedObjectType  = "UnsupportedObjectType" // a group member that is not a User
	ErrorCodeEntryNotFound       = "EntryNotFound"         // a subject or member missing from the source
	ErrorCodeSCIMBadRequest      = "SystemForCrossDomainIdentityManagementBadRequest"
)

// Active Directory to Entra ID through Cloud Sync (templateId "AD2AADProvisioning"). Subjects
// are distinguished names with objectTypeName "user"; entries carry only statusInfo.status.
const (
	CloudSyncServicePrincipalID = "f1a6c3e8-9b2d-4c71-8e4f-5a0b7d2c9e16"
	CloudSyncJobID              = "AD2AADProvisioning.7c3e9a1f5b2d4e8a9f0c6b1d3e5a7f29"
	CloudSyncUserRuleID         = "6b13c4d9-2e7f-4a85-9c10-f3d8a2b5e764"
	CloudSyncUserDN             = "CN=Ada Park,OU=Staff,DC=corp,DC=example,DC=com"
	CloudSyncOutOfScopeDN       = "CN=Backup Service,OU=Service Accounts,DC=corp,DC=example,DC=com"
)

// Workday to Active Directory (templateId "workdayToAD"). Subjects are worker ids with
// objectTypeName "Worker"; groups are not supported.
const (
	WorkdayServicePrincipalID = "2c7e5b9a-1d4f-4e38-b6a0-9f3c8d1e7b52"
	WorkdayJobID              = "workdayToAD.e4a81c7f2b9d46e0a3f5c8d1b7e2a964"
	WorkdayWorkerRuleID       = "c3a9e1f0-7d24-4b6e-8f51-2a0d9c7b6e83"
	WorkdayWorkerID           = "21001" // Ada Park, active: Create/Success, then RedundantExport
	WorkdayOutOfScopeWorkerID = "21002" // terminated: Skipped/NotEffectivelyEntitled
)

// An Entra ID to SCIM job whose admin credentials were never saved: provisionOnDemand answers
// 400 CredentialsMissing for a valid request.
const (
	CredentialsMissingServicePrincipalID = "6e0d3a7c-8f1b-4b95-a2c4-d7e9f5b1a083"
	CredentialsMissingJobID              = "scim.2a7f4c9e1b3d4f8a6c0e5b9d7a1f3c82"
	CredentialsMissingRuleID             = "4f2d1c8b-6a39-4e07-b5d2-9c1e8a7f3b60#V2"
)

const (
	scimUserSchema  = "urn:ietf:params:scim:schemas:core:2.0:User"
	scimGroupSchema = "urn:ietf:params:scim:schemas:core:2.0:Group"
	entraDirectory  = "Azure Active Directory"
	scimDirectory   = "customappsso"
)

type job struct {
	servicePrincipalID string
	id                 string
	templateID         string
	scheduleInterval   string
	scheduleState      string
	statusCode         string
	lastExecution      map[string]any // nil: never ran
	settings           []map[string]string
	rule               synchronizationRule

	sourceSystem        string
	targetSystem        string
	minimalEntries      bool // Cloud Sync: entries carry only statusInfo.status
	foldIDs             bool // object ids compare case-insensitively (GUIDs, distinguished names)
	assignmentScoped    bool // scope comes from assignment to the app
	groupsUnsupported   bool // HR inbound: no group provisioning on demand
	credentialsMissing  bool
	statusInfoKeyAlways bool // cross-tenant: the StatusInfo key and an array even for one entry
	objects             map[string]*sourceObject

	schema *schemaDoc // the job's synchronizationSchema; rule is derived from it
	run    jobRun
}

type synchronizationRule struct {
	id              string
	name            string
	sourceDirectory string
	targetDirectory string
	mappings        []objectMapping
}

type objectMapping struct {
	name       string
	source     string
	target     string
	attributes []attributeMapping
}

type attributeMapping struct {
	target   string
	source   string
	function string // "" for a direct attribute flow
	matching int    // matching priority; 0 = not a matching attribute
}

// matchingAttribute is the target attribute with the lowest non-zero matching priority.
func (m objectMapping) matchingAttribute() string {
	name, lowest := "", 0
	for _, a := range m.attributes {
		if a.matching > 0 && (lowest == 0 || a.matching < lowest) {
			name, lowest = a.target, a.matching
		}
	}
	return name
}

// sourceObject is a subject as the job's source system knows it.
type sourceObject struct {
	id            string
	typeName      string
	displayName   string
	reportable    string
	importDetails map[string]string
	properties    []property // exported on Create
	members       []string   // group members' ids
	inScope       bool
	skipDetails   string // why it is out of scope
	failure       *exportFailure
	inTarget      bool // the target already holds it as the source says: in sync from the first call
}

type property struct{ name, value string }

// exportFailure is how the target system rejects an object on every attempt.
type exportFailure struct {
	code              string
	details           string
	category          string
	recommendedAction string
	response          string
}

func (j *job) lookupKey(id string) string {
	if j.foldIDs {
		return strings.ToLower(id)
	}
	return id
}

func (j *job) object(id string) *sourceObject {
	return j.objects[j.lookupKey(id)]
}

func (j *job) add(o *sourceObject) {
	if j.objects == nil {
		j.objects = map[string]*sourceObject{}
	}
	j.objects[j.lookupKey(o.id)] = o
}

func (j *job) mapping(sourceType string) (objectMapping, bool) {
	for _, m := range j.rule.mappings {
		if m.source == sourceType {
			return m, true
		}
	}
	return objectMapping{}, false
}

func seedJobs(created time.Time) []*job {
	scim := scimJob(SCIMServicePrincipalID, SCIMJobID, SCIMRuleID, created)
	seedEntraDirectory(scim)

	missing := scimJob(CredentialsMissingServicePrincipalID, CredentialsMissingJobID, CredentialsMissingRuleID, created)
	missing.credentialsMissing = true
	missing.scheduleState = "Disabled"
	missing.statusCode = "NotConfigured"
	missing.lastExecution = nil
	seedEntraDirectory(missing)

	return []*job{scim, cloudSyncJob(created), workdayJob(created), missing, crossTenantJob()}
}

func lastExecution(began time.Time) map[string]any {
	return map[string]any{
		"activityIdentifier": "4b1e7d2c-9a3f-4e60-b8d5-c2f1a7e9d034",
		"countEntitled":      8,
		"countExported":      0,
		"countImported":      8,
		"error":              nil,
		"state":              "Succeeded",
		"timeBegan":          began.UTC().Format(time.RFC3339),
		"timeEnded":          began.Add(47 * time.Second).UTC().Format(time.RFC3339),
	}
}

func scimJob(servicePrincipalID, jobID, ruleID string, created time.Time) *job {
	return &job{
		servicePrincipalID: servicePrincipalID,
		id:                 jobID,
		templateID:         "scim",
		scheduleInterval:   "PT40M",
		scheduleState:      "Active",
		statusCode:         "Active",
		lastExecution:      lastExecution(created.Add(-23 * time.Minute)),
		settings: []map[string]string{
			{"name": "AzureIngestionAttributeOptimization", "value": "False"},
			{"name": "LookaheadQueryEnabled", "value": "False"},
		},
		rule: synchronizationRule{
			id:              ruleID,
			name:            "USER_AND_GROUP_TO_SCIM",
			sourceDirectory: entraDirectory,
			targetDirectory: scimDirectory,
			mappings: []objectMapping{
				{name: "Provision Azure Active Directory Users", source: "User", target: scimUserSchema, attributes: []attributeMapping{
					{target: "userName", source: "userPrincipalName", matching: 1},
					{target: "active", source: "IsSoftDeleted", function: "Not"},
					{target: "displayName", source: "displayName"},
					{target: `emails[type eq "work"].value`, source: "mail"},
					{target: "name.givenName", source: "givenName"},
					{target: "name.familyName", source: "surname"},
					{target: "externalId", source: "mailNickname"},
				}},
				{name: "Provision Azure Active Directory Groups", source: "Group", target: scimGroupSchema, attributes: []attributeMapping{
					{target: "displayName", source: "displayName", matching: 1},
					{target: "externalId", source: "objectId"},
					{target: "members", source: "members"},
				}},
			},
		},
		sourceSystem:     entraDirectory,
		targetSystem:     scimDirectory,
		foldIDs:          true,
		assignmentScoped: true,
	}
}

const outOfScopeUserDetails = "The user is not assigned to the application, directly or through a group, so it is out of scope for provisioning. Assign the user to the application, or set the provisioning scope to sync all users and groups."

func seedEntraDirectory(j *job) {
	j.add(entraUser(UserAdaID, "Ada", "Park", UserAdaPrincipalName, UserAdaPrincipalName, true))
	j.add(entraUser(UserBenID, "Ben", "Okafor", "ben.okafor@example.com", "ben.okafor@example.com", true))
	chloe := entraUser(UserOutOfScopeID, "Chloe", "Martin", "chloe.martin@example.com", "chloe.martin@example.com", false)
	chloe.skipDetails = outOfScopeUserDetails
	j.add(chloe)

	dev := entraUser(UserFailingID, "Dev", "Patel", "dev.patel@example.com", "", true)
	dev.failure = scimRequiredAttributeFailure("dev.patel@example.com")
	j.add(dev)

	members := []struct{ id, given, surname string }{
		{UserMember1ID, "Elif", "Demir"},
		{UserMember2ID, "Femi", "Adeyemi"},
		{UserMember3ID, "Grace", "Liu"},
		{UserMember4ID, "Hiro", "Tanaka"},
		{UserMember5ID, "Ines", "Costa"},
		{UserMember6ID, "Jonas", "Berg"},
	}
	engineering := entraGroup(GroupEngineeringID, GroupEngineeringName, true)
	for _, m := range members {
		upn := strings.ToLower(m.given + "." + m.surname + "@example.com")
		j.add(entraUser(m.id, m.given, m.surname, upn, upn, true)) // in scope through the group
		engineering.members = append(engineering.members, m.id)
	}
	j.add(engineering)

	seedDirectoryExtras(j)

	finance := entraGroup(GroupOutOfScopeID, "Finance", false)
	finance.skipDetails = "The group is not assigned to the application, so it is out of scope for provisioning. Assign the group to the application to provision it."
	j.add(finance)
}

func entraUser(id, given, surname, upn, mail string, inScope bool) *sourceObject {
	displayName := strings.TrimSpace(given + " " + surname)
	nickname, _, _ := strings.Cut(upn, "@")
	return &sourceObject{
		id: id, typeName: "User", displayName: displayName, reportable: upn, inScope: inScope,
		importDetails: map[string]string{
			"objectId": id, "userPrincipalName": upn, "displayName": displayName, "mail": mail,
		},
		properties: []property{
			{"userName", upn},
			{"active", "True"},
			{"displayName", displayName},
			{`emails[type eq "work"].value`, mail},
			{"name.givenName", given},
			{"name.familyName", surname},
			{"externalId", nickname},
		},
	}
}

func entraGroup(id, displayName string, inScope bool) *sourceObject {
	return &sourceObject{
		id: id, typeName: "Group", displayName: displayName, reportable: displayName, inScope: inScope,
		importDetails: map[string]string{"objectId": id, "displayName": displayName},
		properties:    []property{{"displayName", displayName}, {"externalId", id}},
	}
}

// AddUser adds a user to the directory behind the SCIM job and assigns it to the app, so that
// it provisions like UserAdaID (benchmarks use many of them). displayName may be "".
func (s *Server) AddUser(id, userPrincipalName, displayName string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.jobs[jobKey(SCIMServicePrincipalID, SCIMJobID)]
	j.add(entraUser(id, displayName, "", userPrincipalName, userPrincipalName, true))
}

// AddGroup adds a group to the directory behind the SCIM job and assigns it to the app, with
// memberIDs (users added with AddUser) as its members, so that it provisions like
// GroupEngineeringID.
func (s *Server) AddGroup(id, displayName string, memberIDs []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.jobs[jobKey(SCIMServicePrincipalID, SCIMJobID)]
	g := entraGroup(id, displayName, true)
	g.members = append(g.members, memberIDs...)
	j.add(g)
}

func cloudSyncJob(created time.Time) *job {
	j := &job{
		servicePrincipalID: CloudSyncServicePrincipalID,
		id:                 CloudSyncJobID,
		templateID:         "AD2AADProvisioning",
		scheduleInterval:   "PT2M",
		scheduleState:      "Active",
		statusCode:         "Active",
		lastExecution:      lastExecution(created.Add(-90 * time.Second)),
		settings: []map[string]string{
			{"name": "Domain", "value": `{"domain":"corp.example.com"}`},
			{"name": "PasswordHashSyncEnabled", "value": "true"},
		},
		rule: synchronizationRule{
			id:              CloudSyncUserRuleID,
			name:            "Provision Active Directory Users",
			sourceDirectory: "Active Directory",
			targetDirectory: entraDirectory,
			mappings: []objectMapping{{name: "Provision Active Directory users", source: "user", target: "User", attributes: []attributeMapping{
				{target: "onPremisesImmutableId", source: "objectGUID", matching: 1},
				{target: "displayName", source: "displayName"},
				{target: "userPrincipalName", source: "userPrincipalName"},
				{target: "mail", source: "mail"},
				{target: "accountEnabled", source: "userAccountControl", function: "IsAccountEnabled"},
			}}},
		},
		sourceSystem:   "Active Directory",
		targetSystem:   entraDirectory,
		minimalEntries: true,
		foldIDs:        true,
	}
	j.add(&sourceObject{id: CloudSyncUserDN, typeName: "user", displayName: "Ada Park", reportable: UserAdaPrincipalName, inScope: true})
	j.add(&sourceObject{id: CloudSyncDocumentedUserDN, typeName: "user", displayName: "Adele Vest", reportable: "adelev@corp.example.com", inScope: true})
	j.add(&sourceObject{id: CloudSyncOutOfScopeDN, typeName: "user", displayName: "Backup Service", reportable: "svc-backup@corp.example.com",
		skipDetails: "The object's organizational unit is not in the scope of the configuration."})
	return j
}

func workdayJob(created time.Time) *job {
	j := &job{
		servicePrincipalID: WorkdayServicePrincipalID,
		id:                 WorkdayJobID,
		templateID:         "workdayToAD",
		scheduleInterval:   "PT40M",
		scheduleState:      "Active",
		statusCode:         "Active",
		lastExecution:      lastExecution(created.Add(-31 * time.Minute)),
		settings: []map[string]string{
			{"name": "WorkdayTenantUrl", "value": "https://wd3-impl-services1.workday.com/ccx/service/contoso4"},
			{"name": "WorkdayApiVersion", "value": "v21.1"},
		},
		rule: synchronizationRule{
			id:              WorkdayWorkerRuleID,
			name:            "Workday Worker to Active Directory User",
			sourceDirectory: "Workday",
			targetDirectory: "Active Directory",
			mappings: []objectMapping{{name: "Synchronize Workday Worker to On Premises Active Directory User", source: "Worker", target: "user", attributes: []attributeMapping{
				{target: "employeeID", source: "WorkerID", matching: 1},
				{target: "sAMAccountName", source: "PreferredNameData", function: "SelectUniqueValue"},
				{target: "givenName", source: "PreferredFirstName"},
				{target: "sn", source: "PreferredLastName"},
				{target: "displayName", source: "PreferredNameData"},
				{target: "userPrincipalName", source: "UserID"},
				{target: "parentDistinguishedName", source: "Company", function: "Switch"},
			}}},
		},
		sourceSystem:      "Workday",
		targetSystem:      "Active Directory",
		groupsUnsupported: true,
	}
	j.add(&sourceObject{
		id: WorkdayWorkerID, typeName: "Worker", displayName: "Ada Park", reportable: WorkdayWorkerID, inScope: true,
		importDetails: map[string]string{"WorkerID": WorkdayWorkerID, "PreferredFirstName": "Ada", "PreferredLastName": "Park", "WorkerStatus": "Active"},
		properties: []property{
			{"employeeID", WorkdayWorkerID},
			{"sAMAccountName", "apark"},
			{"givenName", "Ada"},
			{"sn", "Park"},
			{"displayName", "Ada Park"},
			{"userPrincipalName", "ada.park@corp.example.com"},
			{"parentDistinguishedName", "OU=Staff,DC=corp,DC=example,DC=com"},
		},
	})
	j.add(&sourceObject{
		id: WorkdayOutOfScopeWorkerID, typeName: "Worker", displayName: "Ben Okafor", reportable: WorkdayOutOfScopeWorkerID,
		importDetails: map[string]string{"WorkerID": WorkdayOutOfScopeWorkerID, "PreferredFirstName": "Ben", "PreferredLastName": "Okafor", "WorkerStatus": "Terminated"},
		skipDetails:   "The worker does not satisfy the scoping filter 'Active workers' (WorkerStatus is Terminated), so it is out of scope for provisioning.",
	})
	return j
}
