package dlq_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"prodready/shared/dlq"
	"prodready/shared/dlq/dlqtest"
)

func TestRestoreRoundTrip(t *testing.T) {
	tests := []struct {
		name   string
		queue  string
		target string
		groups int
	}{
		{name: "standard", queue: "orders-dlq", target: "orders-replay"},
		{name: "FIFO", queue: "events-dlq.fifo", target: "events-replay.fifo", groups: 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			src := dlqtest.CreateQueue(t, f.SQS, tc.queue, nil, nil)
			sent := dlqtest.Send(t, f.SQS, src.URL, 60, dlqtest.SendOptions{Tag: "r", Groups: tc.groups, WithAttributes: true})
			if res := f.Archiver(nil).OnDemand(ctx, src.URL); !res.OK() || res.Totals().Archived != 60 {
				t.Fatalf("archive: %+v", res)
			}
			dst := dlqtest.CreateQueue(t, f.SQS, tc.target, nil, nil)
			r := &dlq.Restorer{S3: f.Rec.S3(), SQS: f.Rec.SQS()}
			from := "dlq/123456789012/eu-west-2/" + tc.queue + "/"

			dry, err := r.Restore(ctx, testBucket, from, dst.URL, true)
			if err != nil || dry.Records != 60 || dry.Sent != 0 || !dry.OK() || f.Rec.Calls("SendMessageBatch") != 0 {
				t.Fatalf("dry run = %+v, %v, sends %d", dry, err, f.Rec.Calls("SendMessageBatch"))
			}
			if dry.BySource[src.ARN] != 60 {
				t.Errorf("dry run by source = %v", dry.BySource)
			}

			res, err := r.Restore(ctx, testBucket, from, dst.URL, false)
			if err != nil || res.Sent != 60 || !res.OK() {
				t.Fatalf("restore = %+v, %v", res, err)
			}
			got := drain(t, f.SQS, dst.URL)
			if len(got) != 60 {
				t.Fatalf("%d restored messages received, want 60", len(got))
			}
			byBody := map[string]dlqtest.Sent{}
			for _, s := range sent {
				byBody[s.Body] = s
			}
			lastInGroup := map[string]int{}
			for _, m := range got {
				s, ok := byBody[aws.ToString(m.Body)]
				if !ok {
					t.Fatalf("restored body %q was never sent", aws.ToString(m.Body))
				}
				for name, want := range s.Attributes {
					have := m.MessageAttributes[name]
					if aws.ToString(have.DataType) != aws.ToString(want.DataType) || aws.ToString(have.StringValue) != aws.ToString(want.StringValue) || string(have.BinaryValue) != string(want.BinaryValue) {
						t.Errorf("attribute %s = %+v, want %+v", name, have, want)
					}
				}
				if tc.groups == 0 {
					continue
				}
				if g := m.Attributes["MessageGroupId"]; g != s.Group {
					t.Errorf("group = %q, want %q", g, s.Group)
				}
				if d := m.Attributes["MessageDeduplicationId"]; d != s.ID {
					t.Errorf("dedup id = %q, want the original message id %q", d, s.ID)
				}
				n := bodyNumber(t, s.Body)
				if prev, seen := lastInGroup[s.Group]; seen && n < prev {
					t.Errorf("group %s out of order: %d after %d", s.Group, n, prev)
				}
				lastInGroup[s.Group] = n
			}
		})
	}
}

func TestRestoreRefusesFIFOWithoutGroup(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	src := dlqtest.CreateQueue(t, f.SQS, "plain-dlq", nil, nil)
	dlqtest.Send(t, f.SQS, src.URL, 3, dlqtest.SendOptions{Tag: "p"})
	if res := f.Archiver(nil).OnDemand(ctx, src.URL); !res.OK() {
		t.Fatal(res)
	}
	dst := dlqtest.CreateQueue(t, f.SQS, "replay.fifo", nil, nil)
	res, err := (&dlq.Restorer{S3: f.S3, SQS: f.SQS}).Restore(ctx, testBucket, "dlq/", dst.URL, false)
	if err != nil || res.Failed != 3 || res.Sent != 0 || res.OK() {
		t.Fatalf("restore = %+v, %v; records without a group id cannot go to a FIFO queue", res, err)
	}
}

// drain receives and deletes everything in a queue, in delivery order.
func drain(t *testing.T, c *sqs.Client, url string) []sqstypes.Message {
	t.Helper()
	ctx := context.Background()
	var out []sqstypes.Message
	for empty := 0; empty < 2; {
		r, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10, VisibilityTimeout: 60,
			MessageAttributeNames: []string{"All"}, MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll}})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Messages) == 0 {
			empty++
			continue
		}
		empty = 0
		var entries []sqstypes.DeleteMessageBatchRequestEntry
		for i, m := range r.Messages {
			out = append(out, m)
			entries = append(entries, sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle})
		}
		if _, err := c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(url), Entries: entries}); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// bodyNumber reads "n" from a body dlqtest.Send made.
func bodyNumber(t *testing.T, body string) int {
	t.Helper()
	var n int
	if _, err := fmt.Sscanf(body, `{"n":%d,`, &n); err != nil {
		t.Fatalf("body %q: %v", body, err)
	}
	return n
}
