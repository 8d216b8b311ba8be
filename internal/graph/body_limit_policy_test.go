package graph

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
)

func TestBodiesAreCapped(t *testing.T) {
	g := newFakeGraph(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 1 {
			_, _ = w.Write([]byte(`{"key":"` + strings.Repeat("x", maxResultBytes) + `"}`))
			return
		}
		w.WriteHeader(400)
		_, _ = w.Write([]byte(strings.Repeat("é", maxErrorBytes)))
	})
	c, _ := newTestClient(t, g, nil)
	_, err := c.ProvisionOnDemand(context.Background(), testSP, testJob(t), groupRequest)
	if err == nil || !strings.Contains(err.Error(), "larger than 16777216 bytes") {
		t.Errorf("oversized answer: got %v", err)
	}
	_, err = c.ProvisionOnDemand(context.Background(), testSP, testJob(t), groupRequest)
	var ge *Error
	if !errors.As(err, &ge) || len(ge.Message) > maxSnippet+len("…") || !strings.HasPrefix(ge.Message, "éé") {
		t.Errorf("oversized error: got %v", err)
	}
}
