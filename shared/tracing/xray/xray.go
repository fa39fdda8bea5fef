// Package xray is the X-Ray backend of package tracing: the only importer of
// the X-Ray SDK (github.com/aws/aws-xray-sdk-go, the user's choice).
package xray

import (
	"context"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-xray-sdk-go/instrumentation/awsv2"
	"github.com/aws/aws-xray-sdk-go/strategy/ctxmissing"
	"github.com/aws/aws-xray-sdk-go/xray"

	"prodready/shared/tracing"
)

// Enable installs X-Ray as the tracer when traces have somewhere to go:
// inside Lambda (the function's segment arrives with each invocation) or
// when an X-Ray daemon address is configured. A call made outside any
// segment is ignored rather than logged as an error.
func Enable() error {
	if os.Getenv("AWS_LAMBDA_FUNCTION_NAME") == "" && os.Getenv("AWS_XRAY_DAEMON_ADDRESS") == "" {
		return nil
	}
	if err := xray.Configure(xray.Config{ContextMissingStrategy: ctxmissing.NewDefaultIgnoreErrorStrategy()}); err != nil {
		return err
	}
	tracing.Use(backend{})
	return nil
}

type backend struct{}

func (backend) InstrumentAWS(cfg *aws.Config) { awsv2.AWSV2Instrumentor(&cfg.APIOptions) }

func (backend) Span(ctx context.Context, name string, fn func(context.Context) error) error {
	return xray.Capture(ctx, name, fn)
}

func (backend) Annotate(ctx context.Context, key string, v any) {
	if seg := xray.GetSegment(ctx); seg != nil {
		_ = seg.AddAnnotation(key, v)
	}
}
