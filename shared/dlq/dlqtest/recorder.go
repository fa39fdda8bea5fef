// Package dlqtest holds what the archiver's tests share: client wrappers
// that count calls, inject faults and watch the archiving invariant, and
// helpers that seed and inspect queues and buckets.
package dlqtest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"prodready/shared/dlq"
)

// ErrInjected marks a fault the Recorder made up.
var ErrInjected = errors.New("injected fault")

// ErrKilled is what every call returns once the Recorder has "killed" the
// process: nothing more reaches AWS, as when Lambda stops a function.
var ErrKilled = errors.New("process killed")

// Faults configures injected failures. Probabilities are in [0,1].
type Faults struct {
	// PutFailBefore: PutObject fails without reaching S3.
	PutFailBefore float64
	// PutFailAfter: PutObject reaches S3 and succeeds there, but the caller
	// sees an error (a lost response).
	PutFailAfter float64
	// DeleteEntryFail: a DeleteMessageBatch entry is withheld from SQS and
	// reported as a per-entry failure.
	DeleteEntryFail float64
	// KillAfterCalls > 0: after that many calls (SQS and S3 together) the
	// context passed to Kill is cancelled and every later call fails with
	// ErrKilled.
	KillAfterCalls int
	// Seed makes the random choices repeatable.
	Seed uint64
}

// Recorder wraps real clients. It counts calls, injects Faults, and checks
// at every DeleteMessageBatch that each message being deleted has an
// object in S3 (written through this Recorder, now or by an earlier run
// sharing it).
type Recorder struct {
	SQSNext dlq.SQSClient
	S3Next  dlq.S3Client

	// deleteMu serializes deletes that reach moto: its delete_message
	// rebuilds the queue's message list without a lock, so two concurrent
	// DeleteMessageBatch calls can bring back a message the other deleted
	// (and report a later delete of it as done). SQS has no such race.
	deleteMu sync.Mutex

	mu     sync.Mutex
	faults Faults
	rng    *rand.Rand
	calls  map[string]int
	total  int
	killed bool
	kill   context.CancelFunc
	// receipts maps receipt handles to message ids.
	receipts map[string]string
	// puts counts successful writes per key as S3 saw them (including
	// those whose response was "lost").
	puts map[string]int
	// stored holds the message ids that have an object.
	stored map[string]bool
	bucket *string
	// keys maps message ids to the key their put tried.
	keys map[string]string
	// deleted counts deletes SQS accepted per message id; maybeDeleted
	// holds those whose DeleteMessageBatch call failed as a whole (SQS may
	// or may not have acted on it before the answer was lost).
	deleted      map[string]int
	maybeDeleted map[string]bool
	violations   []string
}

// NewRecorder wraps the clients.
func NewRecorder(sqsClient dlq.SQSClient, s3Client dlq.S3Client) *Recorder {
	return &Recorder{SQSNext: sqsClient, S3Next: s3Client, calls: map[string]int{}, receipts: map[string]string{},
		puts: map[string]int{}, stored: map[string]bool{}, keys: map[string]string{}, deleted: map[string]int{},
		maybeDeleted: map[string]bool{}, rng: rand.New(rand.NewPCG(1, 2))}
}

// SetFaults replaces the fault plan; kill is cancelled when KillAfterCalls
// is reached. It also revives a killed recorder (the next invocation).
func (r *Recorder) SetFaults(f Faults, kill context.CancelFunc) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.faults, r.kill, r.killed, r.total = f, kill, false, 0
	r.rng = rand.New(rand.NewPCG(f.Seed, f.Seed^0x9e3779b97f4a7c15))
}

// Calls returns how often op (e.g. "PutObject") was called.
func (r *Recorder) Calls(op string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls[op]
}

// Killed reports whether the kill point was reached.
func (r *Recorder) Killed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.killed
}

// Violations lists invariant breaches seen so far: a delete of a message
// with no object, an object written twice.
func (r *Recorder) Violations() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := append([]string(nil), r.violations...)
	for k, n := range r.puts {
		if n > 1 {
			out = append(out, fmt.Sprintf("object %s written %d times", k, n))
		}
	}
	return out
}

// Stored reports whether the message has an archive object.
func (r *Recorder) Stored(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stored[id]
}

// Deleted returns how many times SQS accepted a delete of the message.
func (r *Recorder) Deleted(id string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.deleted[id]
}

// MaybeDeleted reports whether a delete of the message was sent but its
// answer lost.
func (r *Recorder) MaybeDeleted(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.maybeDeleted[id] && r.deleted[id] == 0
}

// objectExists asks S3 itself whether the message's object exists: a put
// whose answer was lost (the call was cancelled in flight) may have
// written it without the recorder seeing a success.
func (r *Recorder) objectExists(ctx context.Context, bucket *string, id string) bool {
	r.mu.Lock()
	key, ok := r.keys[id]
	r.mu.Unlock()
	if !ok || bucket == nil {
		return false
	}
	_, err := r.S3Next.HeadObject(context.WithoutCancel(ctx), &s3.HeadObjectInput{Bucket: bucket, Key: aws.String(key)})
	return err == nil
}

// enter counts a call and applies the kill point.
func (r *Recorder) enter(op string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.killed {
		return fmt.Errorf("%s: %w", op, ErrKilled)
	}
	r.calls[op]++
	r.total++
	if r.faults.KillAfterCalls > 0 && r.total > r.faults.KillAfterCalls {
		r.killed = true
		if r.kill != nil {
			r.kill()
		}
		return fmt.Errorf("%s: %w", op, ErrKilled)
	}
	return nil
}

func (r *Recorder) roll(p float64) bool {
	if p <= 0 {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.rng.Float64() < p
}

// SQS returns the recording SQS client.
func (r *Recorder) SQS() dlq.SQSClient { return recSQS{r} }

// S3 returns the recording S3 client.
func (r *Recorder) S3() dlq.S3Client { return recS3{r} }

type recSQS struct{ r *Recorder }

func (c recSQS) ListQueues(ctx context.Context, in *sqs.ListQueuesInput, o ...func(*sqs.Options)) (*sqs.ListQueuesOutput, error) {
	if err := c.r.enter("ListQueues"); err != nil {
		return nil, err
	}
	return c.r.SQSNext.ListQueues(ctx, in, o...)
}

func (c recSQS) GetQueueUrl(ctx context.Context, in *sqs.GetQueueUrlInput, o ...func(*sqs.Options)) (*sqs.GetQueueUrlOutput, error) {
	if err := c.r.enter("GetQueueUrl"); err != nil {
		return nil, err
	}
	return c.r.SQSNext.GetQueueUrl(ctx, in, o...)
}

func (c recSQS) GetQueueAttributes(ctx context.Context, in *sqs.GetQueueAttributesInput, o ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error) {
	if err := c.r.enter("GetQueueAttributes"); err != nil {
		return nil, err
	}
	return c.r.SQSNext.GetQueueAttributes(ctx, in, o...)
}

func (c recSQS) ListQueueTags(ctx context.Context, in *sqs.ListQueueTagsInput, o ...func(*sqs.Options)) (*sqs.ListQueueTagsOutput, error) {
	if err := c.r.enter("ListQueueTags"); err != nil {
		return nil, err
	}
	return c.r.SQSNext.ListQueueTags(ctx, in, o...)
}

func (c recSQS) ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, o ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error) {
	if err := c.r.enter("ReceiveMessage"); err != nil {
		return nil, err
	}
	out, err := c.r.SQSNext.ReceiveMessage(ctx, in, o...)
	if err == nil {
		c.r.mu.Lock()
		for _, m := range out.Messages {
			c.r.receipts[aws.ToString(m.ReceiptHandle)] = aws.ToString(m.MessageId)
		}
		c.r.mu.Unlock()
	}
	return out, err
}

func (c recSQS) DeleteMessageBatch(ctx context.Context, in *sqs.DeleteMessageBatchInput, o ...func(*sqs.Options)) (*sqs.DeleteMessageBatchOutput, error) {
	if err := c.r.enter("DeleteMessageBatch"); err != nil {
		return nil, err
	}
	var pass []sqstypes.DeleteMessageBatchRequestEntry
	var failed []sqstypes.BatchResultErrorEntry
	for _, e := range in.Entries {
		c.r.mu.Lock()
		id, known := c.r.receipts[aws.ToString(e.ReceiptHandle)]
		stored := c.r.stored[id]
		c.r.mu.Unlock()
		if known && !stored && c.r.objectExists(ctx, c.r.bucket, id) {
			stored = true
			c.r.mu.Lock()
			c.r.stored[id] = true
			c.r.mu.Unlock()
		}
		c.r.mu.Lock()
		switch {
		case !known:
			c.r.violations = append(c.r.violations, "delete of a receipt handle never received")
		case !stored:
			c.r.violations = append(c.r.violations, "delete of message "+id+" before its object existed")
		}
		if c.r.faults.DeleteEntryFail > 0 && c.r.rng.Float64() < c.r.faults.DeleteEntryFail {
			failed = append(failed, sqstypes.BatchResultErrorEntry{Id: e.Id, Code: aws.String("InternalError"), Message: aws.String(ErrInjected.Error())})
			c.r.mu.Unlock()
			continue
		}
		pass = append(pass, e)
		c.r.mu.Unlock()
	}
	out := &sqs.DeleteMessageBatchOutput{Failed: failed}
	if len(pass) == 0 {
		return out, nil
	}
	c.r.deleteMu.Lock()
	real, err := c.r.SQSNext.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: in.QueueUrl, Entries: pass}, o...)
	c.r.deleteMu.Unlock()
	if err != nil {
		c.r.mu.Lock()
		for _, e := range pass {
			c.r.maybeDeleted[c.r.receipts[aws.ToString(e.ReceiptHandle)]] = true
		}
		c.r.mu.Unlock()
		return nil, err
	}
	ok := map[string]bool{}
	for _, s := range real.Successful {
		ok[aws.ToString(s.Id)] = true
	}
	c.r.mu.Lock()
	for _, e := range pass {
		if ok[aws.ToString(e.Id)] {
			c.r.deleted[c.r.receipts[aws.ToString(e.ReceiptHandle)]]++
		}
	}
	c.r.mu.Unlock()
	out.Successful = real.Successful
	out.Failed = append(out.Failed, real.Failed...)
	return out, nil
}

func (c recSQS) ChangeMessageVisibilityBatch(ctx context.Context, in *sqs.ChangeMessageVisibilityBatchInput, o ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityBatchOutput, error) {
	if err := c.r.enter("ChangeMessageVisibilityBatch"); err != nil {
		return nil, err
	}
	return c.r.SQSNext.ChangeMessageVisibilityBatch(ctx, in, o...)
}

func (c recSQS) SendMessageBatch(ctx context.Context, in *sqs.SendMessageBatchInput, o ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error) {
	if err := c.r.enter("SendMessageBatch"); err != nil {
		return nil, err
	}
	return c.r.SQSNext.SendMessageBatch(ctx, in, o...)
}

type recS3 struct{ r *Recorder }

// messageIDOfKey reads the message id back out of an archive key.
func messageIDOfKey(key string) string { return strings.TrimSuffix(path.Base(key), ".json") }

func (c recS3) PutObject(ctx context.Context, in *s3.PutObjectInput, o ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	if err := c.r.enter("PutObject"); err != nil {
		return nil, err
	}
	c.r.mu.Lock()
	c.r.keys[messageIDOfKey(aws.ToString(in.Key))] = aws.ToString(in.Key)
	c.r.bucket = in.Bucket
	c.r.mu.Unlock()
	if c.r.roll(c.r.faults.PutFailBefore) {
		return nil, fmt.Errorf("put %s: %w (before S3)", aws.ToString(in.Key), ErrInjected)
	}
	out, err := c.r.S3Next.PutObject(ctx, in, o...)
	if err == nil {
		c.r.mu.Lock()
		c.r.puts[aws.ToString(in.Key)]++
		c.r.stored[messageIDOfKey(aws.ToString(in.Key))] = true
		c.r.mu.Unlock()
		if c.r.roll(c.r.faults.PutFailAfter) {
			return nil, fmt.Errorf("put %s: %w (response lost)", aws.ToString(in.Key), ErrInjected)
		}
	}
	return out, err
}

func (c recS3) HeadObject(ctx context.Context, in *s3.HeadObjectInput, o ...func(*s3.Options)) (*s3.HeadObjectOutput, error) {
	if err := c.r.enter("HeadObject"); err != nil {
		return nil, err
	}
	return c.r.S3Next.HeadObject(ctx, in, o...)
}

func (c recS3) GetObject(ctx context.Context, in *s3.GetObjectInput, o ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	if err := c.r.enter("GetObject"); err != nil {
		return nil, err
	}
	return c.r.S3Next.GetObject(ctx, in, o...)
}

func (c recS3) ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, o ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	if err := c.r.enter("ListObjectsV2"); err != nil {
		return nil, err
	}
	return c.r.S3Next.ListObjectsV2(ctx, in, o...)
}
