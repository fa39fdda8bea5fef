// Package tracing is how the code marks units of work and AWS calls for
// tracing, without knowing the tracer. The Lambda functions install the
// X-Ray backend (package tracing/xray, the only importer of the X-Ray SDK);
// commands run on a laptop or in CI install none and pay nothing for it.
//
// AWS put the X-Ray SDKs in maintenance mode (February 2026, end of support
// February 2027) and recommends OpenTelemetry: moving means writing another
// backend and installing it in the functions' main, nothing else.
package tracing

import (
	"context"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Backend is a tracer.
type Backend interface {
	// InstrumentAWS makes every call of clients built from cfg a subsegment.
	InstrumentAWS(cfg *aws.Config)
	// Span runs fn inside a subsegment called name.
	Span(ctx context.Context, name string, fn func(context.Context) error) error
	// Annotate adds an indexed key/value to the current subsegment, if any.
	Annotate(ctx context.Context, key string, v any)
}

// backend is set once, by a function's main before it builds any client;
// like slog's default logger, it is process-wide by nature.
var backend atomic.Pointer[Backend]

// Use installs the tracer.
func Use(b Backend) { backend.Store(&b) }

func current() Backend {
	if p := backend.Load(); p != nil {
		return *p
	}
	return nil
}

// Enabled reports whether a tracer is installed.
func Enabled() bool { return current() != nil }

// InstrumentAWS makes every call of clients built from cfg a subsegment
// named after the service and operation.
func InstrumentAWS(cfg *aws.Config) {
	if b := current(); b != nil {
		b.InstrumentAWS(cfg)
	}
}

// Span runs fn inside a subsegment called name.
func Span(ctx context.Context, name string, fn func(context.Context) error) error {
	if b := current(); b != nil {
		return b.Span(ctx, name, fn)
	}
	return fn(ctx)
}

// Annotate adds an indexed key/value to the current subsegment, if any.
func Annotate(ctx context.Context, key string, v any) {
	if b := current(); b != nil {
		b.Annotate(ctx, key, v)
	}
}
