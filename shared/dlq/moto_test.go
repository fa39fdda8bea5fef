package dlq_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"prodready/shared/dlq"
	"prodready/shared/dlq/dlqtest"
	"prodready/shared/motoserver"
)

const (
	testBucket = "dlq-archive"
	testKMSKey = "arn:aws:kms:eu-west-2:123456789012:key/11111111-2222-3333-4444-555555555555"
)

// fixture is one test's moto state and clients.
type fixture struct {
	t    *testing.T
	sqs  *sqs.Client
	s3   *s3.Client
	rec  *dlqtest.Recorder
	logs *syncBuffer
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	motoserver.Start(t)
	sqsc, s3c := dlqtest.Clients(t)
	dlqtest.CreateBucket(t, s3c, testBucket)
	return &fixture{t: t, sqs: sqsc, s3: s3c, rec: dlqtest.NewRecorder(sqsc, s3c), logs: &syncBuffer{}}
}

// archiver is the archiver under test, going through the recorder. clock
// nil means the real clock.
func (f *fixture) archiver(clock func() time.Time) *dlq.Archiver {
	return &dlq.Archiver{
		SQS:    f.rec.SQS(),
		Store:  dlq.Store{S3: f.rec.S3(), Bucket: testBucket, KMSKeyID: testKMSKey},
		Config: dlq.Config{ReceiveWait: -1, Workers: 4},
		Clock:  clock,
		Log:    slog.New(slog.NewJSONHandler(f.logs, nil)),
	}
}

// noBodiesLogged fails if any sent body shows up in the logs.
func (f *fixture) noBodiesLogged(sent map[string]dlqtest.Sent) {
	f.t.Helper()
	logs := f.logs.String()
	for _, s := range sent {
		if strings.Contains(logs, s.Body) || strings.Contains(logs, strings.ReplaceAll(s.Body, `"`, `\"`)) {
			f.t.Fatalf("a message body appears in the logs")
		}
	}
}

func (f *fixture) check(queueURL string, sent map[string]dlqtest.Sent) map[string]dlq.Record {
	f.t.Helper()
	return dlqtest.CheckInvariant(f.t, f.rec, f.sqs, f.s3, testBucket, "dlq/", queueURL, sent)
}

func (f *fixture) load(url string) dlq.Queue {
	f.t.Helper()
	q, err := dlq.LoadQueue(context.Background(), f.sqs, url)
	if err != nil {
		f.t.Fatal(err)
	}
	return q
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func merge(ms ...map[string]dlqtest.Sent) map[string]dlqtest.Sent {
	out := map[string]dlqtest.Sent{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}
