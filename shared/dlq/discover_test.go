package dlq_test

import (
	"context"
	"slices"
	"testing"

	"prodready/shared/dlq"
	"prodready/shared/dlq/dlqtest"
)

func TestDiscover(t *testing.T) {
	f := newFixture(t)
	mk := func(name string, attrs, tags map[string]string) dlqtest.Queue {
		return dlqtest.CreateQueue(t, f.SQS, name, attrs, tags)
	}
	shared := mk("orders-dlq", nil, nil)
	mk("orders", dlqtest.RedriveTo(shared.ARN, 3), nil)
	mk("orders-retry", dlqtest.RedriveTo(shared.ARN, 5), nil)
	tagged := mk("lambda-failures", nil, map[string]string{dlq.TagKey: "true"})
	mk("tagged-false", nil, map[string]string{dlq.TagKey: "false"})
	configured := mk("sns-redrive", nil, nil)
	byURL := mk("by-url", nil, nil)
	last := mk("last-resort-dlq", nil, nil)
	chained := mk("payments-dlq", dlqtest.RedriveTo(last.ARN, 50), nil)
	mk("payments", dlqtest.RedriveTo(chained.ARN, 3), nil)
	fifoDLQ := mk("events-dlq.fifo", nil, nil)
	mk("events.fifo", dlqtest.RedriveTo(fifoDLQ.ARN, 2), nil)
	mk("plain", nil, nil)

	queues, err := dlq.Discover(context.Background(), f.Rec.SQS(), []string{"sns-redrive", byURL.URL}, nil)
	if err != nil {
		t.Fatalf("Discover: %v", err)
	}
	got := map[string]dlq.Queue{}
	for _, q := range queues {
		got[q.Name] = q
	}
	tests := []struct {
		name     string
		why      []string
		fifo     bool
		redrives string
	}{
		{name: "orders-dlq", why: []string{"redrive:arn:aws:sqs:eu-west-2:123456789012:orders", "redrive:arn:aws:sqs:eu-west-2:123456789012:orders-retry"}},
		{name: "lambda-failures", why: []string{dlq.WhyTagged}},
		{name: "sns-redrive", why: []string{dlq.WhyConfigured}},
		{name: "by-url", why: []string{dlq.WhyConfigured}},
		{name: "payments-dlq", why: []string{"redrive:arn:aws:sqs:eu-west-2:123456789012:payments"}, redrives: last.ARN},
		{name: "last-resort-dlq", why: []string{"redrive:" + chained.ARN}},
		{name: "events-dlq.fifo", why: []string{"redrive:arn:aws:sqs:eu-west-2:123456789012:events.fifo"}, fifo: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, ok := got[tc.name]
			if !ok {
				t.Fatalf("not discovered; got %v", names(queues))
			}
			slices.Sort(q.Why)
			if !slices.Equal(q.Why, tc.why) {
				t.Errorf("why = %v, want %v", q.Why, tc.why)
			}
			if q.FIFO != tc.fifo {
				t.Errorf("FIFO = %v", q.FIFO)
			}
			if q.RedriveTarget != tc.redrives {
				t.Errorf("RedriveTarget = %q, want %q", q.RedriveTarget, tc.redrives)
			}
			if q.Account != "123456789012" || q.Region != "eu-west-2" || q.Retention.Hours() != 96 {
				t.Errorf("queue facts: %+v", q)
			}
		})
	}
	if len(queues) != len(tests) {
		t.Errorf("discovered %v; want exactly the %d DLQs (not plain, orders, tagged-false…)", names(queues), len(tests))
	}
	_ = tagged
	_ = configured
}

func TestDiscoverReportsWhatItCannotRead(t *testing.T) {
	f := newFixture(t)
	dlqtest.CreateQueue(t, f.SQS, "a-dlq", nil, map[string]string{dlq.TagKey: "true"})
	queues, err := dlq.Discover(context.Background(), f.Rec.SQS(), []string{"no-such-queue"}, nil)
	if err == nil {
		t.Fatal("a configured queue that does not exist must be an error, not skipped")
	}
	if len(queues) != 1 || queues[0].Name != "a-dlq" {
		t.Errorf("queues = %v; the readable ones must still be returned", names(queues))
	}
}

func names(qs []dlq.Queue) []string {
	var out []string
	for _, q := range qs {
		out = append(out, q.Name)
	}
	return out
}
