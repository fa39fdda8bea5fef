package dlqarchiver

import (
	"context"
	"slices"
	"testing"
	"time"

	"prodready/shared/dlq"
	"prodready/shared/dlq/dlqtest"
)

// These scenarios run against moto with the clients wrapped by a
// dlqtest.Recorder, which injects the faults and checks, at every
// DeleteMessageBatch, that each message being deleted already has its
// object. After every run dlqtest.CheckInvariant asserts: every message
// sent is in S3 or still in the queue, the queue holds exactly the
// messages never deleted, no object was written twice.
//
// moto's ReceiveMessage costs time proportional to the queue's length for
// every message it returns, so beyond about a thousand messages it is too
// slow to test against; the benchmark in shared/dlq covers 10,000 messages
// against an in-process fake instead.

func TestOnDemandThousandMessages(t *testing.T) {
	f := dlqtest.NewFixture(t)
	q := dlqtest.CreateQueue(t, f.SQS, "reviewed-dlq", nil, nil)
	sent := dlqtest.Send(t, f.SQS, q.URL, 1000, dlqtest.SendOptions{Tag: "reviewed", WithAttributes: true})
	start := time.Now()
	res := f.Archiver(nil).OnDemand(context.Background(), "reviewed-dlq")
	t.Logf("1000 messages archived through moto in %s: %+v", time.Since(start).Round(time.Millisecond), res.Totals())
	if !res.OK() || res.Totals().Archived != 1000 {
		t.Fatalf("result = %+v", res)
	}
	if archived := f.Check(q.URL, sent); len(archived) != 1000 || dlqtest.QueueCounts(t, f.SQS, q.URL).Total() != 0 {
		t.Fatalf("%d archived, queue %+v", len(archived), dlqtest.QueueCounts(t, f.SQS, q.URL))
	}
	// moto, like SQS, may deliver a message twice; the second put finds
	// the object (412, same MD5). Writing it twice would show in Check.
	if n, tot := f.Rec.Calls("PutObject"), res.Totals(); n != tot.Archived+tot.AlreadyArchived {
		t.Errorf("PutObject called %d times; %d archived and %d already archived", n, tot.Archived, tot.AlreadyArchived)
	}
	f.NoBodiesLogged(sent)
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
		{name: "puts fail 30% (half before S3, half with the response lost)", n: 200, faults: dlqtest.Faults{PutFailBefore: 0.15, PutFailAfter: 0.15, Seed: 1}},
		{name: "DeleteMessageBatch partial failures", n: 200, faults: dlqtest.Faults{DeleteEntryFail: 0.3, Seed: 2}},
		{name: "everything at once, FIFO", n: 150, fifo: true, faults: dlqtest.Faults{PutFailBefore: 0.15, PutFailAfter: 0.15, DeleteEntryFail: 0.2, Seed: 3}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := dlqtest.NewFixture(t)
			name, groups := "faulty-dlq", 0
			if tc.fifo {
				name, groups = "faulty-dlq.fifo", 4
			}
			q := dlqtest.CreateQueue(t, f.SQS, name, nil, nil)
			sent := dlqtest.Send(t, f.SQS, q.URL, tc.n, dlqtest.SendOptions{Tag: "f", Groups: groups, WithAttributes: true})
			for run := 1; ; run++ {
				faults := tc.faults
				faults.Seed += uint64(run)
				f.Rec.SetFaults(faults, nil)
				ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
				a := f.Archiver(nil)
				a.Config.StopBefore = time.Second
				a.Config.VisibilityMargin = time.Second
				res := a.ArchiveQueue(ctx, f.Load(q.URL), dlq.Everything)
				cancel()
				f.Check(q.URL, sent)
				t.Logf("run %d: %+v", run, res)
				if res.Failed == 0 && dlqtest.QueueCounts(t, f.SQS, q.URL).Total() == 0 {
					break
				}
				if run == 8 {
					t.Fatalf("queue not empty after %d runs", run)
				}
				// Messages whose delete failed come back when their
				// visibility timeout ends.
				dlqtest.WaitVisible(t, f.SQS, q.URL, time.Minute)
			}
			if archived := f.Check(q.URL, sent); len(archived) != tc.n {
				t.Errorf("%d of %d archived", len(archived), tc.n)
			}
			f.NoBodiesLogged(sent)
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
			f := dlqtest.NewFixture(t)
			q := dlqtest.CreateQueue(t, f.SQS, "killed-dlq", nil, nil)
			sent := dlqtest.Send(t, f.SQS, q.URL, 200, dlqtest.SendOptions{Tag: "k"})
			for i, at := range append(slices.Clone(tc.kill), 0) {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				if tc.hard {
					f.Rec.SetFaults(dlqtest.Faults{KillAfterCalls: at}, cancel)
				} else {
					f.Rec.SetFaults(dlqtest.Faults{}, nil)
					if at > 0 {
						ctx = cancelAtCall(ctx, f.Rec, at)
					}
				}
				a := f.Archiver(nil)
				a.Config.StopBefore = time.Second
				a.Config.VisibilityMargin = time.Second
				res := a.ArchiveQueue(ctx, f.Load(q.URL), dlq.Everything)
				cancel()
				f.Check(q.URL, sent)
				t.Logf("run %d (kill at call %d): %+v", i+1, at, res)
				if !tc.hard {
					if c := dlqtest.QueueCounts(t, f.SQS, q.URL); c.InFlight != 0 {
						t.Errorf("after a cancelled run %d messages stay in flight; they must be returned at once", c.InFlight)
					}
				}
				dlqtest.WaitVisible(t, f.SQS, q.URL, time.Minute)
			}
			if archived := f.Check(q.URL, sent); len(archived) != len(sent) || dlqtest.QueueCounts(t, f.SQS, q.URL).Total() != 0 {
				t.Errorf("after the final run: %d of %d archived, queue %+v", len(archived), len(sent), dlqtest.QueueCounts(t, f.SQS, q.URL))
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
