package dlq_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"prodready/shared/awsenv"
	"prodready/shared/dlq"
	"prodready/shared/dlq/internal/fakeaws"
)

const benchMessages = 10_000

// BenchmarkArchive10k archives 10,000 messages, and, in the same run over
// the same endpoint, drains 10,000 with a bare receive+delete loop using
// the same number of workers: the floor any consumer pays. The AWS side
// is an in-process fake (fakeaws: SQS JSON protocol and S3 REST over
// HTTP), not moto, which is far too slow at this size; the real SDK
// clients serialize, sign and checksum every call. Reports msg/s.
//
// latency=0 answers at once, so both sides are bound by the CPU the SDK
// spends per request, and the archiver makes six requests for every one of
// the bare loop (a put per message besides the receive and the delete).
// latency=5ms and 20ms add a round trip to every answer; 20 ms is about
// what a Lambda function sees from SQS and S3 in its region. There waiting
// dominates, the puts of a batch overlap, and the archiver keeps pace with
// the bare loop (measured: 85% at 20 ms, 62% at 5 ms, 15% at 0).
//
//	go test ./shared/dlq -run '^$' -bench Archive10k -benchtime 2x -count 5
func BenchmarkArchive10k(b *testing.B) {
	fake := fakeaws.New()
	defer fake.Close()
	b.Setenv("AWS_ENDPOINT_URL", fake.URL)
	b.Setenv("AWS_ACCESS_KEY_ID", "bench")
	b.Setenv("AWS_SECRET_ACCESS_KEY", "bench")
	b.Setenv("AWS_REGION", "eu-west-2")
	b.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	cfg, err := awsenv.Load(context.Background(), awsenv.Options{})
	if err != nil {
		b.Fatal(err)
	}
	cfg.HTTPClient = dlq.HTTPClient()
	sqsc := sqs.NewFromConfig(cfg)
	s3c := s3.NewFromConfig(cfg)
	queue := dlq.Queue{URL: fake.QueueURL, ARN: fake.QueueARN, Name: "bench-dlq", Account: "123456789012", Region: "eu-west-2", Retention: 96 * time.Hour}
	const workers = 8 // the archiver's default

	run := func(b *testing.B, drain func(context.Context)) {
		for range b.N {
			b.StopTimer()
			fake.Reset()
			fake.Seed(benchMessages, time.Now().Add(-time.Hour).UnixMilli())
			b.StartTimer()
			drain(context.Background())
			b.StopTimer()
			if visible, inFlight, _ := fake.Counts(); visible+inFlight != 0 {
				b.Fatalf("%d messages left (%d in flight)", visible+inFlight, inFlight)
			}
			b.StartTimer()
		}
		b.ReportMetric(float64(benchMessages*b.N)/b.Elapsed().Seconds(), "msg/s")
	}

	for _, latency := range []time.Duration{0, 5 * time.Millisecond, 20 * time.Millisecond} {
		fake.Latency = latency
		b.Run("latency="+latency.String(), func(b *testing.B) { benchBoth(b, fake, sqsc, s3c, queue, workers, run) })
	}
}

func benchBoth(b *testing.B, fake *fakeaws.Server, sqsc *sqs.Client, s3c *s3.Client, queue dlq.Queue, workers int, run func(*testing.B, func(context.Context))) {
	b.Run("archiver", func(b *testing.B) {
		a := &dlq.Archiver{SQS: sqsc, Store: dlq.Store{S3: s3c, Bucket: "archive", KMSKeyID: "alias/dlq"},
			Config: dlq.Config{ReceiveWait: -1}}
		run(b, func(ctx context.Context) {
			res := a.ArchiveQueue(ctx, queue, dlq.Everything)
			// A put retried by the SDK after a dropped connection may find
			// its own object (412, same MD5): archived all the same.
			if res.Archived+res.AlreadyArchived != benchMessages || !res.OK() {
				b.Fatalf("result %+v", res)
			}
		})
		if _, _, objects := fake.Counts(); objects != benchMessages {
			b.Fatalf("%d objects", objects)
		}
	})
	b.Run("bare-receive-delete", func(b *testing.B) {
		run(b, func(ctx context.Context) { bareLoop(ctx, b, sqsc, fake.QueueURL, workers) })
	})
}

// bareLoop receives and deletes until the queue is empty: what any
// consumer of the queue pays, with nothing archived.
func bareLoop(ctx context.Context, b *testing.B, c *sqs.Client, url string, workers int) {
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10, VisibilityTimeout: 60,
					MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll}, MessageAttributeNames: []string{"All"}})
				if err != nil {
					b.Error(err)
					return
				}
				if len(out.Messages) == 0 {
					return
				}
				entries := make([]sqstypes.DeleteMessageBatchRequestEntry, len(out.Messages))
				for i, m := range out.Messages {
					entries[i] = sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle}
				}
				if _, err := c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(url), Entries: entries}); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}
