package dlqtest

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"prodready/shared/awsenv"
	"prodready/shared/dlq"
)

// Clients builds real SDK clients from the standard environment (which
// motoserver.Start points at moto).
func Clients(t testing.TB) (*sqs.Client, *s3.Client) {
	t.Helper()
	cfg, err := awsenv.Load(context.Background(), awsenv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return sqs.NewFromConfig(cfg), s3.NewFromConfig(cfg, func(o *s3.Options) { o.DisableLogOutputChecksumValidationSkipped = true })
}

// Queue is a queue a test made.
type Queue struct{ URL, ARN string }

// CreateQueue makes a queue with attrs and tags; a name ending in .fifo
// makes a FIFO queue.
func CreateQueue(t testing.TB, c *sqs.Client, name string, attrs, tags map[string]string) Queue {
	t.Helper()
	ctx := context.Background()
	a := map[string]string{"MessageRetentionPeriod": strconv.Itoa(4 * 24 * 3600)}
	if len(name) > 5 && name[len(name)-5:] == ".fifo" {
		a["FifoQueue"] = "true"
	}
	for k, v := range attrs {
		a[k] = v
	}
	out, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: a, Tags: tags})
	if err != nil {
		t.Fatalf("create queue %s: %v", name, err)
	}
	got, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: out.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatal(err)
	}
	return Queue{URL: aws.ToString(out.QueueUrl), ARN: got.Attributes["QueueArn"]}
}

// RedriveTo is the RedrivePolicy attribute naming dlqARN.
func RedriveTo(dlqARN string, maxReceives int) map[string]string {
	return map[string]string{"RedrivePolicy": fmt.Sprintf(`{"deadLetterTargetArn":%q,"maxReceiveCount":"%d"}`, dlqARN, maxReceives)}
}

// CreateBucket makes a bucket in the client's region.
func CreateBucket(t testing.TB, c *s3.Client, name string) {
	t.Helper()
	_, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintEuWest2}})
	if err != nil {
		t.Fatalf("create bucket %s: %v", name, err)
	}
}

// Sent is a message a test sent.
type Sent struct {
	ID, Body, Group string
	Attributes      map[string]sqstypes.MessageAttributeValue
}

// SendOptions shape the messages Send makes.
type SendOptions struct {
	// Groups > 0 sends to a FIFO queue, spreading messages over that many
	// group ids (in order within each group).
	Groups int
	// Tag is put in every body so batches can be told apart.
	Tag string
	// WithAttributes adds String, Number and Binary message attributes.
	WithAttributes bool
}

// Send sends n messages and returns them by message id.
func Send(t testing.TB, c *sqs.Client, queueURL string, n int, o SendOptions) map[string]Sent {
	t.Helper()
	ctx := context.Background()
	sent := make(map[string]Sent, n)
	for start := 0; start < n; start += 10 {
		var entries []sqstypes.SendMessageBatchRequestEntry
		batch := map[string]Sent{}
		for i := start; i < min(start+10, n); i++ {
			id := strconv.Itoa(i - start)
			s := Sent{Body: fmt.Sprintf(`{"n":%d,"tag":%q,"text":"caf\u00e9 \u2713 <x>"}`, i, o.Tag)}
			e := sqstypes.SendMessageBatchRequestEntry{Id: aws.String(id), MessageBody: aws.String(s.Body)}
			if o.WithAttributes {
				s.Attributes = map[string]sqstypes.MessageAttributeValue{
					"kind":   {DataType: aws.String("String"), StringValue: aws.String("order-" + strconv.Itoa(i%3))},
					"n":      {DataType: aws.String("Number"), StringValue: aws.String(strconv.Itoa(i))},
					"digest": {DataType: aws.String("Binary"), BinaryValue: []byte{0, 1, byte(i), 0xff}},
				}
				e.MessageAttributes = s.Attributes
			}
			if o.Groups > 0 {
				s.Group = "g" + strconv.Itoa(i%o.Groups)
				e.MessageGroupId = aws.String(s.Group)
				e.MessageDeduplicationId = aws.String(o.Tag + "-" + strconv.Itoa(i))
			}
			entries = append(entries, e)
			batch[id] = s
		}
		out, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(queueURL), Entries: entries})
		if err != nil {
			t.Fatalf("send: %v", err)
		}
		if len(out.Failed) > 0 {
			t.Fatalf("send: %d failed: %s", len(out.Failed), aws.ToString(out.Failed[0].Message))
		}
		for _, ok := range out.Successful {
			s := batch[aws.ToString(ok.Id)]
			s.ID = aws.ToString(ok.MessageId)
			sent[s.ID] = s
		}
	}
	return sent
}

// Counts are a queue's exact message counts as moto keeps them.
type Counts struct{ Visible, InFlight, Delayed int }

// Total is every message the queue holds.
func (c Counts) Total() int { return c.Visible + c.InFlight + c.Delayed }

// QueueCounts reads the queue's counts.
func QueueCounts(t testing.TB, c *sqs.Client, queueURL string) Counts {
	t.Helper()
	out, err := c.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(queueURL),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages,
			sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible, sqstypes.QueueAttributeNameApproximateNumberOfMessagesDelayed}})
	if err != nil {
		t.Fatal(err)
	}
	n := func(k sqstypes.QueueAttributeName) int { v, _ := strconv.Atoi(out.Attributes[string(k)]); return v }
	return Counts{Visible: n(sqstypes.QueueAttributeNameApproximateNumberOfMessages),
		InFlight: n(sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible),
		Delayed:  n(sqstypes.QueueAttributeNameApproximateNumberOfMessagesDelayed)}
}

// WaitVisible waits until no message of the queue is in flight (visibility
// timeouts of a killed run ending), up to limit.
func WaitVisible(t testing.TB, c *sqs.Client, queueURL string, limit time.Duration) {
	t.Helper()
	end := time.Now().Add(limit)
	for QueueCounts(t, c, queueURL).InFlight > 0 {
		if time.Now().After(end) {
			t.Fatalf("messages of %s still in flight after %s", queueURL, limit)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Archived reads every record under prefix, by message id. Two objects
// for one message id fail the test.
func Archived(t testing.TB, c *s3.Client, bucket, prefix string) map[string]dlq.Record {
	t.Helper()
	ctx := context.Background()
	store := dlq.Store{S3: c, Bucket: bucket}
	out := map[string]dlq.Record{}
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			rec, err := store.Get(ctx, aws.ToString(o.Key))
			if err != nil {
				t.Fatal(err)
			}
			if _, dup := out[rec.MessageID]; dup {
				t.Errorf("message %s archived twice (second at %s)", rec.MessageID, aws.ToString(o.Key))
			}
			out[rec.MessageID] = rec
		}
	}
	return out
}

// CheckInvariant asserts, after any scenario: every message sent is in S3
// (with its body intact) or still in the queue; the queue holds exactly the
// messages never deleted; no object was written twice; no message was
// deleted before its object existed (the Recorder checked at each delete).
func CheckInvariant(t testing.TB, rec *Recorder, sqsc *sqs.Client, s3c *s3.Client, bucket, prefix, queueURL string, sent map[string]Sent) map[string]dlq.Record {
	t.Helper()
	for _, v := range rec.Violations() {
		t.Errorf("invariant: %s", v)
	}
	archived := Archived(t, s3c, bucket, prefix)
	remaining, maybe := 0, 0
	for id, s := range sent {
		r, inS3 := archived[id]
		if inS3 && r.Body != s.Body {
			t.Errorf("message %s: archived body differs from the one sent", id)
		}
		switch {
		case rec.Deleted(id) == 0 && rec.MaybeDeleted(id):
			maybe++
			if !inS3 {
				t.Errorf("message %s may have been deleted from the queue but is not in S3", id)
			}
		case rec.Deleted(id) == 0:
			remaining++
		case !inS3:
			t.Errorf("message %s was deleted from the queue but is not in S3", id)
		}
	}
	// A delete whose answer was lost may or may not have happened.
	if got := QueueCounts(t, sqsc, queueURL).Total(); got < remaining || got > remaining+maybe {
		t.Errorf("queue holds %d messages; %d sent were never deleted and %d maybe (a message vanished or was deleted behind the recorder's back)", got, remaining, maybe)
	}
	return archived
}
