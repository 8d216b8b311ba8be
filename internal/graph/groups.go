package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// GroupMemberPermission is what the member reads need ("List group members", least privileged,
// application and delegated: https://learn.microsoft.com/graph/api/group-list-members).
const GroupMemberPermission = "GroupMember.Read.All"

// ListGroupUserIDs returns the object ids of the users among a group's members, in the order Graph
// lists them, following @odata.nextLink to the last page. transitive reads /transitiveMembers
// (users of nested groups too, each once) instead of the direct /members
// (https://learn.microsoft.com/graph/api/group-list-transitivemembers). Members that are not
// users (groups, devices, service principals, contacts) are left out: provisionOnDemand takes
// users as a group's members. A read: retried like every call, never waiting for a job's limiter.
func (c *Client) ListGroupUserIDs(ctx context.Context, groupID string, transitive bool) ([]string, error) {
	if groupID == "" {
		return nil, errors.New("graph: listing group members needs a group id")
	}
	relation := "members"
	if transitive {
		relation = "transitiveMembers"
	}
	// $select=id keeps pages small; "@odata.type" comes with every object whatever is selected.
	path := "/groups/" + url.PathEscape(groupID) + "/" + relation + "?$select=id"
	var ids []string
	for path != "" {
		payload, requestID, err := c.do(ctx, http.MethodGet, path, nil, nil)
		if err != nil {
			return nil, err
		}
		var page struct {
			Value []lenient[struct {
				Type jsonText `json:"@odata.type"`
				ID   jsonText `json:"id"`
			}] `json:"value"`
			NextLink jsonText `json:"@odata.nextLink"`
		}
		if err := json.Unmarshal(payload, &page); err != nil {
			return nil, fmt.Errorf("graph: reading the members of group %s (request-id: %s): %w", groupID, requestID, err)
		}
		for _, m := range page.Value {
			if strings.EqualFold(string(m.v.Type), "#microsoft.graph.user") && m.v.ID != "" {
				ids = append(ids, string(m.v.ID))
			}
		}
		if path, err = c.nextPath(string(page.NextLink)); err != nil {
			return nil, fmt.Errorf("graph: the members of group %s (request-id: %s): %w", groupID, requestID, err)
		}
	}
	return ids, nil
}

// nextPath turns an @odata.nextLink into a path for c.do: "" for none. The link must point at
// the client's own endpoint and version, so the token is never sent anywhere else.
func (c *Client) nextPath(nextLink string) (string, error) {
	if nextLink == "" {
		return "", nil
	}
	rest, ok := strings.CutPrefix(nextLink, c.baseURL+"/")
	if !ok {
		return "", fmt.Errorf("@odata.nextLink %q is not under %s; the next page was not read", nextLink, c.baseURL)
	}
	return "/" + rest, nil
}
