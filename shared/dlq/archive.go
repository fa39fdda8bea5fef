package dlq

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"prodready/shared/emf"
	"prodready/shared/tracing"
)

// Mode says which messages a run archives.
type Mode int

const (
	// Scheduled archives the messages the Policy says are due and returns
	// the rest to the queue.
	Scheduled Mode = iota + 1
	// Everything archives every message now: an engineer has reviewed the
	// queue.
	Everything
)

func (m Mode) String() string {
	switch m {
	case Scheduled:
		return "scheduled"
	case Everything:
		return "everything"
	}
	return "mode(" + strconv.Itoa(int(m)) + ")"
}

// Config tunes a run. Zero fields take the defaults noted.
type Config struct {
	// Prefix of every key (default "dlq").
	Prefix string
	// Policy for scheduled runs (default DefaultPolicy).
	Policy Policy
	// Workers receiving from one queue at once (default 8). Each has up to
	// ten puts in flight.
	Workers int
	// StopBefore: no message is received once the deadline is this close
	// (default 30s), so work in flight finishes before Lambda stops.
	StopBefore time.Duration
	// VisibilityMargin is added to the time left until the deadline to make
	// the visibility timeout of received messages (default 60s): longer than
	// any work in flight, short enough that messages of a crashed run come
	// back soon after its deadline.
	VisibilityMargin time.Duration
	// Budget bounds a run whose context has no deadline (the command line;
	// default 15m).
	Budget time.Duration
	// ReceiveWait is the long-poll wait of ReceiveMessage (default 1s; long
	// polling asks every SQS server, so an empty answer means an empty
	// queue). Negative means 0 (short polling).
	ReceiveWait time.Duration
	// MaxHeld bounds not-yet-due messages kept in flight during a pass
	// (default 100,000 for standard queues, 18,000 for FIFO: below SQS's
	// in-flight limits of 120,000 and 20,000).
	MaxHeld int
}

func (c Config) withDefaults() Config {
	if c.Prefix == "" {
		c.Prefix = "dlq"
	}
	if c.Policy == (Policy{}) {
		c.Policy = DefaultPolicy()
	}
	if c.Workers <= 0 {
		c.Workers = 8
	}
	if c.StopBefore == 0 {
		c.StopBefore = 30 * time.Second
	}
	if c.VisibilityMargin == 0 {
		c.VisibilityMargin = 60 * time.Second
	}
	if c.Budget == 0 {
		c.Budget = 15 * time.Minute
	}
	if c.ReceiveWait == 0 {
		c.ReceiveWait = time.Second
	}
	if c.ReceiveWait < 0 {
		c.ReceiveWait = 0
	}
	return c
}

// Archiver moves DLQ messages to S3.
type Archiver struct {
	SQS    SQSClient
	Store  Store
	Config Config
	// Clock is "now" for the age policy and the archive timestamps
	// (default time.Now). Deadlines always use the real clock.
	Clock func() time.Time
	// Log receives counts and identifiers, never message bodies.
	Log *slog.Logger
	// Metrics, if set, receives one EMF record per queue pass.
	Metrics *emf.Writer
}

// QueueResult says what a pass over one queue did.
type QueueResult struct {
	Queue           string `json:"queue"`
	ARN             string `json:"arn"`
	Mode            string `json:"mode"`
	Received        int    `json:"received"`
	Archived        int    `json:"archived"`
	AlreadyArchived int    `json:"alreadyArchived"`
	// Skipped messages were not due and went back to the queue.
	Skipped int `json:"skipped"`
	// Failed messages stayed in the queue because a put, a delete or the
	// message itself failed; the next run retries them.
	Failed    int `json:"failed"`
	Conflicts int `json:"conflicts"`
	// OldestAgeSeconds is the age of the oldest message seen, by SentTimestamp.
	OldestAgeSeconds float64 `json:"oldestMessageAgeSeconds"`
	// StoppedEarly: the pass stopped before the queue was empty (deadline or
	// the in-flight bound); the rest waits for the next run.
	StoppedEarly bool `json:"stoppedEarly,omitempty"`
	// Errors are the first few distinct errors (identifiers only).
	Errors []string `json:"errors,omitempty"`
}

// OK reports whether every message the pass took on was dealt with.
func (r QueueResult) OK() bool { return r.Failed == 0 && r.Conflicts == 0 && len(r.Errors) == 0 }

const maxErrorsKept = 5

func (a *Archiver) now() time.Time {
	if a.Clock != nil {
		return a.Clock()
	}
	return time.Now()
}

func (a *Archiver) log() *slog.Logger {
	if a.Log != nil {
		return a.Log
	}
	return slog.New(slog.DiscardHandler)
}

// pass is the shared state of one queue's pass.
type pass struct {
	a          *Archiver
	q          Queue
	mode       Mode
	cfg        Config
	deadline   time.Time
	stopAt     time.Time
	visibility int32
	maxHeld    int

	mu     sync.Mutex
	res    QueueResult
	held   []sqstypes.Message // in flight, to be returned at the end
	oldest time.Duration
	// tries counts failed attempts per message id in this pass; retrying
	// holds ids returned to the queue for another attempt and not received
	// again yet.
	tries    map[string]int
	retrying map[string]bool
	// lastErr is why each retrying message failed last; it becomes a
	// result error only if the message is given up on.
	lastErr map[string]error
	// processing counts received batches not yet dealt with.
	processing atomic.Int64
}

// triesPerPass bounds attempts at one message within a pass. A message
// that fails is returned to the queue at once for another attempt (in a
// FIFO queue a message held in flight would block its whole group for
// the rest of the pass); after this many it is held until the pass ends
// and left for the next run.
const triesPerPass = 3

// ArchiveQueue runs one pass over q: receive until the queue has no visible
// message left or the deadline nears, archive what mode says, delete what
// is archived, return the rest.
func (a *Archiver) ArchiveQueue(ctx context.Context, q Queue, mode Mode) QueueResult {
	cfg := a.Config.withDefaults()
	var res QueueResult
	_ = tracing.Span(ctx, "archive "+q.Name, func(ctx context.Context) error {
		tracing.Annotate(ctx, "queue", q.Name)
		res = a.archiveQueue(ctx, q, mode, cfg)
		tracing.Annotate(ctx, "archived", res.Archived)
		tracing.Annotate(ctx, "failed", res.Failed+res.Conflicts)
		return nil
	})
	a.report(q, res)
	return res
}

func (a *Archiver) archiveQueue(ctx context.Context, q Queue, mode Mode, cfg Config) QueueResult {
	deadline, ok := ctx.Deadline()
	if !ok {
		var cancel context.CancelFunc
		deadline = time.Now().Add(cfg.Budget)
		ctx, cancel = context.WithDeadline(ctx, deadline)
		defer cancel()
	}
	p := &pass{a: a, q: q, mode: mode, cfg: cfg, deadline: deadline, stopAt: deadline.Add(-cfg.StopBefore),
		res: QueueResult{Queue: q.Name, ARN: q.ARN, Mode: mode.String()}, tries: map[string]int{}, retrying: map[string]bool{}, lastErr: map[string]error{}}
	p.visibility = visibilityFor(time.Until(deadline) + cfg.VisibilityMargin)
	p.maxHeld = cfg.MaxHeld
	if p.maxHeld <= 0 {
		p.maxHeld = 100_000
		if q.FIFO {
			p.maxHeld = 18_000
		}
	}
	log := a.log().With("queue", q.Name, "mode", mode.String())
	if q.RedriveTarget != "" {
		log.Warn("dead-letter queue has a redrive policy of its own: every archiver receive counts toward its maxReceiveCount, so messages not yet due will move on to "+q.RedriveTarget+" after enough runs (they are archived there instead)",
			"redriveTarget", q.RedriveTarget)
	}
	if mode == Scheduled && !cfg.Policy.LeavesTime(q.Retention) {
		log.Warn("retention leaves no time between arrival and the archive-by time: every message is archived by the first run that sees it",
			"retentionSeconds", int64(q.Retention.Seconds()), "intervalSeconds", int64(cfg.Policy.Interval.Seconds()), "marginSeconds", int64(cfg.Policy.Margin.Seconds()))
	}

	var wg sync.WaitGroup
	for range cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.work(ctx)
		}()
	}
	wg.Wait()
	// Return what is held even if ctx is done: promptly returned messages
	// are the point. The deadline still bounds it (at least 10s from now);
	// what is not returned comes back at the visibility timeout, shortly
	// after the deadline.
	releaseCtx, cancel := context.WithDeadline(context.WithoutCancel(ctx), later(deadline, time.Now().Add(10*time.Second)))
	defer cancel()
	p.release(releaseCtx, p.held)

	p.res.OldestAgeSeconds = math.Round(p.oldest.Seconds())
	// Returned for another attempt but never received again (the pass
	// stopped first): still in the queue, not archived.
	p.res.Failed += len(p.retrying)
	for id := range p.retrying {
		p.keepError(p.lastErr[id])
	}
	r := p.res
	log.Info("queue pass done", "received", r.Received, "archived", r.Archived, "alreadyArchived", r.AlreadyArchived,
		"skipped", r.Skipped, "failed", r.Failed, "conflicts", r.Conflicts, "oldestMessageAgeSeconds", r.OldestAgeSeconds,
		"stoppedEarly", r.StoppedEarly)
	return r
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// visibilityFor turns a duration into an SQS visibility timeout (whole
// seconds, rounded up, within SQS's 0..12h).
func visibilityFor(d time.Duration) int32 {
	s := int64(math.Ceil(d.Seconds()))
	return int32(min(max(s, 1), 43200))
}

// detached returns a context for one unit of work already started (a
// receive and the puts and deletes of what it returned): cancelling the
// run stops new work, not this, so a cancelled run neither strands
// received messages nor drops deletes of archived ones. The deadline
// still applies.
func (p *pass) detached(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithDeadline(context.WithoutCancel(ctx), p.deadline)
}

// work receives batches until the queue is empty or the pass must stop.
// Each batch is processed (puts, then deletes) by a second goroutine while
// the next is received, so a worker keeps one receive and one batch of
// puts in flight at once instead of waiting for each in turn.
func (p *pass) work(ctx context.Context) {
	batches := make(chan []sqstypes.Message)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for msgs := range batches {
			wctx, cancel := p.detached(ctx)
			p.process(wctx, msgs)
			cancel()
			p.processing.Add(-1)
		}
	}()
	defer func() {
		close(batches)
		<-done
	}()
	receiveErrors := 0
	for {
		if ctx.Err() != nil || !time.Now().Before(p.stopAt) {
			p.mu.Lock()
			p.res.StoppedEarly = true
			p.mu.Unlock()
			return
		}
		p.mu.Lock()
		full := len(p.held) >= p.maxHeld
		if full {
			p.res.StoppedEarly = true
		}
		p.mu.Unlock()
		if full {
			p.a.log().Warn("too many messages not yet due held in flight; stopping this pass", "queue", p.q.Name, "held", p.maxHeld)
			return
		}
		idle := p.processing.Load() == 0
		msgs, err := p.receive(ctx)
		if err != nil {
			// The SDK has retried already; a few in a row means SQS is not
			// answering and this pass cannot make progress.
			p.fail(fmt.Errorf("receive from %s: %w", p.q.Name, err))
			if receiveErrors++; receiveErrors >= 3 {
				return
			}
			continue
		}
		receiveErrors = 0
		if len(msgs) == 0 {
			// An empty answer means the queue is done only if none of
			// this pass's messages were in flight when we asked: a FIFO
			// queue answers nothing for a group with a message in flight,
			// so wait for the batches being processed and ask again.
			if idle {
				return
			}
			for p.processing.Load() > 0 && ctx.Err() == nil && time.Now().Before(p.stopAt) {
				time.Sleep(5 * time.Millisecond)
			}
			continue
		}
		p.processing.Add(1)
		batches <- msgs
	}
}

// receive asks for one batch. A receive once started is not cancelled
// with the run (see detached), so no message is left in flight unseen.
func (p *pass) receive(ctx context.Context) ([]sqstypes.Message, error) {
	wctx, cancel := p.detached(ctx)
	defer cancel()
	in := &sqs.ReceiveMessageInput{
		QueueUrl:                    aws.String(p.q.URL),
		MaxNumberOfMessages:         10,
		VisibilityTimeout:           p.visibility,
		WaitTimeSeconds:             int32(p.cfg.ReceiveWait / time.Second),
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll},
		MessageAttributeNames:       []string{"All"},
	}
	if p.q.FIFO {
		// The SDK retries a receive whose answer was lost with the same
		// input; with an attempt id FIFO SQS then returns the same
		// messages instead of leaving them (and their groups) invisible.
		in.ReceiveRequestAttemptId = aws.String(rand.Text())
	}
	out, err := p.a.SQS.ReceiveMessage(wctx, in)
	if err != nil {
		return nil, err
	}
	return out.Messages, nil
}

// fail records a pass-level error (not tied to one message).
func (p *pass) fail(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.keepError(err)
}

func (p *pass) keepError(err error) {
	if len(p.res.Errors) < maxErrorsKept {
		p.res.Errors = append(p.res.Errors, err.Error())
	}
}

type stored struct {
	msg     sqstypes.Message
	outcome Outcome
	err     error
}

// process archives one received batch. The only path to DeleteMessageBatch
// goes through a Written or AlreadyStored outcome of Store.Put.
func (p *pass) process(ctx context.Context, msgs []sqstypes.Message) {
	now := p.a.now()
	reason := ReasonExpiring
	if p.mode == Everything {
		reason = ReasonOnDemand
	}
	p.mu.Lock()
	for _, m := range msgs {
		delete(p.retrying, aws.ToString(m.MessageId))
	}
	p.mu.Unlock()
	var (
		keep    []sqstypes.Message // return to the queue at the end of the pass
		toStore []stored
		skipped int
		bad     int
		errs    []error
		oldest  time.Duration
	)
	records := make([]Record, 0, len(msgs))
	for _, m := range msgs {
		rec, err := NewRecord(p.q, m, now, reason)
		if err != nil {
			bad++
			errs = append(errs, fmt.Errorf("queue %s: %w", p.q.Name, err))
			keep = append(keep, m)
			continue
		}
		oldest = max(oldest, now.Sub(rec.SentAt))
		if p.mode == Scheduled && !p.cfg.Policy.Due(rec.SentAt, p.q.Retention, now) {
			skipped++
			keep = append(keep, m)
			continue
		}
		toStore = append(toStore, stored{msg: m})
		records = append(records, rec)
	}

	var wg sync.WaitGroup
	for i := range toStore {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec := records[i]
			key := Key(p.cfg.Prefix, p.q, rec.MessageID, rec.SentAt)
			toStore[i].outcome, toStore[i].err = p.a.Store.Put(ctx, key, rec)
		}()
	}
	wg.Wait()

	var deletable, failed []sqstypes.Message
	var written, already, conflicts int
	failErr := map[string]error{}
	for _, s := range toStore {
		switch {
		case s.err == nil && s.outcome == Written:
			deletable = append(deletable, s.msg)
			written++
		case s.err == nil && s.outcome == AlreadyStored:
			deletable = append(deletable, s.msg)
			already++
		case s.outcome == Conflict:
			conflicts++
			keep = append(keep, s.msg)
			errs = append(errs, s.err)
			p.a.log().Error("archive conflict: message left in queue", "queue", p.q.Name, "messageId", aws.ToString(s.msg.MessageId), "error", s.err)
		default:
			failed = append(failed, s.msg)
			failErr[aws.ToString(s.msg.MessageId)] = s.err
		}
	}
	notDeleted := p.delete(ctx, deletable)
	for _, m := range notDeleted {
		failErr[aws.ToString(m.MessageId)] = fmt.Errorf("queue %s: message %s is archived but could not be deleted", p.q.Name, aws.ToString(m.MessageId))
	}
	failed = append(failed, notDeleted...)

	// Failed messages go back for another attempt in this pass, up to
	// triesPerPass; after that they wait in flight for the end of the pass.
	var retry []sqstypes.Message
	givenUp := 0
	p.mu.Lock()
	for _, m := range failed {
		id := aws.ToString(m.MessageId)
		p.tries[id]++
		if p.tries[id] < triesPerPass && time.Now().Before(p.stopAt) {
			retry = append(retry, m)
			p.retrying[id] = true
			p.lastErr[id] = failErr[id]
			continue
		}
		givenUp++
		keep = append(keep, m)
		errs = append(errs, failErr[id])
	}
	p.res.Received += len(msgs)
	p.res.Skipped += skipped
	p.res.Archived += written
	p.res.AlreadyArchived += already
	p.res.Conflicts += conflicts
	// A message whose delete failed is archived but still in the queue; it
	// counts as failed (a later attempt finds its object and deletes it).
	p.res.Failed += bad + givenUp
	p.oldest = max(p.oldest, oldest)
	p.held = append(p.held, keep...)
	for _, err := range errs {
		p.keepError(err)
	}
	p.mu.Unlock()
	p.release(ctx, retry)
}

// delete removes archived messages, retrying per-entry failures once, and
// returns those still not deleted.
func (p *pass) delete(ctx context.Context, msgs []sqstypes.Message) []sqstypes.Message {
	pending := msgs
	for attempt := 0; attempt < 2 && len(pending) > 0; attempt++ {
		entries := make([]sqstypes.DeleteMessageBatchRequestEntry, len(pending))
		for i, m := range pending {
			entries[i] = sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle}
		}
		out, err := p.a.SQS.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(p.q.URL), Entries: entries})
		if err != nil {
			p.a.log().Warn("delete batch failed", "queue", p.q.Name, "messages", len(pending), "error", err)
			if ctx.Err() != nil {
				return pending
			}
			continue
		}
		var again []sqstypes.Message
		for _, f := range out.Failed {
			i, err := strconv.Atoi(aws.ToString(f.Id))
			if err != nil || i < 0 || i >= len(pending) {
				// An id we did not send: we cannot tell which message
				// failed, so assume all of this attempt did.
				return pending
			}
			p.a.log().Warn("delete failed", "queue", p.q.Name, "messageId", aws.ToString(pending[i].MessageId),
				"code", aws.ToString(f.Code), "senderFault", f.SenderFault)
			again = append(again, pending[i])
		}
		pending = again
	}
	return pending
}

// release returns messages to the queue at once (visibility 0).
func (p *pass) release(ctx context.Context, msgs []sqstypes.Message) {
	chunks := make(chan []sqstypes.Message)
	var wg sync.WaitGroup
	for range min(releasers, (len(msgs)+9)/10) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for chunk := range chunks {
				p.releaseChunk(ctx, chunk)
			}
		}()
	}
	for start := 0; start < len(msgs) && ctx.Err() == nil; start += 10 {
		chunks <- msgs[start:min(start+10, len(msgs))]
	}
	close(chunks)
	wg.Wait()
}

// releasers bounds concurrent ChangeMessageVisibilityBatch calls when a
// pass returns what it held (up to MaxHeld messages, 10 per call).
const releasers = 8

func (p *pass) releaseChunk(ctx context.Context, chunk []sqstypes.Message) {
	entries := make([]sqstypes.ChangeMessageVisibilityBatchRequestEntry, len(chunk))
	for i, m := range chunk {
		entries[i] = sqstypes.ChangeMessageVisibilityBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0}
	}
	out, err := p.a.SQS.ChangeMessageVisibilityBatch(ctx, &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: aws.String(p.q.URL), Entries: entries})
	switch {
	case err != nil:
		p.a.log().Warn("returning messages to the queue failed; they reappear when their visibility timeout ends",
			"queue", p.q.Name, "messages", len(chunk), "visibilityTimeoutSeconds", p.visibility, "error", err)
	case len(out.Failed) > 0:
		p.a.log().Warn("some messages could not be returned to the queue; they reappear when their visibility timeout ends",
			"queue", p.q.Name, "messages", len(out.Failed), "visibilityTimeoutSeconds", p.visibility)
	}
}

// report writes the pass's EMF record.
func (a *Archiver) report(q Queue, r QueueResult) {
	if a.Metrics == nil {
		return
	}
	stopped := 0.0
	if r.StoppedEarly {
		stopped = 1
	}
	err := a.Metrics.Emit(map[string]string{"QueueName": q.Name}, map[string]any{"QueueArn": q.ARN, "Mode": r.Mode},
		emf.Metric{Name: "Archived", Value: float64(r.Archived), Unit: emf.Count},
		emf.Metric{Name: "AlreadyArchived", Value: float64(r.AlreadyArchived), Unit: emf.Count},
		emf.Metric{Name: "Skipped", Value: float64(r.Skipped), Unit: emf.Count},
		emf.Metric{Name: "Failed", Value: float64(r.Failed), Unit: emf.Count},
		emf.Metric{Name: "Conflicts", Value: float64(r.Conflicts), Unit: emf.Count},
		emf.Metric{Name: "StoppedEarly", Value: stopped, Unit: emf.Count},
		emf.Metric{Name: "OldestMessageAgeSeconds", Value: r.OldestAgeSeconds, Unit: emf.Seconds},
	)
	if err != nil {
		a.log().Warn("metrics not written", "error", err)
	}
}
