package provider

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/entrasync/terraform-provider-entrasync/internal/fakegraph"
)

// testAccProviders runs the provider in the test process, so tests can read the fake's request log.
var testAccProviders = map[string]func() (tfprotov6.ProviderServer, error){
	"entrasync": providerserver.NewProtocol6WithError(New("test")()),
}

// cliIsOpenTofu reports whether the acceptance tests run OpenTofu (make test-tofu) rather than
// Terraform: the CLI at TF_ACC_TERRAFORM_PATH names itself in the first line of its version.
var cliIsOpenTofu = sync.OnceValue(func() bool {
	path := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if path == "" {
		return false // terraform-plugin-testing then looks for terraform
	}
	out, err := exec.Command(path, "version").Output()
	return err == nil && strings.HasPrefix(string(out), "OpenTofu")
})

// testTokenValue is the bearer token the tests sign in with; log tests search for it.
const testTokenValue = "test-token-3c2f0e9a" //nolint:gosec // a fake token for the fake Graph

// fakeEnv is one fake Graph service and the provider block that points at it.
type fakeEnv struct {
	srv      *fakegraph.Server
	url      string
	provider string
}

// newFakeEnv starts a fake Graph that enforces limit per interval, and a provider whose
// client-side limiter uses the same limit unless clientLimit overrides it.
func newFakeEnv(t *testing.T, opts fakegraph.Options, providerExtra string) *fakeEnv {
	t.Helper()
	if opts.RateLimitRequests == 0 && opts.RateLimitInterval == 0 {
		opts.RateLimitRequests, opts.RateLimitInterval = 5, time.Second
	}
	srv := fakegraph.New(opts)
	url := srv.Start()
	t.Cleanup(srv.Close)
	block := fmt.Sprintf(`
provider "entrasync" {
  graph_endpoint      = %q
  access_token        = %q
  rate_limit_requests = %d
  rate_limit_interval = %q
  %s
}
`, url, testTokenValue, opts.RateLimitRequests, opts.RateLimitInterval.String(), providerExtra)
	return &fakeEnv{srv: srv, url: url, provider: block}
}

// provisionCalls counts the provisionOnDemand requests the fake received.
func (e *fakeEnv) provisionCalls() int {
	n := 0
	for _, r := range e.srv.Requests() {
		if strings.HasSuffix(r.Path, "/provisionOnDemand") {
			n++
		}
	}
	return n
}

func (e *fakeEnv) throttled() int {
	n := 0
	for _, r := range e.srv.Requests() {
		if r.Status == 429 {
			n++
		}
	}
	return n
}
