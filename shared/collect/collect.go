// Package collect reads a live AWS account into an inventory, in the same
// CloudFormation vocabulary the serverless.yml and template loaders write,
// so the one rulebook judges the account as it judges a deploy.
//
// There is one collector per service. Each lists with the SDK's paginators,
// fetches per-resource details with bounded concurrency, and never stops
// the others: a service that fails (access denied, throttling beyond the
// adaptive retryer, an outage, the deadline) is returned as a Failure, which
// the audit reports as "not audited" and counts against the run.
//
// Identity of live resources: ID and ARN are the resource's ARN (the only
// identifier unique across services: a table, a queue and a function may
// share a name), Name is its physical name (function name, bucket name,
// queue name, API name, subnet id), so inventory.Resolve finds a reference
// written as an ARN or as a name. References between resources (RestApiId,
// FunctionName, TopicArn, EventSourceArn, VpcConfig.SubnetIds) are written
// as those strings. Sub-resources without an ARN of their own (a Lambda
// resource-policy statement, a function URL, an event invoke config, a
// bucket policy) have ID "<parent ARN>#<what>", no ARN, and the parent's
// stack.
package collect

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"prodready/shared/inventory"
	"prodready/shared/tracing"
	"prodready/shared/value"
)

// StackTag is the tag CloudFormation puts on every resource of a stack; it
// names the service (Serverless Framework: <service>-<stage>).
const StackTag = "aws:cloudformation:stack-name"

// LogicalIDTag is the tag CloudFormation puts on every resource of a stack
// with its logical id; it tells the Framework's own resources
// (ServerlessDeploymentBucket, the custom-resource functions) apart, and is
// kept in Attrs["LogicalId"].
const LogicalIDTag = "aws:cloudformation:logical-id"

// Options say what to collect.
type Options struct {
	// Account and Region are the account id and region being audited; they
	// build the ARNs that some APIs do not return.
	Account string
	Region  string
	// Concurrency bounds the detail calls in flight per service (0: 8).
	// Services run side by side, so at most about 15×Concurrency calls are
	// in flight; the adaptive retryer slows down when AWS throttles.
	Concurrency int
	// Services, when set, limits collection to these services (by Name).
	Services []string
}

// Failure is a service, or one resource of it, that could not be read.
type Failure struct {
	Service string `json:"service"`
	// Resource names the resource whose details failed, "" for the whole service.
	Resource string `json:"resource,omitempty"`
	// Reason is access-denied, throttled, deadline, unavailable or error.
	Reason string `json:"reason"`
	// Message is the error, with the operation that failed.
	Message string `json:"message"`
	// Types are the resource types the service would have produced (for
	// the tagging service: whose tags it reads): findings of these types
	// are unknown, not fixed, when the service failed.
	Types []string `json:"-"`
	// Effect says what the report is missing because of the failure.
	Effect string `json:"effect"`
}

// ServiceStat is what one collector did.
type ServiceStat struct {
	Service   string        `json:"service"`
	Resources int           `json:"resources"`
	Duration  time.Duration `json:"durationNs"`
	Failed    bool          `json:"failed,omitempty"`
}

// Result is a collected inventory and what it cost.
type Result struct {
	Inventory *inventory.Inventory
	Failures  []Failure
	Services  []ServiceStat
	Duration  time.Duration
}

// Service describes one collector.
type Service struct {
	// Name is the collector's name, as --services and reports spell it.
	Name string
	// Types are the CloudFormation types it produces.
	Types []string
	// Actions are the IAM actions its calls need (all read-only).
	Actions []string
	has     func(Clients) bool
	collect func(context.Context, *svc) error
}

// Services returns every collector in the order they run. The tagging
// collector comes first: the others read the tags it fetched in bulk.
func Services() []Service {
	return []Service{
		taggingService, ec2Service, apiGatewayService, apiGatewayV2Service, lambdaService, logsService,
		cloudWatchService, syntheticsService, s3Service, dynamoDBService, sqsService, snsService,
		rdsService, openSearchService, redshiftService, kafkaService,
	}
}

// Actions returns the IAM actions every collector needs, sorted: the
// auditor's read-only policy.
func Actions() []string {
	var out []string
	for _, s := range Services() {
		out = append(out, s.Actions...)
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// Collect reads the account. It returns whatever it could read: failures
// are in Result.Failures, never silently dropped. ctx's deadline bounds it;
// services still running at the deadline fail with reason "deadline".
func Collect(ctx context.Context, clients Clients, o Options) Result {
	start := time.Now()
	if o.Concurrency < 1 {
		o.Concurrency = 8
	}
	r := &run{clients: clients, o: o, tags: map[string]map[string]string{}}
	var todo []Service
	for _, s := range Services() {
		if !s.has(clients) || (len(o.Services) > 0 && !slices.Contains(o.Services, s.Name)) {
			continue
		}
		todo = append(todo, s)
	}
	stats := make([]ServiceStat, len(todo))
	runOne := func(i int) {
		s := todo[i]
		t0 := time.Now()
		sv := &svc{run: r, Service: s}
		err := tracing.Span(ctx, "collect."+s.Name, func(ctx context.Context) error {
			tracing.Annotate(ctx, "service", s.Name)
			return s.collect(ctx, sv)
		})
		if err != nil {
			sv.failure("", err)
		}
		stats[i] = ServiceStat{Service: s.Name, Resources: sv.count(), Duration: time.Since(t0), Failed: sv.failed()}
	}
	// Tags first (one bulk call per 100 resources instead of one per
	// resource); then every other service side by side.
	rest := 0
	if len(todo) > 0 && todo[0].Name == taggingService.Name {
		runOne(0)
		rest = 1
	}
	var wg sync.WaitGroup
	for i := rest; i < len(todo); i++ {
		wg.Add(1)
		go func() { defer wg.Done(); runOne(i) }()
	}
	wg.Wait()

	inv := inventory.New(inventory.FromLive)
	inv.Region, inv.Account = o.Region, o.Account
	sort.SliceStable(r.resources, func(i, j int) bool {
		a, b := r.resources[i], r.resources[j]
		if a.Type != b.Type {
			return a.Type < b.Type
		}
		return a.ID < b.ID
	})
	for _, res := range r.resources {
		inv.Add(res)
	}
	sort.Slice(r.failures, func(i, j int) bool {
		a, b := r.failures[i], r.failures[j]
		if a.Service != b.Service {
			return a.Service < b.Service
		}
		return a.Resource < b.Resource
	})
	return Result{Inventory: inv, Failures: r.failures, Services: stats, Duration: time.Since(start)}
}

// run is one collection's shared state.
type run struct {
	clients Clients
	o       Options
	// tags maps ARN to tags, from the tagging API; written before the other
	// collectors start, read-only afterwards.
	tags map[string]map[string]string

	mu        sync.Mutex
	resources []*inventory.Resource
	failures  []Failure
}

// svc is the handle a collector writes through.
type svc struct {
	*run
	Service
	n    int
	fail bool
}

func (s *svc) count() int   { s.mu.Lock(); defer s.mu.Unlock(); return s.n }
func (s *svc) failed() bool { s.mu.Lock(); defer s.mu.Unlock(); return s.fail }

// add records a live resource: Origin, tags (given, or else from the bulk
// tag map by ARN) and Stack from the CloudFormation stack tag.
func (s *svc) add(r *inventory.Resource, tags map[string]string) *inventory.Resource {
	if tags == nil && r.ARN != "" {
		tags = s.tags[r.ARN]
	}
	r.Origin = inventory.FromLive
	if r.Tags == nil {
		r.Tags = map[string]*value.Node{}
	}
	for k, v := range tags {
		r.Tags[k] = value.NewString(v, value.Pos{})
	}
	if r.Stack == "" {
		r.Stack = tags[StackTag]
	}
	if id := tags[LogicalIDTag]; id != "" {
		if r.Attrs == nil {
			r.Attrs = map[string]string{}
		}
		r.Attrs["LogicalId"] = id
		r.Framework = id == "ServerlessDeploymentBucket" || id == "ServerlessDeploymentBucketPolicy" || strings.HasPrefix(id, "CustomDashresourceDash")
	}
	s.mu.Lock()
	s.resources = append(s.resources, r)
	s.n++
	s.mu.Unlock()
	return r
}

// child records a sub-resource that belongs to parent's stack.
func (s *svc) child(parent, r *inventory.Resource) *inventory.Resource {
	r.Stack = parent.Stack
	return s.add(r, map[string]string{})
}

// failure records that the service (resource "") or one resource of it
// could not be read. A resource whose details failed is left out of the
// inventory by its collector: a half-read resource would fail rules for
// settings it may well have.
func (s *svc) failure(resource string, err error) {
	f := Failure{Service: s.Name, Resource: resource, Reason: Reason(err), Message: err.Error(), Types: s.Types}
	switch {
	case resource != "":
		f.Effect = "this resource was not checked"
	case s.Name == taggingService.Name:
		f.Effect = "the tags of " + strings.Join(s.Types, ", ") + " were not read: their backup tags, exemption tags and stacks are unknown"
	default:
		f.Effect = strings.Join(s.Types, ", ") + " were not checked"
	}
	s.mu.Lock()
	s.failures = append(s.failures, f)
	s.fail = true
	s.mu.Unlock()
}

// detail runs fn for every item with the service's concurrency bound. A
// failing item is recorded against its name and skipped; the others go on.
// Only the context ending stops the loop (and fails the service).
func detail[T any](ctx context.Context, s *svc, items []T, name func(T) string, fn func(context.Context, T) error) error {
	return each(ctx, s.o.Concurrency, items, func(ctx context.Context, it T) error {
		if err := fn(ctx, it); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			s.failure(name(it), err)
		}
		return nil
	})
}

// wrap names the operation that failed.
func wrap(op, subject string, err error) error {
	if subject == "" {
		return fmt.Errorf("%s: %w", op, err)
	}
	return fmt.Errorf("%s %s: %w", op, subject, err)
}

// lastSegment returns what follows the last ':' or '/' of an ARN.
func lastSegment(arn string) string { return arn[strings.LastIndexAny(arn, ":/")+1:] }
