package collect

import (
	"context"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"prodready/shared/inventory"
)

// SQS queues: RedrivePolicy (parsed), encryption, retention, tags. The
// queue URL (what CloudFormation's Ref returns) is in Attrs["QueueUrl"].
var sqsService = Service{
	Name:    "sqs",
	Types:   []string{"AWS::SQS::Queue"},
	Actions: []string{"sqs:ListQueues", "sqs:GetQueueAttributes"},
	has:     func(c Clients) bool { return c.SQS != nil },
	collect: func(ctx context.Context, s *svc) error {
		var urls []string
		p := sqs.NewListQueuesPaginator(s.clients.SQS, &sqs.ListQueuesInput{MaxResults: new(int32(1000))})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				return wrap("sqs:ListQueues", "", err)
			}
			urls = append(urls, out.QueueUrls...)
		}
		return detail(ctx, s, urls, func(u string) string { return u }, func(ctx context.Context, url string) error {
			out, err := s.clients.SQS.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &url, AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameAll}})
			if isCode(err, "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist") {
				return nil // deleted since it was listed
			}
			if err != nil {
				return wrap("sqs:GetQueueAttributes", url, err)
			}
			addQueue(s, url, out.Attributes)
			return nil
		})
	},
}

func addQueue(s *svc, url string, a map[string]string) {
	arn := a["QueueArn"]
	name := lastSegment(arn)
	qp := props{}.set("QueueName", name).set("KmsMasterKeyId", a["KmsMasterKeyId"]).
		set("FifoQueue", a["FifoQueue"] == "true").set("DelaySeconds", intAttr(a["DelaySeconds"]))
	if v, ok := a["SqsManagedSseEnabled"]; ok {
		qp.set("SqsManagedSseEnabled", v == "true")
	}
	for _, k := range []string{"MessageRetentionPeriod", "VisibilityTimeout", "ReceiveMessageWaitTimeSeconds", "MaximumMessageSize"} {
		qp.set(k, intAttr(a[k]))
	}
	if rp := a["RedrivePolicy"]; rp != "" {
		if v, err := jsonDoc(rp); err == nil {
			qp.set("RedrivePolicy", v)
		} else {
			qp.set("RedrivePolicy", rp)
		}
	}
	if rp := a["RedriveAllowPolicy"]; rp != "" {
		if v, err := jsonDoc(rp); err == nil {
			qp.set("RedriveAllowPolicy", v)
		}
	}
	tags := s.tags[arn]
	qp.set("Tags", tagList(tags))
	attrs := map[string]string{"QueueUrl": url}
	if n := a["ApproximateNumberOfMessages"]; n != "" {
		attrs["ApproximateNumberOfMessages"] = n
	}
	s.add(&inventory.Resource{ID: arn, ARN: arn, Name: name, Type: "AWS::SQS::Queue", Props: qp.node(), Attrs: attrs}, tags)
}

// intAttr reads a numeric attribute; absent or malformed is "not set".
func intAttr(s string) any {
	if s == "" {
		return nil
	}
	i, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return nil
	}
	return i
}
