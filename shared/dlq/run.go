package dlq

import (
	"context"
	"fmt"
	"sync"

	"prodready/shared/emf"
)

// Result is what a run over several queues did.
type Result struct {
	Mode   string        `json:"mode"`
	Queues []QueueResult `json:"queues"`
	// Errors are run-level problems: queues that could not be found or read.
	Errors []string `json:"errors,omitempty"`
}

// OK reports whether every queue was read and every message it took on was
// dealt with.
func (r Result) OK() bool {
	if len(r.Errors) > 0 {
		return false
	}
	for _, q := range r.Queues {
		if !q.OK() {
			return false
		}
	}
	return true
}

// Totals adds up the queue results.
func (r Result) Totals() QueueResult {
	t := QueueResult{Mode: r.Mode}
	for _, q := range r.Queues {
		t.Received += q.Received
		t.Archived += q.Archived
		t.AlreadyArchived += q.AlreadyArchived
		t.Skipped += q.Skipped
		t.Failed += q.Failed
		t.Conflicts += q.Conflicts
		t.StoppedEarly = t.StoppedEarly || q.StoppedEarly
		t.OldestAgeSeconds = max(t.OldestAgeSeconds, q.OldestAgeSeconds)
	}
	return t
}

// queuesAtOnce bounds queues worked on concurrently, so one large queue
// cannot use up a run while the others wait for the deadline.
const queuesAtOnce = 4

// ArchiveAll runs a pass over each queue, a few queues at a time.
func (a *Archiver) ArchiveAll(ctx context.Context, queues []Queue, mode Mode) Result {
	res := Result{Mode: mode.String(), Queues: make([]QueueResult, len(queues))}
	var wg sync.WaitGroup
	sem := make(chan struct{}, queuesAtOnce)
	for i, q := range queues {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			res.Queues[i] = a.ArchiveQueue(ctx, q, mode)
		}()
	}
	wg.Wait()
	return res
}

// Scheduled discovers the DLQs and archives what is due in each.
func (a *Archiver) Scheduled(ctx context.Context, configured []string) Result {
	queues, err := Discover(ctx, a.SQS, configured, a.log())
	res := a.ArchiveAll(ctx, queues, Scheduled)
	if err != nil {
		res.Errors = append(res.Errors, err.Error())
		a.log().Error("discovery incomplete: some dead-letter queues could not be read", "error", err)
	}
	stopped := 0
	for _, q := range res.Queues {
		if q.StoppedEarly {
			stopped++
		}
	}
	a.reportRun(len(queues), stopped, err != nil)
	return res
}

// OnDemand archives everything in the queue ref (URL, ARN or name) now.
func (a *Archiver) OnDemand(ctx context.Context, ref string) Result {
	res := Result{Mode: Everything.String()}
	u, err := ResolveQueueURL(ctx, a.SQS, ref)
	if err != nil {
		res.Errors = append(res.Errors, err.Error())
		return res
	}
	q, err := LoadQueue(ctx, a.SQS, u)
	if err != nil {
		res.Errors = append(res.Errors, err.Error())
		return res
	}
	q.Why = []string{WhyRequested}
	res.Queues = []QueueResult{a.ArchiveQueue(ctx, q, Everything)}
	return res
}

// reportRun emits the run's totals without dimensions, so one alarm can
// watch every queue (StoppedEarly: queues the run left before its deadline).
func (a *Archiver) reportRun(queues, stoppedEarly int, discoveryFailed bool) {
	if a.Metrics == nil {
		return
	}
	failed := 0.0
	if discoveryFailed {
		failed = 1
	}
	if err := a.Metrics.Emit(map[string]string{}, nil,
		emf.Metric{Name: "QueuesDiscovered", Value: float64(queues), Unit: emf.Count},
		emf.Metric{Name: "DiscoveryErrors", Value: failed, Unit: emf.Count},
		emf.Metric{Name: "QueuesStoppedEarly", Value: float64(stoppedEarly), Unit: emf.Count},
	); err != nil {
		a.log().Warn("metrics not written", "error", err)
	}
}

// Err turns a result that is not OK into an error naming what went wrong
// (counts only), for callers that must fail: the Lambda handler, so its
// Errors metric and alarm fire.
func (r Result) Err() error {
	if r.OK() {
		return nil
	}
	t := r.Totals()
	return fmt.Errorf("dlq archive (%s): %d failed, %d conflicts, %d run errors; messages not archived stay in their queue",
		r.Mode, t.Failed, t.Conflicts, len(r.Errors))
}
