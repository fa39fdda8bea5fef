package dlq_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"prodready/shared/dlq"
)

func TestNewRecord(t *testing.T) {
	q := dlq.Queue{URL: "https://sqs.eu-west-2.amazonaws.com/123456789012/a-dlq", ARN: "arn:aws:sqs:eu-west-2:123456789012:a-dlq", Name: "a-dlq", Account: "123456789012", Region: "eu-west-2"}
	body := `{"id":1}`
	good := sqstypes.Message{MessageId: aws.String("m-1"), Body: aws.String(body), MD5OfBody: aws.String(dlq.MD5Hex(body)),
		Attributes: map[string]string{"SentTimestamp": "1700000000123", "ApproximateFirstReceiveTimestamp": "1700000100000"}}
	tests := []struct {
		name    string
		mutate  func(m *sqstypes.Message)
		wantErr string
	}{
		{name: "complete", mutate: func(*sqstypes.Message) {}},
		{name: "no id", mutate: func(m *sqstypes.Message) { m.MessageId = nil }, wantErr: "without MessageId"},
		{name: "no body", mutate: func(m *sqstypes.Message) { m.Body = nil }, wantErr: "no body"},
		{name: "corrupt body", mutate: func(m *sqstypes.Message) { m.Body = aws.String(`{"id":2}`) }, wantErr: "does not match"},
		{name: "no SentTimestamp", mutate: func(m *sqstypes.Message) { m.Attributes = map[string]string{} }, wantErr: "no SentTimestamp"},
		{name: "bad SentTimestamp", mutate: func(m *sqstypes.Message) { m.Attributes = map[string]string{"SentTimestamp": "yesterday"} }, wantErr: "not epoch milliseconds"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := good
			m.Attributes = map[string]string{}
			for k, v := range good.Attributes {
				m.Attributes[k] = v
			}
			tc.mutate(&m)
			rec, err := dlq.NewRecord(q, m, time.Unix(1700000200, 0), dlq.ReasonExpiring)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !rec.SentAt.Equal(time.UnixMilli(1700000000123)) || rec.FirstReceivedAt == nil || rec.MD5OfBody != dlq.MD5Hex(body) {
				t.Errorf("record = %+v", rec)
			}
			b, err := rec.Encode()
			if err != nil {
				t.Fatal(err)
			}
			if strings.Count(string(b), "\n") != 1 || !strings.HasSuffix(string(b), "\n") {
				t.Errorf("a record is one JSON line (Athena's JSON SerDe reads a line per row): %q", b)
			}
			back, err := dlq.DecodeRecord(b)
			if err != nil || back.Body != body || back.SourceQueueARN != q.ARN {
				t.Errorf("decode = %+v, %v", back, err)
			}
			if got := dlq.Key("dlq/", q, "m-1", rec.SentAt); got != "dlq/123456789012/eu-west-2/a-dlq/2023/11/14/m-1.json" {
				t.Errorf("key = %s", got)
			}
		})
	}
}

func TestDecodeRecordRejects(t *testing.T) {
	tests := map[string]string{
		"not JSON":       `nope`,
		"future version": `{"schemaVersion":99,"messageId":"m","body":"","md5OfBody":"d41d8cd98f00b204e9800998ecf8427e"}`,
		"no id":          `{"schemaVersion":1,"body":"","md5OfBody":"d41d8cd98f00b204e9800998ecf8427e"}`,
		"md5 mismatch":   `{"schemaVersion":1,"messageId":"m","body":"x","md5OfBody":"d41d8cd98f00b204e9800998ecf8427e"}`,
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := dlq.DecodeRecord([]byte(in)); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

func TestPolicy(t *testing.T) {
	p := dlq.DefaultPolicy()
	sent := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	retention := 4 * 24 * time.Hour
	tests := []struct {
		name string
		now  time.Time
		due  bool
	}{
		{name: "fresh", now: sent.Add(time.Minute)},
		{name: "just before archive-by", now: sent.Add(retention - 49*time.Hour - time.Second)},
		{name: "at archive-by (expiry - interval - margin)", now: sent.Add(retention - 49*time.Hour), due: true},
		{name: "past expiry", now: sent.Add(retention + time.Hour), due: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := p.Due(sent, retention, tc.now); got != tc.due {
				t.Errorf("Due = %v, want %v", got, tc.due)
			}
		})
	}
	if p.LeavesTime(49*time.Hour) || !p.LeavesTime(4*24*time.Hour) {
		t.Error("LeavesTime: 49h retention leaves no run before archive-by; 4 days does")
	}
}

func TestSettingsFromEnv(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	tests := []struct {
		name    string
		getenv  func(string) string
		wantErr string
		check   func(t *testing.T, s dlq.Settings)
	}{
		{name: "no bucket", getenv: env(), wantErr: dlq.EnvBucket},
		{name: "defaults", getenv: env(dlq.EnvBucket, "b"), check: func(t *testing.T, s dlq.Settings) {
			if s.Config.Policy != dlq.DefaultPolicy() || s.KMSKeyID != "" || len(s.Queues) != 0 {
				t.Errorf("%+v", s)
			}
		}},
		{name: "everything", getenv: env(dlq.EnvBucket, "b", dlq.EnvKMSKey, "alias/k", dlq.EnvMargin, "72h", dlq.EnvInterval, "30m",
			dlq.EnvQueues, "a-dlq, arn:aws:sqs:eu-west-2:1:b-dlq", dlq.EnvWorkers, "8", dlq.EnvPrefix, "/archive/"), check: func(t *testing.T, s dlq.Settings) {
			if s.Config.Policy.Margin != 72*time.Hour || s.Config.Policy.Interval != 30*time.Minute || s.KMSKeyID != "alias/k" ||
				len(s.Queues) != 2 || s.Config.Workers != 8 || s.Config.Prefix != "archive" {
				t.Errorf("%+v", s)
			}
		}},
		{name: "bad margin", getenv: env(dlq.EnvBucket, "b", dlq.EnvMargin, "two days"), wantErr: dlq.EnvMargin},
		{name: "bad workers", getenv: env(dlq.EnvBucket, "b", dlq.EnvWorkers, "0"), wantErr: dlq.EnvWorkers},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := dlq.SettingsFromEnv(tc.getenv)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want mention of %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, s)
		})
	}
}
