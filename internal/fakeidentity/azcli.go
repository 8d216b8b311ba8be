package fakeidentity

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// AzureCLI describes the fake `az`: who is logged in and what it answers.
type AzureCLI struct {
	Token    string // the accessToken it prints (MintToken)
	Resource string // the only --resource it has a token for
	TenantID string // the --tenant it expects; "" = it must not be given one
	// LoggedOut makes it fail as az does before `az login`.
	LoggedOut bool
}

// InstalledCLI is a fake `az` written to a directory.
type InstalledCLI struct {
	Dir   string // put it first on PATH
	calls string
}

// InstallAzureCLI writes an `az` shell script into dir that answers
// `az account get-access-token -o json --resource R [--tenant T]` like Azure CLI 2.x, and
// records each call's arguments.
func InstallAzureCLI(dir string, cli AzureCLI) (*InstalledCLI, error) {
	for _, v := range []string{cli.Token, cli.Resource, cli.TenantID, dir} {
		if strings.ContainsAny(v, "'\n\\") {
			return nil, fmt.Errorf("fakeidentity: %q cannot be written into a shell script", v)
		}
	}
	in := &InstalledCLI{Dir: dir, calls: filepath.Join(dir, "az.calls")}
	expires := time.Now().Add(time.Hour)
	answer := fmt.Sprintf(`{"accessToken": "%s", "expiresOn": "%s", "expires_on": %d, "subscription": "00000000-0000-0000-0000-000000000000", "tenant": "%s", "tokenType": "Bearer"}`,
		cli.Token, expires.Format("2006-01-02 15:04:05.000000"), expires.Unix(), cli.TenantID)
	loggedOut := ""
	if cli.LoggedOut {
		loggedOut = `echo "ERROR: Please run 'az login' to setup account." >&2; exit 1`
	}
	script := fmt.Sprintf(`#!/bin/sh
# Fake Azure CLI written by internal/fakeidentity for tests; shell builtins only, so PATH may hold nothing else.
echo "$*" >> '%s'
if [ "$1 $2" != "account get-access-token" ]; then echo "ERROR: fake az: unsupported command: $*" >&2; exit 2; fi
%s
resource=""; tenant=""
while [ $# -gt 0 ]; do
  case "$1" in
    --resource) resource="$2"; shift ;;
    --tenant) tenant="$2"; shift ;;
  esac
  shift
done
if [ "$resource" != '%s' ]; then echo "ERROR: fake az: no token for resource '$resource'" >&2; exit 1; fi
if [ "$tenant" != '%s' ]; then echo "ERROR: fake az: logged in to tenant '%s', not '$tenant'" >&2; exit 1; fi
printf '%%s\n' '%s'
`, in.calls, loggedOut, cli.Resource, cli.TenantID, cli.TenantID, answer)
	if err := os.WriteFile(filepath.Join(dir, "az"), []byte(script), 0o755); err != nil { //nolint:gosec // an executable, on purpose
		return nil, err
	}
	return in, nil
}

// Calls are the argument lines `az` was called with, oldest first.
func (c *InstalledCLI) Calls() []string {
	b, err := os.ReadFile(c.calls)
	if err != nil {
		return nil
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}
