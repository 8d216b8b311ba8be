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
	if !errors.Is(err, ErrAnswerTooLarge) || !strings.Contains(err.Error(), "larger than 16 MiB") {
		t.Errorf("oversized answer: got %v", err)
	}
	_, err = c.ProvisionOnDemand(context.Background(), testSP, testJob(t), groupRequest)
	var ge *Error
	if !errors.As(err, &ge) || len(ge.Message) > maxSnippet+len("…") || !strings.HasPrefix(ge.Message, "éé") {
		t.Errorf("oversized error: got %v", err)
	}
}

func TestAnOversizedReadIsNotRetried(t *testing.T) {
	g := newFakeGraph(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"value":["` + strings.Repeat("x", maxResultBytes) + `"]}`))
	})
	c, _ := newTestClient(t, g, nil)
	_, err := c.ListSynchronizationJobs(context.Background(), testSP)
	if !errors.Is(err, ErrAnswerTooLarge) {
		t.Fatalf("want ErrAnswerTooLarge, got %v", err)
	}
	if n := len(g.seen()); n != 1 {
		t.Errorf("requests = %d, want 1: the next answer would be as large", n)
	}
}
