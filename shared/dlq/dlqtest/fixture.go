package dlqtest

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
	"prodready/shared/motoserver"
)

// Names the fixture uses.
const (
	Bucket = "dlq-archive"
	KMSKey = "arn:aws:kms:eu-west-2:123456789012:key/11111111-2222-3333-4444-555555555555"
)

// Fixture is one test's moto state: clients, a bucket, a Recorder in front
// of the clients, and the archiver's captured logs.
type Fixture struct {
	T    testing.TB
	SQS  *sqs.Client
	S3   *s3.Client
	Rec  *Recorder
	Logs *SyncBuffer
}

// NewFixture starts (or resets) moto and makes the archive bucket.
func NewFixture(t testing.TB) *Fixture {
	t.Helper()
	motoserver.Start(t)
	sqsc, s3c := Clients(t)
	CreateBucket(t, s3c, Bucket)
	return &Fixture{T: t, SQS: sqsc, S3: s3c, Rec: NewRecorder(sqsc, s3c), Logs: &SyncBuffer{}}
}

// Archiver is an archiver going through the Recorder, short-polling (moto
// answers a short poll exactly), logging JSON into Logs. clock nil means
// the real clock.
func (f *Fixture) Archiver(clock func() time.Time) *dlq.Archiver {
	return &dlq.Archiver{
		SQS:    f.Rec.SQS(),
		Store:  dlq.Store{S3: f.Rec.S3(), Bucket: Bucket, KMSKeyID: KMSKey},
		Config: dlq.Config{ReceiveWait: -1, Workers: 4},
		Clock:  clock,
		Log:    slog.New(slog.NewJSONHandler(f.Logs, nil)),
	}
}

// Check asserts the invariant (see CheckInvariant) for one queue.
func (f *Fixture) Check(queueURL string, sent map[string]Sent) map[string]dlq.Record {
	f.T.Helper()
	return CheckInvariant(f.T, f.Rec, f.SQS, f.S3, Bucket, "dlq/", queueURL, sent)
}

// Load reads a queue as the archiver sees it.
func (f *Fixture) Load(url string) dlq.Queue {
	f.T.Helper()
	q, err := dlq.LoadQueue(context.Background(), f.SQS, url)
	if err != nil {
		f.T.Fatal(err)
	}
	return q
}

// NoBodiesLogged fails if any sent body shows up in the logs.
func (f *Fixture) NoBodiesLogged(sent map[string]Sent) {
	f.T.Helper()
	logs := f.Logs.String()
	for _, s := range sent {
		if strings.Contains(logs, s.Body) || strings.Contains(logs, strings.ReplaceAll(s.Body, `"`, `\"`)) {
			f.T.Fatalf("a message body appears in the logs")
		}
	}
}

// SyncBuffer is a bytes.Buffer safe for concurrent writers.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
