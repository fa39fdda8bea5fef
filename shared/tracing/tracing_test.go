package tracing

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

type fakeBackend struct{ spans, instrumented, annotations int }

func (f *fakeBackend) InstrumentAWS(*aws.Config) { f.instrumented++ }
func (f *fakeBackend) Span(ctx context.Context, _ string, fn func(context.Context) error) error {
	f.spans++
	return fn(ctx)
}
func (f *fakeBackend) Annotate(context.Context, string, any) { f.annotations++ }

func TestWithoutAndWithBackend(t *testing.T) {
	ran := false
	if err := Span(context.Background(), "work", func(context.Context) error { ran = true; return nil }); err != nil || !ran || Enabled() {
		t.Fatalf("without a backend Span must just run the work (ran %v, enabled %v)", ran, Enabled())
	}
	f := &fakeBackend{}
	Use(f)
	t.Cleanup(func() { backend.Store(nil) })
	var cfg aws.Config
	InstrumentAWS(&cfg)
	_ = Span(context.Background(), "work", func(ctx context.Context) error { Annotate(ctx, "k", 1); return nil })
	if !Enabled() || f.instrumented != 1 || f.spans != 1 || f.annotations != 1 {
		t.Errorf("backend saw %+v", f)
	}
}
