package audit

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"prodready/shared/emf"
)

// memStore is an in-memory report bucket.
type memStore struct {
	mu      sync.Mutex
	objects map[string][]byte
}

func (m *memStore) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.objects[*in.Key]
	if !ok {
		return nil, &s3types.NoSuchKey{}
	}
	return &s3.GetObjectOutput{Body: io.NopCloser(bytes.NewReader(b))}, nil
}

func (m *memStore) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	b, err := io.ReadAll(in.Body)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.objects == nil {
		m.objects = map[string][]byte{}
	}
	m.objects[*in.Key] = b
	return &s3.PutObjectOutput{}, nil
}

func (m *memStore) ListObjectsV2(_ context.Context, in *s3.ListObjectsV2Input, _ ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var keys []string
	for k := range m.objects {
		if strings.HasPrefix(k, *in.Prefix) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	out := &s3.ListObjectsV2Output{}
	for _, k := range keys {
		out.Contents = append(out.Contents, s3types.Object{Key: new(k)})
	}
	return out, nil
}

func TestEnvConfig(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	tests := []struct {
		name    string
		vars    map[string]string
		region  string
		regions []string
		wantErr string
	}{
		{name: "defaults", vars: map[string]string{EnvBucket: "b"}, region: "eu-west-2", regions: []string{"eu-west-2"}},
		{name: "regions", vars: map[string]string{EnvBucket: "b", EnvRegions: "eu-west-2, eu-west-1"}, region: "eu-west-2", regions: []string{"eu-west-2", "eu-west-1"}},
		{name: "no bucket", vars: map[string]string{}, region: "eu-west-2", wantErr: EnvBucket + " is not set"},
		{name: "bad concurrency", vars: map[string]string{EnvBucket: "b", EnvConcurrency: "lots"}, region: "eu-west-2", wantErr: EnvConcurrency},
		{name: "no region", vars: map[string]string{EnvBucket: "b"}, wantErr: "no region"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := EnvConfig(env(tc.vars), tc.region)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || strings.Join(e.Regions, ",") != strings.Join(tc.regions, ",") || e.Namespace != DefaultNamespace || e.Config.Bucket != "b" {
				t.Errorf("got %+v, %v", e, err)
			}
		})
	}
}

func TestHandlerAuditsEveryRegionAndFailsWhenIncomplete(t *testing.T) {
	store := &memStore{}
	var metrics bytes.Buffer
	good := newSlowAccount(40, time.Millisecond)
	h := &Handler{
		Config:  Config{Bucket: "reports", Services: []string{"sqs", "dynamodb", "s3"}, Reserve: time.Millisecond},
		Regions: []string{"eu-west-2", "eu-west-1"},
		Deps: func(region string) Deps {
			d := Deps{Clients: good.clients(), Store: store, Metrics: emf.New(&metrics, DefaultNamespace)}
			if region == "eu-west-1" {
				d.Clients.S3 = fakeDeniedS3{}
			}
			return d
		},
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := h.Handle(ctx, events.EventBridgeEvent{AccountID: "123456789012", DetailType: "Scheduled Event", Source: "aws.events"})
	if !errors.Is(err, ErrIncomplete) || !strings.Contains(err.Error(), "eu-west-1: s3 not audited (access-denied)") {
		t.Fatalf("err = %v, want ErrIncomplete naming eu-west-1's s3", err)
	}
	if len(out) != 2 || out[0].Status == Incomplete || out[1].Status != Incomplete || out[0].Report == "" {
		t.Errorf("summaries = %+v", out)
	}
	for _, r := range []string{"eu-west-2", "eu-west-1"} {
		if _, ok := store.objects["audits/123456789012/"+r+"/"+time.Now().UTC().Format(time.DateOnly)+".json"]; !ok {
			t.Errorf("no report for %s (keys %v)", r, keys(store.objects))
		}
	}
	if !strings.Contains(metrics.String(), `"AuditIncomplete":1`) || !strings.Contains(metrics.String(), `"Rule":"dynamodb-pitr"`) {
		t.Errorf("metrics lack the incomplete flag or per-rule records:\n%s", metrics.String())
	}
}

type fakeDeniedS3 struct{ slowS3 }

func (fakeDeniedS3) ListBuckets(context.Context, *s3.ListBucketsInput, ...func(*s3.Options)) (*s3.ListBucketsOutput, error) {
	return nil, errAccessDenied
}

var errAccessDenied = &smithy.GenericAPIError{Code: "AccessDenied", Message: "Access Denied"}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
