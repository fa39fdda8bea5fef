package collect

import (
	"context"
	"sort"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
)

// Calls counts API calls, per service and operation. One Calls belongs to
// one audit run; the middleware finds it in the call's context, so clients
// built once (outside the Lambda handler) count each run separately.
type Calls struct {
	mu       sync.Mutex
	calls    map[string]int
	attempts map[string]int
}

// NewCalls returns an empty counter.
func NewCalls() *Calls { return &Calls{calls: map[string]int{}, attempts: map[string]int{}} }

type callsKey struct{}

// WithCalls returns a context whose AWS calls are counted in c.
func WithCalls(ctx context.Context, c *Calls) context.Context {
	return context.WithValue(ctx, callsKey{}, c)
}

// CallsFrom returns the counter WithCalls put in ctx, or nil. Fake clients
// in tests count their own calls with it.
func CallsFrom(ctx context.Context) *Calls { return callsFrom(ctx) }

func callsFrom(ctx context.Context) *Calls {
	c, _ := ctx.Value(callsKey{}).(*Calls)
	return c
}

// Count records one call of service/operation (tests with fake clients call
// it themselves; real clients count through CountCalls).
func (c *Calls) Count(service, operation string) {
	c.mu.Lock()
	c.calls[service+"."+operation]++
	c.mu.Unlock()
}

func (c *Calls) attempt(service, operation string) {
	c.mu.Lock()
	c.attempts[service+"."+operation]++
	c.mu.Unlock()
}

// Total returns the number of calls made (each counted once, however many
// times the SDK retried it).
func (c *Calls) Total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, v := range c.calls {
		n += v
	}
	return n
}

// Attempts returns the number of HTTP attempts (calls plus retries); it is
// only known for real clients.
func (c *Calls) Attempts() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, v := range c.attempts {
		n += v
	}
	return n
}

// OperationCount is the number of calls of one operation.
type OperationCount struct {
	Operation string `json:"operation"`
	Calls     int    `json:"calls"`
	Attempts  int    `json:"attempts,omitempty"`
}

// ByOperation returns the counts sorted by operation ("Lambda.GetPolicy").
func (c *Calls) ByOperation() []OperationCount {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]OperationCount, 0, len(c.calls))
	for k, v := range c.calls {
		out = append(out, OperationCount{Operation: k, Calls: v, Attempts: c.attempts[k]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Operation < out[j].Operation })
	return out
}

// CountCalls adds to cfg the middleware that counts every operation once
// (Initialize step, before retries) and every HTTP attempt (end of the
// Finalize step, after the retry middleware) in the context's Calls.
func CountCalls(cfg *aws.Config) {
	cfg.APIOptions = append(cfg.APIOptions, func(st *middleware.Stack) error {
		if err := st.Initialize.Add(middleware.InitializeMiddlewareFunc("safeguard.CountCall",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				if c := callsFrom(ctx); c != nil {
					c.Count(awsmiddleware.GetServiceID(ctx), awsmiddleware.GetOperationName(ctx))
				}
				return next.HandleInitialize(ctx, in)
			}), middleware.After); err != nil {
			return err
		}
		return st.Finalize.Add(middleware.FinalizeMiddlewareFunc("safeguard.CountAttempt",
			func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
				if c := callsFrom(ctx); c != nil {
					c.attempt(awsmiddleware.GetServiceID(ctx), awsmiddleware.GetOperationName(ctx))
				}
				return next.HandleFinalize(ctx, in)
			}), middleware.After)
	})
}
