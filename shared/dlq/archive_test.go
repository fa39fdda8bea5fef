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
	q := dlqtest.CreateQueue(t, f.sqs, "orders-dlq", nil, nil)
	old := dlqtest.Send(t, f.sqs, q.URL, 150, dlqtest.SendOptions{Tag: "old", WithAttributes: true})
	time.Sleep(1100 * time.Millisecond)
	boundary := time.Now()
	time.Sleep(1100 * time.Millisecond)
	young := dlqtest.Send(t, f.sqs, q.URL, 150, dlqtest.SendOptions{Tag: "young"})
	sent := merge(old, young)

	pol := dlq.DefaultPolicy()
	retention := 96 * time.Hour
	// "Now" is when messages sent at boundary become due: old ones are
	// past it, young ones not yet.
	now := boundary.Add(retention - pol.Interval - pol.Margin)
	a := f.archiver(func() time.Time { return now })
	res := a.ArchiveQueue(context.Background(), f.load(q.URL), dlq.Scheduled)

	// Standard queues deliver at least once; moto, under concurrent
	// receives, sometimes hands one message to two of them.
	if res.Archived != 150 || res.Skipped < 150 || !res.OK() || res.StoppedEarly {
		t.Fatalf("result = %+v; want 150 archived, 150 skipped", res)
	}
	counts := dlqtest.QueueCounts(t, f.sqs, q.URL)
	if counts.InFlight != 0 || counts.Visible != 150 {
		t.Errorf("after the run the queue has %+v; the 150 young messages must be visible again at once", counts)
	}
	archived := f.check(q.URL, sent)
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
	f.noBodiesLogged(sent)
}

func TestOnDemandArchivesEverything(t *testing.T) {
	f := newFixture(t)
	q := dlqtest.CreateQueue(t, f.sqs, "reviewed-dlq", nil, nil)
	sent := dlqtest.Send(t, f.sqs, q.URL, 1000, dlqtest.SendOptions{Tag: "reviewed", WithAttributes: true})
	start := time.Now()
	res := f.archiver(nil).OnDemand(context.Background(), "reviewed-dlq")
	if !res.OK() || len(res.Queues) != 1 || res.Queues[0].Archived != 1000 {
		t.Fatalf("result = %+v", res)
	}
	t.Logf("1000 messages archived through moto in %s", time.Since(start).Round(time.Millisecond))
	archived := f.check(q.URL, sent)
	if len(archived) != 1000 || dlqtest.QueueCounts(t, f.sqs, q.URL).Total() != 0 {
		t.Fatalf("%d archived, queue %+v", len(archived), dlqtest.QueueCounts(t, f.sqs, q.URL))
	}
	if n := f.rec.Calls("PutObject"); n != 1000 {
		t.Errorf("PutObject called %d times for 1000 messages", n)
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
	key := dlq.Key("dlq", f.load(q.URL), id, r.SentAt)
	wantPrefix := "dlq/123456789012/eu-west-2/reviewed-dlq/" + r.SentAt.Format("2006/01/02") + "/"
	if key != wantPrefix+id+".json" {
		t.Errorf("key = %s, want %s<id>.json", key, wantPrefix)
	}
	head, err := f.s3.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(testBucket), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	if head.ServerSideEncryption != "aws:kms" || aws.ToString(head.SSEKMSKeyId) != testKMSKey {
		t.Errorf("object encryption = %q key %q; want SSE-KMS with the configured key", head.ServerSideEncryption, aws.ToString(head.SSEKMSKeyId))
	}

	// A second run finds nothing and writes nothing.
	again := f.archiver(nil).OnDemand(context.Background(), q.URL)
	if tot := again.Totals(); tot.Received != 0 || f.rec.Calls("PutObject") != 1000 {
		t.Errorf("rerun: %+v, puts %d", tot, f.rec.Calls("PutObject"))
	}
	f.noBodiesLogged(sent)
}

func TestFIFO(t *testing.T) {
	f := newFixture(t)
	q := dlqtest.CreateQueue(t, f.sqs, "events-dlq.fifo", nil, nil)
	sent := dlqtest.Send(t, f.sqs, q.URL, 200, dlqtest.SendOptions{Tag: "fifo", Groups: 5, WithAttributes: true})
	res := f.archiver(nil).OnDemand(context.Background(), q.ARN)
	if !res.OK() || res.Totals().Archived != 200 {
		t.Fatalf("result = %+v", res)
	}
	archived := f.check(q.URL, sent)
	for id, s := range sent {
		r := archived[id]
		if r.Attributes["MessageGroupId"] != s.Group || r.Attributes["SequenceNumber"] == "" || r.Attributes["MessageDeduplicationId"] == "" {
			t.Fatalf("FIFO attributes of %s = %v, want group %s", id, r.Attributes, s.Group)
		}
	}
}

func TestScheduledRunOverDiscoveredQueues(t *testing.T) {
	f := newFixture(t)
	a := dlqtest.CreateQueue(t, f.sqs, "a-dlq", nil, nil)
	dlqtest.CreateQueue(t, f.sqs, "a", dlqtest.RedriveTo(a.ARN, 3), nil)
	b := dlqtest.CreateQueue(t, f.sqs, "b-dlq.fifo", nil, map[string]string{dlq.TagKey: "true"})
	plain := dlqtest.CreateQueue(t, f.sqs, "plain", nil, nil)
	sentA := dlqtest.Send(t, f.sqs, a.URL, 50, dlqtest.SendOptions{Tag: "a"})
	sentB := dlqtest.Send(t, f.sqs, b.URL, 50, dlqtest.SendOptions{Tag: "b", Groups: 3})
	sentPlain := dlqtest.Send(t, f.sqs, plain.URL, 5, dlqtest.SendOptions{Tag: "plain"})
	far := time.Now().Add(96 * time.Hour)
	res := f.archiver(func() time.Time { return far }).Scheduled(context.Background(), nil)
	if !res.OK() || res.Totals().Archived != 100 || len(res.Queues) != 2 {
		t.Fatalf("result = %+v", res)
	}
	f.check(a.URL, sentA)
	f.check(b.URL, sentB)
	if dlqtest.QueueCounts(t, f.sqs, plain.URL).Total() != len(sentPlain) || f.rec.Calls("ReceiveMessage") == 0 {
		t.Error("a queue that is no DLQ must be left alone")
	}
}

func TestConflictIsNeverDeleted(t *testing.T) {
	f := newFixture(t)
	q := dlqtest.CreateQueue(t, f.sqs, "conflict-dlq", nil, nil)
	sent := dlqtest.Send(t, f.sqs, q.URL, 3, dlqtest.SendOptions{Tag: "c"})
	ids := keys(sent)
	// Someone else's record, same id, different body, already in the bucket.
	victim := ids[0]
	queue := f.load(q.URL)
	forged := dlq.Record{SchemaVersion: 1, MessageID: victim, Body: "something else", MD5OfBody: dlq.MD5Hex("something else"), SentAt: time.Now().UTC()}
	key := dlq.Key("dlq", queue, victim, time.Now())
	store := dlq.Store{S3: f.s3, Bucket: testBucket}
	if _, err := store.Put(context.Background(), key, forged); err != nil {
		t.Fatal(err)
	}
	res := f.archiver(nil).ArchiveQueue(context.Background(), queue, dlq.Everything)
	if res.Conflicts != 1 || res.Archived != 2 || res.OK() {
		t.Fatalf("result = %+v; want 1 conflict, 2 archived, not OK", res)
	}
	if f.rec.Deleted(victim) != 0 {
		t.Fatal("the conflicting message was deleted")
	}
	if c := dlqtest.QueueCounts(t, f.sqs, q.URL); c.Visible != 1 {
		t.Errorf("queue = %+v; the conflicting message must be back in the queue", c)
	}
	if !strings.Contains(f.logs.String(), "archive conflict") {
		t.Error("a conflict must be logged as an error")
	}
}

// A put whose response is lost has written the object; the retry gets a
// 412, finds the same MD5 and deletes the message.
func TestLostPutResponsesAreResolvedByTheRetry(t *testing.T) {
	f := newFixture(t)
	q := dlqtest.CreateQueue(t, f.sqs, "lost-dlq", nil, nil)
	sent := dlqtest.Send(t, f.sqs, q.URL, 40, dlqtest.SendOptions{Tag: "lost", WithAttributes: true})
	f.rec.SetFaults(dlqtest.Faults{PutFailAfter: 1}, nil)
	res := f.archiver(nil).ArchiveQueue(context.Background(), f.load(q.URL), dlq.Everything)
	// SQS may deliver a message twice (moto does, under concurrent
	// receives): a second AlreadyStored is fine, a second write is not.
	if res.AlreadyArchived < 40 || res.Archived != 0 || !res.OK() {
		t.Fatalf("result = %+v; every first put 'failed' after writing, every retry must find the object", res)
	}
	if puts, heads := f.rec.Calls("PutObject"), f.rec.Calls("HeadObject"); puts < 80 || heads != puts-40 {
		t.Errorf("PutObject %d, HeadObject %d; each 412 must check the stored MD5", puts, heads)
	}
	if archived := f.check(q.URL, sent); len(archived) != 40 {
		t.Errorf("%d archived", len(archived))
	}
}

// The fault scenarios: the invariant must hold after every run, and reruns
// must converge to an empty queue with every message archived once.
func TestFaults(t *testing.T) {
	tests := []struct {
		name   string
		n      int
		fifo   bool
		faults dlqtest.Faults
	}{
		{name: "puts fail 30% (half before S3, half with the response lost)", n: 300, faults: dlqtest.Faults{PutFailBefore: 0.15, PutFailAfter: 0.15, Seed: 1}},
		{name: "DeleteMessageBatch partial failures", n: 300, faults: dlqtest.Faults{DeleteEntryFail: 0.3, Seed: 2}},
		{name: "everything at once, FIFO", n: 200, fifo: true, faults: dlqtest.Faults{PutFailBefore: 0.15, PutFailAfter: 0.15, DeleteEntryFail: 0.2, Seed: 3}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			name, groups := "faulty-dlq", 0
			if tc.fifo {
				name, groups = "faulty-dlq.fifo", 4
			}
			q := dlqtest.CreateQueue(t, f.sqs, name, nil, nil)
			sent := dlqtest.Send(t, f.sqs, q.URL, tc.n, dlqtest.SendOptions{Tag: "f", Groups: groups, WithAttributes: true})
			for run := 1; ; run++ {
				faults := tc.faults
				faults.Seed += uint64(run)
				f.rec.SetFaults(faults, nil)
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				a := f.archiver(nil)
				a.Config.StopBefore = time.Second
				a.Config.VisibilityMargin = time.Second
				res := a.ArchiveQueue(ctx, f.load(q.URL), dlq.Everything)
				cancel()
				f.check(q.URL, sent)
				t.Logf("run %d: %+v", run, res)
				if res.Failed == 0 && dlqtest.QueueCounts(t, f.sqs, q.URL).Total() == 0 {
					break
				}
				if run == 8 {
					t.Fatalf("queue not empty after %d runs", run)
				}
				// Messages whose delete failed come back when their
				// visibility timeout ends.
				dlqtest.WaitVisible(t, f.sqs, q.URL, time.Minute)
			}
			if archived := f.check(q.URL, sent); len(archived) != tc.n {
				t.Errorf("%d of %d archived", len(archived), tc.n)
			}
			f.noBodiesLogged(sent)
		})
	}
}

// Killing the invocation: at a random call the context is cancelled
// (soft: the archiver still returns what it holds) or the process dies
// (hard: nothing more reaches AWS). A rerun after the in-flight messages
// come back must finish the job.
func TestKilledMidRun(t *testing.T) {
	tests := []struct {
		name string
		hard bool
		kill []int // call numbers to kill at
	}{
		{name: "context cancelled", kill: []int{3, 57, 140}},
		{name: "process killed", hard: true, kill: []int{2, 35, 121}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			q := dlqtest.CreateQueue(t, f.sqs, "killed-dlq", nil, nil)
			sent := dlqtest.Send(t, f.sqs, q.URL, 200, dlqtest.SendOptions{Tag: "k"})
			for i, at := range append(slices.Clone(tc.kill), 0) {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				if tc.hard {
					f.rec.SetFaults(dlqtest.Faults{KillAfterCalls: at}, cancel)
				} else {
					f.rec.SetFaults(dlqtest.Faults{}, nil)
					if at > 0 {
						ctx = cancelAtCall(ctx, f.rec, at)
					}
				}
				a := f.archiver(nil)
				a.Config.StopBefore = time.Second
				a.Config.VisibilityMargin = time.Second
				res := a.ArchiveQueue(ctx, f.load(q.URL), dlq.Everything)
				cancel()
				f.check(q.URL, sent)
				t.Logf("run %d (kill at call %d): %+v", i+1, at, res)
				if !tc.hard {
					if c := dlqtest.QueueCounts(t, f.sqs, q.URL); c.InFlight != 0 {
						t.Errorf("after a cancelled run %d messages stay in flight; they must be returned at once", c.InFlight)
					}
				}
				dlqtest.WaitVisible(t, f.sqs, q.URL, time.Minute)
			}
			if archived := f.check(q.URL, sent); len(archived) != len(sent) || dlqtest.QueueCounts(t, f.sqs, q.URL).Total() != 0 {
				t.Errorf("after the final run: %d of %d archived, queue %+v", len(archived), len(sent), dlqtest.QueueCounts(t, f.sqs, q.URL))
			}
		})
	}
}

// cancelAtCall returns a context cancelled when the recorder has seen n
// more calls.
func cancelAtCall(parent context.Context, rec *dlqtest.Recorder, n int) context.Context {
	ctx, cancel := context.WithCancel(parent)
	start := totalCalls(rec)
	go func() {
		for ctx.Err() == nil {
			if totalCalls(rec)-start >= n {
				cancel()
				return
			}
			time.Sleep(200 * time.Microsecond)
		}
	}()
	return ctx
}

func totalCalls(rec *dlqtest.Recorder) int {
	n := 0
	for _, op := range []string{"ReceiveMessage", "PutObject", "HeadObject", "DeleteMessageBatch", "ChangeMessageVisibilityBatch"} {
		n += rec.Calls(op)
	}
	return n
}

func TestStopsBeforeTheDeadline(t *testing.T) {
	f := newFixture(t)
	q := dlqtest.CreateQueue(t, f.sqs, "deadline-dlq", nil, nil)
	sent := dlqtest.Send(t, f.sqs, q.URL, 20, dlqtest.SendOptions{Tag: "d"})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	a := f.archiver(nil)
	a.Config.StopBefore = 5 * time.Second // already inside the margin
	res := a.ArchiveQueue(ctx, f.load(q.URL), dlq.Everything)
	if !res.StoppedEarly || res.Received != 0 || f.rec.Calls("ReceiveMessage") != 0 {
		t.Fatalf("result = %+v, receives %d; nothing may be taken inside the stop margin", res, f.rec.Calls("ReceiveMessage"))
	}
	f.check(q.URL, sent)
}

func TestHeldMessagesAreBounded(t *testing.T) {
	f := newFixture(t)
	q := dlqtest.CreateQueue(t, f.sqs, "big-dlq", nil, nil)
	sent := dlqtest.Send(t, f.sqs, q.URL, 200, dlqtest.SendOptions{Tag: "h"})
	a := f.archiver(nil) // real clock: nothing is due
	a.Config.MaxHeld = 50
	res := a.ArchiveQueue(context.Background(), f.load(q.URL), dlq.Scheduled)
	if !res.StoppedEarly || res.Skipped < 50 || res.Skipped > 50+4*10 || res.Archived != 0 {
		t.Fatalf("result = %+v; the pass must stop once 50 are held", res)
	}
	if c := dlqtest.QueueCounts(t, f.sqs, q.URL); c.InFlight != 0 || c.Visible != 200 {
		t.Errorf("queue = %+v; held messages must all be returned", c)
	}
	f.check(q.URL, sent)
}

func keys(m map[string]dlqtest.Sent) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
