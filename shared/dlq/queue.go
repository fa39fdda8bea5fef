package dlq

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// Queue is a dead-letter queue the archiver works on.
type Queue struct {
	URL, ARN, Name  string
	Account, Region string
	FIFO            bool
	// Retention is MessageRetentionPeriod.
	Retention time.Duration
	// RedriveTarget is the queue's own deadLetterTargetArn, if it has one
	// (unusual for a DLQ: see the package documentation).
	RedriveTarget string
	// Why says how it was found: "redrive:<source queue ARN>", "configured",
	// "tagged", "requested".
	Why []string
}

// ARN is a parsed SQS queue ARN.
type ARN struct{ Partition, Region, Account, Name string }

// ParseQueueARN splits arn:<partition>:sqs:<region>:<account>:<name>.
func ParseQueueARN(s string) (ARN, error) {
	parts := strings.Split(s, ":")
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "sqs" || parts[3] == "" || parts[4] == "" || parts[5] == "" {
		return ARN{}, fmt.Errorf("%q is not an SQS queue ARN (arn:aws:sqs:<region>:<account>:<name>)", s)
	}
	return ARN{Partition: parts[1], Region: parts[3], Account: parts[4], Name: parts[5]}, nil
}

// redrivePolicy is the JSON SQS keeps in the RedrivePolicy attribute.
type redrivePolicy struct {
	DeadLetterTargetArn string `json:"deadLetterTargetArn"`
	MaxReceiveCount     any    `json:"maxReceiveCount"`
}

func redriveTarget(attr string) (string, error) {
	if attr == "" {
		return "", nil
	}
	var p redrivePolicy
	if err := json.Unmarshal([]byte(attr), &p); err != nil {
		return "", fmt.Errorf("RedrivePolicy is not JSON: %w", err)
	}
	return p.DeadLetterTargetArn, nil
}

// ResolveQueueURL turns a queue URL, ARN or name into a URL. A URL is taken
// as it is; an ARN or a name is asked of GetQueueUrl (with the owner account
// for an ARN, so a DLQ in another account of the same region resolves).
func ResolveQueueURL(ctx context.Context, client SQSClient, ref string) (string, error) {
	ref = strings.TrimSpace(ref)
	switch {
	case ref == "":
		return "", fmt.Errorf("empty queue reference")
	case strings.HasPrefix(ref, "https://") || strings.HasPrefix(ref, "http://"):
		if _, err := url.Parse(ref); err != nil {
			return "", fmt.Errorf("queue URL %q: %w", ref, err)
		}
		return ref, nil
	case strings.HasPrefix(ref, "arn:"):
		a, err := ParseQueueARN(ref)
		if err != nil {
			return "", err
		}
		out, err := client.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(a.Name), QueueOwnerAWSAccountId: aws.String(a.Account)})
		if err != nil {
			return "", fmt.Errorf("get URL of queue %s: %w", ref, err)
		}
		return aws.ToString(out.QueueUrl), nil
	default:
		out, err := client.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(ref)})
		if err != nil {
			return "", fmt.Errorf("get URL of queue %s: %w", ref, err)
		}
		return aws.ToString(out.QueueUrl), nil
	}
}

// LoadQueue reads the attributes the archiver needs from the queue at url.
func LoadQueue(ctx context.Context, client SQSClient, queueURL string) (Queue, error) {
	out, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(queueURL),
		AttributeNames: []sqstypes.QueueAttributeName{
			sqstypes.QueueAttributeNameQueueArn,
			sqstypes.QueueAttributeNameMessageRetentionPeriod,
			sqstypes.QueueAttributeNameRedrivePolicy,
			sqstypes.QueueAttributeNameFifoQueue,
		},
	})
	if err != nil {
		return Queue{}, fmt.Errorf("get attributes of queue %s: %w", queueURL, err)
	}
	return queueFromAttributes(queueURL, out.Attributes)
}

func queueFromAttributes(queueURL string, attrs map[string]string) (Queue, error) {
	arnText := attrs[string(sqstypes.QueueAttributeNameQueueArn)]
	a, err := ParseQueueARN(arnText)
	if err != nil {
		return Queue{}, fmt.Errorf("queue %s: QueueArn: %w", queueURL, err)
	}
	q := Queue{URL: queueURL, ARN: arnText, Name: a.Name, Account: a.Account, Region: a.Region,
		FIFO: attrs[string(sqstypes.QueueAttributeNameFifoQueue)] == "true" || strings.HasSuffix(a.Name, ".fifo")}
	secs, err := strconv.Atoi(attrs[string(sqstypes.QueueAttributeNameMessageRetentionPeriod)])
	if err != nil || secs <= 0 {
		return Queue{}, fmt.Errorf("queue %s: MessageRetentionPeriod %q is not a number of seconds", queueURL, attrs[string(sqstypes.QueueAttributeNameMessageRetentionPeriod)])
	}
	q.Retention = time.Duration(secs) * time.Second
	if q.RedriveTarget, err = redriveTarget(attrs[string(sqstypes.QueueAttributeNameRedrivePolicy)]); err != nil {
		return Queue{}, fmt.Errorf("queue %s: %w", queueURL, err)
	}
	return q, nil
}
