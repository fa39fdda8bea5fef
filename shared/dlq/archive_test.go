package dlq_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"prodready/shared/dlq"
	"prodready/shared/dlq/dlqtest"
)

// moto stamps SentTimestamp with its own clock and offers no way to set it,
// so the age policy is tested by moving the archiver's clock instead.
func TestScheduledArchivesOnlyWhatIsDue(t *testing.T) {
	f := newFixture(t)
	q := dlqtest.CreateQueue(t, f.SQS, "orders-dlq", nil, nil)
	old := dlqtest.Send(t, f.SQS, q.URL, 150, dlqtest.SendOptions{Tag: "old", WithAttributes: true})
	time.Sleep(1100 * time.Millisecond)
	boundary := time.Now()
	time.Sleep(1100 * time.Millisecond)
	young := dlqtest.Send(t, f.SQS, q.URL, 150, dlqtest.SendOptions{Tag: "young"})
	sent := merge(old, young)

	pol := dlq.DefaultPolicy()
	retention := 96 * time.Hour
	// "Now" is when messages sent at boundary become due: old ones are
	// past it, young ones not yet.
	now := boundary.Add(retention - pol.Interval - pol.Margin)
	a := f.Archiver(func() time.Time { return now })
	res := a.ArchiveQueue(context.Background(), f.Load(q.URL), dlq.Scheduled)

	// Standard queues deliver at least once; moto, under concurrent
	// receives, sometimes hands one message to two of them.
	if res.Archived != 150 || res.Skipped < 150 || !res.OK() || res.StoppedEarly {
		t.Fatalf("result = %+v; want 150 archived, 150 skipped", res)
	}
	counts := dlqtest.QueueCounts(t, f.SQS, q.URL)
	if counts.InFlight != 0 || counts.Visible != 150 {
		t.Errorf("after the run the queue has %+v; the 150 young messages must be visible again at once", counts)
	}
	archived := f.Check(q.URL, sent)
	for id := range old {
		if _, ok := archived[id]; !ok {
			t.Errorf("old message %s not archived", id)
		}
	}
	for id := range young {
		if _, ok := archived[id]; ok {
			t.Errorf("young message %s archived before it was due", id)
		}
	}
	if want := float64(now.Sub(boundary)); res.OldestAgeSeconds*float64(time.Second) < want {
		t.Errorf("oldest age %.0fs, want at least %.0fs", res.OldestAgeSeconds, want/float64(time.Second))
	}
	f.NoBodiesLogged(sent)
}

func TestOnDemandArchivesEverything(t *testing.T) {
	f := newFixture(t)
	q := dlqtest.CreateQueue(t, f.SQS, "reviewed-dlq", nil, nil)
	sent := dlqtest.Send(t, f.SQS, q.URL, 150, dlqtest.SendOptions{Tag: "reviewed", WithAttributes: true})
	start := time.Now()
	res := f.Archiver(nil).OnDemand(context.Background(), "reviewed-dlq")
	if !res.OK() || len(res.Queues) != 1 || res.Queues[0].Archived != 150 {
		t.Fatalf("result = %+v", res)
	}
	t.Logf("150 messages archived through moto in %s", time.Since(start).Round(time.Millisecond))
	archived := f.Check(q.URL, sent)
	if len(archived) != 150 || dlqtest.QueueCounts(t, f.SQS, q.URL).Total() != 0 {
		t.Fatalf("%d archived, queue %+v", len(archived), dlqtest.QueueCounts(t, f.SQS, q.URL))
	}
	// moto, like SQS, may deliver a message twice; the second put is refused
	// by its condition (f.Check fails on any object written twice), so more
	// than 150 attempts is allowed, fewer is not.
	puts := f.Rec.Calls("PutObject")
	if puts < 150 {
		t.Errorf("PutObject called %d times for 150 messages", puts)
	} else if puts > 150 {
		t.Logf("%d duplicate deliveries, refused by the conditional put", puts-150)
	}

	// One record in detail: what it says about itself, and where it lives.
	var id string
	for id = range sent {
		break
	}
	r, s := archived[id], sent[id]
	if r.Reason != dlq.ReasonOnDemand || r.SourceQueueARN != q.ARN || r.SourceQueueURL != q.URL || r.MD5OfBody != dlq.MD5Hex(s.Body) {
		t.Errorf("record = %+v", r)
	}
	if r.SentAt.IsZero() || r.FirstReceivedAt == nil || r.ArchivedAt.Before(r.SentAt) || r.Attributes["ApproximateReceiveCount"] != "1" {
		t.Errorf("timestamps/attributes: sent %v first %v archived %v attrs %v", r.SentAt, r.FirstReceivedAt, r.ArchivedAt, r.Attributes)
	}
	for name, want := range s.Attributes {
		got := r.MessageAttributes[name]
		if got.DataType != aws.ToString(want.DataType) || aws.ToString(got.StringValue) != aws.ToString(want.StringValue) || string(got.BinaryValue) != string(want.BinaryValue) {
			t.Errorf("message attribute %s = %+v, want %+v", name, got, want)
		}
	}
	key := dlq.Key("dlq", f.Load(q.URL), id, r.SentAt)
	wantPrefix := "dlq/123456789012/eu-west-2/reviewed-dlq/" + r.SentAt.Format("2006/01/02") + "/"
	if key != wantPrefix+id+".json" {
		t.Errorf("key = %s, want %s<id>.json", key, wantPrefix)
	}
	head, err := f.S3.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(testBucket), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	if head.ServerSideEncryption != "aws:kms" || aws.ToString(head.SSEKMSKeyId) != testKMSKey {
		t.Errorf("object encryption = %q key %q; want SSE-KMS with the configured key", head.ServerSideEncryption, aws.ToString(head.SSEKMSKeyId))
	}

	// A second run finds nothing and writes nothing.
	again := f.Archiver(nil).OnDemand(context.Background(), q.URL)
	if tot := again.Totals(); tot.Received != 0 || f.Rec.Calls("PutObject") != puts {
		t.Errorf("rerun: %+v, puts %d", tot, f.Rec.Calls("PutObject"))
	}
	f.NoBodiesLogged(sent)
}

func TestFIFO(t *testing.T) {
	f := newFixture(t)
	q := dlqtest.CreateQueue(t, f.SQS, "events-dlq.fifo", nil, nil)
	sent := dlqtest.Send(t, f.SQS, q.URL, 200, dlqtest.SendOptions{Tag: "fifo", Groups: 5, WithAttributes: true})
	res := f.Archiver(nil).OnDemand(context.Background(), q.ARN)
	if !res.OK() || res.Totals().Archived != 200 {
		t.Fatalf("result = %+v", res)
	}
	archived := f.Check(q.URL, sent)
	for id, s := range sent {
		r := archived[id]
		if r.Attributes["MessageGroupId"] != s.Group || r.Attributes["SequenceNumber"] == "" || r.Attributes["MessageDeduplicationId"] == "" {
			t.Fatalf("FIFO attributes of %s = %v, want group %s", id, r.Attributes, s.Group)
		}
	}
}

func TestScheduledRunOverDiscoveredQueues(t *testing.T) {
	f := newFixture(t)
	a := dlqtest.CreateQueue(t, f.SQS, "a-dlq", nil, nil)
	dlqtest.CreateQueue(t, f.SQS, "a", dlqtest.RedriveTo(a.ARN, 3), nil)
	b := dlqtest.CreateQueue(t, f.SQS, "b-dlq.fifo", nil, map[string]string{dlq.TagKey: "true"})
	plain := dlqtest.CreateQueue(t, f.SQS, "plain", nil, nil)
	sentA := dlqtest.Send(t, f.SQS, a.URL, 50, dlqtest.SendOptions{Tag: "a"})
	sentB := dlqtest.Send(t, f.SQS, b.URL, 50, dlqtest.SendOptions{Tag: "b", Groups: 3})
	sentPlain := dlqtest.Send(t, f.SQS, plain.URL, 5, dlqtest.SendOptions{Tag: "plain"})
	far := time.Now().Add(96 * time.Hour)
	res := f.Archiver(func() time.Time { return far }).Scheduled(context.Background(), nil)
	if !res.OK() || res.Totals().Archived != 100 || len(res.Queues) != 2 {
		t.Fatalf("result = %+v", res)
	}
	f.Check(a.URL, sentA)
	f.Check(b.URL, sentB)
	if dlqtest.QueueCounts(t, f.SQS, plain.URL).Total() != len(sentPlain) || f.Rec.Calls("ReceiveMessage") == 0 {
		t.Error("a queue that is no DLQ must be left alone")
	}
}

func TestConflictIsNeverDeleted(t *testing.T) {
	tests := []struct {
		name string
		// plain writes the forged record without the archiver's metadata,
		// so the MD5 check must read the record itself.
		plain bool
	}{
		{name: "stored MD5 read from metadata"},
		{name: "stored MD5 read from the record", plain: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			q := dlqtest.CreateQueue(t, f.SQS, "conflict-dlq", nil, nil)
			sent := dlqtest.Send(t, f.SQS, q.URL, 3, dlqtest.SendOptions{Tag: "c"})
			victim := keys(sent)[0]
			// Someone else's record, same id, different body, already there.
			queue := f.Load(q.URL)
			forged := dlq.Record{SchemaVersion: 1, MessageID: victim, Body: "something else", MD5OfBody: dlq.MD5Hex("something else"), SentAt: time.Now().UTC()}
			key := dlq.Key("dlq", queue, victim, time.Now())
			if tc.plain {
				b, _ := forged.Encode()
				if _, err := f.S3.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(testBucket), Key: aws.String(key), Body: strings.NewReader(string(b))}); err != nil {
					t.Fatal(err)
				}
			} else if _, err := (dlq.Store{S3: f.S3, Bucket: testBucket}).Put(context.Background(), key, forged); err != nil {
				t.Fatal(err)
			}
			res := f.Archiver(nil).ArchiveQueue(context.Background(), queue, dlq.Everything)
			if res.Conflicts != 1 || res.Archived != 2 || res.OK() {
				t.Fatalf("result = %+v; want 1 conflict, 2 archived, not OK", res)
			}
			if f.Rec.Deleted(victim) != 0 {
				t.Fatal("the conflicting message was deleted")
			}
			if c := dlqtest.QueueCounts(t, f.SQS, q.URL); c.Visible != 1 {
				t.Errorf("queue = %+v; the conflicting message must be back in the queue", c)
			}
			if got := f.Rec.Calls("GetObject"); tc.plain != (got > 0) {
				t.Errorf("GetObject calls = %d", got)
			}
			if !strings.Contains(f.Logs.String(), "archive conflict") {
				t.Error("a conflict must be logged as an error")
			}
		})
	}
}

// A put whose response is lost has written the object; the retry gets a
// 412, finds the same MD5 and deletes the message.
func TestLostPutResponsesAreResolvedByTheRetry(t *testing.T) {
	f := newFixture(t)
	q := dlqtest.CreateQueue(t, f.SQS, "lost-dlq", nil, nil)
	sent := dlqtest.Send(t, f.SQS, q.URL, 40, dlqtest.SendOptions{Tag: "lost", WithAttributes: true})
	f.Rec.SetFaults(dlqtest.Faults{PutFailAfter: 1}, nil)
	res := f.Archiver(nil).ArchiveQueue(context.Background(), f.Load(q.URL), dlq.Everything)
	// SQS may deliver a message twice (moto does, under concurrent
	// receives): a second AlreadyStored is fine, a second write is not.
	if res.AlreadyArchived < 40 || res.Archived != 0 || !res.OK() {
		t.Fatalf("result = %+v; every first put 'failed' after writing, every retry must find the object", res)
	}
	if puts, heads := f.Rec.Calls("PutObject"), f.Rec.Calls("HeadObject"); puts < 80 || heads != puts-40 {
		t.Errorf("PutObject %d, HeadObject %d; each 412 must check the stored MD5", puts, heads)
	}
	if archived := f.Check(q.URL, sent); len(archived) != 40 {
		t.Errorf("%d archived", len(archived))
	}
}

func TestStopsBeforeTheDeadline(t *testing.T) {
	f := newFixture(t)
	q := dlqtest.CreateQueue(t, f.SQS, "deadline-dlq", nil, nil)
	sent := dlqtest.Send(t, f.SQS, q.URL, 20, dlqtest.SendOptions{Tag: "d"})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	a := f.Archiver(nil)
	a.Config.StopBefore = 5 * time.Second // already inside the margin
	res := a.ArchiveQueue(ctx, f.Load(q.URL), dlq.Everything)
	if !res.StoppedEarly || res.Received != 0 || f.Rec.Calls("ReceiveMessage") != 0 {
		t.Fatalf("result = %+v, receives %d; nothing may be taken inside the stop margin", res, f.Rec.Calls("ReceiveMessage"))
	}
	f.Check(q.URL, sent)
}

func TestHeldMessagesAreBounded(t *testing.T) {
	f := newFixture(t)
	q := dlqtest.CreateQueue(t, f.SQS, "big-dlq", nil, nil)
	sent := dlqtest.Send(t, f.SQS, q.URL, 200, dlqtest.SendOptions{Tag: "h"})
	a := f.Archiver(nil) // real clock: nothing is due
	a.Config.MaxHeld = 50
	res := a.ArchiveQueue(context.Background(), f.Load(q.URL), dlq.Scheduled)
	if !res.StoppedEarly || res.Skipped < 50 || res.Skipped > 50+4*10 || res.Archived != 0 {
		t.Fatalf("result = %+v; the pass must stop once 50 are held", res)
	}
	if c := dlqtest.QueueCounts(t, f.SQS, q.URL); c.InFlight != 0 || c.Visible != 200 {
		t.Errorf("queue = %+v; held messages must all be returned", c)
	}
	f.Check(q.URL, sent)
}

func keys(m map[string]dlqtest.Sent) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
