package dlq

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// Tag marks a queue for archiving; the rulebook's dlq-archive rule treats a
// queue tagged TagKey=TagValue as covered by the archiver.
const (
	TagKey   = "safeguard:dlq-archive"
	TagValue = "true"
)

// Why values for Queue.Why.
const (
	WhyConfigured = "configured"
	WhyTagged     = "tagged"
	WhyRequested  = "requested"
	whyRedrive    = "redrive:"
)

// discoverWorkers bounds concurrent per-queue lookups; ListQueueTags and
// GetQueueAttributes are cheap but an account may hold hundreds of queues.
const discoverWorkers = 8

// Discover finds the dead-letter queues of the account and region the
// client talks to: every queue named as deadLetterTargetArn in another
// queue's redrive policy, every queue tagged TagKey=TagValue, and every
// queue in configured (URLs, ARNs or names). It returns the queues it could
// read, sorted by name, and an error joining whatever it could not read
// (a queue it cannot see is a queue it cannot archive, so the caller must
// report it, not pass it silently).
func Discover(ctx context.Context, client SQSClient, configured []string, log *slog.Logger) ([]Queue, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var urls []string
	p := sqs.NewListQueuesPaginator(client, &sqs.ListQueuesInput{MaxResults: aws.Int32(1000)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list queues: %w", err)
		}
		urls = append(urls, page.QueueUrls...)
	}

	type seen struct {
		q      Queue
		tagged bool
		err    error
	}
	results := make([]seen, len(urls))
	var wg sync.WaitGroup
	sem := make(chan struct{}, discoverWorkers)
	for i, u := range urls {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			q, err := LoadQueue(ctx, client, u)
			if err != nil {
				results[i].err = err
				return
			}
			tags, err := client.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: aws.String(u)})
			if err != nil {
				results[i] = seen{q: q, err: fmt.Errorf("list tags of queue %s: %w", u, err)}
				return
			}
			results[i] = seen{q: q, tagged: strings.EqualFold(tags.Tags[TagKey], TagValue)}
		}()
	}
	wg.Wait()

	var errs []error
	byARN := map[string]*Queue{}
	chosen := map[string]*Queue{} // by ARN
	for i := range results {
		r := &results[i]
		if r.err != nil {
			errs = append(errs, r.err)
		}
		if r.q.ARN == "" {
			continue
		}
		q := r.q
		byARN[q.ARN] = &q
		if r.tagged {
			q.Why = append(q.Why, WhyTagged)
			chosen[q.ARN] = &q
		}
	}
	// Redrive targets: look at every queue's policy, in listing order so the
	// reasons come out stable.
	for i := range results {
		src := results[i].q
		if src.RedriveTarget == "" {
			continue
		}
		target := src.RedriveTarget
		q, ok := byARN[target]
		if !ok {
			// Another account (same region): not in our listing.
			u, err := ResolveQueueURL(ctx, client, target)
			if err == nil {
				var loaded Queue
				if loaded, err = LoadQueue(ctx, client, u); err == nil {
					q = &loaded
					byARN[target] = q
				}
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("dead-letter queue %s of %s: %w", target, src.ARN, err))
				continue
			}
		}
		q.Why = append(q.Why, whyRedrive+src.ARN)
		chosen[q.ARN] = q
	}
	for _, ref := range configured {
		ref = strings.TrimSpace(ref)
		if ref == "" {
			continue
		}
		u, err := ResolveQueueURL(ctx, client, ref)
		if err != nil {
			errs = append(errs, fmt.Errorf("configured queue: %w", err))
			continue
		}
		loaded, err := LoadQueue(ctx, client, u)
		if err != nil {
			errs = append(errs, fmt.Errorf("configured queue: %w", err))
			continue
		}
		q, ok := byARN[loaded.ARN]
		if !ok {
			q = &loaded
			byARN[loaded.ARN] = q
		}
		q.Why = append(q.Why, WhyConfigured)
		chosen[q.ARN] = q
	}

	out := make([]Queue, 0, len(chosen))
	for _, q := range chosen {
		out = append(out, *q)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ARN < out[j].ARN })
	for _, q := range out {
		log.Info("dead-letter queue found", "queue", q.Name, "arn", q.ARN, "fifo", q.FIFO, "retentionSeconds", int64(q.Retention.Seconds()), "why", q.Why)
	}
	return out, errors.Join(errs...)
}
