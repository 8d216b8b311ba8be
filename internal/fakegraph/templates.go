package fakegraph

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
)

// An Entra ID to SCIM app with a template and no job yet: the starting point of "from nothing
// to provisioned". Its target accepts SCIMBaseAddress and SCIMSecretToken.
const (
	UnconfiguredSCIMServicePrincipalID = "b3f7a2d9-6c1e-4f58-9a0b-e4d2c8f1a765"
	UnconfiguredSCIMRuleID             = "e1c9b7a3-5d2f-4a80-b6e4-7f3a0d9c2b15#V2"
)

// template is a synchronizationTemplate ("synchronizationTemplate resource type",
// learn.microsoft.com/graph/api/resources/synchronization-synchronizationtemplate): its schema
// is the default schema of the jobs made from it.
type template struct {
	id            string
	applicationID string
	isDefault     bool
	description   string
	factoryTag    string
	metadata      []keyValue
	schema        *schemaDoc
	expected      []keyValue // the credentials the target accepts; none: any
	build         func(servicePrincipalID, jobID string, created time.Time) *job
}

// seedTemplates gives every seeded service principal the template of its job, with the
// job's schema as the default, and seeds the app that has no job yet.
func (s *Server) seedTemplates(created time.Time) {
	s.templates = map[string][]*template{}
	for _, j := range seedJobs(created) {
		t := templateOf(j)
		sp := strings.ToLower(j.servicePrincipalID)
		s.templates[sp] = []*template{t}
	}
	unconfigured := scimJob(UnconfiguredSCIMServicePrincipalID, "scim.template", UnconfiguredSCIMRuleID, created)
	t := templateOf(unconfigured)
	s.templates[strings.ToLower(UnconfiguredSCIMServicePrincipalID)] = []*template{t}
	s.byPrincipal[strings.ToLower(UnconfiguredSCIMServicePrincipalID)] = []*job{}
}

func templateOf(j *job) *template {
	t := &template{
		id:            j.templateID,
		applicationID: uuid.NewSHA1(uuid.NameSpaceURL, []byte("app/"+strings.ToLower(j.servicePrincipalID))).String(),
		isDefault:     true,
		factoryTag:    j.templateID,
		metadata:      []keyValue{{Key: "supportsProvisionOnDemand", Value: "true"}},
		schema:        schemaOf(j),
	}
	t.schema.ID = t.id
	switch j.templateID {
	case "scim":
		t.description = "Provision users and groups from Microsoft Entra ID to an application's SCIM 2.0 endpoint."
		t.expected = []keyValue{{Key: "BaseAddress", Value: SCIMBaseAddress}, {Key: "SecretToken", Value: SCIMSecretToken}}
		ruleID := j.rule.id
		t.build = func(sp, id string, created time.Time) *job {
			nj := scimJob(sp, id, ruleID, created)
			seedEntraDirectory(nj)
			return nj
		}
	case "workdayToAD":
		t.description = "Provision workers from Workday to on-premises Active Directory."
		t.expected = []keyValue{{Key: "UserName", Value: WorkdayUserName}, {Key: "Password", Value: WorkdayPassword}, {Key: "BaseAddress", Value: WorkdayBaseAddress}}
		t.build = rebuild(workdayJob)
	default:
		t.description = "Microsoft Entra Cloud Sync: provision users from Active Directory to Microsoft Entra ID through the provisioning agent."
		t.build = rebuild(cloudSyncJob)
	}
	return t
}

// rebuild adapts a seed function with fixed ids to a template's job builder.
func rebuild(seed func(time.Time) *job) func(string, string, time.Time) *job {
	return func(sp, id string, created time.Time) *job {
		j := seed(created)
		j.servicePrincipalID, j.id = sp, id
		return j
	}
}

// schemaOf is the job's schema document as the seeded rule describes it.
func schemaOf(j *job) *schemaDoc {
	var d schemaDoc
	if err := json.Unmarshal(marshal(j.schemaJSON()), &d); err != nil {
		panic(err)
	}
	enrichDirectories(&d)
	d.normalise()
	return &d
}

// template finds a service principal's template by id. Callers hold s.mu.
func (s *Server) template(servicePrincipalID, id string) *template {
	for _, t := range s.templates[strings.ToLower(servicePrincipalID)] {
		if t.id == id {
			return t
		}
	}
	return nil
}

func (t *template) json(withSchema bool) map[string]any {
	v := map[string]any{
		"id":            t.id,
		"applicationId": t.applicationID,
		"default":       t.isDefault,
		"description":   t.description,
		"discoverable":  true,
		"factoryTag":    t.factoryTag,
		"metadata":      nonNil(t.metadata),
	}
	if withSchema {
		v["schema"] = t.schema
	}
	return v
}

// serveTemplates answers "List synchronizationTemplates". schema is a relationship, so it is
// in the answer only with $expand=schema; templates/{id}/schema reads it alone.
func (s *Server) serveTemplates(x *exchange, rt route) {
	expand := strings.Contains(strings.ToLower(x.r.URL.Query().Get("$expand")), "schema")
	s.mu.Lock()
	templates := s.templates[strings.ToLower(rt.servicePrincipalID)]
	value := make([]map[string]any, len(templates))
	for i, t := range templates {
		value[i] = t.json(expand)
	}
	body := marshal(value)
	s.mu.Unlock()
	s.writeJSON(x, http.StatusOK, map[string]any{
		"@odata.context": odataBase(x.r, rt.version) + "#servicePrincipals('" + rt.servicePrincipalID + "')/synchronization/templates",
		"value":          json.RawMessage(body),
	})
}

func (s *Server) serveTemplateSchema(x *exchange, rt route) {
	s.mu.Lock()
	t := s.template(rt.servicePrincipalID, rt.jobID)
	var body map[string]any
	if t != nil {
		body = schemaBody(t.schema)
	}
	s.mu.Unlock()
	if t == nil {
		s.writeError(x, http.StatusNotFound, "Request_ResourceNotFound",
			"The synchronization template '"+rt.jobID+"' does not exist for service principal '"+rt.servicePrincipalID+"'.")
		return
	}
	body["@odata.context"] = odataBase(x.r, rt.version) + "#servicePrincipals('" + rt.servicePrincipalID + "')/synchronization/templates('" + t.id + "')/schema/$entity"
	s.writeJSON(x, http.StatusOK, body)
}

// schemaBody is a schema document as a map, so an answer can add @odata.context.
func schemaBody(d *schemaDoc) map[string]any {
	var body map[string]any
	if err := json.Unmarshal(marshal(d), &body); err != nil {
		panic(err)
	}
	return body
}

// directoryAttributes are attributes the seeded directories offer beyond the ones their
// mappings use, so a schema can map or scope on them as in the portal's attribute lists.
var directoryAttributes = map[string][]attributeDef{
	entraDirectory + "/User": {
		{Name: "department"}, {Name: "jobTitle"}, {Name: "employeeId"}, {Name: "country"}, {Name: "city"},
		{Name: "preferredLanguage"}, {Name: "objectId"}, {Name: "extensionAttribute1"},
		{Name: "accountEnabled", Type: "Boolean"}, {Name: "appRoleAssignments", Multivalued: true},
		{Name: "manager", Type: "Reference", ReferencedObjects: []map[string]any{{"referencedObjectName": "User", "referencedProperty": nil}}},
	},
	entraDirectory + "/Group": {{Name: "description"}, {Name: "mail"}, {Name: "mailNickname"}},
	scimDirectory + "/" + scimUserSchema: {
		{Name: "title"}, {Name: "preferredLanguage"}, {Name: `phoneNumbers[type eq "work"].value`},
		{Name: `addresses[type eq "work"].country`}, {Name: `roles[primary eq "True"].value`},
		{Name: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"},
		{Name: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber"},
	},
	"Workday/Worker":         {{Name: "WorkerStatus"}, {Name: "Department"}, {Name: "JobTitle"}, {Name: "EmailAddress"}},
	"Active Directory/user":  {{Name: "department"}, {Name: "title"}, {Name: "mail"}, {Name: "company"}},
	"Active Directory/group": {{Name: "description"}},
}

// enrichDirectories adds directoryAttributes to a schema's objects.
func enrichDirectories(d *schemaDoc) {
	for i := range d.Directories {
		dir := &d.Directories[i]
		for k := range dir.Objects {
			o := &dir.Objects[k]
			for _, a := range directoryAttributes[dir.Name+"/"+o.Name] {
				if o.attribute(a.Name) != nil {
					continue
				}
				if a.Type == "" {
					a.Type = "String"
				}
				a.Mutability = "ReadWrite"
				o.Attributes = append(o.Attributes, a)
			}
		}
	}
}
