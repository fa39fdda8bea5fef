// Package tracing is the only place that knows about the X-Ray SDK. AWS put
// the X-Ray SDKs in maintenance mode (February 2026, end of support February
// 2027) and recommends OpenTelemetry; moving means changing this package alone.
package tracing

import (
	"context"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-xray-sdk-go/instrumentation/awsv2"
	"github.com/aws/aws-xray-sdk-go/strategy/ctxmissing"
	"github.com/aws/aws-xray-sdk-go/xray"
)

// Enabled reports whether traces have somewhere to go: inside Lambda (where
// the function's segment arrives with each invocation) or when an X-Ray
// daemon address is configured. Elsewhere (a laptop, CI, tests) tracing is
// off, so nothing logs "segment not found".
func Enabled() bool {
	return os.Getenv("AWS_LAMBDA_FUNCTION_NAME") != "" || os.Getenv("AWS_XRAY_DAEMON_ADDRESS") != ""
}

// Setup configures the SDK once per process: a missing segment is ignored
// rather than logged as an error (a call made outside any invocation is not
// an error worth a log line).
func Setup() error {
	return xray.Configure(xray.Config{ContextMissingStrategy: ctxmissing.NewDefaultIgnoreErrorStrategy()})
}

// InstrumentAWS makes every call of clients built from cfg a subsegment
// named after the service and operation.
func InstrumentAWS(cfg *aws.Config) {
	if !Enabled() {
		return
	}
	awsv2.AWSV2Instrumentor(&cfg.APIOptions)
}

// Span runs fn inside a subsegment called name. Annotations (indexed, for
// filtering traces) may be added with Annotate on the context fn receives.
func Span(ctx context.Context, name string, fn func(context.Context) error) error {
	if !Enabled() {
		return fn(ctx)
	}
	return xray.Capture(ctx, name, fn)
}

// Annotate adds an indexed key/value to the current subsegment, if any.
func Annotate(ctx context.Context, key string, v any) {
	if !Enabled() {
		return
	}
	if seg := xray.GetSegment(ctx); seg != nil {
		_ = seg.AddAnnotation(key, v)
	}
}
