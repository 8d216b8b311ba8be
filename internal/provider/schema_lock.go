package provider

import (
	"strings"
	"sync"
)

// jobSchemaLocks serialises the read-modify-writes of one job's schema in this process, as the
// azurerm provider's per-resource locks do: several entrasync_attribute_mappings of one job
// apply in parallel, and each must read the schema the previous one wrote. Terraform runs each
// provider configuration in a process of its own, so only resources of one configuration are
// serialised; the resource's documentation says so.
var jobSchemaLocks = &keyedMutex{}

type keyedMutex struct {
	mu    sync.Mutex
	locks map[string]*sync.Mutex
}

// lockJobSchema holds the lock of one job's schema until the returned function is called.
func lockJobSchema(servicePrincipalID, jobID string) (unlock func()) {
	return jobSchemaLocks.lock(schemaKey(servicePrincipalID, jobID))
}

func (k *keyedMutex) lock(key string) func() {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = map[string]*sync.Mutex{}
	}
	l, ok := k.locks[key]
	if !ok {
		l = &sync.Mutex{}
		k.locks[key] = l
	}
	k.mu.Unlock()
	l.Lock()
	return l.Unlock
}

// schemaKey names one job's schema: service principal ids compare without case, job ids exactly.
func schemaKey(servicePrincipalID, jobID string) string {
	return strings.ToLower(servicePrincipalID) + "/" + jobID
}
