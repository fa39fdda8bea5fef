//go:build unix

// Package dlqarchiver tests the DLQ archiver end to end: the bootstrap
// binary built as for Lambda, run by the Lambda runtime interface emulator,
// invoked with the events EventBridge and an engineer send, against moto.
package dlqarchiver

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"prodready/shared/dlq"
	"prodready/shared/dlq/dlqtest"
	"prodready/shared/motoserver"
	"prodready/tests/internal/rie"
)

const scheduledEvent = `{
  "version": "0",
  "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
  "detail-type": "Scheduled Event",
  "source": "aws.events",
  "account": "123456789012",
  "time": "%s",
  "region": "eu-west-2",
  "resources": ["arn:aws:events:eu-west-2:123456789012:rule/safeguard-production-dlq-archiver-hourly"],
  "detail": {}
}`

func TestBootstrapUnderTheRuntimeEmulator(t *testing.T) {
	moto := motoserver.Start(t)
	sqsc, s3c := dlqtest.Clients(t)
	dlqtest.CreateBucket(t, s3c, "dlq-archive")

	// young-dlq keeps messages 4 days: nothing in it is due. short-dlq
	// keeps them an hour, less than the 48h margin: all due at once.
	young := dlqtest.CreateQueue(t, sqsc, "young-dlq", nil, nil)
	dlqtest.CreateQueue(t, sqsc, "orders", dlqtest.RedriveTo(young.ARN, 3), nil)
	short := dlqtest.CreateQueue(t, sqsc, "short-dlq", map[string]string{"MessageRetentionPeriod": "3600"}, map[string]string{dlq.TagKey: "true"})
	youngSent := dlqtest.Send(t, sqsc, young.URL, 30, dlqtest.SendOptions{Tag: "young", WithAttributes: true})
	shortSent := dlqtest.Send(t, sqsc, short.URL, 40, dlqtest.SendOptions{Tag: "short", WithAttributes: true})

	boot := rie.BuildBootstrap(t, "prodready/functions/dlq-archiver")
	env := moto.Env()
	env["AWS_LAMBDA_FUNCTION_TIMEOUT"] = "120"
	env[dlq.EnvBucket] = "dlq-archive"
	env[dlq.EnvKMSKey] = "alias/dlq-archive"
	// One worker: its deletes reach moto one at a time (moto can bring
	// back a message under concurrent deletes; see dlqtest.Recorder).
	env[dlq.EnvWorkers] = "1"
	fn := rie.Start(t, boot, env)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	t.Run("scheduled event archives what is due", func(t *testing.T) {
		resp, err := fn.Invoke(ctx, fmt.Appendf(nil, scheduledEvent, time.Now().UTC().Format(time.RFC3339)))
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 200 || resp.ErrorMessage != "" {
			t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
		}
		var res dlq.Result
		if err := json.Unmarshal(resp.Body, &res); err != nil {
			t.Fatalf("answer %s: %v", resp.Body, err)
		}
		byQueue := map[string]dlq.QueueResult{}
		for _, q := range res.Queues {
			byQueue[q.Queue] = q
		}
		if res.Mode != "scheduled" || len(res.Queues) != 2 || byQueue["short-dlq"].Archived != 40 || byQueue["young-dlq"].Skipped < 30 || byQueue["young-dlq"].Archived != 0 {
			t.Fatalf("result %s", resp.Body)
		}
		if got := dlqtest.Archived(t, s3c, "dlq-archive", "dlq/123456789012/eu-west-2/short-dlq/"); len(got) != 40 {
			t.Errorf("%d short-dlq records in S3", len(got))
		}
		if c := dlqtest.QueueCounts(t, sqsc, young.URL); c.Visible != 30 || c.InFlight != 0 {
			t.Errorf("young-dlq = %+v: its messages must be back in the queue", c)
		}
		if c := dlqtest.QueueCounts(t, sqsc, short.URL); c.Total() != 0 {
			t.Errorf("short-dlq = %+v", c)
		}
	})

	t.Run("on-demand invocation archives a reviewed queue", func(t *testing.T) {
		resp, err := fn.Invoke(ctx, []byte(`{"queue": "young-dlq"}`))
		if err != nil {
			t.Fatal(err)
		}
		var res dlq.Result
		if err := json.Unmarshal(resp.Body, &res); err != nil || res.Totals().Archived != 30 || !res.OK() {
			t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
		}
		archived := dlqtest.Archived(t, s3c, "dlq-archive", "dlq/")
		for id := range youngSent {
			if archived[id].Reason != dlq.ReasonOnDemand {
				t.Fatalf("message %s: record %+v", id, archived[id])
			}
		}
		for id := range shortSent {
			if archived[id].Reason != dlq.ReasonExpiring {
				t.Fatalf("message %s: record %+v", id, archived[id])
			}
		}
	})

	t.Run("an unknown event is refused", func(t *testing.T) {
		resp, err := fn.Invoke(ctx, []byte(`{"hello": "world"}`))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(resp.ErrorMessage, "unrecognised event") {
			t.Fatalf("status %d: %s", resp.StatusCode, resp.Body)
		}
	})

	t.Run("logs and metrics", func(t *testing.T) {
		logs := fn.Logs()
		var emf, runDone int
		for _, line := range strings.Split(logs, "\n") {
			var rec map[string]any
			if json.Unmarshal([]byte(line), &rec) != nil {
				continue
			}
			if aws, ok := rec["_aws"].(map[string]any); ok {
				if fmt.Sprint(aws["CloudWatchMetrics"]) != "" && rec["QueueName"] != nil {
					emf++
					for _, m := range []string{"Archived", "AlreadyArchived", "Skipped", "Failed", "Conflicts", "OldestMessageAgeSeconds"} {
						if _, ok := rec[m]; !ok {
							t.Errorf("EMF record lacks %s: %s", m, line)
						}
					}
				}
			}
			if rec["msg"] == "run done" {
				runDone++
			}
		}
		if emf < 3 || runDone < 2 {
			t.Errorf("%d EMF queue records and %d run summaries in the function's output:\n%s", emf, runDone, logs)
		}
		for _, sent := range []map[string]dlqtest.Sent{youngSent, shortSent} {
			for _, s := range sent {
				if strings.Contains(logs, s.Body) || strings.Contains(logs, strings.ReplaceAll(s.Body, `"`, `\"`)) {
					t.Fatal("a message body appears in the function's output")
				}
			}
		}
	})
}
