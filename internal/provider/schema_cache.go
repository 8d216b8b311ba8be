package provider

import (
	"context"
	"strings"
	"sync"

	"github.com/entrasync/terraform-provider-entrasync/internal/graph"
)

// schemaCache keeps each job's schema for the life of the configured provider (one plan or
// apply), so any number of resources and data sources of a job cost one read. The zero value
// is ready; it is safe for concurrent use.
type schemaCache struct {
	mu      sync.Mutex
	entries map[string]*schemaEntry
}

type schemaEntry struct {
	done   chan struct{} // closed once schema and err are set
	schema *graph.SynchronizationSchema
	err    error
}

// synchronizationSchema returns the job's schema, reading it on the first request only.
// Concurrent callers wait for that read; a failure is kept too (the next read would fail
// alike), unless the reading caller was cancelled.
func (d *providerData) synchronizationSchema(ctx context.Context, servicePrincipalID, jobID string) (*graph.SynchronizationSchema, error) {
	return d.schemas.get(ctx, schemaKey(servicePrincipalID, jobID), func(ctx context.Context) (*graph.SynchronizationSchema, error) {
		return d.client.GetSynchronizationSchema(ctx, servicePrincipalID, jobID)
	})
}

// schemaKey is a job's key in the cache: service principal ids are GUIDs, job ids are compared exactly.
func schemaKey(servicePrincipalID, jobID string) string {
	return strings.ToLower(servicePrincipalID) + "/" + jobID
}

func (c *schemaCache) get(ctx context.Context, key string, read func(context.Context) (*graph.SynchronizationSchema, error)) (*graph.SynchronizationSchema, error) {
	c.mu.Lock()
	if c.entries == nil {
		c.entries = map[string]*schemaEntry{}
	}
	e, cached := c.entries[key]
	if !cached {
		e = &schemaEntry{done: make(chan struct{})}
		c.entries[key] = e
	}
	c.mu.Unlock()

	if !cached {
		e.schema, e.err = read(ctx)
		if e.err != nil && ctx.Err() != nil {
			c.mu.Lock()
			delete(c.entries, key)
			c.mu.Unlock()
		}
		close(e.done)
	}
	select {
	case <-e.done:
		return e.schema, e.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
