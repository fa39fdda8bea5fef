package motoserver

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

func TestStartServesSQS(t *testing.T) {
	Start(t)
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := sqs.NewFromConfig(cfg)
	if _, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: new("q1")}); err != nil {
		t.Fatal(err)
	}
	out, err := c.ListQueues(ctx, &sqs.ListQueuesInput{})
	if err != nil || len(out.QueueUrls) != 1 {
		t.Fatalf("ListQueues = %v, %v", out, err)
	}
	Start(t) // a second Start resets
	out, err = c.ListQueues(ctx, &sqs.ListQueuesInput{})
	if err != nil || len(out.QueueUrls) != 0 {
		t.Fatalf("after reset ListQueues = %v, %v", out.QueueUrls, err)
	}
}
