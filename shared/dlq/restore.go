package dlq

import (
	"context"
	"fmt"
	"log/slog"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// ParseS3URL splits s3://bucket/prefix.
func ParseS3URL(s string) (bucket, prefix string, err error) {
	rest, ok := strings.CutPrefix(s, "s3://")
	if !ok {
		return "", "", fmt.Errorf("%q is not an s3://bucket/prefix URL", s)
	}
	bucket, prefix, _ = strings.Cut(rest, "/")
	if bucket == "" {
		return "", "", fmt.Errorf("%q names no bucket", s)
	}
	return bucket, prefix, nil
}

// Restorer re-sends archived messages.
type Restorer struct {
	S3  S3Client
	SQS SQSClient
	Log *slog.Logger
}

// RestoreResult says what a restore did (or, dry, would do).
type RestoreResult struct {
	Records int `json:"records"`
	Sent    int `json:"sent"`
	Failed  int `json:"failed"`
	// BySource counts records per source queue ARN.
	BySource map[string]int `json:"bySource"`
	Errors   []string       `json:"errors,omitempty"`
}

// OK reports whether every record was read and (unless dry) sent.
func (r RestoreResult) OK() bool { return r.Failed == 0 && len(r.Errors) == 0 }

// Restore sends every record under s3://bucket/prefix to the queue at
// target, with its message attributes. Within each key directory (one
// queue's day) records go in sent order, then FIFO sequence number, so a
// FIFO group keeps its order. To a FIFO queue each message keeps its group
// id and gets its original message id as deduplication id, so a restore
// repeated within SQS's five-minute deduplication window sends nothing
// twice; a standard queue has no such guard and a repeated restore sends
// the messages again. With dryRun nothing is sent.
func (r *Restorer) Restore(ctx context.Context, bucket, prefix, target string, dryRun bool) (RestoreResult, error) {
	log := r.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	tq, err := LoadQueue(ctx, r.SQS, target)
	if err != nil {
		return RestoreResult{}, fmt.Errorf("restore target: %w", err)
	}
	res := RestoreResult{BySource: map[string]int{}}
	store := Store{S3: r.S3, Bucket: bucket}
	var dirKeys []string
	dir := ""
	flush := func() {
		if len(dirKeys) > 0 {
			r.restoreDir(ctx, store, tq, dirKeys, dryRun, &res, log)
		}
		dirKeys = dirKeys[:0]
	}
	p := s3.NewListObjectsV2Paginator(r.S3, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return res, fmt.Errorf("list s3://%s/%s: %w", bucket, prefix, err)
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			if !strings.HasSuffix(key, ".json") {
				continue
			}
			if d := path.Dir(key); d != dir {
				flush()
				dir = d
			}
			dirKeys = append(dirKeys, key)
		}
	}
	flush()
	log.Info("restore done", "target", tq.Name, "records", res.Records, "sent", res.Sent, "failed", res.Failed, "dryRun", dryRun)
	return res, nil
}

// restoreFetchers bounds concurrent GetObject calls.
const restoreFetchers = 8

func (r *Restorer) restoreDir(ctx context.Context, store Store, tq Queue, keys []string, dryRun bool, res *RestoreResult, log *slog.Logger) {
	recs := make([]Record, len(keys))
	errs := make([]error, len(keys))
	var wg sync.WaitGroup
	sem := make(chan struct{}, restoreFetchers)
	for i, k := range keys {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			recs[i], errs[i] = store.Get(ctx, k)
		}()
	}
	wg.Wait()
	var ok []Record
	for i, err := range errs {
		if err != nil {
			res.Failed++
			res.addError(err)
			continue
		}
		ok = append(ok, recs[i])
	}
	sort.SliceStable(ok, func(i, j int) bool { return recordBefore(ok[i], ok[j]) })

	var batch []sqstypes.SendMessageBatchRequestEntry
	var batchRecs []Record
	size := 0
	send := func() {
		if len(batch) == 0 {
			return
		}
		r.sendBatch(ctx, tq, batch, batchRecs, res, log)
		batch, batchRecs, size = nil, nil, 0
	}
	for _, rec := range ok {
		res.Records++
		res.BySource[rec.SourceQueueARN]++
		entry, err := sendEntry(rec, tq)
		if err != nil {
			res.Failed++
			res.addError(err)
			continue
		}
		if dryRun {
			continue
		}
		n := entrySize(rec)
		if len(batch) == 10 || (len(batch) > 0 && size+n > maxBatchBytes) {
			send()
		}
		batch = append(batch, entry)
		batchRecs = append(batchRecs, rec)
		size += n
	}
	send()
}

// maxBatchBytes is SendMessageBatch's payload limit as it stood before SQS
// raised message size to 1 MiB; staying below it works with either limit.
const maxBatchBytes = 256 << 10

func entrySize(rec Record) int {
	n := len(rec.Body)
	for name, a := range rec.MessageAttributes {
		n += len(name) + len(a.DataType) + len(aws.ToString(a.StringValue)) + len(a.BinaryValue)
	}
	return n
}

func recordBefore(a, b Record) bool {
	if !a.SentAt.Equal(b.SentAt) {
		return a.SentAt.Before(b.SentAt)
	}
	sa, sb := a.Attributes["SequenceNumber"], b.Attributes["SequenceNumber"]
	if sa != sb {
		// Sequence numbers are decimal strings of up to 128 bits: longer is larger.
		if len(sa) != len(sb) {
			return len(sa) < len(sb)
		}
		return sa < sb
	}
	return a.MessageID < b.MessageID
}

// sendEntry builds a record's entry; sendBatch numbers the ids.
func sendEntry(rec Record, tq Queue) (sqstypes.SendMessageBatchRequestEntry, error) {
	e := sqstypes.SendMessageBatchRequestEntry{MessageBody: aws.String(rec.Body)}
	if len(rec.MessageAttributes) > 0 {
		e.MessageAttributes = make(map[string]sqstypes.MessageAttributeValue, len(rec.MessageAttributes))
		for name, a := range rec.MessageAttributes {
			e.MessageAttributes[name] = sqstypes.MessageAttributeValue{DataType: aws.String(a.DataType), StringValue: a.StringValue, BinaryValue: a.BinaryValue}
		}
	}
	if th := rec.Attributes["AWSTraceHeader"]; th != "" {
		e.MessageSystemAttributes = map[string]sqstypes.MessageSystemAttributeValue{
			"AWSTraceHeader": {DataType: aws.String("String"), StringValue: aws.String(th)},
		}
	}
	if tq.FIFO {
		group := rec.Attributes["MessageGroupId"]
		if group == "" {
			return e, fmt.Errorf("record %s (from %s) has no MessageGroupId; a FIFO queue needs one", rec.MessageID, rec.SourceQueueARN)
		}
		e.MessageGroupId = aws.String(group)
		e.MessageDeduplicationId = aws.String(rec.MessageID)
	}
	return e, nil
}

func (r *Restorer) sendBatch(ctx context.Context, tq Queue, entries []sqstypes.SendMessageBatchRequestEntry, recs []Record, res *RestoreResult, log *slog.Logger) {
	for i := range entries {
		entries[i].Id = aws.String(strconv.Itoa(i))
	}
	out, err := r.SQS.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(tq.URL), Entries: entries})
	if err != nil {
		res.Failed += len(entries)
		res.addError(fmt.Errorf("send to %s: %w", tq.Name, err))
		return
	}
	res.Sent += len(out.Successful)
	for _, f := range out.Failed {
		res.Failed++
		id := "?"
		if i, err := strconv.Atoi(aws.ToString(f.Id)); err == nil && i >= 0 && i < len(recs) {
			id = recs[i].MessageID
		}
		res.addError(fmt.Errorf("send record %s to %s: %s %s", id, tq.Name, aws.ToString(f.Code), aws.ToString(f.Message)))
		log.Warn("restore send failed", "messageId", id, "code", aws.ToString(f.Code))
	}
}

func (r *RestoreResult) addError(err error) {
	if len(r.Errors) < maxErrorsKept {
		r.Errors = append(r.Errors, err.Error())
	}
}
