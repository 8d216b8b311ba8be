package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tfsdklog"
)

// The RPCs Terraform sends for every resource instance of a refreshing plan, in that order.
const (
	rpcValidate = "ValidateResourceConfig"
	rpcUpgrade  = "UpgradeResourceState"
	rpcRead     = "ReadResource"
	rpcPlan     = "PlanResourceChange"
)

var planRPCs = []string{rpcValidate, rpcUpgrade, rpcRead, rpcPlan}

// rpcServer drives a framework provider's protocol 6 server in this process, as Terraform would
// through gRPC, so that a plan's cost can be measured and profiled RPC by RPC without the CLI.
type rpcServer struct {
	server       tfprotov6.ProviderServer
	typeName     string
	resourceType tftypes.Type
	// logs, when set, receives the SDK's logs at the level a provider process has by default
	// (TRACE, whatever TF_LOG says), as terraform-plugin-go's server writes them to stderr.
	logs *os.File
}

func newRPCServer(ctx context.Context, p provider.Provider, typeName, providerConfigJSON string) (*rpcServer, error) {
	server, err := providerserver.NewProtocol6WithError(p)()
	if err != nil {
		return nil, err
	}
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err := errors.Join(err, diagnosticsError(schemas.Diagnostics)); err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	s := &rpcServer{server: server, typeName: typeName}
	resource, ok := schemas.ResourceSchemas[typeName]
	if !ok {
		return nil, fmt.Errorf("the provider has no resource %s", typeName)
	}
	s.resourceType = resource.ValueType()
	config, err := dynamicValue(providerConfigJSON)
	if err != nil {
		return nil, fmt.Errorf("provider configuration: %w", err)
	}
	configured, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{TerraformVersion: "1.11.4", Config: config})
	if err := errors.Join(err, diagnosticsError(configured.Diagnostics)); err != nil {
		return nil, fmt.Errorf("configure: %w", err)
	}
	return s, nil
}

// appliedInstance is one resource instance as Terraform keeps it: its configuration and the
// state JSON of its state file.
type appliedInstance struct {
	config *tfprotov6.DynamicValue
	state  []byte
}

// apply creates one instance from its configuration (as JSON) and returns it as applied.
func (s *rpcServer) apply(ctx context.Context, configJSON string) (appliedInstance, error) {
	config, err := dynamicValue(configJSON)
	if err != nil {
		return appliedInstance{}, err
	}
	null, err := tfprotov6.NewDynamicValue(s.resourceType, tftypes.NewValue(s.resourceType, nil))
	if err != nil {
		return appliedInstance{}, err
	}
	planned, err := s.server.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
		TypeName: s.typeName, PriorState: &null, ProposedNewState: config, Config: config,
	})
	if err := errors.Join(err, diagnosticsError(planned.Diagnostics)); err != nil {
		return appliedInstance{}, fmt.Errorf("plan of a new instance: %w", err)
	}
	applied, err := s.server.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{
		TypeName: s.typeName, PriorState: &null, PlannedState: planned.PlannedState, Config: config, PlannedPrivate: planned.PlannedPrivate,
	})
	if err := errors.Join(err, diagnosticsError(applied.Diagnostics)); err != nil {
		return appliedInstance{}, fmt.Errorf("apply: %w", err)
	}
	value, err := applied.NewState.Unmarshal(s.resourceType)
	if err != nil {
		return appliedInstance{}, err
	}
	state, err := valueJSON(value)
	if err != nil {
		return appliedInstance{}, err
	}
	encoded, err := json.Marshal(state)
	return appliedInstance{config: config, state: encoded}, err
}

// rpcCost is what one kind of RPC cost over a whole plan.
type rpcCost struct {
	wall        time.Duration
	allocBytes  uint64
	allocations uint64
}

// rpcPlanSample is one plan of every instance: the cost of each RPC and the process's CPU time.
type rpcPlanSample struct {
	instances int
	cpu       time.Duration
	byRPC     map[string]rpcCost
	changed   int // instances whose plan was not "no changes"
}

// plan sends each instance the RPCs of a refreshing plan with no changes pending, labelled by
// RPC for CPU profiles (go tool pprof -tagfocus rpc=ReadResource).
func (s *rpcServer) plan(ctx context.Context, instances []appliedInstance) (rpcPlanSample, error) {
	sample := rpcPlanSample{instances: len(instances), byRPC: map[string]rpcCost{}}
	if s.logs != nil {
		// The SDK's loggers write to os.Stderr as it is when they are made; there is no option for it.
		stderr := os.Stderr
		os.Stderr = s.logs
		ctx = tfsdklog.NewRootSDKLogger(ctx)
		os.Stderr = stderr
	}
	meter := newAllocMeter()
	cpuStart := processCPU()
	for _, inst := range instances {
		var state *tfprotov6.DynamicValue
		var changed bool
		var err error
		for _, rpc := range planRPCs {
			start, before := time.Now(), meter.read()
			pprof.Do(ctx, pprof.Labels("rpc", rpc), func(ctx context.Context) {
				state, changed, err = s.call(ctx, rpc, inst, state)
			})
			after := meter.read()
			c := sample.byRPC[rpc]
			c.wall += time.Since(start)
			c.allocBytes += after.bytes - before.bytes
			c.allocations += after.objects - before.objects
			sample.byRPC[rpc] = c
			if err != nil {
				return sample, fmt.Errorf("%s: %w", rpc, err)
			}
		}
		if changed {
			sample.changed++
		}
	}
	sample.cpu = processCPU() - cpuStart
	return sample, nil
}

// call sends one RPC of the plan; state is the instance's state as the previous RPC left it.
func (s *rpcServer) call(ctx context.Context, rpc string, inst appliedInstance, state *tfprotov6.DynamicValue) (*tfprotov6.DynamicValue, bool, error) {
	switch rpc {
	case rpcValidate:
		resp, err := s.server.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: s.typeName, Config: inst.config})
		return state, false, errors.Join(err, diagnosticsError(resp.Diagnostics))
	case rpcUpgrade:
		resp, err := s.server.UpgradeResourceState(ctx, &tfprotov6.UpgradeResourceStateRequest{
			TypeName: s.typeName, Version: 0, RawState: &tfprotov6.RawState{JSON: inst.state},
		})
		return resp.UpgradedState, false, errors.Join(err, diagnosticsError(resp.Diagnostics))
	case rpcRead:
		resp, err := s.server.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: s.typeName, CurrentState: state})
		return resp.NewState, false, errors.Join(err, diagnosticsError(resp.Diagnostics))
	default:
		// With the configuration unchanged, Terraform's proposed new state is the prior state.
		resp, err := s.server.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
			TypeName: s.typeName, PriorState: state, ProposedNewState: state, Config: inst.config,
		})
		if err := errors.Join(err, diagnosticsError(resp.Diagnostics)); err != nil {
			return state, false, err
		}
		changed, err := differs(s.resourceType, state, resp.PlannedState)
		return state, changed || len(resp.RequiresReplace) > 0, err
	}
}

func differs(typ tftypes.Type, a, b *tfprotov6.DynamicValue) (bool, error) {
	va, errA := a.Unmarshal(typ)
	vb, errB := b.Unmarshal(typ)
	if err := errors.Join(errA, errB); err != nil {
		return false, err
	}
	return !va.Equal(vb), nil
}

// allocMeter reads the heap's cumulative allocations, cheaply enough to read around every RPC.
type allocMeter struct{ samples []metrics.Sample }

type allocCount struct{ bytes, objects uint64 }

func newAllocMeter() *allocMeter {
	return &allocMeter{samples: []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}, {Name: "/gc/heap/allocs:objects"}}}
}

func (m *allocMeter) read() allocCount {
	metrics.Read(m.samples)
	return allocCount{bytes: m.samples[0].Value.Uint64(), objects: m.samples[1].Value.Uint64()}
}

// processCPU is the user and system time of this process so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func dynamicValue(jsonText string) (*tfprotov6.DynamicValue, error) {
	// The protocol takes JSON as well as msgpack; the server decodes it against the schema's type.
	return &tfprotov6.DynamicValue{JSON: []byte(jsonText)}, nil
}

// valueJSON converts a known value to what encoding/json writes as Terraform's state JSON.
func valueJSON(v tftypes.Value) (any, error) {
	if v.IsNull() {
		return nil, nil
	}
	if !v.IsFullyKnown() {
		return nil, errors.New("state holds an unknown value")
	}
	switch v.Type().(type) {
	case tftypes.List, tftypes.Set, tftypes.Tuple:
		var elements []tftypes.Value
		if err := v.As(&elements); err != nil {
			return nil, err
		}
		out := make([]any, len(elements))
		for i, e := range elements {
			var err error
			if out[i], err = valueJSON(e); err != nil {
				return nil, err
			}
		}
		return out, nil
	case tftypes.Map, tftypes.Object:
		var attributes map[string]tftypes.Value
		if err := v.As(&attributes); err != nil {
			return nil, err
		}
		out := make(map[string]any, len(attributes))
		for k, e := range attributes {
			var err error
			if out[k], err = valueJSON(e); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	switch {
	case v.Type().Is(tftypes.String):
		var s string
		return s, v.As(&s)
	case v.Type().Is(tftypes.Bool):
		var b bool
		return b, v.As(&b)
	case v.Type().Is(tftypes.Number):
		f := new(big.Float)
		err := v.As(&f)
		return json.Number(f.Text('g', -1)), err
	}
	return nil, fmt.Errorf("no JSON for a value of type %s", v.Type())
}

func diagnosticsError(diags []*tfprotov6.Diagnostic) error {
	var errs []error
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			errs = append(errs, fmt.Errorf("%s: %s", d.Summary, d.Detail))
		}
	}
	return errors.Join(errs...)
}

// writeCPUProfile runs f with the CPU profiler on, writing to path.
func writeCPUProfile(path string, f func() error) error {
	out, err := createFile(path)
	if err != nil {
		return err
	}
	defer out.Close()
	if err := pprof.StartCPUProfile(out); err != nil {
		return err
	}
	err = f()
	pprof.StopCPUProfile()
	return err
}

// writeAllocsProfile writes the allocations sampled so far (go tool pprof -sample_index=alloc_space).
func writeAllocsProfile(path string) error {
	out, err := createFile(path)
	if err != nil {
		return err
	}
	defer out.Close()
	runtime.GC()
	return pprof.Lookup("allocs").WriteTo(out, 0)
}
